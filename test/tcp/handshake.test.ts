import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/connection.js";
import { EMPTY, F, IRS, ISS, LOCAL, REMOTE, SYN_OPTS, drain, established, events, expectSent, ours, peer, plainConfig, synSent } from "./util.js";
import { tcpConfig } from "../../src/tcp/config.js";

describe("active open (RFC 9293 §3.10.7.3)", () => {
  test("connect sends a SYN with MSS", () => {
    const c = TcpConnection.connect(plainConfig(), LOCAL, REMOTE, ISS, 0);
    assert.equal(c.state, "SYN-SENT");
    expectSent(c, 0, ours({ seq: ISS, ack: 0, flags: F.SYN, options: SYN_OPTS }));
  });

  test("SYN-ACK moves SYN-SENT to ESTABLISHED and is acknowledged", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: SYN_OPTS }), 10_000);
    assert.equal(c.state, "ESTABLISHED");
    assert.deepEqual(events(c), [{ type: "connected" }]);
    expectSent(c, 10_000, ours({}));
    assert.equal(c.stats().srtt, 10_000);
  });

  test("SYN-ACK with an ACK below ISS+1 gets a RST <SEQ=SEG.ACK>", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS, flags: F.SYN | F.ACK }), 0);
    assert.equal(c.state, "SYN-SENT");
    expectSent(c, 0, ours({ seq: ISS, ack: 0, flags: F.RST, window: 0 }));
  });

  test("SYN-ACK acknowledging beyond SND.NXT gets a RST", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 2, flags: F.SYN | F.ACK }), 0);
    expectSent(c, 0, ours({ seq: ISS + 2, ack: 0, flags: F.RST, window: 0 }));
    assert.equal(c.state, "SYN-SENT");
  });

  test("RST with an acceptable ACK refuses the connection", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: 0, ack: ISS + 1, flags: F.RST | F.ACK }), 0);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "reset" }, { type: "closed" }]);
    expectSent(c, 0);
  });

  test("RST without ACK is ignored in SYN-SENT", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: 0, flags: F.RST }), 0);
    assert.equal(c.state, "SYN-SENT");
    expectSent(c, 0);
  });

  test("RST with an unacceptable ACK is ignored without reply", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: 0, ack: ISS + 7, flags: F.RST | F.ACK }), 0);
    assert.equal(c.state, "SYN-SENT");
    expectSent(c, 0);
  });

  test("a segment with neither SYN nor RST is dropped", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, flags: 0 }), 0);
    assert.equal(c.state, "SYN-SENT");
    expectSent(c, 0);
  });

  test("the SYN is retransmitted with exponential backoff, then the connection times out", () => {
    const c = synSent(plainConfig({ synRetries: 2 }));
    assert.equal(c.pollTimeout(), 1_000_000);
    c.handleTimeout(1_000_000);
    expectSent(c, 1_000_000, ours({ seq: ISS, ack: 0, flags: F.SYN, options: SYN_OPTS }));
    assert.equal(c.pollTimeout(), 3_000_000);
    c.handleTimeout(3_000_000);
    expectSent(c, 3_000_000, ours({ seq: ISS, ack: 0, flags: F.SYN, options: SYN_OPTS }));
    assert.equal(c.pollTimeout(), 7_000_000);
    c.handleTimeout(7_000_000);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "timed-out" }, { type: "closed" }]);
    assert.equal(c.pollTimeout(), undefined);
  });

  test("Karn: a SYN-ACK after a retransmitted SYN gives no RTT sample", () => {
    const c = synSent();
    c.handleTimeout(1_000_000);
    drain(c, 1_000_000);
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: SYN_OPTS }), 1_050_000);
    assert.equal(c.state, "ESTABLISHED");
    assert.equal(c.stats().srtt, undefined);
    // RFC 6298 §5.7: data starts with a 3 s RTO.
    assert.equal(c.stats().rto, 3_000_000);
  });

  test("close in SYN-SENT deletes the connection without a segment", () => {
    const c = synSent();
    c.close();
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "closed" }]);
    expectSent(c, 0);
  });

  test("the peer MSS limits our segments; without an MSS option 536 is assumed", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: [] }), 0);
    drain(c, 0);
    assert.equal(c.stats().mss, 536);
    const d = synSent();
    d.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: [{ kind: "mss", mss: 1000 }] }), 0);
    assert.equal(d.stats().mss, 1000);
  });

  test("data queued before the handshake goes out after it, on the first segment after the ACK", () => {
    const c = synSent();
    assert.equal(c.send(new Uint8Array([1, 2, 3])), 3);
    expectSent(c, 0);
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: SYN_OPTS }), 0);
    expectSent(c, 0, ours({ flags: F.ACK | F.PSH, payload: new Uint8Array([1, 2, 3]) }));
  });
});

describe("passive open (RFC 9293 §3.10.7.2)", () => {
  test("accept answers the SYN with a SYN-ACK", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    assert.equal(c.state, "SYN-RECEIVED");
    expectSent(c, 0, ours({ seq: ISS, flags: F.SYN | F.ACK, options: SYN_OPTS }));
  });

  test("the third ACK moves SYN-RECEIVED to ESTABLISHED", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1 }), 20_000);
    assert.equal(c.state, "ESTABLISHED");
    assert.deepEqual(events(c), [{ type: "connected" }]);
    assert.equal(c.stats().srtt, 20_000);
    expectSent(c, 20_000);
  });

  test("the third ACK may carry data", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, payload: new Uint8Array([9, 8]) }), 0);
    assert.equal(c.state, "ESTABLISHED");
    assert.deepEqual(events(c), [{ type: "connected" }, { type: "readable" }]);
    assert.deepEqual(c.recv(), new Uint8Array([9, 8]));
  });

  test("a bad ACK in SYN-RECEIVED gets a RST <SEQ=SEG.ACK>", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 5 }), 0);
    assert.equal(c.state, "SYN-RECEIVED");
    expectSent(c, 0, ours({ seq: ISS + 5, ack: 0, flags: F.RST, window: 0 }));
  });

  test("a retransmitted SYN gets the SYN-ACK again", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), 100_000);
    expectSent(c, 100_000, ours({ seq: ISS, flags: F.SYN | F.ACK, options: SYN_OPTS }));
  });

  test("the SYN-ACK is retransmitted on timeout", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    assert.equal(c.pollTimeout(), 1_000_000);
    c.handleTimeout(1_000_000);
    expectSent(c, 1_000_000, ours({ seq: ISS, flags: F.SYN | F.ACK, options: SYN_OPTS }));
    assert.equal(c.stats().retransmissions, 1);
  });

  test("RST in SYN-RECEIVED closes the connection", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ flags: F.RST }), 0);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "reset" }, { type: "closed" }]);
  });

  test("LISTEN ignores RST, answers an ACK with RST, and takes a SYN", () => {
    const c = TcpConnection.listen(plainConfig(), LOCAL, () => ISS, 0);
    assert.equal(c.state, "LISTEN");
    c.handleSegment(peer({ flags: F.RST }), 0);
    expectSent(c, 0);
    c.handleSegment(peer({ ack: 77, srcPort: 4000 }), 0);
    expectSent(c, 0, ours({ seq: 77, ack: 0, flags: F.RST, window: 0, dstPort: 4000 }));
    assert.equal(c.state, "LISTEN");
    c.handleSegment(peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), 0);
    assert.equal(c.state, "SYN-RECEIVED");
    expectSent(c, 0, ours({ seq: ISS, flags: F.SYN | F.ACK, options: SYN_OPTS }));
  });

  test("LISTEN drops a segment with no SYN, ACK or RST", () => {
    const c = TcpConnection.listen(plainConfig(), LOCAL, () => ISS, 0);
    c.handleSegment(peer({ flags: 0 }), 0);
    assert.equal(c.state, "LISTEN");
    expectSent(c, 0);
  });

  test("close in LISTEN deletes the listener", () => {
    const c = TcpConnection.listen(plainConfig(), LOCAL, () => ISS, 0);
    c.close();
    assert.equal(c.state, "CLOSED");
  });

  test("a segment for another port is ignored", () => {
    const c = established();
    c.handleSegment(peer({ dstPort: 81, payload: new Uint8Array([1]) }), 0);
    c.handleSegment(peer({ srcPort: 1, payload: new Uint8Array([1]) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0);
  });
});

describe("simultaneous open (RFC 9293 §3.5 Figure 8)", () => {
  test("two SYN-SENT ends cross SYNs and both reach ESTABLISHED", () => {
    const a = TcpConnection.connect(plainConfig(), 1111, 2222, 100, 0);
    const b = TcpConnection.connect(plainConfig(), 2222, 1111, 300, 0);
    const synA = drain(a, 0);
    const synB = drain(b, 0);
    a.handleSegment(synB[0]!, 0);
    b.handleSegment(synA[0]!, 0);
    assert.equal(a.state, "SYN-RECEIVED");
    assert.equal(b.state, "SYN-RECEIVED");
    const synAckA = drain(a, 0);
    assert.deepEqual(synAckA, [
      { srcPort: 1111, dstPort: 2222, seq: 100, ack: 301, flags: F.SYN | F.ACK, window: 64000, checksum: 0, urgentPointer: 0, options: SYN_OPTS, payload: EMPTY },
    ]);
    const synAckB = drain(b, 0);
    a.handleSegment(synAckB[0]!, 0);
    b.handleSegment(synAckA[0]!, 0);
    // Each SYN-ACK is a duplicate SYN for its receiver: answered with an ACK (RFC 9293 §3.10.7.4).
    const ackA = drain(a, 0);
    const ackB = drain(b, 0);
    assert.deepEqual(ackA, [
      { srcPort: 1111, dstPort: 2222, seq: 101, ack: 301, flags: F.ACK, window: 64000, checksum: 0, urgentPointer: 0, options: [], payload: EMPTY },
    ]);
    b.handleSegment(ackA[0]!, 0);
    a.handleSegment(ackB[0]!, 0);
    assert.equal(a.state, "ESTABLISHED");
    assert.equal(b.state, "ESTABLISHED");
    assert.deepEqual(events(a), [{ type: "connected" }]);
  });
});

describe("option negotiation (RFC 7323, RFC 2018)", () => {
  const full = () => tcpConfig({ recvBufferSize: 1 << 20 });

  test("the SYN offers MSS, SACK-permitted, timestamps and window scale in Linux order", () => {
    const c = TcpConnection.connect(full(), LOCAL, REMOTE, ISS, 5_000, { tsOffset: 100 });
    expectSent(
      c,
      5_000,
      ours({
        seq: ISS,
        ack: 0,
        flags: F.SYN,
        window: 65535,
        options: [
          { kind: "mss", mss: 1460 },
          { kind: "sack-permitted" },
          { kind: "timestamps", tsVal: 105, tsEcr: 0 },
          { kind: "nop" },
          { kind: "wscale", shift: 5 },
        ],
      }),
    );
  });

  test("the SYN-ACK only echoes what the SYN offered", () => {
    const c = TcpConnection.accept(full(), peer({ seq: IRS, flags: F.SYN, options: [{ kind: "mss", mss: 1400 }, { kind: "nop" }, { kind: "wscale", shift: 7 }] }), ISS, 0);
    expectSent(c, 0, ours({ seq: ISS, flags: F.SYN | F.ACK, window: 65535, options: [{ kind: "mss", mss: 1460 }, { kind: "nop" }, { kind: "wscale", shift: 5 }] }));
    assert.equal(c.stats().mss, 1400);
  });

  test("with timestamps agreed, every segment carries nop, nop, TS echoing TS.Recent", () => {
    const cfg = plainConfig({ timestamps: true });
    const c = TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, options: [{ kind: "mss", mss: 1460 }, { kind: "timestamps", tsVal: 7777, tsEcr: 0 }] }), ISS, 3_000);
    expectSent(c, 3_000, ours({ seq: ISS, flags: F.SYN | F.ACK, options: [{ kind: "mss", mss: 1460 }, { kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 3, tsEcr: 7777 }] }));
    c.handleSegment(peer({ ack: ISS + 1, options: [{ kind: "timestamps", tsVal: 7778, tsEcr: 3 }] }), 4_000);
    assert.equal(c.state, "ESTABLISHED");
    c.send(new Uint8Array([1]));
    expectSent(c, 4_000, ours({ flags: F.ACK | F.PSH, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 4, tsEcr: 7778 }], payload: new Uint8Array([1]) }));
    // 1448 bytes of data per segment: 1460 minus 12 bytes of timestamp option.
    assert.equal(c.stats().mss, 1460);
  });

  test("window scaling applies to every window after the SYN (RFC 7323 §2.2)", () => {
    const c = TcpConnection.accept(full(), peer({ seq: IRS, flags: F.SYN, window: 1000, options: [{ kind: "mss", mss: 1460 }, { kind: "wscale", shift: 2 }] }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, window: 1000 }), 0);
    assert.equal(c.stats().sndWnd, 4000);
    // Our window field is scaled by 5, the remainder dropped (RFC 7323 §2.3): 1 MiB / 32.
    c.handleSegment(peer({ ack: ISS + 1, window: 1000, payload: new Uint8Array(10) }), 0);
    c.handleSegment(peer({ seq: IRS + 11, ack: ISS + 1, window: 1000, payload: new Uint8Array(10) }), 0);
    const [ack] = drain(c, 0);
    assert.equal(ack!.window, Math.floor(((1 << 20) - 20) / 32));
  });

  test("a window-scale shift above 14 is used as 14 (RFC 7323 §2.3)", () => {
    const c = TcpConnection.accept(full(), peer({ seq: IRS, flags: F.SYN, options: [{ kind: "wscale", shift: 20 }] }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, window: 1 }), 0);
    assert.equal(c.stats().sndWnd, 1 << 14);
  });
});

describe("hostile MSS values", () => {
  test("an MSS option of 0 is clamped so that data still flows", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: [{ kind: "mss", mss: 0 }] }), 0);
    drain(c, 0);
    assert.equal(c.stats().mss, 64);
    c.send(new Uint8Array(100));
    assert.deepEqual(drain(c, 0).map((s) => s.payload.length), [64]);
  });
});

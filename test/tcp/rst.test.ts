import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { F, IRS, ISS, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";
import { resetFor } from "../../src/tcp/rst.js";
import { TcpConnection } from "../../src/tcp/connection.js";

describe("RST processing (RFC 5961 §3.2)", () => {
  test("a RST at exactly RCV.NXT resets the connection", () => {
    const c = established();
    c.handleSegment(peer({ flags: F.RST }), 0);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "reset" }, { type: "closed" }]);
    expectSent(c, 0);
  });

  test("an in-window RST that is not exact draws a challenge ACK", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS + 100, flags: F.RST }), 0);
    assert.equal(c.state, "ESTABLISHED");
    expectSent(c, 0, ours({}));
    assert.equal(c.stats().challengeAcks, 1);
  });

  test("an out-of-window RST is dropped silently", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS + 100_000, flags: F.RST }), 0);
    c.handleSegment(peer({ seq: IRS, flags: F.RST }), 0);
    assert.equal(c.state, "ESTABLISHED");
    expectSent(c, 0);
  });

  test("challenge ACKs are rate limited per second (RFC 5961 §7)", () => {
    const c = established(plainConfig({ challengeAckLimit: 2 }));
    for (let i = 0; i < 3; i++) {
      c.handleSegment(peer({ seq: IRS + 100, flags: F.RST }), 10);
      assert.equal(drain(c, 10).length, i < 2 ? 1 : 0);
    }
    c.handleSegment(peer({ seq: IRS + 100, flags: F.RST }), 1_000_010);
    assert.equal(drain(c, 1_000_010).length, 1);
  });

  test("a RST in LAST-ACK closes without a reset event", () => {
    const c = established();
    c.handleSegment(peer({ flags: F.ACK | F.FIN, ack: ISS + 1 }), 0);
    c.shutdown();
    drain(c, 0);
    events(c);
    c.handleSegment(peer({ seq: IRS + 2, flags: F.RST }), 0);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "closed" }]);
  });

  test("a RST at RCV.NXT is accepted even with a zero window", () => {
    const c = established(plainConfig({ recvBufferSize: 100 }));
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    c.handleSegment(peer({ seq: IRS + 101, flags: F.RST }), 0);
    assert.equal(c.state, "CLOSED");
  });
});

describe("SYN in a synchronized state (RFC 5961 §4)", () => {
  test("an in-window SYN draws a challenge ACK and changes nothing", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS + 10, flags: F.SYN }), 0);
    assert.equal(c.state, "ESTABLISHED");
    expectSent(c, 0, ours({}));
  });

  test("an out-of-window SYN gets the ordinary ACK", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS - 1000, flags: F.SYN }), 0);
    assert.equal(c.state, "ESTABLISHED");
    expectSent(c, 0, ours({}));
    assert.equal(c.stats().challengeAcks, 0);
  });
});

describe("segment acceptability (RFC 9293 §3.10.7.4)", () => {
  test("a segment beyond the window is answered with an ACK and dropped", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS + 1 + 64000, payload: bytes(10) }), 0);
    expectSent(c, 0, ours({}));
    assert.equal(c.recvAvailable, 0);
  });

  test("a segment without ACK is dropped", () => {
    const c = established();
    c.handleSegment(peer({ flags: 0, payload: bytes(10) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0);
  });

  test("an ACK for data never sent is answered with an ACK and the segment dropped (RFC 5961 §5.2)", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 50, payload: bytes(10) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0, ours({}));
  });

  test("an ACK too far below SND.UNA is answered and dropped (RFC 5961 §5.2)", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS - 100_000, payload: bytes(10) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0, ours({}));
  });

  test("an old ACK within MAX.SND.WND is acceptable", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS - 100, payload: bytes(10) }), 0);
    assert.equal(c.recvAvailable, 10);
  });

  test("sequence numbers wrap around 2^32", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: 0xfffffff0, flags: F.SYN, options: [{ kind: "mss", mss: 1460 }] }), 0xffffffff, 0);
    expectSent(c, 0, ours({ seq: 0xffffffff, ack: 0xfffffff1, flags: F.SYN | F.ACK, options: [{ kind: "mss", mss: 1460 }] }));
    c.handleSegment(peer({ seq: 0xfffffff1, ack: 0 }), 0);
    assert.equal(c.state, "ESTABLISHED");
    c.handleSegment(peer({ seq: 0xfffffff1, ack: 0, payload: bytes(40) }), 0);
    c.send(bytes(3));
    expectSent(c, 0, ours({ seq: 0, ack: 0x19, window: 64000 - 40, flags: F.ACK | F.PSH, payload: bytes(3) }));
    c.handleSegment(peer({ seq: 0x19, ack: 3 }), 0);
    assert.equal(c.sendQueued, 0);
  });
});

describe("PAWS (RFC 7323 §5)", () => {
  const tsCfg = () => plainConfig({ timestamps: true });
  const synTs = [{ kind: "mss" as const, mss: 1460 }, { kind: "timestamps" as const, tsVal: 1000, tsEcr: 0 }];
  const ts = (tsVal: number) => [{ kind: "timestamps" as const, tsVal, tsEcr: 0 }];

  test("a segment with an older TSval is dropped and acknowledged", () => {
    const c = established(tsCfg(), {}, synTs);
    c.handleSegment(peer({ payload: bytes(10), options: ts(1005) }), 0);
    assert.equal(c.recvAvailable, 10);
    c.handleSegment(peer({ seq: IRS + 11, payload: bytes(10), options: ts(1004) }), 0);
    assert.equal(c.recvAvailable, 10);
    expectSent(c, 0, ours({ ack: IRS + 11, window: 64000 - 10, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 0, tsEcr: 1005 }] }));
  });

  test("a non-RST segment without timestamps is dropped once they are in use (RFC 7323 §3.2)", () => {
    const c = established(tsCfg(), {}, synTs);
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0);
  });

  test("a RST is not subject to PAWS", () => {
    const c = established(tsCfg(), {}, synTs);
    c.handleSegment(peer({ flags: F.RST, options: ts(1) }), 0);
    assert.equal(c.state, "CLOSED");
  });

  test("an old TSval is accepted after 24 days of idleness (RFC 7323 §5.5)", () => {
    const c = established(tsCfg(), {}, synTs);
    const later = 25 * 24 * 3600 * 1_000_000;
    c.handleSegment(peer({ payload: bytes(10), options: ts(999) }), later);
    assert.equal(c.recvAvailable, 10);
  });
});

describe("reset for a closed port (RFC 9293 §3.10.7.1)", () => {
  test("a SYN gets RST+ACK with SEQ 0 and ACK SEG.SEQ+SEG.LEN", () => {
    assert.deepEqual(
      resetFor(peer({ seq: 100, flags: F.SYN, payload: bytes(3) })),
      ours({ seq: 0, ack: 104, flags: F.RST | F.ACK, window: 0 }),
    );
  });

  test("an ACK gets RST with SEQ SEG.ACK", () => {
    assert.deepEqual(resetFor(peer({ seq: 100, ack: 777 })), ours({ seq: 777, ack: 0, flags: F.RST, window: 0 }));
  });

  test("a FIN without ACK counts the FIN in the ACK number", () => {
    assert.deepEqual(resetFor(peer({ seq: 0xffffffff, flags: F.FIN })), ours({ seq: 0, ack: 0, flags: F.RST | F.ACK, window: 0 }));
  });

  test("a RST is never answered", () => {
    assert.equal(resetFor(peer({ flags: F.RST })), undefined);
  });
});

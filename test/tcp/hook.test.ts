import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpOption } from "../../src/wire/tcp-types.js";
import type { IncomingContext, IncomingVerdict, OutgoingContext, ReserveContext, Reservation, TcpHook } from "../../src/tcp/hook.js";
import { TcpConnection } from "../../src/tcp/connection.js";
import { F, IRS, ISS, LOCAL, REMOTE, SYN_OPTS, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";

/** An option that records the exact range a segment carries: offset (4 bytes), length (2). */
function stamp(offset: number, length: number): TcpOption {
  return { kind: "unknown", type: 254, data: new Uint8Array([offset >>> 24, (offset >>> 16) & 255, (offset >>> 8) & 255, offset & 255, length >>> 8, length & 255]) };
}
const HANDSHAKE: TcpOption = { kind: "unknown", type: 253, data: new Uint8Array([0xaa, 0xbb]) };

/**
 * A stand-in for MPTCP: a 4-byte option on SYNs, an 8-byte "mapping" stamp on data limited to
 * 1000-byte mappings, optional 4-byte option on ACKs.
 */
class FakeHook implements TcpHook {
  reserves: ReserveContext[] = [];
  outgoing: OutgoingContext[] = [];
  incomingSeen: IncomingContext[] = [];
  verdict: IncomingVerdict = "accept";
  ackOption = false;
  receiveSpace?: () => number;
  sendLimit?: () => number | undefined;
  dataBytes = 8;
  mapping = 1000;

  reserve(ctx: ReserveContext): Reservation {
    this.reserves.push(ctx);
    if (ctx.kind === "syn" || ctx.kind === "syn-ack") return { bytes: 4 };
    if (ctx.kind === "data" || ctx.kind === "fin") return { bytes: this.dataBytes, maxPayload: this.mapping - (ctx.offset % this.mapping) };
    return { bytes: this.ackOption ? 4 : 0 };
  }

  options(ctx: OutgoingContext): TcpOption[] {
    this.outgoing.push(ctx);
    if (ctx.kind === "syn" || ctx.kind === "syn-ack") return [HANDSHAKE];
    if (ctx.kind === "data" || ctx.kind === "fin") return [stamp(ctx.offset, ctx.payload.length)];
    return [HANDSHAKE];
  }

  incoming(ctx: IncomingContext): IncomingVerdict {
    this.incomingSeen.push(ctx);
    return this.verdict;
  }
}

describe("the higher-layer hook (MPTCP's way in)", () => {
  test("SYN options come after TCP's own, with the option space left", () => {
    const hook = new FakeHook();
    const c = TcpConnection.connect(plainConfig(), LOCAL, REMOTE, ISS, 0, { hook });
    expectSent(c, 0, ours({ seq: ISS, ack: 0, flags: F.SYN, options: [...SYN_OPTS, HANDSHAKE] }));
    assert.equal(hook.reserves[0]!.kind, "syn");
    assert.equal(hook.reserves[0]!.optionSpace, 36);
    assert.equal(hook.outgoing[0]!.syn, true);
  });

  test("the hook sees the SYN-ACK before the connection is established, and the SYN on accept", () => {
    const hook = new FakeHook();
    const c = TcpConnection.connect(plainConfig(), LOCAL, REMOTE, ISS, 0, { hook });
    drain(c, 0);
    const synAck = peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: [...SYN_OPTS, HANDSHAKE] });
    c.handleSegment(synAck, 0);
    assert.equal(hook.incomingSeen[0]!.seg, synAck);
    assert.equal(hook.incomingSeen[0]!.state, "SYN-SENT");
    const h2 = new FakeHook();
    const syn = peer({ seq: IRS, flags: F.SYN, options: [...SYN_OPTS, HANDSHAKE] });
    const s = TcpConnection.accept(plainConfig(), syn, ISS, 0, { hook: h2 });
    assert.equal(h2.incomingSeen[0]!.seg, syn);
    expectSent(s, 0, ours({ seq: ISS, flags: F.SYN | F.ACK, options: [...SYN_OPTS, HANDSHAKE] }));
  });

  test("a reset verdict on a SYN refuses it with RST+ACK", () => {
    const hook = new FakeHook();
    hook.verdict = "reset";
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0, { hook });
    assert.equal(c.state, "CLOSED");
    expectSent(c, 0, ours({ seq: 0, ack: IRS + 1, flags: F.RST | F.ACK, window: 0 }));
  });

  test("each data segment carries its exact range, and the payload stops at a mapping boundary", () => {
    const hook = new FakeHook();
    const c = established(plainConfig({ nagle: false }), { hook });
    c.send(bytes(2500));
    const data = bytes(2500);
    expectSent(
      c,
      0,
      ours({ seq: ISS + 1, options: [stamp(0, 1000)], payload: data.subarray(0, 1000) }),
      ours({ seq: ISS + 1001, options: [stamp(1000, 1000)], payload: data.subarray(1000, 2000) }),
      ours({ seq: ISS + 2001, flags: F.ACK | F.PSH, options: [stamp(2000, 500)], payload: data.subarray(2000) }),
    );
    const dataReserves = hook.reserves.filter((r) => r.kind === "data");
    assert.deepEqual(dataReserves.map((r) => [r.offset, r.maxPayload, r.optionSpace]), [[0, 1460, 40], [1000, 1460, 40], [2000, 1460, 40]]);
  });

  test("option bytes come out of the MSS (RFC 9293 §3.7.1)", () => {
    const hook = new FakeHook();
    hook.mapping = 1 << 30;
    hook.dataBytes = 20;
    const c = established(plainConfig({ nagle: false }), { hook });
    c.send(bytes(3000));
    const segs = drain(c, 0);
    assert.deepEqual(segs.map((x) => x.payload.length), [1440, 1440, 120]);
    assert.deepEqual(hook.outgoing.filter((o) => o.kind === "data").map((o) => [o.offset, o.payload.length]), [[0, 1440], [1440, 1440], [2880, 120]]);
  });

  test("with timestamps the hook gets what is left of the 40 bytes", () => {
    const hook = new FakeHook();
    const cfg = plainConfig({ timestamps: true });
    const c = established(cfg, { hook }, [...SYN_OPTS, { kind: "timestamps", tsVal: 1, tsEcr: 0 }]);
    c.send(bytes(10));
    drain(c, 0);
    const r = hook.reserves.filter((x) => x.kind === "data")[0]!;
    assert.equal(r.optionSpace, 28);
    assert.equal(r.maxPayload, 1448);
  });

  test("retransmissions are flagged and stamped with the same range", () => {
    const hook = new FakeHook();
    const c = established(plainConfig(), { hook });
    c.send(bytes(300));
    drain(c, 0);
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ flags: F.ACK | F.PSH, options: [stamp(0, 300)], payload: bytes(300) }));
    assert.equal(hook.outgoing.at(-1)!.retransmission, true);
  });

  test("a FIN carries the stamp of the data it ends", () => {
    const hook = new FakeHook();
    const c = established(plainConfig(), { hook });
    c.send(bytes(10));
    c.shutdown();
    expectSent(c, 0, ours({ flags: F.ACK | F.PSH | F.FIN, options: [stamp(0, 10)], payload: bytes(10) }));
    assert.equal(hook.outgoing.at(-1)!.fin, true);
  });

  test("incoming data is offered with its stream offset before it is queued", () => {
    const hook = new FakeHook();
    const c = established(plainConfig(), { hook });
    c.handleSegment(peer({ seq: IRS + 101, payload: bytes(50, 1) }), 0);
    const last = hook.incomingSeen.at(-1)!;
    assert.equal(last.offset, 100);
    assert.deepEqual(last.payload, bytes(50, 1));
  });

  test("a consumed payload is acknowledged but not delivered", () => {
    const hook = new FakeHook();
    const c = established(plainConfig({ ackEvery: 1 }), { hook });
    hook.verdict = "consume";
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    assert.equal(c.recvAvailable, 0);
    assert.deepEqual(events(c), []);
    // The right edge stays put (receiver SWS avoidance): the window shrinks by what was consumed.
    expectSent(c, 0, ours({ ack: IRS + 101, window: 63900 }));
  });

  test("consumed out-of-order data still fills the sequence space", () => {
    const hook = new FakeHook();
    const c = established(plainConfig(), { hook });
    hook.verdict = "consume";
    c.handleSegment(peer({ seq: IRS + 101, payload: bytes(100) }), 0);
    drain(c, 0);
    hook.verdict = "accept";
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 201, window: 63800 }));
    assert.equal(c.recvAvailable, 100);
  });

  test("a dropped segment is neither delivered nor acknowledged", () => {
    const hook = new FakeHook();
    const c = established(plainConfig(), { hook });
    hook.verdict = "drop";
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0);
    assert.equal(c.pollTimeout(), undefined);
  });

  test("a reset verdict aborts the connection with a RST, which the hook may stamp", () => {
    const hook = new FakeHook();
    hook.ackOption = true;
    const c = established(plainConfig(), { hook });
    hook.verdict = "reset";
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    assert.equal(c.state, "CLOSED");
    expectSent(c, 0, ours({ ack: 0, flags: F.RST, window: 0, options: [HANDSHAKE] }));
  });

  test("requestAck sends a bare ACK carrying the hook's option", () => {
    const hook = new FakeHook();
    hook.ackOption = true;
    const c = established(plainConfig(), { hook });
    expectSent(c, 0);
    c.requestAck();
    expectSent(c, 0, ours({ options: [HANDSHAKE] }));
  });

  test("the hook can narrow the advertised window (a shared MPTCP receive window)", () => {
    const hook = new FakeHook();
    let space = 10_000;
    hook.receiveSpace = () => space;
    const c = TcpConnection.accept(plainConfig({ ackEvery: 1 }), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0, { hook });
    expectSent(c, 0, ours({ seq: ISS, flags: F.SYN | F.ACK, window: 10_000, options: [...SYN_OPTS, HANDSHAKE] }));
    c.handleSegment(peer({ ack: ISS + 1 }), 0);
    hook.verdict = "consume";
    c.handleSegment(peer({ payload: bytes(3000) }), 0);
    // The higher layer now holds the 3000 bytes in its own buffer.
    space = 7000;
    expectSent(c, 0, ours({ ack: IRS + 3001, window: 7000 }));
    space = 64_000;
    c.requestAck();
    expectSent(c, 0, ours({ ack: IRS + 3001, window: 64_000 }));
  });

  test("sendLimit holds new data back at a stream offset, with no window probe, until it moves", () => {
    // MPTCP's map-ahead: data the subflow has, which the connection's window does not let out yet.
    const hook = new FakeHook();
    hook.dataBytes = 0;
    hook.mapping = 100_000;
    let limit = 2500;
    hook.sendLimit = () => limit;
    const c = established(plainConfig(), { hook });
    c.send(bytes(6000));
    // A full segment goes; the 1040 bytes left below the limit are a runt while data is in flight
    // (sender SWS avoidance, RFC 9293 §3.8.6.2.1, against the room the limit leaves).
    const first = drain(c, 0);
    assert.deepEqual(first.map((s) => [s.seq, s.payload.length]), [[ISS + 1, 1460]]);
    c.handleSegment(peer({ ack: ISS + 1461 }), 10_000);
    // Nothing in flight: the runt still waits, for the persist timer as the SWS override
    // (§3.8.6.2.1), then goes; nothing from the limit on.
    assert.deepEqual(drain(c, 10_000).filter((s) => s.payload.length > 0), []);
    const override = c.pollTimeout()!;
    c.handleTimeout(override);
    const second = drain(c, override);
    assert.deepEqual(second.map((s) => [s.seq, s.payload.length]), [[ISS + 1461, 1040]]);
    c.handleSegment(peer({ ack: ISS + 2501 }), override + 10_000);
    assert.deepEqual(drain(c, override + 10_000).filter((s) => s.payload.length > 0), []);
    // At the limit, no zero-window probe: the peer's window is open, and the hook wakes the
    // connection when the limit moves.
    assert.equal(c.pollTimeout(), undefined);
    limit = 6000;
    assert.deepEqual(drain(c, override + 20_000).map((s) => [s.seq, s.payload.length]), [[ISS + 2501, 1460], [ISS + 3961, 1460]]);
    // (The last 580 bytes wait for those to be acknowledged: Nagle.)
  });

  test("a hook that reserves more than the free option space is a programming error", () => {
    const hook = new FakeHook();
    hook.dataBytes = 44;
    const c = established(plainConfig(), { hook });
    c.send(bytes(10));
    assert.throws(() => c.pollTransmit(0), RangeError);
  });
});

/**
 * What the hook is told beyond options: RSTs it may read MP_TCPRST / MP_FASTCLOSE on, the
 * scaled window and the acknowledgment as a stream offset of incoming segments, and the window
 * each outgoing segment advertises (RFC 7323 §2.3 rounding, RFC 8684 §3.3.4).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpOption } from "../../src/wire/tcp-types.js";
import type { IncomingContext, IncomingVerdict, OutgoingContext, ReserveContext, Reservation, TcpHook } from "../../src/tcp/hook.js";
import { TcpConnection } from "../../src/tcp/connection.js";
import { F, IRS, ISS, LOCAL, REMOTE, SYN_OPTS, bytes, drain, established, events, expectSent, ours, peer, plainConfig, synSent } from "./util.js";

/** Stands in for MP_TCPRST: an option a RST would carry. */
const TCPRST: TcpOption = { kind: "unknown", type: 30, data: new Uint8Array([0x80, 0x01]) };

/** Records what it is told; stamps segments without data when `ackOption`. */
class RecordingHook implements TcpHook {
  incomingSeen: IncomingContext[] = [];
  outgoing: OutgoingContext[] = [];
  verdict: IncomingVerdict = "accept";
  space: number | undefined;
  ackOption = false;

  reserve(ctx: ReserveContext): Reservation {
    return { bytes: ctx.kind !== "data" && ctx.kind !== "fin" && this.ackOption ? 4 : 0 };
  }

  options(ctx: OutgoingContext): TcpOption[] {
    this.outgoing.push(ctx);
    return this.ackOption ? [{ kind: "unknown", type: 253, data: new Uint8Array([1, 2]) }] : [];
  }

  incoming(ctx: IncomingContext): IncomingVerdict {
    this.incomingSeen.push(ctx);
    return this.verdict;
  }

  receiveSpace(): number {
    return this.space ?? Infinity;
  }
}

/** A connection whose hook is told about every outgoing ACK (it reserves option bytes). */
function withHook(cfg = plainConfig()): { c: TcpConnection; hook: RecordingHook } {
  const hook = new RecordingHook();
  hook.ackOption = true;
  const c = established(cfg, { hook });
  return { c, hook };
}

describe("RSTs are offered to the hook (RFC 8684 §3.5, §3.6)", () => {
  test("a RST at RCV.NXT is offered before the connection resets", () => {
    const { c, hook } = withHook();
    const rst = peer({ flags: F.RST, options: [TCPRST] });
    c.handleSegment(rst, 0);
    const seen = hook.incomingSeen.at(-1)!;
    assert.equal(seen.seg, rst);
    assert.equal(seen.state, "ESTABLISHED");
    assert.equal(seen.offset, 0);
    assert.equal(seen.payload.length, 0);
    assert.equal(seen.ackOffset, undefined);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "reset" }, { type: "closed" }]);
  });

  test("a drop verdict cannot keep a RST from resetting the connection, and nothing answers it", () => {
    for (const verdict of ["drop", "reset", "consume"] as const) {
      const { c, hook } = withHook();
      hook.verdict = verdict;
      c.handleSegment(peer({ flags: F.RST | F.ACK, ack: ISS + 1 }), 0);
      assert.equal(hook.incomingSeen.at(-1)!.seg.flags, F.RST | F.ACK);
      assert.equal(c.state, "CLOSED");
      assert.deepEqual(events(c), [{ type: "reset" }, { type: "closed" }]);
      expectSent(c, 0);
    }
  });

  test("an in-window RST that only draws a challenge ACK is not offered (RFC 5961 §3.2)", () => {
    const { c, hook } = withHook();
    const before = hook.incomingSeen.length;
    c.handleSegment(peer({ seq: IRS + 100, flags: F.RST }), 0);
    assert.equal(hook.incomingSeen.length, before);
    assert.equal(c.state, "ESTABLISHED");
  });

  test("an out-of-window RST is not offered", () => {
    const { c, hook } = withHook();
    const before = hook.incomingSeen.length;
    c.handleSegment(peer({ seq: IRS + 100_000, flags: F.RST }), 0);
    assert.equal(hook.incomingSeen.length, before);
  });

  test("in LAST-ACK the RST is offered and the connection closes without a reset event", () => {
    const { c, hook } = withHook();
    c.handleSegment(peer({ flags: F.ACK | F.FIN }), 0);
    c.shutdown();
    drain(c, 0);
    events(c);
    c.handleSegment(peer({ seq: IRS + 2, flags: F.RST }), 0);
    assert.equal(hook.incomingSeen.at(-1)!.state, "LAST-ACK");
    assert.equal(hook.incomingSeen.at(-1)!.offset, 1);
    assert.deepEqual(events(c), [{ type: "closed" }]);
  });

  test("in SYN-SENT a RST with an acceptable ACK is offered (a refused MP_JOIN carries MP_TCPRST)", () => {
    const hook = new RecordingHook();
    const c = synSent(plainConfig(), { hook });
    const rst = peer({ seq: 0, ack: ISS + 1, flags: F.RST | F.ACK, options: [TCPRST] });
    c.handleSegment(rst, 0);
    assert.equal(hook.incomingSeen.length, 1);
    assert.equal(hook.incomingSeen[0]!.seg, rst);
    assert.equal(hook.incomingSeen[0]!.state, "SYN-SENT");
    assert.equal(hook.incomingSeen[0]!.ackOffset, undefined);
    assert.deepEqual(events(c), [{ type: "reset" }, { type: "closed" }]);
  });

  test("in SYN-SENT a RST whose ACK does not cover our SYN is neither offered nor obeyed", () => {
    const hook = new RecordingHook();
    const c = synSent(plainConfig(), { hook });
    c.handleSegment(peer({ seq: 0, ack: ISS, flags: F.RST | F.ACK }), 0);
    assert.equal(hook.incomingSeen.length, 0);
    assert.equal(c.state, "SYN-SENT");
  });
});

describe("IncomingContext: the scaled window and the acknowledgment offset", () => {
  test("the SYN's window is unscaled and it acknowledges nothing", () => {
    const hook = new RecordingHook();
    const cfg = plainConfig({ windowScaling: true, recvBufferSize: 1 << 20 });
    TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, window: 5000, options: [...SYN_OPTS, { kind: "wscale", shift: 3 }] }), ISS, 0, { hook });
    assert.equal(hook.incomingSeen[0]!.window, 5000);
    assert.equal(hook.incomingSeen[0]!.ackOffset, undefined);
  });

  test("after the handshake the window is shifted by the peer's scale (RFC 7323 §2.3)", () => {
    const hook = new RecordingHook();
    const cfg = plainConfig({ windowScaling: true, recvBufferSize: 1 << 20 });
    const c = TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, window: 5000, options: [...SYN_OPTS, { kind: "wscale", shift: 3 }] }), ISS, 0, { hook });
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, window: 1000 }), 0);
    const third = hook.incomingSeen.at(-1)!;
    assert.equal(third.state, "SYN-RECEIVED");
    assert.equal(third.window, 8000);
    assert.equal(third.ackOffset, 0);
  });

  test("the SYN-ACK's window is unscaled and it acknowledges our SYN", () => {
    const hook = new RecordingHook();
    const c = synSent(plainConfig({ windowScaling: true, recvBufferSize: 1 << 20 }), { hook });
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, window: 4000, options: [...SYN_OPTS, { kind: "wscale", shift: 4 }] }), 0);
    assert.equal(hook.incomingSeen[0]!.window, 4000);
    assert.equal(hook.incomingSeen[0]!.ackOffset, 0);
  });

  test("ackOffset counts the bytes of our stream acknowledged, an old ACK included", () => {
    const { c, hook } = withHook(plainConfig({ nagle: false }));
    c.send(bytes(3000));
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1 + 1460 }), 1000);
    assert.equal(hook.incomingSeen.at(-1)!.ackOffset, 1460);
    c.handleSegment(peer({ ack: ISS + 1 + 3000 }), 2000);
    assert.equal(hook.incomingSeen.at(-1)!.ackOffset, 3000);
    // An old ACK (RFC 5961 §5.2 bounds): what that segment acknowledged.
    c.handleSegment(peer({ ack: ISS + 1 + 1460 }), 3000);
    assert.equal(hook.incomingSeen.at(-1)!.ackOffset, 1460);
  });

  test("an acknowledged FIN is not counted: ackOffset stops at the stream's length", () => {
    const { c, hook } = withHook();
    c.send(bytes(10));
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 12 }), 1000);
    assert.equal(c.state, "FIN-WAIT-2");
    assert.equal(hook.incomingSeen.at(-1)!.ackOffset, 10);
  });
});

describe("OutgoingContext.window: the window each segment advertises", () => {
  test("without scaling it is the window field", () => {
    const { c, hook } = withHook();
    c.requestAck();
    expectSent(c, 0, ours({ options: [{ kind: "unknown", type: 253, data: new Uint8Array([1, 2]) }] }));
    assert.equal(hook.outgoing.at(-1)!.window, 64000);
  });

  test("the SYN-ACK's window is unscaled", () => {
    const hook = new RecordingHook();
    hook.ackOption = true;
    hook.space = 10_000;
    const cfg = plainConfig({ windowScaling: true, recvBufferSize: 1 << 20 });
    const c = TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, options: [...SYN_OPTS, { kind: "wscale", shift: 0 }] }), ISS, 0, { hook });
    const [synAck] = drain(c, 0);
    assert.equal(synAck!.window, 10_000);
    assert.equal(hook.outgoing[0]!.syn, true);
    assert.equal(hook.outgoing[0]!.window, 10_000);
  });

  test("the free space is rounded down to the scale unit, never beyond receiveSpace (RFC 7323 §2.3)", () => {
    const hook = new RecordingHook();
    hook.ackOption = true;
    const cfg = plainConfig({ windowScaling: true, recvBufferSize: 1 << 20 });
    // Our shift for a 1 MiB buffer is 5: a unit of 32 bytes.
    const c = TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, options: [...SYN_OPTS, { kind: "wscale", shift: 0 }] }), ISS, 0, { hook });
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1 }), 0);
    hook.space = 200_019;
    c.requestAck();
    const [ack] = drain(c, 0);
    assert.equal(ack!.window, 6250);
    assert.equal(hook.outgoing.at(-1)!.window, 200_000);
    assert.equal(c.stats().rcvWnd, 200_000);
  });

  test("with a shared window the field is the hook's space even below the edge advertised before, and data up to that edge is still accepted", () => {
    const hook = new RecordingHook();
    hook.ackOption = true;
    const cfg = plainConfig({ windowScaling: true, recvBufferSize: 1 << 20, ackEvery: 1 });
    hook.space = 3200;
    const c = TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, options: [...SYN_OPTS, { kind: "wscale", shift: 0 }] }), ISS, 0, { hook });
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1 }), 0);
    c.requestAck();
    assert.equal(drain(c, 0)[0]!.window, 100);
    // 10 bytes arrive and the shared window closes (MPTCP: other subflows filled it). The field
    // is relative to the hook's own acknowledgement (the Data ACK), so it shows 0, not the 3190
    // bytes left to this subflow's old edge (RFC 8684 §3.3.4; Linux mptcp_set_rwin).
    hook.verdict = "consume";
    hook.space = 0;
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    const [ack] = drain(c, 0);
    assert.equal(ack!.ack, IRS + 11);
    assert.equal(ack!.window, 0);
    assert.equal(hook.outgoing.at(-1)!.window, 0);
    // What the subflow offered before is still taken (RFC 9293 §3.8.6: a sender may have sent it).
    c.handleSegment(peer({ seq: IRS + 11, payload: bytes(3190) }), 0);
    assert.equal(hook.incomingSeen.at(-1)!.payload.length, 3190);
    assert.equal(drain(c, 0)[0]!.ack, IRS + 3201);
  });

  test("a RST advertises no window", () => {
    const { c, hook } = withHook();
    c.abort();
    const [rst] = drain(c, 0);
    assert.equal(rst!.flags, F.RST);
    assert.equal(hook.outgoing.at(-1)!.window, 0);
  });
});

describe("requestAck", () => {
  test("is ignored before the SYN-ACK and after close", () => {
    const hook = new RecordingHook();
    const c = synSent(plainConfig(), { hook });
    c.requestAck();
    expectSent(c, 0);
    const d = TcpConnection.connect(plainConfig(), LOCAL, REMOTE, ISS, 0);
    d.close();
    d.requestAck();
    expectSent(d, 0);
  });
});

/**
 * The receiver's RTT estimate (tcp/rcv-rtt.ts; Linux `tcp_rcv_rtt_measure`,
 * `tcp_rcv_rtt_measure_ts`, `tcp_rcv_rtt_update`): the estimator on its own, then fed by a TCP
 * connection's receive path, with timestamps (their clock wrapping) and without (sequence numbers
 * wrapping).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RcvRttEstimator } from "../../src/tcp/rcv-rtt.js";
import type { RcvRttInput } from "../../src/tcp/rcv-rtt.js";
import { TcpConnection } from "../../src/tcp/connection.js";
import type { TcpOption } from "../../src/wire/tcp-types.js";
import { F, ISS, bytes, drain, peer, plainConfig } from "./util.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

const MS = 1000;

/** A data arrival with timestamps: echoing a TSval `age` µs old. */
function echo(now: number, tsEcr: number, age: number, over: Partial<RcvRttInput> = {}): RcvRttInput {
  return { now, rcvNxt: 0, rcvRight: 1 << 30, fullSized: true, queueEmpty: true, tsEcr, echoAge: age, ...over };
}

/** A data arrival without timestamps: RCV.NXT and the advertised right edge after it. */
function data(now: number, rcvNxt: number, rcvRight: number): RcvRttInput {
  return { now, rcvNxt, rcvRight, fullSized: true, queueEmpty: true, tsEcr: undefined, echoAge: 0 };
}

describe("RcvRttEstimator with timestamps", () => {
  test("the first sample is the estimate; a smaller one replaces it at once", () => {
    const r = new RcvRttEstimator();
    assert.equal(r.rtt, undefined);
    r.onData(echo(100 * MS, 1, 40 * MS));
    assert.equal(r.rtt, 40 * MS);
    r.onData(echo(110 * MS, 2, 25 * MS));
    assert.equal(r.rtt, 25 * MS);
  });

  test("a larger sample moves it by an eighth, and only with nothing unread", () => {
    const r = new RcvRttEstimator();
    r.onData(echo(0, 1, 40 * MS));
    r.onData(echo(MS, 2, 120 * MS, { queueEmpty: false }));
    assert.equal(r.rtt, 40 * MS);
    r.onData(echo(2 * MS, 3, 120 * MS));
    assert.equal(r.rtt, 50 * MS);
  });

  test("one sample per TSecr, from full-sized segments, and none of zero age", () => {
    const r = new RcvRttEstimator();
    r.onData(echo(0, 7, 30 * MS, { fullSized: false }));
    assert.equal(r.rtt, undefined);
    r.onData(echo(MS, 8, 0));
    assert.equal(r.rtt, undefined);
    r.onData(echo(2 * MS, 9, 30 * MS));
    // The same TSecr again (later segments of the same flight): no new sample.
    r.onData(echo(3 * MS, 9, 10 * MS));
    assert.equal(r.rtt, 30 * MS);
  });

  test("a stalled sender's late segment, echoing an old TSval, raises it by an eighth only", () => {
    const r = new RcvRttEstimator();
    r.onData(echo(0, 1, 40 * MS));
    // The sender had nothing to send for 2 s; its next segment echoes our last ACK's TSval.
    r.onData(echo(2_040 * MS, 2, 2_040 * MS));
    assert.equal(r.rtt, 40 * MS + 250 * MS);
  });
});

describe("RcvRttEstimator without timestamps: one sample per window", () => {
  test("the time RCV.NXT takes to pass the right edge offered when the measurement began", () => {
    const r = new RcvRttEstimator();
    r.onData(data(10 * MS, 1000, 64_000));
    assert.equal(r.rtt, undefined);
    assert.equal(r.rounds, 1);
    r.onData(data(40 * MS, 50_000, 100_000));
    assert.equal(r.rtt, undefined, "the window is not through yet");
    r.onData(data(60 * MS, 64_000, 128_000));
    assert.equal(r.rtt, 50 * MS);
    assert.equal(r.rounds, 2);
  });

  test("a longer window (a stalled or slow sender) is an upper bound: it never raises it", () => {
    const r = new RcvRttEstimator();
    r.onData(data(0, 1000, 64_000));
    r.onData(data(50 * MS, 64_000, 128_000));
    r.onData(data(2_000 * MS, 128_000, 192_000));
    assert.equal(r.rtt, 50 * MS);
    r.onData(data(2_030 * MS, 192_000, 256_000));
    assert.equal(r.rtt, 30 * MS);
  });

  test("property: window samples only ever lower the estimate after the first", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 500_000 }), fc.integer({ min: 1, max: 100_000 })), { minLength: 1, maxLength: 40 }), (steps) => {
        const r = new RcvRttEstimator();
        let now = 0;
        let nxt = 0;
        let last: number | undefined;
        for (const [dt, n] of steps) {
          now += dt;
          nxt += n;
          r.onData(data(now, nxt, nxt + 64_000));
          if (last !== undefined) assert.ok(r.rtt! <= last);
          if (r.rtt !== undefined) assert.ok(r.rtt >= 1);
          last = r.rtt;
        }
      }),
    );
  });
});

describe("a TCP connection's receive path feeds it (stats().rcvRtt)", () => {
  const ts = (tsVal: number, tsEcr: number): TcpOption => ({ kind: "timestamps", tsVal, tsEcr });

  test("timestamps: the age of the echoed TSval, across the wrap of the timestamp clock", () => {
    // TSval = tsOffset + ms: 2^32 - 25 at 0 ms, 2^32 - 5 at 20 ms, 15 at 40 ms.
    const tsOffset = 2 ** 32 - 25;
    const cfg = plainConfig({ timestamps: true });
    const c = TcpConnection.accept(cfg, peer({ seq: 5000, flags: F.SYN, options: [{ kind: "mss", mss: 1460 }, ts(100, 0)] }), ISS, 0, { tsOffset });
    drain(c, 0);
    c.handleSegment(peer({ seq: 5001, ack: ISS + 1, options: [ts(101, tsOffset)] }), 0);
    assert.equal(c.state, "ESTABLISHED");
    assert.equal(c.stats().rcvRtt, undefined, "the handshake gives the sender's estimate, not this one");
    c.handleSegment(peer({ seq: 5001, ack: ISS + 1, options: [ts(140, 2 ** 32 - 5)], payload: bytes(1000) }), 40 * MS);
    assert.equal(c.stats().rcvRtt, 20 * MS);
    // The next flight echoes a TSval of ours from after the wrap (15 at 40 ms), 30 ms later;
    // the application has read everything, so the larger sample counts (for an eighth).
    c.recv();
    c.handleSegment(peer({ seq: 6001, ack: ISS + 1, options: [ts(170, 15)], payload: bytes(1000) }), 70 * MS);
    assert.equal(c.stats().rcvRtt, 20 * MS + Math.round((30 * MS - 20 * MS) / 8));
  });

  test("without timestamps: one window of data, sequence numbers wrapping inside it", () => {
    const irs = 2 ** 32 - 30_000;
    const c = TcpConnection.accept(plainConfig(), peer({ seq: irs, flags: F.SYN }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ seq: irs + 1, ack: ISS + 1 }), 0);
    // 64 segments of 1000 bytes, one per ms from 10 ms, read as they come: the 64th passes the
    // right edge offered when the first arrived (64000 bytes on).
    for (let i = 0; i < 64; i++) {
      const now = (10 + i) * MS;
      c.handleSegment(peer({ seq: (irs + 1 + i * 1000) >>> 0, ack: ISS + 1, payload: bytes(1000) }), now);
      c.recv();
      drain(c, now);
    }
    assert.equal(c.stats().rcvRtt, 63 * MS);
  });
});

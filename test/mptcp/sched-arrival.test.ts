/**
 * The delivery-time model (sched/arrival.ts) and the delay-aware rule of the default scheduler
 * (sched/lowest-rtt.ts): tables of path states and the choice each must give.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ackDelay, isMeasured, rateOf, slowerHoldsWindow, slowPathPays } from "../../src/mptcp/sched/arrival.js";
import type { MeasuredPath } from "../../src/mptcp/sched/arrival.js";
import { LowestRttScheduler } from "../../src/mptcp/sched/lowest-rtt.js";
import type { SchedulerContext } from "../../src/mptcp/sched/scheduler.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

interface P extends MeasuredPath {
  name: string;
}

const MSS = 1420;
const path = (name: string, srtt: number, cwnd: number, inFlight: number, room: number): P => ({ name, srtt, cwnd, inFlight, room, backup: false, mss: MSS });
/** WiFi-like: 40 ms, 100 KB window, full. */
const wifi = (inFlight = 200_000) => path("wifi", 40_000, 100_000, inFlight, 0);
const ctx = (unsent: number, window: number, sendWindow = window / 2): SchedulerContext => ({ unsent, window, sendWindow });

describe("ackDelay: srtt * (1 + floor((queued + k - 1) / cwnd))", () => {
  for (const [queued, k, rounds] of [
    [0, 1, 1],
    [0, 14_480, 1],
    [0, 14_481, 2],
    [14_200, 1_420, 2],
    [14_200, 280, 1],
    [28_960, 14_480, 3],
  ] as const) {
    test(`${k} bytes behind ${queued} with a 14480-byte window: ${rounds} RTT`, () => {
      assert.equal(ackDelay(path("s", 300_000, 14_480, queued, 0), k), rounds * 300_000);
    });
  }

  test("the rate is a window per smoothed RTT", () => {
    assert.equal(rateOf(path("f", 40_000, 100_000, 0, 0)), 2.5);
  });

  test("never less than one RTT, and monotone in the bytes queued", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100_000 }), (srtt, cwnd, q, k) => {
        const p = path("p", srtt, cwnd, q, 0);
        assert.ok(ackDelay(p, k) >= srtt);
        assert.ok(ackDelay(p, k + 1) >= ackDelay(p, k));
      }),
    );
  });
});

describe("slowPathPays: a slower subflow takes data only if it delivers sooner and leaves the window to the fast one", () => {
  // Each row: the slow subflow, the context, whether it takes the chunk, and why.
  const rows: Array<[string, P, SchedulerContext, boolean]> = [
    ["3G idle, 8 MB window, 9 MB waiting: sooner than WiFi's 9 MB, window ample", path("3g", 300_000, 14_480, 0, 14_200), ctx(9_000_000, 8 << 20), true],
    ["the tail: 300 KB waiting is done on WiFi (200 ms) before 3G's one round (300 ms)", path("3g", 300_000, 14_480, 0, 14_200), ctx(300_000, 8 << 20), false],
    ["512 KB window: WiFi would want 750 KB while the 3G chunk holds the left edge", path("3g", 300_000, 14_480, 0, 14_200), ctx(9_000_000, 512 << 10), false],
    ["a room of two windows: only the window it sends now is priced (slowChunk), 750 KB wanted against 1 MB", path("3g", 300_000, 14_480, 0, 28_400), ctx(9_000_000, 1 << 20), true],
    ["a window already in flight: one segment more waits a round, 1.5 MB wanted against 1 MB", path("3g", 300_000, 14_480, 14_480, 14_480), ctx(9_000_000, 1 << 20), false],
    ["the same one window at a time: 750 KB wanted against 1 MB", path("3g", 300_000, 14_480, 0, 14_200), ctx(9_000_000, 1 << 20), true],
    ["3G bloated (1.5 s RTT, a window queued): 3 s, sooner than WiFi's 9 MB (3.7 s); 8 MB of window holds WiFi's 7.5 MB meanwhile", path("3g", 1_500_000, 375_000, 375_000, 14_200), ctx(9_000_000, 8 << 20), true],
    ["3G bloated and 4 MB waiting: WiFi is done in 1.6 s, 3G needs 3 s", path("3g", 1_500_000, 375_000, 375_000, 14_200), ctx(4_000_000, 8 << 20), false],
    ["bloated 3G, 2 MB window: WiFi would want 7.5 MB during its 3 s", path("3g", 1_500_000, 375_000, 375_000, 14_200), ctx(9_000_000, 2 << 20), false],
  ];
  for (const [why, slow, c, pays] of rows) {
    test(why, () => {
      assert.equal(slowPathPays(wifi(), slow, c), pays);
    });
  }

  test("without a context or a measured path, the plain lowest-RTT answer (yes)", () => {
    const slow = path("3g", 300_000, 14_480, 0, 14_200);
    assert.equal(slowPathPays(wifi(), slow, undefined), true);
    assert.equal(slowPathPays({ room: 0, srtt: undefined, backup: false }, slow, ctx(1, 1)), true);
    assert.equal(isMeasured({ room: 1, srtt: 1, backup: false, cwnd: 0, inFlight: 0 }), false);
  });

  test("without the peer's whole window it weighs the open one", () => {
    const slow = path("3g", 300_000, 14_480, 0, 14_200);
    assert.equal(slowPathPays(wifi(), slow, { unsent: 9_000_000, sendWindow: 8 << 20 }), true);
    assert.equal(slowPathPays(wifi(), slow, { unsent: 9_000_000, sendWindow: 512 << 10 }), false);
  });
});

describe("LowestRttScheduler, delay-aware (the default)", () => {
  const slow = () => path("3g", 300_000, 14_480, 0, 14_200);
  const fastWithRoom = () => path("wifi", 40_000, 100_000, 50_000, 50_000);

  test("the fastest subflow with room, as always", () => {
    assert.equal(new LowestRttScheduler().pick([slow(), fastWithRoom()], ctx(300_000, 8 << 20))?.name, "wifi");
  });

  test("declines the slower subflow when it would deliver later; waits for the fast one", () => {
    assert.equal(new LowestRttScheduler().pick([slow(), wifi()], ctx(300_000, 8 << 20)), undefined);
    assert.equal(new LowestRttScheduler().pick([slow(), wifi()], ctx(9_000_000, 512 << 10)), undefined);
  });

  test("takes it when it pays", () => {
    assert.equal(new LowestRttScheduler().pick([slow(), wifi()], ctx(9_000_000, 8 << 20))?.name, "3g");
  });

  test("delayAware: false is the plain rule: the fastest subflow with room, always", () => {
    const s = new LowestRttScheduler({ delayAware: false });
    assert.equal(s.pick([slow(), wifi()], ctx(300_000, 8 << 20))?.name, "3g");
    assert.equal(s.pick([slow(), wifi()], ctx(9_000_000, 512 << 10))?.name, "3g");
  });

  test("a choice, when there is one, always has room; the fastest with room is never declined", () => {
    const arb = fc.array(fc.record({ srtt: fc.integer({ min: 1_000, max: 2_000_000 }), cwnd: fc.integer({ min: 1_420, max: 500_000 }), inFlight: fc.integer({ min: 0, max: 1_000_000 }), room: fc.integer({ min: 0, max: 100_000 }) }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 8 << 20 }), (rows, unsent, window) => {
        const paths = rows.map((r, i) => path(`p${i}`, r.srtt, r.cwnd, r.inFlight, r.room));
        const got = new LowestRttScheduler().pick(paths, ctx(unsent, window));
        if (got !== undefined) assert.ok(got.room > 0);
        const fastest = paths.reduce((a, b) => (b.srtt < a.srtt ? b : a));
        if (fastest.room > 0) assert.equal(got, fastest);
      }),
    );
  });
});

describe("slowerHoldsWindow: a block BLEST's correction learns from", () => {
  // The blocked subflow has room; the window stopped it.
  const fast = (inFlight = 0) => path("wifi", 40_000, 100_000, inFlight, 50_000);
  const slow = (inFlight: number, srtt = 300_000) => path("3g", srtt, 30_000, inFlight, 0);
  for (const [what, blocked, others, expected] of [
    ["a slower subflow holds data in the window", fast(), [slow(20_000)], true],
    ["the slower subflow holds nothing: the window is just smaller than the fast one needs", fast(100_000), [slow(0)], false],
    ["only the blocked subflow itself has data in flight", fast(100_000), [], false],
    ["the other subflow is faster: it is not the one the choice put there", path("3g", 300_000, 30_000, 0, 30_000), [fast(100_000)], false],
    ["an equally fast subflow holds data: not a slow one", fast(), [path("wifi2", 40_000, 100_000, 80_000, 0)], false],
    ["an unmeasured subflow holds data: no srtt, no verdict", fast(), [{ ...slow(20_000), srtt: undefined }], false],
  ] as const) {
    test(what, () => {
      const paths = [blocked, ...others];
      assert.equal(slowerHoldsWindow(blocked, paths), expected);
    });
  }

  test("an unmeasured blocked subflow is the slowest (scheduler.ts): none holds the window against it", () => {
    const blocked = { ...fast(), srtt: undefined };
    assert.equal(slowerHoldsWindow(blocked, [blocked, slow(1)]), false);
  });
});

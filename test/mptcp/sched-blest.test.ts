/**
 * BLEST (Ferlin et al., IFIP Networking 2016). The figures: fast subflow RTT 10 ms, cwnd 20000,
 * MSS 1000, no room; slow subflow RTT 50 ms, 5000 bytes in flight, room. rtts = 5, so the fast
 * subflow could send X = (20000 + 1000 * 4 / 2) * 5 = 110000 bytes during one slow RTT, and the
 * slow one may send only if X * lambda <= SendWindow - (5000 + 1000).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { BlestScheduler } from "../../src/mptcp/sched/blest.js";
import type { SchedulerContext, SchedulerPath } from "../../src/mptcp/sched/scheduler.js";

interface P extends SchedulerPath {
  name: string;
}

const fast = (room = 0, extra: Partial<P> = {}): P => ({ name: "fast", room, srtt: 10_000, backup: false, cwnd: 20_000, inFlight: 20_000, mss: 1000, ...extra });
const slow = (extra: Partial<P> = {}): P => ({ name: "slow", room: 4000, srtt: 50_000, backup: false, cwnd: 10_000, inFlight: 5000, mss: 1000, ...extra });
const ctx = (sendWindow: number): SchedulerContext => ({ sendWindow, unsent: 1_000_000 });

describe("BlestScheduler", () => {
  const cases: [string, P[], SchedulerContext | undefined, string | undefined][] = [
    ["the fastest subflow has room: it takes the chunk, whatever the window", [slow(), fast(3000)], ctx(0), "fast"],
    ["fast full, the window holds X plus the slow segment: send on the slow subflow", [slow(), fast()], ctx(116_000), "slow"],
    ["fast full, one byte short of X plus the slow segment: wait for the fast subflow", [slow(), fast()], ctx(115_999), undefined],
    ["no connection-level figures: lowest-RTT with room", [slow(), fast()], undefined, "slow"],
    ["the fast subflow's cwnd unknown: lowest-RTT with room", [slow(), fast(0, { cwnd: undefined })], ctx(1000), "slow"],
    ["the slow subflow's in-flight unknown: lowest-RTT with room", [slow({ inFlight: undefined }), fast()], ctx(1000), "slow"],
    ["slow RTT 100 ms: rtts = 10, X = 24500 * 10 = 245000 fits in 251000 beside 6000", [slow({ srtt: 100_000 }), fast()], ctx(251_000), "slow"],
    ["slow RTT 100 ms: X = 245000 does not fit in 250999 beside 6000", [slow({ srtt: 100_000 }), fast()], ctx(250_999), undefined],
    ["every subflow full: nothing", [slow({ room: 0 }), fast()], ctx(1_000_000), undefined],
    ["fast full and only a backup has room: nothing (§3.3.8)", [slow({ room: 0 }), fast(), { ...slow(), name: "backup", backup: true }], ctx(1_000_000), undefined],
  ];
  for (const [why, paths, context, expected] of cases) {
    test(why, () => {
      assert.equal(new BlestScheduler().pick(paths, context)?.name, expected);
    });
  }

  test("lambda rises with each blocked Data ACK and decays with unblocked ones, within [0.5, 3]", () => {
    const s = new BlestScheduler();
    assert.equal(s.lambda, 1);
    for (let i = 0; i < 10; i++) s.onDataAck(true);
    assert.ok(Math.abs(s.lambda - 2) < 1e-9);
    // X * 2 = 220000: 226000 is needed now.
    assert.equal(s.pick([slow(), fast()], ctx(225_000)), undefined);
    assert.equal(s.pick([slow(), fast()], ctx(227_000))?.name, "slow");
    for (let i = 0; i < 100; i++) s.onDataAck(true);
    assert.equal(s.lambda, 3);
    for (let i = 0; i < 1000; i++) s.onDataAck(false);
    assert.equal(s.lambda, 0.5);
    // X * 0.5 = 55000: 61000 suffices.
    assert.equal(s.pick([slow(), fast()], ctx(61_000))?.name, "slow");
  });
});

/**
 * ECF (Lim et al., CoNEXT 2017). The figures: fast subflow RTT 10 ms, cwnd 20000, RTTVAR 1 ms,
 * no room; slow subflow RTT 100 ms, cwnd 10000, RTTVAR 5 ms, room. delta = 5 ms. With k bytes
 * waiting, n = 1 + k / 20000:
 *   first test   n * 10 ms < (1 + waiting/4) * 105 ms   <=>  k < 190000 (k < 242500 while waiting)
 *   second test  k / 10000 * 100 ms >= 25 ms             <=>  k >= 2500
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { EcfScheduler } from "../../src/mptcp/sched/ecf.js";
import type { SchedulerPath } from "../../src/mptcp/sched/scheduler.js";

interface P extends SchedulerPath {
  name: string;
}

const fast = (extra: Partial<P> = {}): P => ({ name: "fast", room: 0, srtt: 10_000, rttvar: 1000, backup: false, cwnd: 20_000, ...extra });
const slow = (extra: Partial<P> = {}): P => ({ name: "slow", room: 10_000, srtt: 100_000, rttvar: 5000, backup: false, cwnd: 10_000, ...extra });
const paths = [slow(), fast()];
const waitingFor = (unsent: number) => ({ sendWindow: 1 << 30, unsent });

describe("EcfScheduler", () => {
  const cases: [string, P[], number | undefined, string | undefined][] = [
    ["the fastest subflow has room: it takes the chunk", [slow(), fast({ room: 1000 })], 50_000, "fast"],
    ["1000 bytes waiting: the slow subflow finishes them before the fast one is free twice", paths, 1000, "slow"],
    ["2499 bytes: still just done on the slow subflow within 2 fast RTTs + delta", paths, 2499, "slow"],
    ["2500 bytes: the slow subflow would take 25 ms or more: wait for the fast one", paths, 2500, undefined],
    ["50000 bytes: 3.5 fast RTTs beat one slow RTT: wait", paths, 50_000, undefined],
    ["189999 bytes: just under 10.5 fast RTTs: wait", paths, 189_999, undefined],
    ["190000 bytes: the fast subflow alone takes longer than the slow RTT: use both", paths, 190_000, "slow"],
    ["no connection-level figures: lowest-RTT with room", paths, undefined, "slow"],
  ];
  for (const [why, ps, unsent, expected] of cases) {
    test(why, () => {
      const s = new EcfScheduler();
      assert.equal(s.pick(ps, unsent === undefined ? undefined : waitingFor(unsent))?.name, expected);
      assert.equal(s.waiting, expected === undefined);
    });
  }

  test("hysteresis: once waiting, it keeps waiting up to (1 + beta) times the slow RTT", () => {
    const s = new EcfScheduler();
    assert.equal(s.pick(paths, waitingFor(50_000)), undefined);
    assert.equal(s.pick(paths, waitingFor(200_000)), undefined);
    assert.equal(s.pick(paths, waitingFor(242_499)), undefined);
    assert.equal(s.pick(paths, waitingFor(242_500))?.name, "slow");
    assert.equal(s.waiting, false);
    assert.equal(s.pick(paths, waitingFor(200_000))?.name, "slow");
  });

  test("a larger RTT variation makes the slow subflow look slower: delta = 50 ms widens both tests", () => {
    // First test: n * 10 < 150 ms <=> k < 280000. Second: k / 10000 * 100 >= 70 ms <=> k >= 7000.
    const noisy = [slow({ rttvar: 50_000 }), fast()];
    assert.equal(new EcfScheduler().pick(noisy, waitingFor(6999))?.name, "slow");
    assert.equal(new EcfScheduler().pick(noisy, waitingFor(7000)), undefined);
    assert.equal(new EcfScheduler().pick(noisy, waitingFor(279_999)), undefined);
  });

  test("missing windows fall back to lowest-RTT; backups stay out (§3.3.8)", () => {
    assert.equal(new EcfScheduler().pick([slow({ cwnd: undefined }), fast()], waitingFor(50_000))?.name, "slow");
    assert.equal(new EcfScheduler().pick([fast(), slow({ backup: true })], waitingFor(50_000)), undefined);
  });
});

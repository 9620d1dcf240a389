/**
 * BALIA (Peng et al., ToN 2016; draft-walid-mptcp-congestion-control). Expected figures are
 * computed here from the draft's rule in segments: per ACK on r,
 * w_r += x_r / (rtt_r X^2) * (1 + a_r)/2 * (4 + a_r)/5 with X = sum x_k and a_r = max x_k / x_r;
 * per loss w_r -= w_r / 2 * min(a_r, 1.5). With windows in bytes an ACK of b bytes is b / MSS
 * segments, and x_r / (rtt_r X^2) is then per byte.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { balia, Balia } from "../../src/mptcp/cc/balia.js";
import { acks, inAvoidance } from "./cc-util.js";

interface Path {
  cwnd: number;
  srtt: number;
}

function bytesPerSegment(paths: Path[], r: number): number {
  const x = paths.map((p) => p.cwnd / p.srtt);
  const X = x.reduce((s, v) => s + v, 0);
  const a = Math.max(...x) / x[r]!;
  const perByte = (x[r]! / (paths[r]!.srtt * X * X)) * ((1 + a) / 2) * ((4 + a) / 5);
  return 1 / perByte;
}

describe("BALIA", () => {
  test("the fastest path grows as a coupled Reno, the slower one by the (1+a)(4+a)/10 boost", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 14_000, srtt: 40_000 },
    ];
    const [a, b] = inAvoidance<Balia>(balia(), paths);
    // x = 2 and 0.35 bytes/µs: a_1 = 1, a_2 = 5.714.
    assert.equal(a!.alpha(), 1);
    assert.ok(Math.abs(b!.alpha() - 2 / 0.35) < 1e-12);
    assert.equal(Math.ceil(bytesPerSegment(paths, 0) / 1000), 28);
    assert.equal(Math.ceil(bytesPerSegment(paths, 1) / 1000), 97);
    acks(b!, 96, 1000, 40_000);
    assert.equal(b!.window(), 14_000);
    acks(b!, 1, 1000, 40_000);
    assert.equal(b!.window(), 15_000);
    assert.equal(Math.ceil(bytesPerSegment([paths[0]!, { cwnd: 15_000, srtt: 40_000 }], 0) / 1000), 29);
    acks(a!, 28, 1000, 10_000);
    assert.equal(a!.window(), 20_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 21_000);
  });

  test("loss: the fastest path halves, a path at 1.2x below it keeps 40%, a much slower one 25%", () => {
    const [fast, mid] = inAvoidance<Balia>(balia(), [
      { cwnd: 12_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 10_000 },
    ]);
    assert.ok(Math.abs(mid!.alpha() - 1.2) < 1e-12);
    mid!.onCongestionEvent(100, 100, false, 10_000);
    assert.equal(mid!.window(), 4_000);
    fast!.onCongestionEvent(100, 100, false, 12_000);
    assert.equal(fast!.window(), 6_000);

    const [, slow] = inAvoidance<Balia>(balia(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 14_000, srtt: 40_000 },
    ]);
    // a = 5.7, capped at 1.5: w - w/2 * 1.5 = w / 4.
    slow!.onCongestionEvent(100, 100, false, 14_000);
    assert.deepEqual([slow!.window(), slow!.ssthresh()], [3_500, 3_500]);
    // 875 bytes would be left: never below 1 MSS while another subflow carries data (the
    // authors' module, the default floor).
    slow!.onCongestionEvent(200, 200, false, 3_500);
    assert.deepEqual([slow!.window(), slow!.ssthresh()], [1_000, 1_000]);
  });

  test("a penalty halves the slow path's window, where a loss takes it to a quarter (Raiciu et al.: halve)", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 14_000, srtt: 40_000 },
    ];
    const [, penalised] = inAvoidance<Balia>(balia(), paths);
    penalised!.penalise(100);
    assert.deepEqual([penalised!.window(), penalised!.ssthresh()], [7_000, 7_000]);
    // A second penalty at the same moment is the same event.
    penalised!.penalise(100);
    assert.equal(penalised!.window(), 7_000);
    const [, lost] = inAvoidance<Balia>(balia(), paths);
    lost!.onCongestionEvent(100, 100, false, 14_000);
    assert.equal(lost!.window(), 3_500);
  });

  test("the least window after a loss: 1 MSS beside another path (the module), 2 MSS alone or with the draft floor", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 3_500, srtt: 40_000 },
    ];
    for (const [floor, want] of [["linux", 1_000], ["draft", 2_000]] as const) {
      const [, slow] = inAvoidance<Balia>(balia(undefined, floor), paths);
      slow!.onCongestionEvent(100, 100, false, 3_500);
      assert.deepEqual([slow!.window(), slow!.ssthresh()], [want, want], `${floor} floor`);
    }
    // Alone BALIA is Reno, floor included: the sibling has no RTT sample yet.
    const group = balia();
    const alone = group({ mss: 1000, initialWindow: 10, now: 0 });
    group({ mss: 1000, initialWindow: 10, now: 0 });
    alone.onAck(1, 0, { srtt: 10_000, latest: 10_000, min: 10_000 }, 0, true);
    alone.onCongestionEvent(100, 100, false, 3_000);
    assert.equal(alone.ssthresh(), 2_000);
  });
});

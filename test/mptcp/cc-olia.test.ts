/**
 * OLIA (Khalili et al., CoNEXT 2012). Expected figures are computed here from the paper's rule in
 * rate form, x_p = w_p / rtt_p: growth per byte acknowledged, in segments, on path r is
 * (x_r / rtt_r) / (sum_p x_p)^2 + alpha_r / w_r, with alpha_r from the sets B (best paths by
 * l / rtt^2) and M (largest windows).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { olia, Olia } from "../../src/mptcp/cc/olia.js";
import { acks, inAvoidance, oliaAlphas } from "./cc-util.js";

interface Path {
  cwnd: number;
  srtt: number;
  carried: number;
}

const alphas = (paths: Path[]): number[] => oliaAlphas(paths.map((p) => ({ w: p.cwnd, rtt: p.srtt, l: p.carried })));

function bytesPerSegment(paths: Path[], r: number): number {
  const x = paths.map((p) => p.cwnd / p.srtt);
  const sum = x.reduce((a, b) => a + b, 0);
  const p = paths[r]!;
  return 1 / (x[r]! / p.srtt / (sum * sum) + alphas(paths)[r]! / p.cwnd);
}

describe("OLIA", () => {
  test("alpha moves window from the largest-window path to a better path with a smaller one", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000, carried: 100_000 },
      { cwnd: 10_000, srtt: 40_000, carried: 3_200_000 },
    ];
    const [a, b] = inAvoidance<Olia>(olia(), paths);
    // l/rtt^2: 1e-3 for a, 2e-3 for b: B = {b}, M = {a}, B \ M = {b}, n = 2.
    assert.deepEqual(alphas(paths), [-0.5, 0.5]);
    assert.equal(a!.alpha(), -0.5);
    assert.equal(b!.alpha(), 0.5);
    // a: 3.9506e-5 - 2.5e-5 per byte: 68936 bytes per MSS; b: 1.2346e-6 + 5e-5: 19518.
    assert.equal(Math.ceil(bytesPerSegment(paths, 0) / 1000), 69);
    assert.equal(Math.ceil(bytesPerSegment(paths, 1) / 1000), 20);
    acks(a!, 68, 1000, 10_000);
    assert.equal(a!.window(), 20_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 21_000);
    acks(b!, 19, 1000, 40_000);
    assert.equal(b!.window(), 10_000);
    // With a at 21000, b's figure is nearly the same.
    assert.equal(Math.ceil(bytesPerSegment([{ ...paths[0]!, cwnd: 21_000 }, paths[1]!], 1) / 1000), 20);
    acks(b!, 1, 1000, 40_000);
    assert.equal(b!.window(), 11_000);
  });

  test("a negative alpha shrinks the largest window in congestion avoidance, never into slow start", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000, carried: 1_000_000 },
      { cwnd: 12_000, srtt: 10_000, carried: 2_000_000 },
    ];
    const [a] = inAvoidance<Olia>(olia(), paths);
    // 20000 / 32000^2 - 0.5 / 20000 = -5.47e-6 per byte: one MSS less per 182857 bytes.
    assert.ok(bytesPerSegment(paths, 0) < 0);
    assert.equal(Math.ceil(-bytesPerSegment(paths, 0) / 1000), 183);
    assert.ok(a!.increase(1000) < 0);
    acks(a!, 182, 1000, 10_000);
    assert.equal(a!.window(), 20_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 19_000);
    assert.equal(a!.ssthresh(), 19_000);
  });

  test("when the best path already has the largest window nobody's alpha is non-zero", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000, carried: 2_000_000 },
      { cwnd: 12_000, srtt: 10_000, carried: 1_000_000 },
    ];
    const [a, b] = inAvoidance<Olia>(olia(), paths);
    assert.deepEqual(alphas(paths), [0, 0]);
    assert.deepEqual([a!.alpha(), b!.alpha()], [0, 0]);
    assert.ok(Math.abs(a!.bytesPerSegment() - bytesPerSegment(paths, 0)) < 1e-6);
  });

  test("three paths: two collected paths share +1/(n|B\\M|), two max-window paths share -1/(n|M|)", () => {
    const paths = [
      { cwnd: 30_000, srtt: 20_000, carried: 100_000 },
      { cwnd: 30_000, srtt: 20_000, carried: 200_000 },
      { cwnd: 10_000, srtt: 10_000, carried: 50_000 },
      { cwnd: 20_000, srtt: 10_000, carried: 50_000 },
    ];
    const cs = inAvoidance<Olia>(olia(), paths);
    // l/rtt^2: 2.5e-4, 5e-4, 5e-4, 5e-4: B = {1, 2, 3}, M = {0, 1}, B \ M = {2, 3}.
    assert.deepEqual(alphas(paths), [-1 / 8, -1 / 8, 1 / 8, 1 / 8]);
    assert.deepEqual(
      cs.map((c) => c.alpha()),
      [-1 / 8, -1 / 8, 1 / 8, 1 / 8],
    );
    cs.forEach((c, i) => assert.ok(Math.abs(c.bytesPerSegment() - bytesPerSegment(paths, i)) < 1e-6));
  });

  test("the bytes between losses are the larger of the last interval and the current one", () => {
    const [a] = inAvoidance<Olia>(olia(), [
      { cwnd: 20_000, srtt: 10_000, carried: 50_000 },
      { cwnd: 20_000, srtt: 10_000, carried: 0 },
    ]);
    assert.equal(a!.interLoss, 50_000);
    acks(a!, 60, 1000, 10_000);
    assert.equal(a!.interLoss, 110_000);
    a!.onCongestionEvent(100, 100, false, 20_000);
    assert.equal(a!.interLoss, 110_000);
    acks(a!, 5, 1000, 10_000);
    assert.equal(a!.interLoss, 110_000);
    a!.onCongestionEvent(200, 200, false, 20_000);
    assert.equal(a!.interLoss, 5_000);
    assert.equal(a!.window(), 10_000);
  });

  test("data acknowledged during fast recovery counts toward the bytes between losses", () => {
    const [a] = inAvoidance<Olia>(olia(), [
      { cwnd: 20_000, srtt: 10_000, carried: 0 },
      { cwnd: 20_000, srtt: 10_000, carried: 0 },
    ]);
    acks(a!, 30, 1000, 10_000);
    a!.onCongestionEvent(100, 100, false, 20_000);
    const window = a!.window();
    a!.onRecoveryAck(4000);
    a!.onRecoveryAck(6000);
    // The window does not move in recovery; the bytes since the loss do.
    assert.equal(a!.window(), window);
    acks(a!, 25, 1000, 10_000);
    assert.equal(a!.interLoss, 35_000);
  });

  test("a loss halves the FlightSize down to 2 MSS (the authors' module), or with the draft's floor to 1 MSS with two paths in use and 2 MSS alone", () => {
    // [FlightSize at the loss, ssthresh with a sibling that carried data, ssthresh alone]
    const draft: [number, number, number][] = [
      [20_000, 10_000, 10_000],
      [5_000, 2_500, 2_500],
      [3_000, 1_500, 2_000],
      [2_000, 1_000, 2_000],
      [1_000, 1_000, 2_000],
    ];
    for (const floor of ["linux", "draft"] as const) {
      for (const [flight, draftPaired, single] of draft) {
        const paired = floor === "linux" ? Math.max(draftPaired, 2_000) : draftPaired;
        const [a] = inAvoidance<Olia>(olia(undefined, floor), [
          { cwnd: 20_000, srtt: 10_000 },
          { cwnd: 20_000, srtt: 10_000 },
        ]);
        a!.onCongestionEvent(100, 100, false, flight);
        assert.deepEqual([a!.ssthresh(), a!.window()], [paired, paired], `${floor} floor, FlightSize ${flight}, two paths`);
        // The sibling has no RTT sample yet: it carries nothing, so OLIA runs alone.
        const group = olia(undefined, floor);
        const alone = group({ mss: 1000, initialWindow: 10, now: 0 });
        group({ mss: 1000, initialWindow: 10, now: 0 });
        alone.onAck(1, 0, { srtt: 10_000, latest: 10_000, min: 10_000 }, 0, true);
        alone.onCongestionEvent(100, 100, false, flight);
        assert.equal(alone.ssthresh(), single, `${floor} floor, FlightSize ${flight}, alone`);
      }
    }
  });

  test("a penalty halves the window but is no loss: the bytes between losses go on", () => {
    const [a] = inAvoidance<Olia>(olia(), [
      { cwnd: 20_000, srtt: 10_000, carried: 50_000 },
      { cwnd: 20_000, srtt: 10_000, carried: 0 },
    ]);
    a!.penalise(100);
    assert.equal(a!.window(), 10_000);
    assert.equal(a!.interLoss, 50_000);
    acks(a!, 10, 1000, 10_000);
    assert.equal(a!.interLoss, 60_000);
  });
});

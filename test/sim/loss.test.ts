import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createLossProcess, expectedLossRate, validateLossModel, type LossModel } from "../../src/sim/loss.js";
import { Rng } from "../../src/util/rng.js";

function pattern(model: LossModel, n: number, seed = 1): boolean[] {
  const loss = createLossProcess(model);
  const rng = Rng.seeded(seed);
  return Array.from({ length: n }, () => loss.lose(rng));
}

function bursts(lost: boolean[]): number[] {
  const out: number[] = [];
  let run = 0;
  for (const l of lost) {
    if (l) run++;
    else if (run > 0) { out.push(run); run = 0; }
  }
  if (run > 0) out.push(run);
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("loss models", () => {
  test("none never loses", () => {
    assert.ok(pattern({ kind: "none" }, 1000).every((l) => !l));
  });

  test("Bernoulli loses a fraction p of packets", () => {
    const n = 100_000;
    for (const p of [0.01, 0.1, 0.5]) {
      const rate = pattern({ kind: "bernoulli", p }, n).filter((l) => l).length / n;
      // Tolerance of five standard deviations of a binomial proportion.
      assert.ok(Math.abs(rate - p) < 5 * Math.sqrt((p * (1 - p)) / n), `p=${p} measured ${rate}`);
    }
  });

  test("Bernoulli 0 and 1 are exact", () => {
    assert.ok(pattern({ kind: "bernoulli", p: 0 }, 1000).every((l) => !l));
    assert.ok(pattern({ kind: "bernoulli", p: 1 }, 1000).every((l) => l));
  });

  test("simple Gilbert: bursts average 1/r packets and the loss rate is p/(p+r)", () => {
    const model: LossModel = { kind: "gilbert-elliott", p: 0.01, r: 0.25 };
    const lost = pattern(model, 200_000, 4);
    const b = bursts(lost);
    assert.ok(b.length > 500);
    assert.ok(Math.abs(mean(b) - 4) < 0.4, `mean burst ${mean(b)}`);
    const rate = lost.filter((l) => l).length / lost.length;
    assert.ok(Math.abs(rate - expectedLossRate(model)) < 0.006, `rate ${rate} vs ${expectedLossRate(model)}`);
  });

  test("Gilbert-Elliott with h and k loses at the four-parameter rate", () => {
    const model: LossModel = { kind: "gilbert-elliott", p: 0.05, r: 0.2, h: 0.3, k: 0.98 };
    // (0.05·0.7 + 0.2·0.02) / 0.25 = 0.156
    assert.ok(Math.abs(expectedLossRate(model) - 0.156) < 1e-12);
    const lost = pattern(model, 200_000, 5);
    const rate = lost.filter((l) => l).length / lost.length;
    assert.ok(Math.abs(rate - 0.156) < 0.008, `rate ${rate}`);
  });

  test("the same seed gives the same pattern", () => {
    const m: LossModel = { kind: "gilbert-elliott", p: 0.1, r: 0.3 };
    assert.deepEqual(pattern(m, 500, 9), pattern(m, 500, 9));
    assert.notDeepEqual(pattern(m, 500, 9), pattern(m, 500, 10));
  });

  test("bad parameters are reported by name", () => {
    assert.equal(validateLossModel({ kind: "bernoulli", p: 0.5 }), undefined);
    assert.match(validateLossModel({ kind: "bernoulli", p: 1.5 })!, /loss\.p /);
    assert.match(validateLossModel({ kind: "gilbert-elliott", p: 0.1, r: -1 })!, /loss\.r /);
    assert.match(validateLossModel({ kind: "gilbert-elliott", p: 0.1, r: 0.1, k: Number.NaN })!, /loss\.k /);
    assert.match(validateLossModel({ kind: "wobbly" } as unknown as LossModel)!, /unknown loss model wobbly/);
    assert.throws(() => createLossProcess({ kind: "bernoulli", p: 2 }), RangeError);
  });
});

/**
 * The replications of an experiment (src/sim/experiments/replicate.ts): seeds seed, seed + 1, ...,
 * means and standard errors of exactly those runs, flows named per replication.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { difference, formatSummary, replicaFlows, replicate, summarise } from "../../src/sim/experiments/replicate.js";
import type { FlowResult } from "../../src/sim/experiments/transfer.js";

describe("replicate", () => {
  test("runs once per replication, on seeds seed, seed + 1, ... in that order", () => {
    assert.deepEqual(replicate(4, 7, (s) => s * 10), [70, 80, 90, 100]);
    assert.deepEqual(replicate(1, 3, (s) => s), [3]);
  });

  test("refuses no replications, or a fraction of one", () => {
    for (const r of [0, -1, 1.5, Number.NaN]) assert.throws(() => replicate(r, 1, (s) => s), RangeError);
  });
});

describe("summarise", () => {
  test("the mean is the sum in seed order over the count; the standard error is s / √n with the n - 1 deviation", () => {
    const s = summarise([1, 2, 3, 4]);
    assert.deepEqual(s.values, [1, 2, 3, 4]);
    assert.equal(s.mean, 2.5);
    assert.ok(Math.abs(s.se - Math.sqrt(5 / 3) / 2) < 1e-15, String(s.se));
    const xs = [8.79, 8.63, 8.76];
    assert.equal(summarise(xs).mean, (8.79 + 8.63 + 8.76) / 3);
  });

  test("one value: its mean, and no standard error", () => {
    const s = summarise([9.65]);
    assert.equal(s.mean, 9.65);
    assert.ok(Number.isNaN(s.se));
    assert.equal(formatSummary(s, 2), "9.65");
    assert.throws(() => summarise([]), RangeError);
  });

  test("equal values have no spread", () => {
    assert.equal(summarise([6, 6, 6]).se, 0);
  });

  test("differences are taken seed by seed: a shift common to both sides cancels", () => {
    const d = difference(summarise([10, 20, 30]), summarise([9, 19, 29]));
    assert.deepEqual(d.values, [1, 1, 1]);
    assert.equal(d.mean, 1);
    assert.equal(d.se, 0);
    assert.throws(() => difference(summarise([1, 2]), summarise([1])), RangeError);
  });

  test("printed as mean ± standard error", () => {
    assert.equal(formatSummary(summarise([1, 2, 3, 4]), 2), "2.50 ± 0.65");
  });
});

test("replicaFlows: each replication's flows, prefixed label1/, label2/, ... and otherwise unchanged", () => {
  const flow = (name: string, bytes: number): FlowResult => ({ name, bytesSent: bytes, bytesDelivered: bytes, integrity: true, completionSeconds: 1, goodputMbps: 1, steadyGoodputMbps: 1 });
  const runs = [{ flows: [flow("a", 1), flow("b", 2)] }, { flows: [flow("a", 3), flow("b", 4)] }];
  const flows = replicaFlows("run", runs);
  assert.deepEqual(flows.map((f) => f.name), ["run1/a", "run1/b", "run2/a", "run2/b"]);
  assert.deepEqual(flows.map((f) => f.bytesDelivered), [1, 2, 3, 4]);
  assert.equal(runs[0]!.flows[0]!.name, "a");
});

/**
 * The experiments' claims (issue [multipath] item 5), each on its deterministic built-in run:
 * every check passes and every flow is intact.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { EXPERIMENTS, experimentByName } from "../../src/sim/experiments/index.js";

describe("experiments", () => {
  test("exp-aggregation: MPTCP over 2 x 10 Mbit/s (20 ms, 80 ms) gets >= 95% of the two single-path TCP baselines together", () => {
    const r = experimentByName("exp-aggregation")!.run({});
    assert.deepEqual(r.flows.map((f) => f.name), ["tcp-path1", "tcp-path2", "mptcp"]);
    for (const f of r.flows) assert.equal(f.integrity, true, f.name);
    for (const c of r.checks) assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected})`);
    // The baselines are what one path can give: each below its 10 Mbit/s, MPTCP above either.
    const [t1, t2, m] = r.flows;
    assert.ok(t1!.goodputMbps < 10 && t2!.goodputMbps < 10);
    assert.ok(m!.goodputMbps > Math.max(t1!.goodputMbps, t2!.goodputMbps) * 1.5);
  });

  test("names are unique and every experiment describes itself", () => {
    const names = EXPERIMENTS.map((e) => e.name);
    assert.equal(new Set(names).size, names.length);
    for (const e of EXPERIMENTS) {
      assert.match(e.name, /^exp-[a-z-]+$/);
      assert.ok(e.description.length > 20);
    }
  });
});

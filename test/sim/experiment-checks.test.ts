/**
 * How an experiment's checks report their values: shown rounded, but never so that the rounded
 * value reads as the opposite verdict, and a value the runs could not give (a transfer too short
 * for the check) as "not measurable" and failed, not as NaN compared by accident.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { check, NOT_MEASURABLE } from "../../src/sim/experiments/experiment.js";
import { runCli } from "../support/cli.js";

describe("experiment checks", () => {
  test("three decimals, or more where three would show a failing value as passing (and back)", () => {
    const cases: [number, string, boolean, number][] = [
      [1.0234567, ">= 0.95", true, 1.023],
      [0.99995, ">= 1", false, 0.99995],
      [0.9994, ">= 1", false, 0.999],
      [1.10004, "<= 1.1", false, 1.10004],
      [0.49999, "< 0.5", true, 0.49999],
      [0.0004, "> 0", true, 0.0004],
      [2, "1", false, 2],
      [3.14159, "> 2 SE (0.12)", true, 3.142],
      [0.12345, "< 0.000 (single-path)", false, 0.123],
    ];
    for (const [measured, expected, pass, shown] of cases) {
      assert.equal(check("c", measured, expected, pass).measured, shown, `${measured} ${expected}`);
    }
  });

  test("a value that is not a number fails as not measurable, keeping the experiment's note", () => {
    assert.deepEqual(check("c", NaN, ">= 0.95", true), { name: "c", measured: null, expected: ">= 0.95", pass: false, note: NOT_MEASURABLE });
    assert.equal(check("c", Infinity, "<= 1", true, "why").note, `${NOT_MEASURABLE}; why`);
  });

  test("exp-aggregation with transfers shorter than its 5 s warm-up: the share is not measurable, exit 1, no NaN", () => {
    const r = runCli(["sim", "exp-aggregation", "--bytes", "1MB", "--json"]);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stdout, /NaN/);
    const o = JSON.parse(r.stdout) as { table: string[][]; checks: { measured: number | null; pass: boolean; note?: string }[] };
    assert.deepEqual(o.checks.map((c) => c.pass), [false, true, true]);
    assert.equal(o.checks[0]!.measured, null);
    assert.equal(o.checks[0]!.note, NOT_MEASURABLE);
    assert.deepEqual(o.table.slice(1).map((row) => row[3]), ["-", "-", "-"]);
  });

  test("exp-handover with a download over before the WiFi goes: the stall checks are not measurable", () => {
    const r = runCli(["sim", "exp-handover", "--bytes", "300KB"]);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stdout, /NaN/);
    assert.match(r.stdout, /^FAIL {2}stall: full and backup below single-path \(s\): - /m);
    assert.match(r.stderr, /^mptcp: 2 of 3 checks fail: stall/);
  });

  test("--pcap on an experiment is refused in one line (it runs several simulations)", () => {
    const r = runCli(["sim", "exp-aggregation", "--pcap", "/nonexistent-dir"]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^mptcp: --pcap: an experiment runs several simulations and writes no pcaps; .*\n$/);
  });
});

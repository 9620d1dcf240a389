/**
 * `mptcp sim exp-* --report FILE.html` (issue [multipath] item 5): the experiment's checks, its
 * table and its plots on a self-contained page, rendered in a real browser; the report's path on
 * stdout (or as `report` in the JSON); one-line errors where there is no report to write.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { categoryPlot, check, type ExperimentResult } from "../../src/sim/experiments/experiment.js";
import { experimentHtml } from "../../src/sim/experiments/report.js";
import { chromiumSkip, ReportBrowser, reportData } from "../support/browser.js";
import { runCli } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "mptcp-exp-report-"));
after(() => rmSync(work, { recursive: true, force: true }));
const browser = new ReportBrowser(work);

describe("mptcp sim exp-* --report", () => {
  test("exp-aggregation: the path printed last, the page holding the run's table, checks and plot", () => {
    const file = join(work, "aggregation.html");
    const r = runCli(["sim", "exp-aggregation", "--bytes", "12MB", "--report", file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split("\n").at(-1), `report: ${file}`);
    const data = reportData(readFileSync(file, "utf8"));
    const table = data.table as string[][];
    // The page's table is the printed one, row for row.
    for (const row of table.slice(1)) assert.match(r.stdout, new RegExp(row.slice(2).join(" +")));
    assert.equal((data.checks as unknown[]).length, 3);
    assert.equal((data.plots as unknown[]).length, 1);
  });

  test("--json: the report's path as `report`, the rest of the object unchanged", () => {
    const file = join(work, "json.html");
    const r = runCli(["sim", "exp-aggregation", "--bytes", "12MB", "--json", "--report", file]);
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(o.report, file);
    for (const k of ["scenario", "seed", "simulatedSeconds", "wallSeconds", "events", "flows", "table", "checks"]) assert.ok(k in o, k);
  });

  test("a check that fails: the report is still written, and the exit code is 1 with one line naming the check", () => {
    // 3 MB end before the 5 s warm-up, so the long-run rates the claim compares do not exist.
    const file = join(work, "failing.html");
    const r = runCli(["sim", "exp-aggregation", "--bytes", "3MB", "--report", file]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "mptcp: 1 of 3 checks fail: MPTCP goodput / (TCP path1 + TCP path2), after 5 s\n");
    assert.match(r.stdout, /^FAIL {2}MPTCP goodput/m);
    const checks = reportData(readFileSync(file, "utf8")).checks as Array<{ pass: boolean }>;
    assert.deepEqual(checks.map((c) => c.pass), [false, true, true]);
  });

  test("a scenario that is not an experiment, or a path that cannot be written: one line, exit code 2", () => {
    const notExperiment = runCli(["sim", "tcp-clean", "--bytes", "1MB", "--report", join(work, "x.html")]);
    assert.equal(notExperiment.status, 2);
    assert.match(notExperiment.stderr.trim(), /^mptcp: --report: only the experiments \(exp-\*/);
    assert.equal(notExperiment.stderr.trim().split("\n").length, 1);
    const unwritable = runCli(["sim", "exp-aggregation", "--bytes", "1MB", "--report", join(work, "no-such-dir", "x.html")]);
    assert.equal(unwritable.status, 2);
    assert.match(unwritable.stderr.trim(), /^mptcp: cannot write the report .*no-such-dir/);
    assert.equal(unwritable.stderr.trim().split("\n").length, 1);
  });
});

describe("experiment reports in headless Chromium", { skip: chromiumSkip() }, () => {
  after(() => browser.close());

  test("a time series from the CLI: one plot, one canvas, no error, no request beyond the file", async () => {
    const file = join(work, "render.html");
    const r = runCli(["sim", "exp-aggregation", "--bytes", "12MB", "--report", file]);
    assert.equal(r.status, 0, r.stderr);
    const page = await browser.render(file);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.requests, []);
    assert.equal(page.plots, 1);
    assert.equal(page.canvases, 1);
    assert.match(page.text, /Every check passes\./);
    assert.match(page.text, /MPTCP goodput \/ \(TCP path1 \+ TCP path2\), after 5 s/);
  });

  test("points per category, a logarithmic sweep, a failing check with its note, a missing value", async () => {
    const r: ExperimentResult = {
      name: "exp-test",
      seed: 7,
      flows: [],
      table: [["controller", "Mbit/s"], ["LIA", "4.70"], ["OLIA", "4.57"]],
      checks: [check("a claim that holds", 1, "1", true), check("a claim that does not", 0.5, ">= 1", false, "lowest at 64 KB: why, from what was measured")],
      plots: [
        categoryPlot("per controller", "controller", "Mbit/s", ["LIA", "OLIA"], [{ label: "measured", values: [4.7, null] }, { label: "published", values: [4.9, 5.1], dashed: true }]),
        { title: "a sweep", xLabel: "KB", yLabel: "Mbit/s", x: [64, 128, 256], logX: true, series: [{ label: "a", values: [1, 2, 3] }] },
      ],
      simulatedSeconds: 12,
      events: 0,
    };
    const file = join(work, "synthetic.html");
    writeFileSync(file, experimentHtml(r, "a described experiment"));
    const page = await browser.render(file);
    assert.deepEqual(page.errors, []);
    assert.equal(page.plots, 2);
    assert.equal(page.canvases, 2);
    assert.match(page.text, /1 of 2 checks fail\./);
    assert.match(page.text, /FAIL\s+a claim that does not\s+0\.5\s+>= 1\s+lowest at 64 KB: why, from what was measured/);
    assert.match(page.text, /a described experiment \(seed 7, 12\.0 simulated seconds\)/);
  });
});

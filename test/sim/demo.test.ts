/**
 * `mptcp demo` (the `npm start` job): the WiFi + cellular download survives the WiFi failure with
 * every byte intact, both paths carry data while both are up, the cellular path carries the rest
 * after the failure, and the report renders in a real browser.
 */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemo } from "../../src/sim/demo/demo.js";
import { chromiumSkip, ReportBrowser } from "../support/browser.js";
import { runCli } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "mptcp-demo-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("mptcp demo", () => {
  test("a short download: intact, both paths used, the cellular path takes over (§3.3.6)", () => {
    const r = runDemo({ bytes: 8_000_000, failAt: 2 });
    assert.equal(r.integrity, true);
    assert.equal(r.bytesDelivered, 8_000_000);
    const wifi = r.subflows.find((s) => s.name === "wifi")!;
    const cell = r.subflows.find((s) => s.name === "cellular")!;
    assert.ok(wifi.bytesBefore > 0 && cell.bytesBefore > 0, "both subflows carried data before the failure");
    assert.equal(wifi.bytesAfter, 0, "nothing arrives over the WiFi once it is down");
    assert.ok(cell.bytesAfter > 0);
    // Both paths together beat the best one alone before the failure (20 Mbit/s WiFi).
    assert.ok(wifi.mbpsBefore + cell.mbpsBefore > 20, `${wifi.mbpsBefore} + ${cell.mbpsBefore} Mbit/s`);
    assert.ok(r.reinjections > 0, "what the WiFi held went again over cellular");
    assert.ok(r.stallSeconds > 0 && r.stallSeconds < r.completionSeconds - r.failAtSeconds);
    assert.ok(r.series.throughputMbps.length === 2 && r.series.dsn.every((s) => s.points.length > 0));
  });

  test("a failure off the 100 ms grid: each subflow's bytes before and after split at the failure itself", () => {
    // At 50 ms the WiFi subflow has delivered its first bytes and the join has not yet carried any.
    const r = runDemo({ bytes: 2_000_000, failAt: 0.05 });
    assert.equal(r.integrity, true);
    const wifi = r.subflows.find((s) => s.name === "wifi")!;
    assert.ok(wifi.bytesBefore > 0, "the WiFi delivered before it failed");
    assert.equal(wifi.bytesAfter, 0, "and nothing once it was down");
    assert.equal(wifi.mbpsAfter, 0);
    assert.equal(wifi.mbpsBefore, Math.round((wifi.bytesBefore * 8) / 0.05 / 1e6 * 100) / 100);
  });

  test("a download done before the failure: its rates are over its own duration, nothing after", () => {
    const r = runDemo({ bytes: 2_000_000, failAt: 100 });
    assert.equal(r.completed, true);
    assert.ok(r.completionSeconds < 100);
    for (const s of r.subflows) {
      assert.equal(s.bytesAfter, 0, s.name);
      assert.equal(s.mbpsBefore, Math.round((s.bytesBefore * 8) / r.completionSeconds / 1e6 * 100) / 100, s.name);
    }
    assert.equal(r.subflows.reduce((n, s) => n + s.bytesBefore, 0), 2_000_000);
  });

  test("a download that cannot complete (the WiFi fails during the handshake) says so and exits 1", () => {
    const r = runCli(["demo", "--bytes", "2000000", "--fail-at", "0.001", "--no-report"]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /did not complete in 600 s/);
    assert.doesNotMatch(r.stdout, /completed at/);
    assert.match(r.stdout, /bytes intact: NO/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^mptcp: the download did not arrive intact: 0 of 2000000 bytes by 600 s$/m);
    const j = runCli(["demo", "--bytes", "2000000", "--fail-at", "0.001", "--no-report", "--json"]);
    assert.equal(j.status, 1);
    const o = JSON.parse(j.stdout) as { completed: boolean; integrity: boolean; stallSeconds: number };
    assert.equal(o.completed, false);
    assert.equal(o.integrity, false);
    assert.ok(o.stallSeconds > 599, `stall ${o.stallSeconds} s: from the failure to the run limit`);
  });

  test("the same seed gives the same result", () => {
    const strip = (r: ReturnType<typeof runDemo>): unknown => ({ ...r, wallSeconds: 0 });
    assert.deepEqual(strip(runDemo({ bytes: 2_000_000, failAt: 1, seed: 4 })), strip(runDemo({ bytes: 2_000_000, failAt: 1, seed: 4 })));
  });

  test("--cc, --scheduler and --pacing reach both hosts: each run intact and different from the default", () => {
    const run = (flags: string[]): Record<string, unknown> => {
      const r = runCli(["demo", "--bytes", "2000000", "--fail-at", "1", "--no-report", "--json", ...flags]);
      assert.equal(r.status, 0, r.stderr);
      const o = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(o.integrity, true, flags.join(" "));
      return { ...o, wallSeconds: 0 };
    };
    const byDefault = run([]);
    for (const flags of [["--cc", "lia"], ["--cc", "balia", "--cc-floor", "draft"], ["--scheduler", "round-robin"], ["--pacing"]]) {
      assert.notDeepEqual(run(flags), byDefault, flags.join(" "));
    }
    // --bytes takes sizes as mptcp sim does, or plain bytes; integers must be exact.
    const sized = runCli(["demo", "--bytes", "2MB", "--fail-at", "1", "--no-report", "--json"]);
    assert.equal(sized.status, 0, sized.stderr);
    assert.deepEqual({ ...(JSON.parse(sized.stdout) as Record<string, unknown>), wallSeconds: 0 }, byDefault);
    for (const [flag, value] of [["--bytes", "0"], ["--bytes", "abc"], ["--bytes", "99999999999999999999"], ["--seed", "99999999999999999999"], ["--seed", "1.5"]]) {
      const r = runCli(["demo", "--no-report", flag!, value!]);
      assert.equal(r.status, 2, `${flag} ${value}`);
      assert.match(r.stderr, new RegExp(`^mptcp: ${flag} must be a positive .*, got "${value!.replace(".", "\\.")}"\n$`));
    }
    const bad = runCli(["demo", "--cc", "vegas"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.trim(), /^mptcp: --cc: one of /);
  });

  test("the CLI prints the table and writes the report; --json keeps the result fields", async () => {
    const report = join(work, "demo.html");
    const r = runCli(["demo", "--bytes", "3000000", "--fail-at", "1", "--report", report]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^subflow +Mbit\/s before +Mbit\/s after +MB carried$/m);
    assert.match(r.stdout, /bytes intact: yes/);
    assert.match(r.stdout, new RegExp(`report: ${report.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const html = readFileSync(report, "utf8");
    assert.match(html, /<script id="report-data" type="application\/json">/);
    const j = runCli(["demo", "--bytes", "3000000", "--fail-at", "1", "--no-report", "--json"]);
    assert.equal(j.status, 0, j.stderr);
    const o = JSON.parse(j.stdout) as Record<string, unknown>;
    for (const k of ["integrity", "stallSeconds", "goodputMbps", "completionSeconds", "subflows", "reinjections"]) assert.ok(k in o, k);
    assert.equal(o.integrity, true);
    assert.equal(o.report, null);
    const bad = runCli(["demo", "--bytes", "-5"]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
  });

  test("the report renders in headless Chromium with its three plots and no network request", { skip: chromiumSkip() }, async () => {
    const report = join(work, "render.html");
    const r = runCli(["demo", "--bytes", "2000000", "--fail-at", "1", "--report", report]);
    assert.equal(r.status, 0, r.stderr);
    const browser = new ReportBrowser(work);
    try {
      const page = await browser.render(report, process.env.DEMO_SCREENSHOT);
      assert.deepEqual(page.errors, []);
      assert.deepEqual(page.requests, []);
      assert.equal(page.plots, 3);
      assert.ok(page.canvases >= 3);
    } finally {
      await browser.close();
    }
  });
});

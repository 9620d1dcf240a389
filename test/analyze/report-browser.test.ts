/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): it renders with
 * no console error and no page error, and every plot is a uPlot canvas.
 */
import { after, test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromiumSkip, ReportBrowser, reportData } from "../support/browser.js";
import { runCli } from "../support/cli.js";
import { fixture, sharedCapture } from "../util/paths.js";

const work = mkdtempSync(join(tmpdir(), "mptcp-analyze-html-"));
after(() => rmSync(work, { recursive: true, force: true }));
const browser = new ReportBrowser(work);

describe("mptcp analyze --report in headless Chromium", { skip: chromiumSkip() }, () => {
  after(() => browser.close());

  const cases: Array<[string, string, number]> = [
    // [capture, name, connections]
    [fixture("kernel-mpc-join.pcap"), "mpc-join", 1],
    [sharedCapture("pymptcpanalyzer-client_2.v0.pcap"), "client_2", 4],
  ];
  for (const [capture, name, connections] of cases) {
    test(name, { skip: existsSync(capture) ? false : `${capture} is absent` }, async () => {
      const out = join(work, `${name}.html`);
      const r = runCli(["analyze", capture, "--report", out]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(statSync(out).size > 40000, "uPlot is inlined");
      const page = await browser.render(out);
      assert.deepEqual(page.errors, []);
      assert.deepEqual(page.requests, [], "no network");
      assert.equal(page.sections, connections);
      // Per connection: DSN (one per direction with data), goodput, RTT, reordering, signalling.
      assert.ok(page.plots >= 5 * connections, `${page.plots} plots`);
      assert.ok(page.canvases >= 4 * connections, `${page.canvases} canvases`);
    });
  }
});

describe("report page data", () => {
  test("plots (series) only for the connections that carried the most data", async () => {
    const { analyzeCaptures } = await import("../../src/analyze/analyze.js");
    const { reportHtml, MAX_PLOTTED_CONNECTIONS } = await import("../../src/analyze/html.js");
    const one = await analyzeCaptures([fixture("kernel-checksum.pcap")]);
    const n = MAX_PLOTTED_CONNECTIONS + 5;
    const connections = Array.from({ length: n }, (_, i) => ({ ...one.connections[0]!, index: i, bytes: { c2s: i, s2c: 0 } }));
    const series = Array.from({ length: n }, (_, i) => ({ ...one.series[0]!, connection: i }));
    const html = reportHtml({ ...one, connections, series }, "many");
    const data = reportData<{ connections: unknown[]; series: Array<{ connection: number }> }>(html);
    assert.equal(data.connections.length, n);
    assert.deepEqual(data.series.map((s) => s.connection).sort((a, b) => a - b), Array.from({ length: MAX_PLOTTED_CONNECTIONS }, (_, i) => i + 5));
  });
});

/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): it renders with
 * no console error and no page error, and every plot is a uPlot canvas.
 */
import { after, before, test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";
import { runCli } from "../support/cli.js";
import { fixture, sharedCapture } from "../util/paths.js";

const CHROMIUM = "/usr/bin/chromium";
const NO_CHROMIUM = `${CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)`;

const work = mkdtempSync(join(tmpdir(), "mptcp-analyze-html-"));
after(() => rmSync(work, { recursive: true, force: true }));


interface Rendered {
  errors: string[];
  canvases: number;
  plots: number;
  sections: number;
  requests: string[];
}

/** One browser for the file, with a fresh profile directory. */
let context: BrowserContext | undefined;

async function launch(): Promise<BrowserContext> {
  const { chromium } = await import("playwright-core");
  return chromium.launchPersistentContext(mkdtempSync(join(work, "profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

async function render(file: string): Promise<Rendered> {
  context ??= await launch();
  const page = await context.newPage();
  try {
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-rendered]", { timeout: 30000 });
    return {
      errors,
      requests,
      canvases: await page.locator(".uplot canvas").count(),
      plots: await page.locator("div.plot").count(),
      sections: await page.locator("section").count(),
    };
  } finally {
    await page.close();
  }
}

describe("mptcp analyze --report in headless Chromium", { skip: existsSync(CHROMIUM) ? false : NO_CHROMIUM }, () => {
  before(async () => {
    context = await launch();
  });
  after(async () => {
    await context?.close();
  });

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
      const page = await render(out);
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
    const json = /<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!;
    const data = JSON.parse(json) as { connections: unknown[]; series: Array<{ connection: number }> };
    assert.equal(data.connections.length, n);
    assert.deepEqual(data.series.map((s) => s.connection).sort((a, b) => a - b), Array.from({ length: MAX_PLOTTED_CONNECTIONS }, (_, i) => i + 5));
  });
});

/**
 * Our HTML reports in a real browser (Debian's chromium through playwright-core), for the tests of
 * `mptcp analyze --report`, `mptcp demo` and `mptcp sim exp-* --report`: a page renders with no
 * console or page error and no request beyond the file itself, and every plot is a uPlot canvas.
 * One browser per test file, with a fresh profile directory under the file's own temporary one.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** The data a report page embeds (src/report/page.ts `htmlPage`), parsed back from its HTML. */
export function reportData<T = Record<string, unknown>>(html: string): T {
  return JSON.parse(/<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as T;
}
/** The `skip` option of a test that needs the browser. */
export const chromiumSkip = (): false | string => (existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)`);

export interface Rendered {
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** URLs requested beyond file: ones. */
  requests: string[];
  canvases: number;
  plots: number;
  sections: number;
  /** The page's visible text. */
  text: string;
}

export class ReportBrowser {
  private context: BrowserContext | undefined;

  /** `work`: a temporary directory of the test file's, removed by it. */
  constructor(private readonly work: string) {}

  async render(file: string, screenshot?: string): Promise<Rendered> {
    this.context ??= await this.launch();
    const page = await this.context.newPage();
    try {
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:")) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector("body[data-rendered]", { timeout: 30_000 });
      if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
      return {
        errors,
        requests,
        canvases: await page.locator(".uplot canvas").count(),
        plots: await page.locator("div.plot").count(),
        sections: await page.locator("section").count(),
        text: await page.locator("body").innerText(),
      };
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = undefined;
  }

  private async launch(): Promise<BrowserContext> {
    const { chromium } = await import("playwright-core");
    return chromium.launchPersistentContext(mkdtempSync(join(this.work, "profile-")), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }
}

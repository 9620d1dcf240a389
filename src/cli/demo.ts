/**
 * `mptcp demo`: the WiFi + cellular download of src/sim/demo/, as a short table on stdout and a
 * self-contained HTML report (`--report FILE`, default mptcp-demo.html in the current directory).
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { runDemo, type DemoResult } from "../sim/demo/demo.js";
import { demoHtml } from "../sim/demo/report.js";
import { parseCcFlags, type CcFlags } from "./cc-flags.js";
import { parseSize } from "../sim/scenario/units.js";
import { CliError } from "./errors.js";
import { cliNumber } from "./numbers.js";

export interface DemoCliOptions extends CcFlags {
  pacing?: boolean;
  seed?: string;
  bytes?: string;
  failAt?: string;
  report?: string | false;
  json?: boolean;
}

function positive(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = cliNumber(text);
  // Integers must be exact in a double: 99999999999999999999 would silently become 1e20.
  if (!(n > 0) || (integer && !Number.isSafeInteger(n))) throw new CliError(`--${name} must be a positive ${integer ? "integer" : "number"}, got "${text}"`);
  return n;
}

/** A byte count as `mptcp sim --bytes` takes it ("24MB", "1.5MiB"), or a plain number of bytes. */
function byteCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSize(text) ?? cliNumber(text);
  if (!(n > 0 && Number.isSafeInteger(n))) throw new CliError(`--bytes must be a positive size like "24MB" or a number of bytes, got "${text}"`);
  return n;
}

export function runDemoCli(opts: DemoCliOptions): void {
  const seed = positive("seed", opts.seed, true);
  const bytes = byteCount(opts.bytes);
  const failAt = positive("fail-at", opts.failAt, false);
  const mptcp = parseCcFlags(opts);
  const r = runDemo({
    ...(seed !== undefined ? { seed } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
    ...(failAt !== undefined ? { failAt } : {}),
    ...(Object.keys(mptcp).length > 0 ? { mptcp } : {}),
    ...(opts.pacing === true ? { pacing: true } : {}),
  });
  let reportPath: string | undefined;
  if (opts.report !== false) {
    reportPath = resolve(opts.report ?? "mptcp-demo.html");
    try {
      writeFileSync(reportPath, demoHtml(r));
    } catch (e) {
      throw new CliError(`cannot write the report ${reportPath}: ${(e as Error).message}`);
    }
  }
  if (opts.json === true) {
    const { series: _series, ...summary } = r;
    process.stdout.write(JSON.stringify({ ...summary, report: reportPath ?? null }) + "\n");
  } else {
    process.stdout.write(table(r, reportPath));
  }
  // As `mptcp sim` does for a flow: a download that did not arrive whole and unchanged fails.
  if (!r.integrity) {
    throw new CliError(`the download did not arrive intact: ${r.bytesDelivered} of ${r.bytes} bytes${r.completed ? ", SHA-256 differs" : ` by ${r.completionSeconds} s`}`, 1);
  }
}

function table(r: DemoResult, reportPath: string | undefined): string {
  const lines: string[] = [];
  const [wifi, cell] = r.paths;
  lines.push(`mptcp demo: ${r.bytes / 1e6} MB download over WiFi (${wifi!.rateMbps} Mbit/s, ${wifi!.delayMs} ms) + cellular (${cell!.rateMbps} Mbit/s, ${cell!.delayMs} ms)`);
  lines.push(`the WiFi goes down for good at t = ${r.failAtSeconds} s (simulated; seed ${r.seed})`);
  lines.push("");
  const rows = [["subflow", "Mbit/s before", "Mbit/s after", "MB carried"], ...r.subflows.map((s) => [s.name, s.mbpsBefore.toFixed(2), s.mbpsAfter.toFixed(2), ((s.bytesBefore + s.bytesAfter) / 1e6).toFixed(2)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) lines.push(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  lines.push("");
  lines.push(`handover stall: ${r.stallSeconds.toFixed(3)} s with no byte delivered after the WiFi failed`);
  const ended = r.completed ? `completed at ${r.completionSeconds.toFixed(2)} s` : `did not complete in ${r.completionSeconds.toFixed(0)} s`;
  lines.push(`${ended}, goodput ${r.goodputMbps.toFixed(2)} Mbit/s, ${r.reinjections} chunks reinjected on cellular (RFC 8684 §3.3.6)`);
  lines.push(`bytes intact: ${r.integrity ? "yes" : "NO"} (SHA-256 of ${r.bytesDelivered} bytes received against ${r.bytes} sent)`);
  lines.push(`simulated ${r.simulatedSeconds.toFixed(2)} s in ${r.wallSeconds.toFixed(2)} s of wall time`);
  if (reportPath !== undefined) lines.push(`report: ${reportPath}`);
  return lines.join("\n") + "\n";
}

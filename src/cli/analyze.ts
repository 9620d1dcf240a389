/**
 * `mptcp analyze <capture> [server-capture] [--json] [--csv DIR] [--report FILE.html]`: MPTCP
 * connections, subflows, statistics and anomalies of a capture, or of two captures of the same
 * traffic taken at the client and at the server (client side first).
 */
import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import { analyzeCaptures } from "../analyze/analyze.js";
import { TooManyBinsError } from "../analyze/series.js";
import { SegmentCsv, writeReportCsv } from "../analyze/csv.js";
import { reportHtml } from "../analyze/html.js";
import { reportText } from "../analyze/text.js";
import { CaptureFileError } from "../io/capture-file.js";
import { CliError } from "./errors.js";
import { cliNumber } from "./numbers.js";
import { LineWriter } from "./output.js";

export interface AnalyzeCliOptions {
  json: boolean;
  csv?: string;
  report?: string;
  /** Goodput bin width, seconds. */
  bin?: number;
}

/**
 * `--bin`'s value: a positive finite number of seconds, all of the text (parseFloat would take
 * "0.5abc" as 0.5).
 */
export function parseBinSeconds(text: string): number {
  const n = cliNumber(text);
  if (!(n > 0)) throw new CliError(`--bin: expected a positive number of seconds, got "${text}"`);
  return n;
}

function fsError(what: string, err: unknown): CliError {
  const e = err as NodeJS.ErrnoException;
  const message = e.message ?? String(err);
  // Node's messages begin with the code ("ENOENT: no such file ..."): name it once.
  const code = e.code !== undefined && !message.startsWith(e.code) ? `${e.code}: ` : "";
  return new CliError(`${what}: ${code}${message}`.replace(/\s+/g, " ").trim());
}

export async function runAnalyze(captures: string[], opts: AnalyzeCliOptions): Promise<void> {
  if (opts.bin !== undefined && !(Number.isFinite(opts.bin) && opts.bin > 0)) throw new CliError(`--bin must be a positive number of seconds`);
  let segCsv: SegmentCsv | undefined;
  if (opts.csv !== undefined) {
    try {
      segCsv = new SegmentCsv(opts.csv);
    } catch (err) {
      throw fsError(`cannot write CSV files in ${opts.csv}`, err);
    }
  }
  let report;
  try {
    report = await analyzeCaptures(captures, {
      ...(opts.bin !== undefined ? { binSeconds: opts.bin } : {}),
      ...(segCsv !== undefined ? { onSegment: segCsv.onSegment } : {}),
    });
  } catch (err) {
    // No CSV table from an analysis that did not finish.
    segCsv?.discard();
    if (err instanceof CaptureFileError) throw new CliError(err.message);
    if (err instanceof TooManyBinsError) {
      throw new CliError(`--bin ${opts.bin}: more than ${err.maxBins} goodput bins (the limit) for a connection that lasts ${err.spanSeconds.toFixed(3)} s or more: choose a wider bin`);
    }
    throw err;
  }
  if (opts.csv !== undefined) {
    try {
      segCsv?.close();
      writeReportCsv(opts.csv, report);
    } catch (err) {
      throw fsError(`cannot write CSV files in ${opts.csv}`, err);
    }
  }
  if (opts.report !== undefined) {
    try {
      writeFileSync(opts.report, reportHtml(report, captures.map((c) => basename(c)).join(" + ")));
    } catch (err) {
      throw fsError(`cannot write ${opts.report}`, err);
    }
  }
  for (const c of report.captures) if (c.warning !== undefined) process.stderr.write(`mptcp: warning: ${c.warning} (analyzed the ${c.frames} frames before it)\n`);
  const out = new LineWriter();
  if (opts.json) {
    const { series: _series, ...rest } = report;
    await out.line(JSON.stringify(rest, null, 2));
  } else await out.line(reportText(report).trimEnd());
  await out.flush();
}

/**
 * `mptcp sim <scenario-file|builtin> [--seed N] [--json] [--pcap DIR] [--bytes SIZE] [--pacing | --no-pacing]
 * [--report FILE.html]` and
 * `mptcp sim --list`: runs a scenario on the simulator and reports each flow.
 *
 * The same scenario and seed give the same output (byte for byte, but for `wallSeconds`) and the
 * same pcaps. A bad scenario file is one line naming the field, exit code 2; a run in which a
 * flow did not deliver every byte intact exits with code 1 after printing its report.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { openPcapWriter } from "../io/capture-file.js";
import type { PcapFileWriter } from "../io/capture-file.js";
import { builtinNames, builtinScenario } from "../sim/scenario/builtins.js";
import type { Scenario } from "../sim/scenario/model.js";
import { runScenario } from "../sim/scenario/runner.js";
import type { RunOptions, ScenarioResult } from "../sim/scenario/runner.js";
import { NDIFFPORTS_MAX } from "../mptcp/connection-config.js";
import { isHandoverMode } from "../mptcp/pm/handover.js";
import { parseSize } from "../sim/scenario/units.js";
import { ScenarioError, parseScenarioText } from "../sim/scenario/validate.js";
import { parseCcFlags, type CcFlags } from "./cc-flags.js";
import { CliError } from "./errors.js";
import { experimentByName, EXPERIMENTS, type Experiment } from "../sim/experiments/index.js";
import { experimentHtml } from "../sim/experiments/report.js";

export interface SimOptions extends CcFlags {
  seed?: string;
  json?: boolean;
  pcap?: string;
  list?: boolean;
  bytes?: string;
  /**
   * Path manager: "kernel" (the hosts' endpoints), "ndiffports:N" beside them, or a handover
   * policy for the connections each host opens: "full", "backup", "single-path".
   */
  pm?: string;
  /** Pace every host's connections (`--pacing`, TcpConfig.pacing), or none (`--no-pacing`). */
  pacing?: boolean;
  /** Experiments only: write an HTML report with the checks, the table and plots here. */
  report?: string;
}

/** `--cc`, `--cc-floor`, `--scheduler`, `--pm` as MPTCP host options; one-line errors naming the flag. */
export function mptcpOverrides(opts: SimOptions): NonNullable<RunOptions["mptcp"]> {
  const out: NonNullable<RunOptions["mptcp"]> = parseCcFlags(opts);
  if (opts.pm !== undefined && isHandoverMode(opts.pm)) out.pathManager = opts.pm;
  else if (opts.pm !== undefined && opts.pm !== "kernel") {
    const m = /^ndiffports[:=](\d+)$/.exec(opts.pm);
    const n = m === null ? Number.NaN : Number(m[1]);
    if (!(n >= 1 && n <= NDIFFPORTS_MAX)) throw new CliError(`--pm: "kernel", "ndiffports:N" with N from 1 to ${NDIFFPORTS_MAX}, "full", "backup" or "single-path", got "${opts.pm}"`);
    out.ndiffports = n;
  }
  return out;
}

export function runSim(target: string | undefined, opts: SimOptions): void {
  if (opts.list === true) {
    const names = builtinNames();
    const width = Math.max(...names.map((n) => n.length), ...EXPERIMENTS.map((e) => e.name.length));
    for (const n of names) process.stdout.write(`${n.padEnd(width)}  ${builtinScenario(n)!.description}\n`);
    for (const e of EXPERIMENTS) process.stdout.write(`${e.name.padEnd(width)}  ${e.description}\n`);
    return;
  }
  if (target === undefined) throw new CliError("missing scenario: a scenario file or a built-in name (see mptcp sim --list)");
  const experiment = experimentByName(target);
  if (experiment !== undefined) {
    runExperiment(experiment, opts);
    return;
  }
  if (opts.report !== undefined) throw new CliError(`--report: only the experiments (exp-*, see mptcp sim --list) write a report; for a scenario's packets use --pcap and mptcp analyze --report`);
  const scenario = loadScenario(target);
  const mptcp = mptcpOverrides(opts);
  const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
  let bytes: number | undefined;
  if (opts.bytes !== undefined) {
    bytes = parseSize(opts.bytes);
    if (bytes === undefined || bytes === 0) throw new CliError(`--bytes: expected a size like "10MB", got "${opts.bytes}"`);
  }

  const writers: PcapFileWriter[] = [];
  let capture: ((host: string, iface: number) => PcapFileWriter) | undefined;
  if (opts.pcap !== undefined) {
    const dir = opts.pcap;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new CliError(`--pcap ${dir}: ${(err as Error).message}`);
    }
    capture = (host, iface) => {
      const w = openPcapWriter(join(dir, `${host}-${iface}.pcap`));
      writers.push(w);
      return w;
    };
  }

  const started = performance.now();
  let result: ScenarioResult;
  try {
    result = runScenario(scenario, {
      ...(Object.keys(mptcp).length > 0 ? { mptcp } : {}),
      ...(opts.pacing !== undefined ? { pacing: opts.pacing } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      ...(capture !== undefined ? { capture } : {}),
    });
  } finally {
    for (const w of writers) w.close();
  }
  const wallSeconds = (performance.now() - started) / 1000;

  if (opts.json === true) {
    const { scenario: name, description, seed: s, simulatedSeconds, events, ...rest } = result;
    const out = { scenario: name, description, seed: s, simulatedSeconds, wallSeconds: round(wallSeconds, 3), events, ...rest };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } else {
    process.stdout.write(textReport(result, wallSeconds));
  }
  const bad = result.flows.filter((f) => !f.integrity).map((f) => f.name);
  if (bad.length > 0) throw new CliError(`incomplete or corrupted transfer: ${bad.join(", ")}`, 1);
}

/** A built-in name, or a YAML/JSON file. */
function loadScenario(target: string): Scenario {
  const builtin = builtinScenario(target);
  if (builtin !== undefined) return builtin;
  let text: string;
  try {
    text = readFileSync(target, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliError(`${target}: no such file, and not a built-in scenario (see mptcp sim --list)`);
    throw new CliError(`${target}: ${(err as Error).message}`);
  }
  try {
    return parseScenarioText(text, basename(target, extname(target)));
  } catch (err) {
    if (err instanceof ScenarioError) throw new CliError(`${target}: ${err.message}`);
    throw err;
  }
}

function parseSeed(text: string): number | string {
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (text === "") throw new CliError("--seed: expected a number or a word");
  return text;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function textReport(r: ScenarioResult, wallSeconds: number): string {
  const lines: string[] = [];
  lines.push(`scenario ${r.scenario} (seed ${r.seed})${r.description === "" ? "" : `: ${r.description}`}`);
  const rate = wallSeconds > 0 ? Math.round(r.events / wallSeconds) : 0;
  lines.push(`simulated ${r.simulatedSeconds.toFixed(3)} s in ${wallSeconds.toFixed(2)} s of wall time (${r.events} events, ${rate} events/s)`);
  lines.push("");
  const header = ["flow", "from", "to", "bytes", "delivered", "time (s)", "goodput (Mbit/s)", "retransmits", "srtt (ms)", "integrity"];
  const rows = r.flows.map((f) => [
    f.name,
    f.from,
    f.to,
    String(f.bytesSent),
    String(f.bytesDelivered),
    f.completionSeconds === null ? "-" : f.completionSeconds.toFixed(3),
    f.goodputMbps === null ? "-" : f.goodputMbps.toFixed(2),
    f.sender === null ? "-" : String(f.sender.retransmissions),
    f.sender === null || f.sender.srttMs === null ? "-" : f.sender.srttMs.toFixed(1),
    f.integrity ? "ok" : `FAILED${f.failure === null ? "" : ` (${f.failure})`}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i >= 3 && i <= 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  lines.push(fmt(header));
  for (const row of rows) lines.push(fmt(row));
  for (const f of r.flows) {
    const m = f.mptcp;
    if (m === undefined) continue;
    lines.push("");
    lines.push(`${f.name}: ${m.mode}${m.fallback === false ? "" : ` (fallback: ${m.fallback})`}${m.checksums ? ", DSS checksums" : ""}`);
    for (const sub of m.subflows) {
      lines.push(`  ${sub.kind.padEnd(7)} ${sub.local}:${sub.localPort} -> ${sub.remote}:${sub.remotePort}${sub.backup ? " backup" : ""}  sent ${sub.bytesSent}  received ${sub.bytesReceived}  ${sub.state}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * An experiment (src/sim/experiments/): its table and its checks, or with `--json` the result
 * object of `mptcp sim` (scenario, seed, simulatedSeconds, wallSeconds, events, flows) plus
 * `table` and `checks`; with `--report FILE` also an HTML page with the checks, the table and the
 * experiment's plots (its path printed last, or as `report` in the JSON). Exit code 1 when a
 * check fails.
 */
function runExperiment(e: Experiment, opts: SimOptions): void {
  const parsed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
  if (typeof parsed === "string") throw new CliError(`--seed: an experiment takes a number, got "${parsed}"`);
  const seed = parsed;
  // An experiment is several simulations, each with its own hosts: there is no one set of pcaps.
  if (opts.pcap !== undefined) throw new CliError(`--pcap: an experiment runs several simulations and writes no pcaps; run a built-in scenario or a file with --pcap, then mptcp analyze`);
  let bytes: number | undefined;
  if (opts.bytes !== undefined) {
    bytes = parseSize(opts.bytes);
    if (bytes === undefined || bytes === 0) throw new CliError(`--bytes: expected a size like "10MB", got "${opts.bytes}"`);
  }
  const mptcp = mptcpOverrides(opts);
  const t0 = process.hrtime.bigint();
  const r = e.run({ ...(seed !== undefined ? { seed } : {}), ...(bytes !== undefined ? { bytes } : {}), ...(Object.keys(mptcp).length > 0 ? { mptcp } : {}), ...(opts.pacing !== undefined ? { pacing: opts.pacing } : {}) });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let reportPath: string | undefined;
  if (opts.report !== undefined) {
    reportPath = resolve(opts.report);
    try {
      writeFileSync(reportPath, experimentHtml(r, e.description));
    } catch (err) {
      throw new CliError(`cannot write the report ${reportPath}: ${(err as Error).message}`);
    }
  }
  if (opts.json === true) {
    const out = { scenario: r.name, seed: r.seed, simulatedSeconds: r.simulatedSeconds, wallSeconds, events: r.events, flows: r.flows, table: r.table, checks: r.checks, ...(reportPath !== undefined ? { report: reportPath } : {}) };
    process.stdout.write(JSON.stringify(out) + "\n");
  } else {
    const widths = r.table[0]!.map((_, i) => Math.max(...r.table.map((row) => (row[i] ?? "").length)));
    process.stdout.write(`${r.name} (seed ${r.seed}): ${e.description}\n\n`);
    for (const row of r.table) process.stdout.write(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ") + "\n");
    process.stdout.write("\n");
    for (const c of r.checks) {
      process.stdout.write(`${c.pass ? "PASS" : "FAIL"}  ${c.name}: ${c.measured ?? "-"} (expected ${c.expected})\n`);
      if (c.note !== undefined) process.stdout.write(`      ${c.note}\n`);
    }
    process.stdout.write(`\nsimulated ${r.simulatedSeconds.toFixed(1)} s in ${wallSeconds.toFixed(2)} s\n`);
    if (reportPath !== undefined) process.stdout.write(`report: ${reportPath}\n`);
  }
  const failed = r.checks.filter((c) => !c.pass);
  if (failed.length > 0) throw new CliError(`${failed.length} of ${r.checks.length} checks fail: ${failed.map((c) => c.name).join("; ")}`, 1);
}

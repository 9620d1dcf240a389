/**
 * The shape of a simulator experiment (issue [multipath] item 5): it runs its flows and returns
 * them with the field names of `mptcp sim --json`, a table of what it measured, and `checks`:
 * one `{name, measured, expected, pass}` per claim it reproduces. Field names are public.
 */
import type { MptcpOptions } from "../../stack/mptcp-host.js";
import type { FlowResult } from "./transfer.js";

export interface ExperimentOptions {
  seed?: number;
  /** Bytes per transfer, to run a short version (tests) or a longer one. */
  bytes?: number;
  /**
   * The MPTCP hosts' congestion control, scheduler and path manager (`--cc`, `--scheduler`,
   * `--pm`), where the experiment does not itself vary them; OLIA's and BALIA's floor
   * (`--cc-floor`) everywhere.
   */
  mptcp?: Pick<MptcpOptions, "congestion" | "congestionFloor" | "scheduler" | "ndiffports" | "opportunistic" | "pathManager">;
  /** true: pace every host's connections (`--pacing`, TcpConfig.pacing; docs/simulator.md "Pacing"); false: none (`--no-pacing`); undefined: the experiment's default. */
  pacing?: boolean;
}

export interface Check {
  name: string;
  /** Null when the runs could not give the value (then `pass` is false and `note` says so). */
  measured: number | null;
  /** The claim, e.g. ">= 0.95". */
  expected: string;
  pass: boolean;
  /**
   * Where the measured value comes from, when the experiment can say from what it measured (one
   * line, e.g. which row is the worst and what the runs there show); docs/experiments.md has the
   * full account. Absent when there is nothing to add.
   */
  note?: string;
}

/** One series of a plot: a value per x, null where it has none. */
export interface PlotSeries {
  label: string;
  values: Array<number | null>;
  /** A reference beside the measurements (published values, a bound): dashed, or hollow points. */
  dashed?: boolean;
}

/**
 * One plot of an experiment's report (`mptcp sim exp-* --report FILE.html`): series over a shared
 * x. With `categories`, x is the index of a category (a controller, a mode) and the series are
 * drawn as points; otherwise as lines over a numeric x.
 */
export interface Plot {
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: PlotSeries[];
  /** Names of the categories x indexes. */
  categories?: string[];
  /** A logarithmic x axis (base 2), for sweeps over doubling sizes. */
  logX?: boolean;
}

/** A plot over categories (controllers, modes): each series has one value per category. */
export function categoryPlot(title: string, xLabel: string, yLabel: string, categories: string[], series: PlotSeries[]): Plot {
  return { title, xLabel, yLabel, x: categories.map((_, i) => i), series, categories };
}

export interface ExperimentResult {
  name: string;
  seed: number;
  flows: FlowResult[];
  /** Header row first. */
  table: string[][];
  checks: Check[];
  /** What the report draws (at least one plot per experiment). */
  plots: Plot[];
  simulatedSeconds: number;
  events: number;
}

export interface Experiment {
  name: string;
  description: string;
  run(opts: ExperimentOptions): ExperimentResult;
}

export function check(name: string, measured: number, expected: string, pass: boolean, note?: string): Check {
  // A value the runs could not give (a rate after a warm-up the transfer never outlasted: NaN)
  // is a failed check that says so, not a number compared by accident.
  if (!Number.isFinite(measured)) {
    return { name, measured: null, expected, pass: false, note: NOT_MEASURABLE + (note === undefined ? "" : `; ${note}`) };
  }
  const c: Check = { name, measured: shownValue(measured, expected, pass), expected, pass };
  if (note !== undefined) c.note = note;
  return c;
}

export const NOT_MEASURABLE = "not measurable: the runs were too short for this check (a larger --bytes, or the default)";

/**
 * `measured` to three decimals, or to as many more (up to nine) as it takes for the value shown
 * to keep the verdict: 0.99995 against ">= 1" fails, and shown as 1 it would read as a pass.
 * `expected` is read when it starts with a comparison and a number (">= 1", "< 0.5", "0").
 */
function shownValue(measured: number, expected: string, pass: boolean): number {
  const bound = /^(>=|<=|>|<)?\s*(-?\d+(?:\.\d+)?)/.exec(expected);
  for (let digits = 3; ; digits++) {
    const f = 10 ** digits;
    const shown = Math.round(measured * f) / f;
    if (bound === null || digits === 9) return shown;
    const b = Number(bound[2]);
    const holds = { ">=": shown >= b, "<=": shown <= b, ">": shown > b, "<": shown < b }[bound[1] ?? ""] ?? shown === b;
    if (holds === pass) return shown;
  }
}

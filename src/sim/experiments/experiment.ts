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
  measured: number;
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
  const c: Check = { name, measured: Math.round(measured * 1000) / 1000, expected, pass };
  if (note !== undefined) c.note = note;
  return c;
}

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
}

export interface ExperimentResult {
  name: string;
  seed: number;
  flows: FlowResult[];
  /** Header row first. */
  table: string[][];
  checks: Check[];
  simulatedSeconds: number;
  events: number;
}

export interface Experiment {
  name: string;
  description: string;
  run(opts: ExperimentOptions): ExperimentResult;
}

export function check(name: string, measured: number, expected: string, pass: boolean): Check {
  return { name, measured: Math.round(measured * 1000) / 1000, expected, pass };
}

/**
 * Replications: independent runs of one configuration on the seeds seed, seed + 1, ..., reported
 * as their mean and its standard error. An experiment whose per-run figures move with the seed by
 * as much as the differences it compares cannot be judged on one run; the published testbed
 * figures it sets ours beside are means over runs too.
 */
import { check, type Check } from "./experiment.js";
import type { FlowResult } from "./transfer.js";

/** `replications` runs, the i-th (from 0) on seed `seed + i`, in that order. */
export function replicate<T>(replications: number, seed: number, run: (seed: number) => T): T[] {
  if (!Number.isInteger(replications) || replications < 1) throw new RangeError(`replications must be a positive integer, got ${replications}`);
  return Array.from({ length: replications }, (_, i) => run(seed + i));
}

export interface Summary {
  /** One value per replication, in seed order. */
  values: number[];
  /** Their sum in that order, divided by their count. */
  mean: number;
  /** Standard error of the mean: the sample standard deviation (n - 1) over √n; NaN for one value. */
  se: number;
}

export function summarise(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) throw new RangeError("no values to summarise");
  const mean = values.reduce((a, x) => a + x, 0) / n;
  const se = n < 2 ? Number.NaN : Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) / n);
  return { values: [...values], mean, se };
}

/**
 * a - b replication by replication. The two configurations ran on the same seeds, so the standard
 * error of the per-seed differences is right whether or not a seed moves both the same way.
 */
export function difference(a: Summary, b: Summary): Summary {
  if (a.values.length !== b.values.length) throw new RangeError("differences need the same replications on both sides");
  return summarise(a.values.map((x, i) => x - b.values[i]!));
}

/** What a table's figures are: "seed 1", or "mean ± SE of 10, seeds 1-10". */
export function describeReplications(seed: number, replications: number): string {
  return replications === 1 ? `seed ${seed}` : `mean ± SE of ${replications}, seeds ${seed}-${seed + replications - 1}`;
}

/**
 * One adjacent pair of a claimed order, a above b: the difference of the means beside its
 * standard error, passing when it exceeds two of them (a difference within about two standard
 * errors is the seeds', not the configurations').
 */
export function gapCheck(name: string, a: Summary, b: Summary, digits: number): Check {
  const d = difference(a, b);
  return check(`${name}: ${formatSummary(d, digits)}`, d.mean, `> 2 SE (${(2 * d.se).toFixed(digits)})`, d.mean > 2 * d.se);
}

/** "8.70 ± 0.03", or the mean alone when there is one replication. */
export function formatSummary(s: Summary, digits: number): string {
  return Number.isNaN(s.se) ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.se.toFixed(digits)}`;
}

/** The simulated seconds and events of several runs together, for an experiment's result. */
export function runTotals(runs: readonly { readonly simulatedSeconds: number; readonly events: number }[]): { simulatedSeconds: number; events: number } {
  let simulatedSeconds = 0;
  let events = 0;
  for (const r of runs) {
    simulatedSeconds += r.simulatedSeconds;
    events += r.events;
  }
  return { simulatedSeconds, events };
}

/** Every replication's flows, renamed `${label}1/...`, `${label}2/...` in seed order. */
export function replicaFlows(label: string, runs: readonly { flows: readonly FlowResult[] }[]): FlowResult[] {
  return runs.flatMap((r, i) => r.flows.map((f) => ({ ...f, name: `${label}${i + 1}/${f.name}` })));
}

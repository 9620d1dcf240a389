/** The built-in experiments (`mptcp sim exp-*`), by name. */
import { aggregation } from "./aggregation.js";
import type { Experiment } from "./experiment.js";

export type { Check, Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";

export const EXPERIMENTS: readonly Experiment[] = [aggregation];

export function experimentByName(name: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}

/** The built-in experiments (`mptcp sim exp-*`), by name. */
import { aggregation } from "./aggregation.js";
import { sharedBottleneck } from "./shared-bottleneck.js";
import { handover } from "./handover.js";
import { baliaTable } from "./balia-table.js";
import { responsiveness } from "./responsiveness.js";
import { heterogeneous } from "./heterogeneous.js";
import { wifiWalk } from "./wifi-walk.js";
import { datacenter } from "./datacenter.js";
import type { Experiment } from "./experiment.js";

export type { Check, Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";

export const EXPERIMENTS: readonly Experiment[] = [aggregation, heterogeneous, sharedBottleneck, handover, baliaTable, responsiveness, datacenter, wifiWalk];

export function experimentByName(name: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}

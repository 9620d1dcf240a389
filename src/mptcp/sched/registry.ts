/**
 * Schedulers by name, for configuration and the command line (`--scheduler`). Each call builds a
 * new instance: round-robin, BLEST and ECF keep state, so every connection needs its own.
 */
import type { Scheduler } from "./scheduler.js";
import { BlestScheduler } from "./blest.js";
import { EcfScheduler } from "./ecf.js";
import { LowestRttScheduler, type LowestRttOptions } from "./lowest-rtt.js";
import { RedundantScheduler } from "./redundant.js";
import { RoundRobinScheduler } from "./round-robin.js";

export const SCHEDULER_NAMES = ["lowest-rtt", "round-robin", "redundant", "blest", "ecf"] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export function isSchedulerName(name: string): name is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(name);
}

/**
 * A new scheduler of the kind named, or undefined for a name that is none of SCHEDULER_NAMES.
 * `opts` tunes the lowest-RTT scheduler (its delay-aware rule, lowest-rtt.ts).
 */
export function schedulerByName(name: SchedulerName, opts?: LowestRttOptions): Scheduler;
export function schedulerByName(name: string, opts?: LowestRttOptions): Scheduler | undefined;
export function schedulerByName(name: string, opts: LowestRttOptions = {}): Scheduler | undefined {
  switch (name) {
    case "lowest-rtt":
      return new LowestRttScheduler(opts);
    case "round-robin":
      return new RoundRobinScheduler();
    case "redundant":
      return new RedundantScheduler();
    case "blest":
      return new BlestScheduler();
    case "ecf":
      return new EcfScheduler();
    default:
      return undefined;
  }
}

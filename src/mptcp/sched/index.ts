/** Schedulers (DESIGN.md §5): the seam, the implementations, the registry, and the reinjection decision. */
export type { Scheduler, SchedulerContext, SchedulerPath } from "./scheduler.js";
export { LowestRttScheduler } from "./lowest-rtt.js";
export type { LowestRttOptions } from "./lowest-rtt.js";
export { ackDelay, rateOf, slowPathPays } from "./arrival.js";
export { tailReinjection } from "./reinject.js";
export type { TailDecision, TailPath } from "./reinject.js";
export { RoundRobinScheduler } from "./round-robin.js";
export { RedundantScheduler } from "./redundant.js";
export { BlestScheduler } from "./blest.js";
export { EcfScheduler } from "./ecf.js";
export { SCHEDULER_NAMES, isSchedulerName, schedulerByName } from "./registry.js";
export type { SchedulerName } from "./registry.js";
export { opportunisticRetransmit } from "./opportunistic.js";
export type { OpportunisticDecision, OutstandingPath, WindowState } from "./opportunistic.js";

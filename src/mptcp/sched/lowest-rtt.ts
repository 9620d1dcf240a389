/**
 * The default scheduler (DESIGN.md §5, like Linux's `mptcp_subflow_get_send`): the subflow with
 * the lowest smoothed RTT among those with congestion-window room; backup subflows only when no
 * other subflow is usable at all, whatever its room (RFC 8684 §3.3.8). `paths` are the usable
 * subflows. A subflow without an RTT sample yet counts as slower than any measured one, so that a
 * fresh join does not take the data of a known path.
 *
 * Delay-aware (the default): when the fastest subflow is full and the candidate is a slower one,
 * the segment goes there only if it arrives before the fastest subflow could deliver it after
 * everything waiting, and does not hold the connection-level window that the fastest subflow
 * needs meanwhile (`slowPathPays`, arrival.ts); otherwise nothing is sent now and the fastest
 * subflow takes the data when its window opens. This keeps a slow, deep-queued path from making
 * the connection slower than the fast path alone (Raiciu et al., NSDI'12 §4.2; the rule of ECF and
 * BLEST folded into the default). As in BLEST, the window estimate is corrected from experience:
 * it is scaled by `lambda`, which rises by 0.1 on each Data ACK after the send window stopped a
 * subflow that had room while a slower one held data in it (the estimate was too optimistic: the
 * slow subflow's RTT grew, or the fast one's rate did) and decays by 0.01 on each other one,
 * within [1, 3]. A block with nothing on a slower subflow is not counted: no choice of subflows
 * would have avoided it (the connection filters them, arrival.ts `slowerHoldsWindow`). Unlike
 * BLEST's, lambda never goes below 1: the model is never made more optimistic than measured.
 * `new LowestRttScheduler({ delayAware: false })` is the plain rule: the fastest subflow with room,
 * always.
 */
import type { Scheduler, SchedulerContext, SchedulerPath } from "./scheduler.js";
import { slowChunk, slowPathPays } from "./arrival.js";
import { fastest, fastOrCandidate, onlyBackups, rttOf } from "./paths.js";

export interface LowestRttOptions {
  /** Decline a slower subflow that would deliver later than the fastest (default true). */
  delayAware?: boolean;
}

const LAMBDA_UP = 0.1;
const LAMBDA_DOWN = 0.01;
const LAMBDA_MIN = 1;
const LAMBDA_MAX = 3;

export class LowestRttScheduler implements Scheduler {
  readonly delayAware: boolean;
  private lambdaValue = LAMBDA_MIN;

  /** The current correction of the window estimate. */
  get lambda(): number {
    return this.lambdaValue;
  }

  constructor(opts: LowestRttOptions = {}) {
    this.delayAware = opts.delayAware ?? true;
  }

  pick<P extends SchedulerPath>(paths: readonly P[], context?: SchedulerContext): P | undefined {
    const c = fastOrCandidate(paths, context);
    if ("pick" in c) return c.pick;
    if (!this.delayAware || slowPathPays(c.fast, c.slow, c.context, this.lambdaValue)) return c.slow;
    return undefined;
  }

  /** A slower subflow than the fastest is given what it sends now, not a window of backlog. */
  chunkFor<P extends SchedulerPath>(path: P, paths: readonly P[]): number {
    if (!this.delayAware) return path.room;
    const fast = fastest(paths, onlyBackups(paths), false);
    return fast === undefined || rttOf(path) <= rttOf(fast) ? path.room : slowChunk(path);
  }

  onDataAck(blocked: boolean): void {
    this.lambdaValue = blocked
      ? Math.min(LAMBDA_MAX, this.lambdaValue + LAMBDA_UP)
      : Math.max(LAMBDA_MIN, this.lambdaValue - LAMBDA_DOWN);
  }
}

/**
 * When data given to a subflow now would be acknowledged, from what a sender knows of it: its
 * smoothed RTT, its congestion window, and the bytes already written into it and not yet
 * acknowledged. The default scheduler weighs a slower subflow with this (`slowPathPays`), and the
 * tail reinjection (reinject.ts) compares subflows with it.
 *
 * The model is ECF's (Lim et al., CoNEXT 2017 §3): a subflow moves one congestion window per
 * round trip, so the last of `k` bytes queued behind `q` others goes out in round
 * floor((q + k - 1) / cwnd) and is acknowledged about
 *
 *   srtt * (1 + floor((q + k - 1) / cwnd))
 *
 * from now: one RTT when they fit in the window at once, one more RTT for each window of backlog,
 * a partial one included (bytes that missed this round wait for the ACKs of the next; ECF's
 * 1 + k/cwnd counts a partial round as a fraction, which underestimates a slow subflow holding a
 * window and a bit). The smoothed RTT already holds the subflow's own queueing delay, so a
 * subflow whose window grew into a deep bottleneck queue (bufferbloat, a 3G link's 1 s queue)
 * looks as slow as it is.
 */
import type { SchedulerContext, SchedulerPath } from "./scheduler.js";

/** The figures the estimate needs; present on every path the connection builds. */
export interface MeasuredPath extends SchedulerPath {
  readonly srtt: number;
  readonly cwnd: number;
  readonly inFlight: number;
}

export function isMeasured(p: SchedulerPath): p is MeasuredPath {
  return p.srtt !== undefined && p.cwnd !== undefined && p.cwnd > 0 && p.inFlight !== undefined;
}

/** µs from now until `bytes` written into `p` now would be acknowledged (the model above). */
export function ackDelay(p: MeasuredPath, bytes: number): number {
  const last = Math.max(0, p.inFlight + bytes - 1);
  return p.srtt * (1 + Math.floor(last / p.cwnd));
}

/** Bytes per µs the subflow moves: one congestion window per smoothed RTT. */
export function rateOf(p: MeasuredPath): number {
  return p.cwnd / Math.max(1, p.srtt);
}

/**
 * What a slower subflow is given at a time: what its congestion window lets out now, at least one
 * segment, never more than its room. The fastest subflow is given a window of backlog as well
 * (`subflowRoom`), so that it never idles between two ACKs; a slower one is not. Data written into
 * a slow subflow holds the left edge of the connection-level window from the moment it is
 * written, not from when it leaves: a second window queued behind the first waits a whole slow RTT
 * more (`ackDelay` counts it), so a chunk of one window can pay where one of two never does. With
 * WiFi and a 3G path (exp-heterogeneous) and a 1 MB buffer the 3G subflow then carries 6% of the
 * data instead of none.
 */
export function slowChunk(slow: SchedulerPath): number {
  if (slow.cwnd === undefined || slow.inFlight === undefined) return slow.room;
  const segment = Math.max(1, slow.mss ?? 1);
  const now = Math.floor((slow.cwnd - slow.inFlight) / segment) * segment;
  return Math.min(slow.room, Math.max(segment, now));
}

/**
 * Whether a chunk (`slowChunk`: what its window sends now) is better sent on the slower subflow `slow` now
 * than left for `fast` (the fastest subflow, which has no room at the moment). Two conditions, both on sender state only:
 *
 * 1. It arrives sooner: `fast` would carry it after everything waiting (`context.unsent`) and its
 *    own backlog; if that is done before `slow` could deliver this chunk, sending it on
 *    `slow` only delays the end of the data (the ECF rule, and the "tail" of Raiciu et al.
 *    NSDI'12 §4.2 seen before it happens). `slow` must win by more than one RTT of `fast`, the
 *    error of estimates that count in whole rounds; a near tie goes to the fast subflow.
 * 2. It does not block the window: until the chunk is data-acknowledged it holds the left edge
 *    of the connection-level window (RFC 8684 §3.3.5), so `fast` may send at most
 *    `window - chunk` new bytes meanwhile. If at its rate it would want more than that (and
 *    more data waits), the chunk would stall `fast` (BLEST's head-of-line blocking, Ferlin et
 *    al. 2016, with the peer's whole window in place of the send buffer).
 *
 * `lambda` scales the window the fast subflow is estimated to want (BLEST's correction from
 * experience, lowest-rtt.ts). Without the figures (an unmeasured path, no context) the answer is
 * yes: the plain lowest-RTT choice.
 */
export function slowPathPays(fast: SchedulerPath, slow: SchedulerPath, context: SchedulerContext | undefined, lambda = 1): boolean {
  if (context === undefined || !isMeasured(fast) || !isMeasured(slow)) return true;
  // The chunk the pump then writes there (`slowChunk`, as LowestRttScheduler.chunkFor gives it).
  const chunk = Math.max(1, slowChunk(slow));
  const onSlow = ackDelay(slow, chunk);
  if (ackDelay(fast, Math.max(chunk, context.unsent)) <= onSlow + fast.srtt) return false;
  const window = context.window ?? context.sendWindow;
  const wanted = Math.min(Math.max(0, context.unsent - chunk), rateOf(fast) * onSlow);
  return wanted * lambda <= window - chunk;
}

/**
 * Whether the send window that stopped `blocked` (a subflow with room) can have been closed by
 * the choice of subflows: only if a slower subflow holds data in it. BLEST's correction
 * (`lambda`, lowest-rtt.ts) learns from such blocks; a window that stops a subflow while no
 * slower one carries anything is simply smaller than the fast subflow's congestion window (a
 * receive buffer still growing), and no scheduling would have avoided it.
 */
export function slowerHoldsWindow(blocked: SchedulerPath, paths: readonly SchedulerPath[]): boolean {
  const rtt = blocked.srtt ?? Number.POSITIVE_INFINITY;
  for (const p of paths) {
    if (p !== blocked && (p.inFlight ?? 0) > 0 && p.srtt !== undefined && p.srtt > rtt) return true;
  }
  return false;
}

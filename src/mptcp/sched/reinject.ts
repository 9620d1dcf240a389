/**
 * Tail reinjection: when the fastest subflow has room and no new data may be sent, it carries
 * again what a slower subflow holds and would deliver later than it can (RFC 8684 §3.3.6 lets any
 * data go on any subflow; the receiver keeps the first copy at the data level).
 *
 * At the end of a transfer, or while the connection-level window is closed, the data still queued
 * on a slow subflow decides when the receiver has everything: a 3G-like path with a 1 s queue
 * holds the last second of the stream while the fast path idles (the "tail" problem; Linux's
 * out-of-tree MPTCP reinjects from a slow subflow's queue when a fast one frees up, and ECF,
 * Lim et al. CoNEXT 2017 §4, is motivated by the same idle tail). Unlike opportunistic
 * retransmission (opportunistic.ts) this does not wait for the window to block and takes any
 * of the slow subflow's bytes, not only the window's head.
 *
 * Which bytes: a slow subflow drains at about cwnd/srtt, so the byte `x` bytes into what it has
 * not had acknowledged is acknowledged about `x * srtt / cwnd` from now (arrival.ts). The bytes it
 * would deliver before the fast subflow could (within `ackDelay(fast, …)`) are left to it; so are
 * the bytes it already delivered that wait only for a hole elsewhere (the oldest part of its
 * outstanding ranges beyond what its TCP still holds). The rest, oldest first and at most the fast
 * subflow's room, is the answer. Ranges already outstanding on the fast subflow are not sent twice.
 * Nothing is taken from a subflow less than `HETEROGENEOUS_RTT_RATIO` times slower than the fast
 * one, nor from one that would finish less than one fast RTT after it.
 */
import type { SchedulerPath } from "./scheduler.js";
import { ackDelay, isMeasured, rateOf } from "./arrival.js";
import { eligible, onlyBackups, rttOf } from "./paths.js";

/**
 * Only a subflow at least this many times slower than the fast one gives up its tail. Between
 * paths of similar delay the tail each holds is a few fast RTTs at most, within the error of the
 * estimates, and the duplicates would buy nothing measurable; the paths this is for differ by
 * far more (WiFi and 3G/LTE: 5 to 20 times, Raiciu et al. NSDI'12, Paasch et al. CellNet'12).
 */
export const HETEROGENEOUS_RTT_RATIO = 4;

/** A usable subflow with the DSN ranges it carries that are not data-acknowledged. */
export interface TailPath extends SchedulerPath {
  /** DSN ranges [start, end), in the order they were written into the subflow. */
  readonly outstanding: ReadonlyArray<readonly [number, number]>;
}

export interface TailDecision<P> {
  /** DSN ranges [start, end) to send again on `on`, ascending. */
  readonly reinject: Array<[number, number]>;
  readonly on: P;
}

/**
 * What to reinject on the fastest subflow with room, or undefined when nothing is worth it.
 * Call it only when no new data may be sent (none waits, or the window is closed).
 */
export function tailReinjection<P extends TailPath>(paths: readonly P[]): TailDecision<P> | undefined {
  const backups = onlyBackups(paths);
  let on: P | undefined;
  for (const p of paths) {
    if (!eligible(p, backups) || p.room <= 0 || !isMeasured(p)) continue;
    if (on === undefined || rttOf(p) < rttOf(on)) on = p;
  }
  if (on === undefined || !isMeasured(on)) return undefined;
  const fast = on;
  const taken = new Ranges(on.outstanding);
  const out: Array<[number, number]> = [];
  let budget = on.room;
  const slower = paths.filter((p) => p !== fast && isMeasured(p) && rttOf(p) >= HETEROGENEOUS_RTT_RATIO * rttOf(fast));
  for (const s of slower) {
    if (!isMeasured(s) || budget <= 0) continue;
    const total = s.outstanding.reduce((a, [x, y]) => a + (y - x), 0);
    // Worth it only if the slow subflow's last byte would come more than a fast RTT after the
    // fast subflow could deliver the lot: below that the gain is within the estimates' error,
    // and paths of similar delay would only duplicate each other's tails.
    if (ackDelay(s, 0) - ackDelay(fast, Math.min(budget, total)) <= fast.srtt) continue;
    // Delivered already (acknowledged on the subflow) and what arrives before the fast subflow
    // could deliver it: left alone.
    const delivered = Math.max(0, total - s.inFlight);
    let skip = delivered + Math.ceil(rateOf(s) * ackDelay(fast, Math.min(budget, total)));
    for (const [start, end] of s.outstanding) {
      if (budget <= 0) break;
      const from = start + Math.min(end - start, skip);
      skip = Math.max(0, skip - (end - start));
      for (const [a, b] of taken.subtractFrom(from, end)) {
        const n = Math.min(b - a, budget);
        if (n <= 0) break;
        out.push([a, a + n]);
        budget -= n;
      }
    }
  }
  if (out.length === 0) return undefined;
  out.sort((x, y) => x[0] - y[0]);
  return { reinject: out, on };
}

/** A few DSN ranges, to take out of another range. */
class Ranges {
  private readonly list: Array<readonly [number, number]>;

  constructor(ranges: ReadonlyArray<readonly [number, number]>) {
    this.list = [...ranges].sort((x, y) => x[0] - y[0]);
  }

  /** The parts of [from, to) that no range covers, ascending. */
  subtractFrom(from: number, to: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let at = from;
    for (const [s, e] of this.list) {
      if (e <= at) continue;
      if (s >= to) break;
      if (s > at) out.push([at, s]);
      at = Math.max(at, e);
      if (at >= to) break;
    }
    if (at < to) out.push([at, to]);
    return out;
  }
}

/**
 * Opportunistic retransmission and penalisation (Raiciu et al., "How Hard Can It Be? Designing
 * and Implementing a Deployable Multipath TCP", NSDI 2012 §4.2; RFC 8041 §3.2).
 *
 * With a small receive buffer the connection-level send window fills with data still outstanding
 * on a slow subflow, and a fast subflow with congestion-window room has nothing it may send: the
 * connection can fall below a single TCP on the fast path. The fix has two halves:
 * - opportunistic retransmission: send the data at the left edge of the window, the data
 *   holding it back, again on the fast subflow, so that the Data ACK moves a fast RTT later;
 * - penalisation: halve the congestion window of the slow subflow that held it
 *   (`CongestionController.penalise`), at most once per its RTT, so that it holds less of the
 *   window from then on.
 *
 * This is a pure decision the connection takes when its pump stops on the send window: it hands
 * over the window and, per usable subflow, the DSN ranges outstanding on it, and carries out the
 * answer (reinjects the ranges on `on`, penalises `penalise`, notes the time of the penalty).
 */
import type { SchedulerPath } from "./scheduler.js";
import { eligible, onlyBackups, rttOf } from "./paths.js";

/** The connection-level send state, in DSN offsets (DESIGN.md §3). */
export interface WindowState {
  /** The left edge: the lowest DSN not yet data-acknowledged (RFC 8684 §3.3.2). */
  readonly dataUna: number;
  /** The next DSN never sent. */
  readonly sndNxt: number;
  /** The right edge of the send window: Data ACK plus the peer's window (§3.3.5). */
  readonly windowEdge: number;
  /** Bytes written by the application that no subflow has been given. */
  readonly unsent: number;
}

/** A usable subflow with what it carries. */
export interface OutstandingPath extends SchedulerPath {
  /** DSN ranges [start, end) sent on the subflow and not data-acknowledged, ascending. */
  readonly outstanding: ReadonlyArray<readonly [number, number]>;
  /** When the subflow was last penalised (µs), if ever. */
  readonly penalisedAt?: number;
}

export interface OpportunisticDecision<P> {
  /** DSN ranges [start, end) to send again on `on`: the head of the window, at most its room. */
  readonly reinject: ReadonlyArray<readonly [number, number]>;
  readonly on: P;
  /** The slow subflow to penalise now, unless it was penalised less than one of its RTTs ago. */
  readonly penalise: P | undefined;
}

/**
 * What to do when the send window blocks, or undefined when it does not (there is no data
 * waiting, or a segment's worth of window is still open), when no subflow holds the left edge, or
 * when no faster subflow with room has not already carried it.
 */
export function opportunisticRetransmit<P extends OutstandingPath>(
  window: WindowState,
  paths: readonly P[],
  now: number,
): OpportunisticDecision<P> | undefined {
  if (window.unsent <= 0) return undefined;
  const head = window.dataUna;
  let holder: P | undefined;
  let holderEnd = head;
  for (const p of paths) {
    const end = rangeEndAt(p.outstanding, head);
    if (end !== undefined) {
      holder = p;
      holderEnd = end;
      break;
    }
  }
  if (holder === undefined) return undefined;
  const backups = onlyBackups(paths);
  let on: P | undefined;
  for (const p of paths) {
    if (p === holder || p.room <= 0 || !eligible(p, backups)) continue;
    if (rttOf(p) >= rttOf(holder) || rangeEndAt(p.outstanding, head) !== undefined) continue;
    if (on === undefined || rttOf(p) < rttOf(on)) on = p;
  }
  if (on === undefined) return undefined;
  // Blocked: less than a segment of window left for the data waiting (RFC 9293 §3.8.6.2.1 SWS
  // avoidance would not send into it either).
  const open = window.windowEdge - window.sndNxt;
  if (open >= Math.min(window.unsent, on.mss ?? 1)) return undefined;
  const end = Math.min(holderEnd, head + on.room);
  const due = holder.penalisedAt === undefined || now - holder.penalisedAt >= (holder.srtt ?? 0);
  return { reinject: [[head, end]], on, penalise: due ? holder : undefined };
}

/** The end of the range in `ranges` that holds `dsn`, if one does. */
function rangeEndAt(ranges: ReadonlyArray<readonly [number, number]>, dsn: number): number | undefined {
  for (const [start, end] of ranges) {
    if (start <= dsn && dsn < end) return end;
    if (start > dsn) return undefined;
  }
  return undefined;
}

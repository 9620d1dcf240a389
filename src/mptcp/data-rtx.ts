/**
 * The connection-level retransmission timer of Linux (net/mptcp/protocol.c: the msk's
 * `icsk_retransmit_timer`, `__mptcp_retrans`, `mptcp_subflow_get_retrans`), which RFC 8684
 * §3.3.6 leaves to the implementation ("a data-level retransmission timer"):
 *
 * - It runs while data is outstanding at the data level: started when data is handed to a
 *   subflow and the timer is idle (`__mptcp_push_pending`), restarted whenever the Data ACK
 *   advances and data is still outstanding, stopped when everything is data-acknowledged
 *   (`__mptcp_clean_una`).
 * - Its interval (`timer_ival`) is the longest time left on the retransmission timers of the
 *   subflows that have not started counting intervals without progress (stale-loss.ts), or
 *   200 ms (TCP_RTO_MIN) when there is none. Here the subflows' current RTOs stand for the time
 *   left on their timers (this layer does not see the TCP timers' deadlines), so the interval is
 *   at most one RTO longer than Linux's.
 * - At each expiry, every usable subflow that holds data counts one interval (stale-loss.ts),
 *   and the oldest data not data-acknowledged is sent again on a subflow that holds nothing at
 *   the TCP level: a regular one, or a backup one once every subflow holding data has gone two
 *   intervals without progress. With every subflow busy nothing is sent again: TCP's own
 *   retransmissions are still under way.
 */
import type { StaleIntervalVerdict, StaleLoss } from "./stale-loss.js";
import { becomesStale } from "./stale-loss.js";

/** Linux TCP_RTO_MIN: the interval when no subflow's timer gives one, µs. */
export const DATA_RTX_MIN_INTERVAL = 200_000;

/** What the timer needs to know of one usable subflow. */
export interface RtxSubflow {
  /** It holds data unacknowledged or unsent at the TCP level. */
  readonly holdsData: boolean;
  /** A backup subflow (either side's priority, RFC 8684 §3.3.8). */
  readonly backup: boolean;
  /** Its current retransmission timeout, µs. */
  readonly rto: number;
  /** How much has been heard on it so far (segments received). */
  readonly heard: number;
  readonly loss: StaleLoss;
}

/** Linux `mptcp_set_timeout`: the timer's interval for these subflows, µs. */
export function dataRtxInterval(subflows: Iterable<RtxSubflow>): number {
  let ival = 0;
  for (const s of subflows) if (s.holdsData && s.loss.count === 0) ival = Math.max(ival, s.rto);
  return ival > 0 ? ival : DATA_RTX_MIN_INTERVAL;
}

/** What one expiry decided. */
export interface RtxExpiry<P extends RtxSubflow> {
  /** Subflows marked stale now (MPTcpExt SubflowStale): all data not data-acked goes again. */
  stale: P[];
  /** Stale subflows heard from again (MPTcpExt SubflowRecover). */
  recovered: P[];
  /** The subflow to carry the oldest data not data-acknowledged again, if any. */
  resendOn: P | undefined;
}

/**
 * One expiry (`__mptcp_retrans` through `mptcp_subflow_get_retrans`), over the usable subflows in
 * the order Linux keeps them (the initial one first, then the joins in the order they were made).
 * Updates each subflow's `loss`.
 */
export function onRtxExpiry<P extends RtxSubflow>(subflows: readonly P[], staleLossCount: number): RtxExpiry<P> {
  const out: RtxExpiry<P> = { stale: [], recovered: [], resendOn: undefined };
  let backup: P | undefined;
  let minCount = Number.POSITIVE_INFINITY;
  for (const s of subflows) {
    if (s.holdsData) {
      const v: StaleIntervalVerdict = s.loss.interval(s.heard);
      if (v === "recovered") out.recovered.push(s);
      else if (v === "counted" && becomesStale(s.loss, othersActive(subflows, s), staleLossCount)) {
        s.loss.stale = true;
        out.stale.push(s);
      }
      minCount = Math.min(minCount, s.loss.count);
      continue;
    }
    if (s.backup) backup ??= s;
    else out.resendOn ??= s;
  }
  // A backup subflow only when no subflow holding data makes progress (Linux: stale_count > 1).
  if (out.resendOn === undefined && minCount > 1) out.resendOn = backup;
  return out;
}

/** The interval counts of the subflows other than `self` that take data now. */
function* othersActive<P extends RtxSubflow>(subflows: readonly P[], self: P): Generator<number> {
  for (const s of subflows) if (s !== self && s.loss.active(s.heard)) yield s.loss.count;
}

/** The timer itself: one deadline, kept as Linux keeps the msk's retransmission timer. */
export class DataRetransmitTimer {
  /** When it fires next, µs; undefined while it does not run. */
  deadline: number | undefined;

  /** The Data ACK advanced: restart while data is outstanding, else stop (`__mptcp_clean_una`). */
  onAcked(now: number, outstanding: boolean, interval: number): void {
    this.deadline = outstanding ? now + interval : undefined;
  }

  /** Data went to a subflow: start unless running (`__mptcp_push_pending`). */
  onSent(now: number, interval: number): void {
    this.deadline ??= now + interval;
  }

  /** Whether it fires at `now`; if so it stops until re-armed. */
  fire(now: number): boolean {
    if (this.deadline === undefined || now < this.deadline) return false;
    this.deadline = undefined;
    return true;
  }

  stop(): void {
    this.deadline = undefined;
  }
}

/** The longest a lost Data ACK is waited for between two sends of the oldest data, µs. */
export const DATA_ACK_WATCH_MAX = 60_000_000;

/**
 * The data-level retransmission timer of the default stall rule (stall.ts), for the one case the
 * subflows' own timers cannot cover (RFC 8684 §3.3.6: a Data ACK rides on TCP options and may be
 * lost where the subflow ACK is not): every byte handed to the subflows is acknowledged at the
 * TCP level and some of it not at the data level, and no subflow holds anything that would make
 * the peer answer. The pure ACK that carried the Data ACK was lost (or carried an ADD_ADDR echo in
 * its place and the one after it was lost), and a peer with nothing to send never repeats it.
 * It runs only while that holds; at each expiry the oldest data not data-acknowledged goes again,
 * which the peer answers with its Data ACK, and the interval doubles, as an RTO backs off, until
 * the Data ACK moves.
 */
export class DataAckWatch {
  /** When it fires next, µs; undefined while it does not run. */
  deadline: number | undefined;
  private backoff = 0;

  /**
   * Everything sent is acknowledged at the TCP level but not at the data level: runs, unless it
   * does already, for `rto` (the longest retransmission timeout of the usable subflows, at least
   * TCP_RTO_MIN), doubled for each expiry since the Data ACK last moved.
   */
  start(now: number, rto: number): void {
    this.deadline ??= now + Math.min(Math.max(rto, DATA_RTX_MIN_INTERVAL) * 2 ** this.backoff, DATA_ACK_WATCH_MAX);
  }

  /** A subflow holds data again, or nothing is outstanding: no wait. */
  stop(): void {
    this.deadline = undefined;
  }

  /** The Data ACK advanced: the next wait starts from one RTO again. */
  acked(): void {
    this.backoff = 0;
  }

  /** Whether it fires at `now`; if so it stops until the next `start`, one step further back. */
  fire(now: number): boolean {
    if (this.deadline === undefined || now < this.deadline) return false;
    this.deadline = undefined;
    this.backoff = Math.min(this.backoff + 1, 16);
    return true;
  }
}

/**
 * The scheduler seam (DESIGN.md §5): which subflow carries the next chunk of the data-level
 * stream. A scheduler only chooses; the connection maps the chunk (RFC 8684 §3.3.1) and writes it
 * into the chosen subflow. Implementations: lowest-RTT (the default, delay-aware: arrival.ts),
 * round-robin, redundant, BLEST and ECF, by name through `schedulerByName` (registry.ts);
 * opportunistic retransmission and penalisation (opportunistic.ts) and tail reinjection
 * (reinject.ts) are separate decisions.
 *
 * How the connection's pump uses a scheduler, per chunk:
 * 1. it builds the usable paths with `room` and `srtt` (and, where it can, the optional figures
 *    below: BLEST and ECF need `cwnd`, `inFlight` and `mss`, ECF also `rttvar`; round-robin uses
 *    `id`), and the `SchedulerContext` (connection-level send window, the peer's whole window,
 *    unsent bytes);
 * 2. it calls `pick(paths, context)`; undefined means "send nothing now", which BLEST and ECF
 *    return on purpose to wait for a faster subflow; the chunk is the picked path's room, or
 *    what `chunkFor` says (the delay-aware default gives a slower subflow less);
 * 3. if the scheduler has `pickAll` (a redundant scheduler), it sizes the chunk by the room of
 *    the picked path, writes it there, and writes a copy of the same DSN range into every other
 *    path `pickAll` returned, each as far as its own room allows. RFC 8684 §3.3.6 lets the same
 *    data travel on several subflows; the receiver keeps the first copy at the data level;
 * 4. on every Data ACK that moves the left edge it calls `onDataAck(blocked)`, where `blocked`
 *    says whether, since the previous call, the connection-level send window stopped a subflow
 *    that had congestion-window room while a slower subflow held data in the window (arrival.ts
 *    `slowerHoldsWindow`: only then can the choice of subflows have caused it). BLEST and the
 *    default adapt their lambda from this.
 */

/** What a scheduler knows of one subflow when it chooses. */
export interface SchedulerPath {
  /** Bytes the subflow would take now without queueing beyond its congestion window. */
  readonly room: number;
  /** Smoothed RTT in microseconds (RFC 6298), undefined before the first sample. */
  readonly srtt: number | undefined;
  /** A backup subflow (RFC 8684 §3.3.8: the B flag of either side). */
  readonly backup: boolean;
  /** A stable identity for stateful schedulers (round-robin), e.g. the subflow's index. */
  readonly id?: number;
  /** The congestion window in bytes. */
  readonly cwnd?: number;
  /** Bytes sent on the subflow and not yet acknowledged by it. */
  readonly inFlight?: number;
  /** The subflow's sender MSS in bytes (payload per full segment). */
  readonly mss?: number;
  /** RTT variation in microseconds (RFC 6298 RTTVAR). */
  readonly rttvar?: number;
}

/** Connection-level figures a scheduler may weigh (RFC 8684 §3.3.4, §3.3.5). */
export interface SchedulerContext {
  /**
   * The connection-level send window in bytes: the peer's receive window from the last Data ACK
   * (right edge minus Data ACK), shared by all subflows.
   */
  readonly sendWindow: number;
  /** Bytes the application has written that no subflow has been given yet. */
  readonly unsent: number;
  /**
   * The peer's whole connection-level window: the right edge less the oldest byte not yet
   * data-acknowledged (§3.3.5), which bounds what may be in flight while one byte is outstanding.
   * When absent, schedulers use `sendWindow`.
   */
  readonly window?: number;
}

export interface Scheduler {
  /** The subflow for the next chunk, or undefined when none should take data now. */
  pick<P extends SchedulerPath>(paths: readonly P[], context?: SchedulerContext): P | undefined;
  /**
   * Redundant schedulers only: every path that should carry a copy of the next chunk, the path
   * `pick` would choose first. `out` is cleared, filled and returned, so the pump can reuse one
   * array. Absent on schedulers that send each chunk once.
   */
  pickAll?<P extends SchedulerPath>(paths: readonly P[], out: P[], context?: SchedulerContext): P[];
  /**
   * How many bytes to give `path`, just picked from `paths`; the pump gives it its whole room
   * without this. The delay-aware default gives a slower subflow only what it sends now
   * (arrival.ts `slowChunk`).
   */
  chunkFor?<P extends SchedulerPath>(path: P, paths: readonly P[]): number;
  /** A Data ACK moved the left edge; `blocked` as described in the header. */
  onDataAck?(blocked: boolean): void;
}

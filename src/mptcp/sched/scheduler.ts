/**
 * The scheduler seam (DESIGN.md §5): which subflow carries the next chunk of the data-level
 * stream. A scheduler only chooses; the connection maps the chunk (RFC 8684 §3.3.1) and writes it
 * into the chosen subflow. The [multipath] issue adds round-robin, redundant and BLEST/ECF
 * behind the same interface.
 */

/** What a scheduler knows of one subflow when it chooses. */
export interface SchedulerPath {
  /** Bytes the subflow would take now without queueing beyond its congestion window. */
  readonly room: number;
  /** Smoothed RTT in microseconds (RFC 6298), undefined before the first sample. */
  readonly srtt: number | undefined;
  /** A backup subflow (RFC 8684 §3.3.8: the B flag of either side). */
  readonly backup: boolean;
}

export interface Scheduler {
  /** The subflow for the next chunk, or undefined when none should take data now. */
  pick<P extends SchedulerPath>(paths: readonly P[]): P | undefined;
}

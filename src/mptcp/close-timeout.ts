/**
 * The wait of a connection that has lost its last subflow (Linux `net.mptcp.close_timeout`).
 *
 * RFC 8684 §3.3.6 lets the subflows of a connection come and go: a connection is not its
 * subflows, and "any subflow" may carry its data. When the last one is gone while the connection
 * is still open at the data level, nothing in the protocol has ended it: either end's
 * path manager can still open a subflow (the client from an interface that came back, a mobile
 * host's next network, a join to an address the peer announced) and the data continues from the
 * Data ACK (§3.3.6: what was not data-acknowledged is sent again). Linux keeps such a connection
 * (`__mptcp_close_ssk`: "for established sockets, allow an additional timeout before closing, as
 * the protocol can still create more subflows") for `close_timeout`, 60 s by default, then
 * closes it; a new subflow up within that time stops the clock. Break-before-make handover (a
 * mobile host whose only interface goes before the next one has a subflow) depends on it.
 *
 * Linux waits only while no DATA_FIN went either way (a `TCP_ESTABLISHED` msk). Here a half-closed
 * connection waits too: until data-acknowledged, the data written before the DATA_FIN and the
 * DATA_FIN itself are not delivered, and a new subflow can deliver them (a bulk sender writes
 * everything and closes at once: its last subflow lost mid-transfer would otherwise lose the
 * rest). A connection that fell back to TCP or refuses joins (MP_FAIL), or met a fatal error or
 * MP_FASTCLOSE, ends with its last subflow. This is the clock only; the connection decides
 * whether it may wait (`MptcpConnection.mayAwaitSubflow`).
 */

/** Linux's `net.mptcp.close_timeout` default (TCP_TIMEWAIT_LEN, 60 s), µs. */
export const DEFAULT_CLOSE_TIMEOUT_US = 60_000_000;

/** How a connection that gave up waiting ends: as its last subflow did. */
export type SubflowlessEnd = "reset" | "timed-out";

export class SubflowlessWait {
  private began = false;
  private until: number | undefined;
  private why: SubflowlessEnd = "reset";

  /** Whether the connection is waiting for a subflow. */
  get waiting(): boolean {
    return this.began;
  }

  /** When the wait ends, once its clock runs (`arm`). */
  get deadline(): number | undefined {
    return this.until;
  }

  /** How the connection ends if no subflow comes: as the last one went. */
  get end(): SubflowlessEnd {
    return this.why;
  }

  /**
   * The last subflow went. Its end is seen inside an input, whose time the connection learns at
   * its next `service`, where `arm` starts the clock. A wait already running keeps its deadline:
   * a join that fails while the connection waits does not buy it more time.
   */
  begin(why: SubflowlessEnd): void {
    if (this.began) return;
    this.began = true;
    this.why = why;
  }

  /** Starts the clock of a wait that has none: it ends at `now + timeout`. */
  arm(now: number, timeout: number): void {
    if (this.began && this.until === undefined) this.until = now + timeout;
  }

  /** A subflow is up again. */
  stop(): void {
    this.began = false;
    this.until = undefined;
  }

  /** Whether the wait ran out at `now` (it is over then). */
  expired(now: number): boolean {
    if (this.until === undefined || now < this.until) return false;
    this.stop();
    return true;
  }
}

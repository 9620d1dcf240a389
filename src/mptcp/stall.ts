/**
 * Stalled subflows (RFC 8684 §3.3.6), the "first-timeout" rule (MptcpOptions.staleLossCount):
 * when a subflow's retransmission timer fires while it holds data, what it carried and the peer
 * has not data-acknowledged is sent again on the other subflows at once, and the subflow takes no
 * new data until it acknowledges some (MPTcpExt SubflowStale, SubflowRecover). Waiting for the
 * subflow to time out for good (several back-offs, seconds on a dead path) would stall the whole
 * connection behind the data it holds.
 *
 * Linux decides later and on other evidence (stale-loss.ts, data-rtx.ts): after more than
 * `stale_loss_cnt` (4) expiries of a connection-level timer with nothing at all heard on the
 * subflow. A path that loses packets but still returns ACKs times out here and never there: on
 * congested paths (exp-balia-table) this rule sends much data twice; on a path that goes silent
 * (the demo) it moves the data a second or more sooner.
 */

/** What the watch reads of a subflow's TCP. */
export interface StallSource {
  /** Retransmission timeouts so far. */
  readonly retransmitTimeouts: number;
  /** Bytes written into it and not yet acknowledged. */
  readonly sendQueued: number;
}

export class StallWatch {
  /** The subflow stalled and has not acknowledged anything since. */
  stale = false;
  private seen = 0;
  private ackedAtStale = 0;

  /**
   * Compares the subflow's state with the last look. `written` is every byte ever written into
   * it. "stalled" on a timeout that marks it stale, "recovered" when a stale one acknowledged
   * new data; undefined otherwise.
   */
  update(tcp: StallSource, written: number): "stalled" | "recovered" | undefined {
    const acked = written - tcp.sendQueued;
    const rtos = tcp.retransmitTimeouts;
    if (rtos > this.seen) {
      this.seen = rtos;
      this.ackedAtStale = acked;
      // A timeout with nothing outstanding (a join's SYN retransmitted, before any data) holds
      // no data of the connection: nothing to reinject, and a subflow marked stale then could
      // never show progress, so it would never be given data.
      if (tcp.sendQueued === 0) return undefined;
      if (this.stale) return undefined;
      this.stale = true;
      return "stalled";
    }
    if (this.stale && acked > this.ackedAtStale) {
      this.stale = false;
      return "recovered";
    }
    return undefined;
  }
}

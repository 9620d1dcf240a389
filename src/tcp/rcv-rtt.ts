/**
 * The receiver's own estimate of the round-trip time, for receive-buffer autotuning (dynamic
 * right-sizing, Fisk & Feng 2001; Linux `tcp_rcv_rtt_measure`, `tcp_rcv_rtt_measure_ts` and
 * `tcp_rcv_rtt_update`).
 *
 * A receiver of a bulk download sends only ACKs, so its RFC 6298 estimator (rtt.ts) has the
 * handshake's sample and little else: nothing of the queueing delay the data sees. Two kinds of
 * sample come from the data instead:
 *
 * - **Timestamps** (RFC 7323 §4): a data segment's TSecr echoes the TSval of an ACK of ours, sent
 *   when that ACK left; the sender sent this segment on its arrival (or later), so the age of
 *   the echoed TSval is one round trip (or more). One sample per new TSecr, from a full-sized
 *   segment only: a small one may have waited for the application or for Nagle.
 * - **One window**: the time RCV.NXT takes to pass the right edge of the window advertised when
 *   the measurement started. A sender limited by that window sends it once per round trip, so
 *   this is the RTT; one that is not limited by it takes longer, so it is an upper bound.
 *
 * Linux keeps the minimum: a smaller sample replaces the estimate at once (commit b879dcb1aeec,
 * 2025, "always seek for minimal rtt"); a larger window sample is discarded (an upper bound says
 * nothing new); a larger timestamp sample is folded in with weight 1/8, unless data waits unread
 * in the receive queue (commit a00f135cd986): the sender may then have been held back by our own
 * window, which the application had not yet reopened. Samples of zero (a sub-millisecond RTT on
 * a millisecond timestamp clock) are dropped (commit d59fc95be9d0).
 */

/** What the receive path knows after in-window data arrived. */
export interface RcvRttInput {
  /** Time of arrival, µs. */
  now: number;
  /** RCV.NXT after the segment, as a receive offset (never wraps). */
  rcvNxt: number;
  /** The right edge of the window last advertised, as a receive offset. */
  rcvRight: number;
  /** The segment carried a full-sized payload (Linux: at least `rcv_mss`). */
  fullSized: boolean;
  /** Nothing was waiting for the application before this segment. */
  queueEmpty: boolean;
  /** The segment's TSecr, if timestamps are in use. */
  tsEcr: number | undefined;
  /** The age of that TSecr at `now`, µs (the connection's timestamp clock knows it). */
  echoAge: number;
}

export class RcvRttEstimator {
  private rttUs: number | undefined;
  private lastEcr: number | undefined;
  /** The window measurement in progress: RCV.NXT must reach `edge`; it started at `since`. */
  private edge: number | undefined;
  private since = 0;
  private roundsValue = 0;

  /** The estimate in µs; undefined before the first sample. */
  get rtt(): number | undefined {
    return this.rttUs;
  }

  /**
   * Window measurements started so far: it changes once per window of data, which is how often
   * the MPTCP connection takes a sample from each subflow (Linux `mptcp_rcv_rtt_update`).
   */
  get rounds(): number {
    return this.roundsValue;
  }

  /** In-window data arrived (in order or not). */
  onData(d: RcvRttInput): void {
    if (d.tsEcr !== undefined && d.tsEcr !== this.lastEcr) {
      this.lastEcr = d.tsEcr;
      if (d.fullSized && d.echoAge > 0) this.update(d.echoAge, false, d.queueEmpty);
    }
    if (this.edge !== undefined) {
      if (d.rcvNxt < this.edge) return;
      this.update(Math.max(1, d.now - this.since), true, d.queueEmpty);
    }
    this.edge = d.rcvRight;
    this.since = d.now;
    this.roundsValue++;
  }

  /** Linux `tcp_rcv_rtt_update`: `windowed` samples only ever lower the estimate. */
  private update(sample: number, windowed: boolean, queueEmpty: boolean): void {
    if (this.rttUs === undefined || sample < this.rttUs) {
      this.rttUs = sample;
      return;
    }
    if (windowed || !queueEmpty) return;
    this.rttUs = Math.round(this.rttUs + (sample - this.rttUs) / 8);
  }
}

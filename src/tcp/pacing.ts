/**
 * Pacing: data segments leave no faster than a rate derived from the congestion window, spread
 * over the round trip, instead of in bursts as ACKs open the window (or as a window opens all at
 * once after the receiver's window or the application held the sender back). No RFC specifies it
 * for TCP (RFC 9002 §7.7 does for QUIC, RFC 7661 §5 names bursts as its hazard); this is what
 * Linux does with internal pacing or the fq qdisc:
 *
 * - the rate (`tcp_update_pacing_rate`) is `ratio * max(cwnd, in flight) / srtt`, with a ratio of
 *   200% while the window is below half of ssthresh (slow start, which doubles it each round
 *   trip: `net.ipv4.tcp_pacing_ss_ratio`) and 120% after (`tcp_pacing_ca_ratio`);
 * - a segment may leave once the clock reaches the departure time of the one before plus its
 *   length at that rate (`tcp_update_skb_after_send`); a segment that left late, because the
 *   sender had nothing to send or was woken late, has up to half of its own spacing taken off by
 *   the lateness, so the average rate holds without a burst;
 * - the first ten data segments of a connection leave unpaced (`tp->data_segs_out >= 10`): the
 *   initial window goes at once, and the RTT to pace by is the handshake's until then.
 *
 * Off by default (`TcpConfig.pacing`), as in Linux, where only the fq qdisc or a controller that
 * asks for it (BBR) turns it on. Times are microseconds; the departure time is kept to the nanosecond
 * and the timer that waits for it armed at the next whole microsecond.
 */

/** Data segments sent before pacing starts (Linux: `tp->data_segs_out >= 10`). */
export const UNPACED_SEGMENTS = 10;

export class Pacer {
  /** The earliest time the next data segment may leave (µs, to the nanosecond). */
  private departure = 0;
  private segments = 0;

  /**
   * `ssRatio` and `caRatio` are percentages of cwnd per srtt: in slow start (cwnd below half of
   * ssthresh) and after. `slack` (µs) lets a segment leave that much before its departure time:
   * for a driver whose timers fire to the millisecond (the real-time runtime's event loop), so
   * that the segments due within one tick leave together, as Linux's TSO sends about a
   * millisecond's worth at once, instead of one per tick.
   */
  constructor(
    private readonly ssRatio: number,
    private readonly caRatio: number,
    private readonly slack = 0,
  ) {}

  /**
   * The rate in bytes per second for a window of `cwnd` bytes with `inFlight` outstanding, or
   * Infinity before an RTT is known.
   */
  rate(cwnd: number, ssthresh: number, inFlight: number, srtt: number | undefined): number {
    if (srtt === undefined || srtt <= 0) return Number.POSITIVE_INFINITY;
    const ratio = cwnd < ssthresh / 2 ? this.ssRatio : this.caRatio;
    return (Math.max(cwnd, inFlight) * ratio * 1e4) / srtt;
  }

  /** Whether a data segment may leave at `now`. */
  allows(now: number): boolean {
    return now + this.slack >= this.departure;
  }

  /** The whole microsecond from which a data segment may leave. */
  wakeAt(): number {
    return Math.ceil(this.departure - this.slack);
  }

  /** A data segment of `bytes` left at `now`, at `rate` bytes per second. */
  sent(now: number, bytes: number, rate: number): void {
    const prior = this.departure;
    const at = Math.max(prior, now);
    this.segments++;
    if (this.segments < UNPACED_SEGMENTS || !(rate < Number.POSITIVE_INFINITY) || rate <= 0) {
      this.departure = at;
      return;
    }
    const spacing = (bytes * 1e6) / rate;
    // Kept to the nanosecond, as Linux keeps it, so that sums of spacings that should meet a whole
    // microsecond do not miss it by a rounding error and wake one microsecond late.
    this.departure = Math.round((at + spacing - Math.min(spacing / 2, at - prior)) * 1000) / 1000;
  }
}

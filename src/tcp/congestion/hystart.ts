/**
 * HyStart++ (RFC 9406): leaves slow start when the round's minimum RTT rises, before the queue
 * overflows, instead of doubling into a burst of losses. A rise moves the sender into
 * Conservative Slow Start (CSS), growing a quarter as fast; if the RTT falls back within
 * CSS_ROUNDS rounds it was a false alarm and slow start resumes, otherwise the sender sets
 * ssthresh to its window and continues in congestion avoidance.
 *
 * A round is approximated by the bytes acknowledged: it ends once a window's worth (the window
 * when it began) has been acknowledged, which is when the ACK of RFC 9406's `windowEnd` would
 * arrive on a path that does not reorder.
 */

/** RFC 9406 §4.3 constants (microseconds where times). */
const MIN_RTT_THRESH = 4_000;
const MAX_RTT_THRESH = 16_000;
const MIN_RTT_DIVISOR = 8;
const N_RTT_SAMPLE = 8;
const CSS_GROWTH_DIVISOR = 4;
const CSS_ROUNDS = 5;

/** What slow start does with one ACK. */
export type HyStartVerdict =
  /** Grow as slow start does. */
  | "slow-start"
  /** Conservative Slow Start: grow by a quarter of that. */
  | "css"
  /** Leave slow start now: ssthresh = cwnd. */
  | "exit";

export class HyStartPlusPlus {
  private lastRoundMin = Infinity;
  private currentRoundMin = Infinity;
  private samples = 0;
  private roundAcked = 0;
  private roundSize = 0;
  /** The round minimum RTT when CSS began; undefined outside CSS. */
  private cssBaseline: number | undefined;
  private cssRounds = 0;

  /** An ACK of `bytes` in slow start, with the latest RTT sample (µs) and the window before it. */
  onAck(bytes: number, latestRtt: number | undefined, cwnd: number): HyStartVerdict {
    if (this.roundSize === 0) this.roundSize = cwnd;
    if (latestRtt !== undefined) {
      this.currentRoundMin = Math.min(this.currentRoundMin, latestRtt);
      this.samples++;
    }
    if (this.cssBaseline === undefined) {
      if (this.samples >= N_RTT_SAMPLE && this.currentRoundMin !== Infinity && this.lastRoundMin !== Infinity) {
        const thresh = Math.max(MIN_RTT_THRESH, Math.min(this.lastRoundMin / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
        if (this.currentRoundMin >= this.lastRoundMin + thresh) {
          this.cssBaseline = this.currentRoundMin;
          this.cssRounds = 0;
        }
      }
    } else if (this.samples >= N_RTT_SAMPLE && this.currentRoundMin < this.cssBaseline) {
      // §4.2: the RTT rise was spurious; back to slow start.
      this.cssBaseline = undefined;
    }
    const verdict: HyStartVerdict = this.cssBaseline === undefined ? "slow-start" : "css";
    // The ACK that completes a round (RFC 9406's windowEnd acknowledged) closes it.
    this.roundAcked += bytes;
    if (this.roundAcked >= this.roundSize) {
      this.lastRoundMin = this.currentRoundMin;
      this.currentRoundMin = Infinity;
      this.samples = 0;
      this.roundAcked = 0;
      this.roundSize = cwnd;
      if (this.cssBaseline !== undefined && ++this.cssRounds >= CSS_ROUNDS) {
        this.cssBaseline = undefined;
        return "exit";
      }
    }
    return verdict;
  }

  /** A congestion event or timeout: slow start (if it comes again) starts from a clean state. */
  reset(): void {
    this.lastRoundMin = Infinity;
    this.currentRoundMin = Infinity;
    this.samples = 0;
    this.roundAcked = 0;
    this.roundSize = 0;
    this.cssBaseline = undefined;
    this.cssRounds = 0;
  }

  /** The divisor of slow-start growth in CSS (RFC 9406 §4.3). */
  static readonly CSS_GROWTH_DIVISOR = CSS_GROWTH_DIVISOR;
}

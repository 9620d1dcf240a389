/**
 * Round-trip time estimation and the retransmission timeout (RFC 6298). Times are integer
 * microseconds.
 *
 * Samples come from timestamps when RFC 7323 is in use (§4: every ACK that advances SND.UNA
 * gives one, retransmissions included, because the echoed TSval names the transmission) and
 * otherwise from one timed segment at a time, never a retransmitted one (Karn's algorithm,
 * RFC 6298 §3). The connection decides which; this class only folds samples in.
 */

/** RFC 6298 §2: K = 4, alpha = 1/8, beta = 1/4. */
const K = 4;
/** RFC 6298 §5.7: the RTO once data flows after a SYN timed out. */
const SYN_FALLBACK_RTO = 3_000_000;

export interface RttConfig {
  /** RTO before the first sample (RFC 6298 §2.1: 1 s). */
  initialRto: number;
  /** Lower bound on the RTO (RFC 6298 §2.4 says 1 s; Linux uses 200 ms). */
  minRto: number;
  /** Upper bound on the RTO (RFC 6298 §2.5: at least 60 s). */
  maxRto: number;
  /** Clock granularity G (RFC 6298 §2); the timestamp clock ticks in milliseconds. */
  granularity: number;
}

export class RttEstimator {
  private srttUs: number | undefined;
  private rttvarUs = 0;
  private baseRto: number;
  private backoffCount = 0;
  private latestUs: number | undefined;
  private minUs: number | undefined;

  constructor(private readonly cfg: RttConfig) {
    this.baseRto = cfg.initialRto;
  }

  /** Smoothed RTT, undefined before the first sample. */
  get srtt(): number | undefined {
    return this.srttUs;
  }

  get rttvar(): number {
    return this.rttvarUs;
  }

  /** The most recent sample. */
  get latest(): number | undefined {
    return this.latestUs;
  }

  /** The smallest sample seen. */
  get min(): number | undefined {
    return this.minUs;
  }

  /** Number of consecutive backoffs (RFC 6298 §5.5) since the last sample. */
  get backoffs(): number {
    return this.backoffCount;
  }

  /** The current RTO, backoff included. */
  get rto(): number {
    // Read for every segment sent and ACK received: no power unless backed off.
    if (this.backoffCount === 0) return this.baseRto;
    return Math.min(this.cfg.maxRto, this.baseRto * 2 ** this.backoffCount);
  }

  /** Folds one RTT measurement in (RFC 6298 §2.2, §2.3) and clears the backoff. */
  sample(rttUs: number): void {
    const r = Math.max(1, Math.round(rttUs));
    this.latestUs = r;
    this.minUs = this.minUs === undefined ? r : Math.min(this.minUs, r);
    if (this.srttUs === undefined) {
      this.srttUs = r;
      this.rttvarUs = Math.round(r / 2);
    } else {
      this.rttvarUs = Math.round((3 * this.rttvarUs + Math.abs(this.srttUs - r)) / 4);
      this.srttUs = Math.round((7 * this.srttUs + r) / 8);
    }
    const rto = this.srttUs + Math.max(this.cfg.granularity, K * this.rttvarUs);
    this.baseRto = Math.min(this.cfg.maxRto, Math.max(this.cfg.minRto, rto));
    // RFC 6298 §5.7: a new sample after backoff recomputes the RTO from the estimate.
    this.backoffCount = 0;
  }

  /** RFC 6298 §5.5: doubles the RTO (up to the maximum) after a timeout. */
  backoff(): void {
    if (this.rto < this.cfg.maxRto) this.backoffCount++;
  }

  /**
   * RFC 6298 §5.7: when a SYN timed out and no RTT sample exists, data transmission starts with
   * an RTO of at least 3 s (and no backoff).
   */
  afterSynTimeout(): void {
    if (this.srttUs !== undefined) return;
    this.baseRto = Math.min(this.cfg.maxRto, Math.max(this.baseRto, SYN_FALLBACK_RTO));
    this.backoffCount = 0;
  }
}

/**
 * CUBIC congestion control (RFC 9438). Window arithmetic is done in segments and seconds as in
 * the RFC and converted to bytes at the edges. Slow start is RFC 5681 with RFC 3465 byte
 * counting, and HyStart++ (RFC 9406, as RFC 9438 §4.10 suggests) in the initial slow start
 * unless turned off.
 */
import type { CongestionFactory, RttSnapshot } from "./controller.js";
import { WindowController } from "./base.js";

/** RFC 9438 §4.6: beta_cubic. */
const BETA = 0.7;
/** RFC 9438 §5.1: C. */
const C = 0.4;
/** RFC 9438 §4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta). */
const ALPHA = (3 * (1 - BETA)) / (1 + BETA);

export class Cubic extends WindowController {
  readonly name = "cubic";
  /** W_max in segments (§4.2), 0 before any congestion event. */
  private wMax = 0;
  /** W_last_max for fast convergence (§4.7). */
  private wLastMax = 0;
  /** Start of the current congestion-avoidance epoch, µs; undefined outside one. */
  private epochStart: number | undefined;
  /** K in seconds (§4.2 eq. 2). */
  private k = 0;
  /** W_est in segments, the Reno-friendly estimate (§4.3). */
  private wEst = 0;
  private recoveryStart = -Infinity;
  private prior: { cwnd: number; ssthresh: number; wMax: number; wLastMax: number } | undefined;

  onAck(now: number, bytes: number, rtt: RttSnapshot, _inFlight: number, appLimited: boolean): void {
    if (this.slowStart(bytes, rtt, appLimited)) return;
    const cwndSeg = this.cwnd / this.mss;
    if (this.epochStart === undefined) {
      // §4.2: a new epoch begins with the first ACK in congestion avoidance.
      this.epochStart = now;
      if (this.wMax === 0 || cwndSeg >= this.wMax) {
        this.wMax = cwndSeg;
        this.k = 0;
      } else {
        this.k = Math.cbrt((this.wMax - cwndSeg) / C);
      }
      this.wEst = cwndSeg;
    }
    const segmentsAcked = bytes / this.mss;
    // §4.3: the Reno-friendly estimate; alpha becomes 1 once W_est passes W_max.
    const alpha = this.wEst >= this.wMax ? 1 : ALPHA;
    this.wEst += (alpha * segmentsAcked) / cwndSeg;
    const rttSec = (rtt.srtt ?? 100_000) / 1e6;
    const t = (now - this.epochStart) / 1e6;
    const wCubicNow = this.wCubic(t);
    let next: number;
    if (wCubicNow < this.wEst) {
      // §4.3: Reno-friendly region.
      next = this.wEst;
    } else {
      // §4.4 / §4.5: grow toward W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd].
      const target = Math.min(Math.max(this.wCubic(t + rttSec), cwndSeg), 1.5 * cwndSeg);
      next = cwndSeg + ((target - cwndSeg) / cwndSeg) * segmentsAcked;
    }
    this.cwnd = Math.max(this.cwnd, Math.floor(next * this.mss));
  }

  onCongestionEvent(now: number, sentTime: number, persistent: boolean, inFlight: number): void {
    if (!persistent && sentTime <= this.recoveryStart) return;
    this.prior = { cwnd: this.cwnd, ssthresh: this.ssth, wMax: this.wMax, wLastMax: this.wLastMax };
    this.recoveryStart = now;
    const cwndSeg = this.cwnd / this.mss;
    // §4.7 fast convergence.
    if (cwndSeg < this.wLastMax) {
      this.wLastMax = cwndSeg;
      this.wMax = (cwndSeg * (1 + BETA)) / 2;
    } else {
      this.wLastMax = cwndSeg;
      this.wMax = cwndSeg;
    }
    // §4.6: ssthresh = flight_size * beta_cubic, at least 2 segments (RFC 5681 eq. 4 floor).
    const base = Math.min(inFlight, this.cwnd);
    this.ssth = Math.max(Math.floor(base * BETA), 2 * this.mss);
    // §4.8: an RTO collapses cwnd to one segment like Reno.
    this.cwnd = persistent ? this.mss : this.ssth;
    this.epochStart = undefined;
  }

  onSpuriousCongestionEvent(): void {
    if (this.prior === undefined) return;
    // §4.9: restore the state from before the spurious event.
    this.cwnd = Math.max(this.cwnd, this.prior.cwnd);
    this.ssth = this.prior.ssthresh;
    this.wMax = this.prior.wMax;
    this.wLastMax = this.prior.wLastMax;
    this.epochStart = undefined;
    this.prior = undefined;
  }

  /** §4.2 eq. 1: W_cubic(t) = C * (t - K)^3 + W_max, in segments. */
  private wCubic(t: number): number {
    // Multiplied out: `** 3` compiles to a call of Math.pow, the slowest line of an ACK in CUBIC.
    const d = t - this.k;
    return C * d * d * d + this.wMax;
  }
}

/** CUBIC; `hystart` (default true) leaves the initial slow start on an RTT rise (RFC 9406). */
export function cubic(opts: { hystart?: boolean } = {}): CongestionFactory {
  const o = { hystart: opts.hystart ?? true };
  return (init) => new Cubic(init, o);
}

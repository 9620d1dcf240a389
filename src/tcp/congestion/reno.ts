/**
 * NewReno congestion control (RFC 5681 §3.1) with Appropriate Byte Counting (RFC 3465):
 * slow start grows by the bytes acknowledged (at most L = 2 SMSS per ACK), congestion avoidance
 * by one SMSS per window of bytes acknowledged.
 */
import type { CongestionFactory, RttSnapshot } from "./controller.js";
import { WindowController } from "./base.js";

export class Reno extends WindowController {
  readonly name = "reno";
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465 §2.1). */
  private bytesAcked = 0;
  private recoveryStart = -Infinity;
  private prior: { cwnd: number; ssthresh: number } | undefined;

  onAck(_now: number, bytes: number, rtt: RttSnapshot, _inFlight: number, appLimited: boolean): void {
    if (this.slowStart(bytes, rtt, appLimited)) return;
    // RFC 5681 §3.1 eq. 3 via RFC 3465 §2.1.
    this.bytesAcked += bytes;
    if (this.bytesAcked >= this.cwnd) {
      this.bytesAcked -= this.cwnd;
      this.cwnd += this.mss;
    }
  }

  onCongestionEvent(now: number, sentTime: number, persistent: boolean, inFlight: number): void {
    if (!persistent && sentTime <= this.recoveryStart) return;
    this.prior = { cwnd: this.cwnd, ssthresh: this.ssth };
    this.recoveryStart = now;
    // RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS).
    this.ssth = Math.max(Math.floor(inFlight / 2), 2 * this.mss);
    // RFC 5681 §3.1: after an RTO cwnd is the loss window (1 SMSS); after fast retransmit
    // RFC 6582/6675 run recovery with cwnd = ssthresh.
    this.cwnd = persistent ? this.mss : this.ssth;
    this.bytesAcked = 0;
  }

  onSpuriousCongestionEvent(): void {
    if (this.prior === undefined) return;
    this.cwnd = Math.max(this.cwnd, this.prior.cwnd);
    this.ssth = this.prior.ssthresh;
    this.prior = undefined;
  }
}

export function reno(): CongestionFactory {
  return (init) => new Reno(init);
}

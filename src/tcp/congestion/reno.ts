/**
 * NewReno congestion control (RFC 5681 §3.1) with Appropriate Byte Counting (RFC 3465):
 * slow start grows by the bytes acknowledged (at most L = 2 SMSS per ACK), congestion avoidance
 * by one SMSS per window of bytes acknowledged.
 */
import type {
  CongestionController,
  CongestionFactory,
  CongestionInit,
  CongestionSnapshot,
  RttSnapshot,
} from "./controller.js";
import { initialWindow } from "./controller.js";

/** RFC 3465 §2.3: L = 2 SMSS per ACK in slow start. */
const ABC_LIMIT = 2;

export class Reno implements CongestionController {
  readonly name = "reno";
  private mss: number;
  private cwnd: number;
  private ssth = Infinity;
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465 §2.1). */
  private bytesAcked = 0;
  private recoveryStart = -Infinity;
  private readonly iwSegments: number;
  private prior: { cwnd: number; ssthresh: number } | undefined;
  private srtt: number | undefined;

  constructor(init: CongestionInit) {
    this.mss = init.mss;
    this.iwSegments = init.initialWindow;
    this.cwnd = initialWindow(init.mss, init.initialWindow);
  }

  window(): number {
    return this.cwnd;
  }

  ssthresh(): number {
    return this.ssth;
  }

  setMss(mss: number): void {
    // Before any growth the window is still the initial one: recompute it for the real MSS.
    if (this.cwnd === initialWindow(this.mss, this.iwSegments)) {
      this.cwnd = initialWindow(mss, this.iwSegments);
    }
    this.mss = mss;
  }

  onSent(): void {}

  onAck(_now: number, bytes: number, rtt: RttSnapshot, _inFlight: number, appLimited: boolean): void {
    this.srtt = rtt.srtt;
    if (appLimited) return;
    if (this.cwnd < this.ssth) {
      // RFC 5681 §3.1 eq. 2 with RFC 3465 byte counting.
      this.cwnd += Math.min(bytes, ABC_LIMIT * this.mss);
      return;
    }
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

  snapshot(): CongestionSnapshot {
    return { cwnd: this.cwnd, ssthresh: this.ssth, srtt: this.srtt, mss: this.mss };
  }
}

export function reno(): CongestionFactory {
  return (init) => new Reno(init);
}

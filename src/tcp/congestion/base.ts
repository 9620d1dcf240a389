/**
 * What every window-based controller shares: the congestion window and ssthresh in bytes, the
 * initial window (RFC 6928) recomputed when the MSS becomes known, slow start with Appropriate
 * Byte Counting (RFC 5681 §3.1 eq. 2, RFC 3465), and the snapshot. Reno and CUBIC extend it, and
 * so will MPTCP's coupled controllers (LIA, OLIA, BALIA), which differ only in congestion
 * avoidance and in their reaction to loss.
 */
import type { CongestionController, CongestionInit, CongestionSnapshot, RttSnapshot } from "./controller.js";
import { initialWindow } from "./controller.js";
import { HyStartPlusPlus } from "./hystart.js";

/** RFC 3465 §2.3: L = 2 SMSS per ACK in slow start. */
const ABC_LIMIT = 2;

export abstract class WindowController implements CongestionController {
  abstract readonly name: string;
  protected mss: number;
  protected cwnd: number;
  protected ssth = Infinity;
  protected srtt: number | undefined;
  private readonly iwSegments: number;
  /** RFC 9406 in the initial slow start, when enabled. */
  private readonly hystart: HyStartPlusPlus | undefined;

  constructor(init: CongestionInit, opts: { hystart?: boolean } = {}) {
    this.mss = init.mss;
    this.iwSegments = init.initialWindow;
    this.cwnd = initialWindow(init.mss, init.initialWindow);
    this.hystart = opts.hystart === true ? new HyStartPlusPlus() : undefined;
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

  abstract onAck(now: number, bytes: number, rtt: RttSnapshot, inFlight: number, appLimited: boolean): void;

  abstract onCongestionEvent(now: number, sentTime: number, persistent: boolean, inFlight: number): void;

  /**
   * Penalisation by the MPTCP layer (Raiciu et al., NSDI 2012 §4.2): a congestion event for the
   * whole window at `now`, so each algorithm reduces in its own way (Reno halves, CUBIC applies
   * beta) and keeps its state consistent. A second call at the same `now` is part of the same
   * event and changes nothing.
   */
  penalise(now: number): void {
    this.onCongestionEvent(now, now, false, this.cwnd);
  }

  snapshot(): CongestionSnapshot {
    return { cwnd: this.cwnd, ssthresh: this.ssth, srtt: this.srtt, mss: this.mss };
  }

  /**
   * Records the RTT and, below ssthresh, grows the window by the bytes acknowledged (at most
   * L = 2 SMSS per ACK). True when the ACK was used up here: the window is application-limited
   * (a window that was not used is not grown) or the connection is in slow start.
   */
  protected slowStart(bytes: number, rtt: RttSnapshot, appLimited: boolean): boolean {
    this.srtt = rtt.srtt;
    if (appLimited) return true;
    if (this.cwnd >= this.ssth) return false;
    const growth = Math.min(bytes, ABC_LIMIT * this.mss);
    // RFC 9406 §4.2: HyStart++ in the initial slow start only (ssthresh still unset).
    if (this.hystart !== undefined && this.ssth === Infinity) {
      const verdict = this.hystart.onAck(bytes, rtt.latest, this.cwnd);
      if (verdict === "exit") {
        this.ssth = this.cwnd;
        return true;
      }
      if (verdict === "css") {
        this.cwnd += Math.floor(growth / HyStartPlusPlus.CSS_GROWTH_DIVISOR);
        return true;
      }
    }
    this.cwnd += growth;
    return true;
  }
}

/**
 * What LIA, OLIA, BALIA and the fully coupled controller share: per-subflow slow start (RFC 6356
 * §3 keeps it uncoupled), a coupled increase in congestion avoidance, and a loss reaction per
 * subflow. Each algorithm says how many bytes must be acknowledged for its window to change by
 * one segment (`bytesPerSegment`); the window then moves in whole segments, like RFC 3465 §2.1
 * byte counting, so that with a single subflow every algorithm is exactly Reno (RFC 6356 §3, and
 * the other rules reduce to Reno's with one path).
 *
 * A subflow takes part in the coupling once it has an RTT sample, that is once it has carried
 * data: a fresh join must not change its siblings' increase before it sends anything. During
 * fast recovery the window read here is ssthresh, as RFC 6356 asks of subflows in fast
 * retransmit, because the TCP engine keeps the NewReno inflation outside the controller.
 */
import type { CongestionInit, RttSnapshot } from "../../tcp/congestion/controller.js";
import { WindowController } from "../../tcp/congestion/base.js";
import type { CoupledGroup } from "./group.js";

/**
 * Whose least ssthresh after a loss a coupled controller keeps, where the two differ (OLIA,
 * BALIA): "linux", the authors' Linux modules (multipath-tcp/mptcp `net/mptcp/mptcp_olia.c`,
 * `mptcp_balia.c`), which every published figure of these controllers was measured with; or
 * "draft", the text of their drafts (OLIA 1 MSS with more than one path; BALIA, whose draft gives
 * no floor, RFC 5681's 2 MSS). docs/multipath.md has what each choice does.
 */
export type CongestionFloor = "linux" | "draft";

export const CONGESTION_FLOORS: readonly CongestionFloor[] = ["linux", "draft"];

export abstract class CoupledController extends WindowController {
  /**
   * Bytes acknowledged in congestion avoidance towards the next change of one segment; negative
   * while the algorithm shrinks the window (OLIA's negative alpha).
   */
  private credit = 0;
  private recoveryStart = -Infinity;
  private prior: { cwnd: number; ssthresh: number } | undefined;

  constructor(
    init: CongestionInit,
    protected readonly group: CoupledGroup<CoupledController>,
  ) {
    super(init);
    group.register(this);
  }

  /** The smoothed RTT (µs) the coupling uses, undefined before this subflow carried data. */
  get rtt(): number | undefined {
    return this.srtt === undefined ? undefined : Math.max(1, this.srtt);
  }

  /**
   * Bytes to acknowledge in congestion avoidance for the window to grow by one segment, given
   * the group as it is now: positive to grow, negative to shrink, Infinity to hold.
   */
  abstract bytesPerSegment(): number;

  /**
   * The window change in bytes the algorithm grants for `bytes` acknowledged in congestion
   * avoidance now, before it is rounded to whole segments (the formula of each paper).
   */
  increase(bytes: number): number {
    return (bytes * this.mss) / this.bytesPerSegment();
  }

  onAck(_now: number, bytes: number, rtt: RttSnapshot, _inFlight: number, appLimited: boolean): void {
    if (this.slowStart(bytes, rtt, appLimited)) return;
    const need = this.bytesPerSegment();
    if (need > 0 && need !== Infinity) {
      this.credit += bytes;
      if (this.credit >= need) {
        this.credit -= need;
        this.cwnd += this.mss;
      }
    } else if (need < 0 && need !== -Infinity) {
      this.credit -= bytes;
      if (this.credit <= need) {
        this.credit -= need;
        this.cwnd = Math.max(this.cwnd - this.mss, this.mss);
        // A coupled decrease keeps the subflow in congestion avoidance rather than sending it
        // back to slow start below ssthresh.
        this.ssth = Math.min(this.ssth, this.cwnd);
      }
    }
  }

  onCongestionEvent(now: number, sentTime: number, persistent: boolean, inFlight: number): void {
    if (!persistent && sentTime <= this.recoveryStart) return;
    this.onLoss();
    this.reduce(now, persistent, this.reducedWindow(inFlight));
  }

  /**
   * Penalisation halves the window (Raiciu et al. NSDI'12 §4.2; Linux's
   * `mptcp_rcv_buf_optimization` halves the slow subflow's cwnd whatever its controller), down to
   * the algorithm's floor. It is no loss: not the algorithm's loss decrease (BALIA's would take a
   * slow path to a quarter each time, and hold it near its floor while the window blocks), and
   * OLIA's count of bytes between losses goes on.
   */
  override penalise(now: number): void {
    if (now <= this.recoveryStart) return;
    this.reduce(now, false, this.cwnd / 2);
  }

  onSpuriousCongestionEvent(): void {
    if (this.prior === undefined) return;
    this.cwnd = Math.max(this.cwnd, this.prior.cwnd);
    this.ssth = this.prior.ssthresh;
    this.prior = undefined;
  }

  close(): void {
    this.group.unregister(this);
  }

  /** A congestion response down to `reduced` bytes (a loss's or a penalty's), at least the floor. */
  private reduce(now: number, persistent: boolean, reduced: number): void {
    this.prior = { cwnd: this.cwnd, ssthresh: this.ssth };
    this.recoveryStart = now;
    this.ssth = Math.max(Math.floor(reduced), this.minSsthresh());
    // RFC 5681 §3.1: after an RTO the loss window of 1 SMSS.
    this.cwnd = persistent ? this.mss : this.ssth;
    this.credit = 0;
  }

  /**
   * sum_p w_p / rtt_p (bytes per µs) over the subflows that carry data, the denominator of the
   * resource-pooling term OLIA and the Kelly-Voice rule share; 0 unless at least two carry data
   * (alone, every rule here is Reno's).
   */
  protected pooledRate(): number {
    let n = 0;
    let sum = 0;
    for (const m of this.group.members) {
      const rtt = m.rtt;
      if (rtt === undefined) continue;
      n++;
      sum += m.window() / rtt;
    }
    return n < 2 ? 0 : sum;
  }

  /** The window after a loss, from the FlightSize: Reno's half unless the algorithm says else. */
  protected reducedWindow(inFlight: number): number {
    return inFlight / 2;
  }

  /** The least ssthresh after a loss: RFC 5681 §3.1 eq. 4's 2 SMSS unless the algorithm says else. */
  protected minSsthresh(): number {
    return 2 * this.mss;
  }

  /** A new congestion event began (OLIA counts the bytes between losses). */
  protected onLoss(): void {}
}

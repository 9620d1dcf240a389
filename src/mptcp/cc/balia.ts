/**
 * BALIA, the Balanced Linked Adaptation algorithm (Peng, Walid, Hwang, Low, "Multipath TCP:
 * Analysis, Design, and Implementation", IEEE/ACM ToN 2016; draft-walid-mptcp-congestion-
 * control). With the rate x_r = w_r / rtt_r and alpha_r = max_k x_k / x_r, per ACK on path r in
 * congestion avoidance (window in segments):
 *
 *   w_r += x_r / (rtt_r * (sum_k x_k)^2) * (1 + alpha_r) / 2 * (4 + alpha_r) / 5
 *
 * and per loss on path r:
 *
 *   w_r -= w_r / 2 * min(alpha_r, 1.5)
 *
 * so the fastest path (alpha = 1) behaves like Reno, and the slower a path is next to the best,
 * the more it grows per ACK and the more it gives back per loss: BALIA's balance between
 * friendliness and responsiveness. Here windows are in bytes and each ACK counts bytes_acked/MSS
 * segments. The decrease applies to the FlightSize, as Reno's does (RFC 5681 §3.1 eq. 4). The
 * draft gives the decrease no floor; the authors' Linux module keeps at least 1 MSS while more
 * than one subflow is established (the default floor "linux"), and floor "draft" keeps RFC 5681's
 * 2 MSS. Alone, BALIA is Reno, floor included.
 */
import type { CongestionFactory, CongestionInit } from "../../tcp/congestion/controller.js";
import { CoupledController, type CongestionFloor } from "./coupled.js";
import { CoupledGroup } from "./group.js";

/** The cap on alpha_r in the decrease (the draft's 1.5). */
const DECREASE_CAP = 1.5;

export class Balia extends CoupledController {
  readonly name = "balia";
  // Sums over the group, refreshed by `sum()`.
  private rateSum = 0;
  private maxRate = 0;

  constructor(
    init: CongestionInit,
    group: CoupledGroup<CoupledController>,
    private readonly floor: CongestionFloor = "linux",
  ) {
    super(init, group);
  }

  /** alpha_r = max_k x_k / x_r over the subflows that carry data (1 alone). */
  alpha(): number {
    const own = this.rtt;
    if (own === undefined || this.sum() < 2) return 1;
    return this.maxRate / (this.cwnd / own);
  }

  bytesPerSegment(): number {
    const own = this.rtt;
    if (own === undefined || this.sum() < 2) return this.cwnd;
    const rate = this.cwnd / own;
    const a = this.maxRate / rate;
    // Growth per byte acknowledged, in segments: x_r / (rtt_r X^2) with windows in bytes.
    const perByte = (rate / (own * this.rateSum * this.rateSum)) * ((1 + a) / 2) * ((4 + a) / 5);
    return 1 / perByte;
  }

  protected override reducedWindow(inFlight: number): number {
    return inFlight * (1 - Math.min(this.alpha(), DECREASE_CAP) / 2);
  }

  protected override minSsthresh(): number {
    return this.floor === "linux" && this.sum() >= 2 ? this.mss : 2 * this.mss;
  }

  /** Refreshes the sums and returns how many subflows take part. */
  private sum(): number {
    let n = 0;
    this.rateSum = 0;
    this.maxRate = 0;
    for (const m of this.group.members) {
      const rtt = m.rtt;
      if (rtt === undefined) continue;
      const x = m.window() / rtt;
      n++;
      this.rateSum += x;
      this.maxRate = Math.max(this.maxRate, x);
    }
    return n;
  }
}

/** A factory of BALIA controllers coupled through `group` (one group per MPTCP connection). */
export function balia(group: CoupledGroup<CoupledController> = new CoupledGroup(), floor: CongestionFloor = "linux"): CongestionFactory {
  return (init: CongestionInit) => new Balia(init, group, floor);
}

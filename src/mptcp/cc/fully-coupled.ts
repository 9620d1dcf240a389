/**
 * The fully coupled controller ("COUPLED" in Wischik et al., NSDI 2011 §2.1, after Kelly and
 * Voice 2005 and Han et al. 2006; the "Coupled" row of the BALIA draft's §5.2 comparison): the
 * subflows share one window w_total. Per ACK on subflow r in congestion avoidance, in segments,
 *
 *   w_r += 1 / w_total
 *
 * and per loss on subflow r,
 *
 *   w_r -= w_total / 2   (never below the RFC 5681 floor of 2 SMSS)
 *
 * so the connection as a whole is one Reno flow (it grows by one segment per round trip and
 * halves its total on a loss), and traffic drains to the least congested path: a subflow that
 * loses gives up half the total, which empties it unless it holds most of the window. That is
 * the algorithm's known weakness, and why the BALIA draft measured it slowest to take a path
 * back: a subflow pushed down to the floor regains window at 1/w_total per ACK of its own few
 * segments. As in the original simulator (htsim) and RFC 6356's starting point, the rule has no
 * RTT compensation. With one subflow it is Reno.
 */
import type { CongestionFactory, CongestionInit } from "../../tcp/congestion/controller.js";
import { CoupledController } from "./coupled.js";
import { CoupledGroup } from "./group.js";

export class FullyCoupled extends CoupledController {
  readonly name = "coupled";
  /** w_total over the subflows that carry data, refreshed by `sum()`. */
  private total = 0;

  /** w_total bytes acknowledged per segment of growth: 1/w_total per segment acknowledged. */
  bytesPerSegment(): number {
    if (this.rtt === undefined || this.sum() < 2) return this.cwnd;
    return this.total;
  }

  /**
   * w_r - w_total / 2 with the FlightSize standing for w_r (RFC 5681 §3.1 eq. 4, as every
   * controller here): FlightSize - (FlightSize + the siblings' windows) / 2. Alone: FlightSize / 2.
   */
  protected override reducedWindow(inFlight: number): number {
    if (this.rtt === undefined || this.sum() < 2) return inFlight / 2;
    const siblings = this.total - this.cwnd;
    return (inFlight - siblings) / 2;
  }

  /** Refreshes w_total and returns how many subflows take part. */
  private sum(): number {
    let n = 0;
    this.total = 0;
    for (const m of this.group.members) {
      if (m.rtt === undefined) continue;
      n++;
      this.total += m.window();
    }
    return n;
  }
}

/** A factory of fully coupled controllers sharing `group` (one group per MPTCP connection). */
export function fullyCoupled(group: CoupledGroup<CoupledController> = new CoupledGroup()): CongestionFactory {
  return (init: CongestionInit) => new FullyCoupled(init, group);
}

/**
 * The Kelly-Voice rule (Kelly and Voice 2005; Han et al. 2006), the "Coupled" row of the BALIA
 * draft's comparisons (draft-walid-mptcp-congestion-control §5; Peng et al., ToN 2016). Per ACK of
 * `bytes_acked` on path r in congestion avoidance, with windows w in bytes,
 *
 *   w_r += (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2 * MSS_r * bytes_acked
 *
 * and per loss w_r -= w_r / 2, as Reno. Its equilibrium pools the paths fully (traffic only on the
 * least congested ones, like the fully coupled rule of fully-coupled.ts), but a nearly empty path
 * grows by (w_r / w_total)^2 segments per round trip with equal RTTs, so a path freed of its
 * congestion is taken back slowly: the unresponsiveness OLIA's alpha term (olia.ts, whose first
 * term this is) and BALIA (balia.ts, this rule when alpha_r = 1) were designed to cure, and why the
 * draft measured it the slowest to reconverge. With one subflow it is Reno.
 */
import type { CongestionFactory, CongestionInit } from "../../tcp/congestion/controller.js";
import { CoupledController } from "./coupled.js";
import { CoupledGroup } from "./group.js";

export class KellyVoice extends CoupledController {
  readonly name = "kelly-voice";

  bytesPerSegment(): number {
    const own = this.rtt;
    if (own === undefined) return this.cwnd;
    const rateSum = this.pooledRate();
    if (rateSum === 0) return this.cwnd;
    // The inverse of the growth per byte acknowledged, in segments: the rule above.
    return (own * own * rateSum * rateSum) / this.cwnd;
  }
}

/** A factory of Kelly-Voice controllers coupled through `group` (one group per MPTCP connection). */
export function kellyVoice(group: CoupledGroup<CoupledController> = new CoupledGroup()): CongestionFactory {
  return (init: CongestionInit) => new KellyVoice(init, group);
}

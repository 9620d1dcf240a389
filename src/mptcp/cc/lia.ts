/**
 * LIA, the Linked Increases Algorithm of RFC 6356 (Wischik et al., NSDI 2011). Per ACK of
 * `bytes_acked` on subflow i in congestion avoidance (§3):
 *
 *   cwnd_i += min(alpha * bytes_acked * MSS_i / cwnd_total, bytes_acked * MSS_i / cwnd_i)
 *   alpha   = cwnd_total * max_i(cwnd_i / rtt_i^2) / (sum_i cwnd_i / rtt_i)^2
 *
 * The first term makes the connection as a whole take no more than a single TCP on its best path
 * (goals 1 and 3 of §2); the second caps each subflow at what a TCP on that path would take
 * (goal 2). Slow start and the reaction to loss are Reno's, per subflow.
 */
import type { CongestionFactory, CongestionInit } from "../../tcp/congestion/controller.js";
import { CoupledController } from "./coupled.js";
import { CoupledGroup } from "./group.js";

export class Lia extends CoupledController {
  readonly name = "lia";
  // Sums over the group, refreshed by `sum()` (fields rather than an object: this runs per ACK).
  private total = 0;
  private rateSum = 0;
  private best = 0;

  /** RFC 6356 §3 alpha over the subflows that carry data; 1 with a single subflow. */
  alpha(): number {
    return this.sum() < 2 ? 1 : (this.total * this.best) / (this.rateSum * this.rateSum);
  }

  bytesPerSegment(): number {
    if (this.rtt === undefined || this.sum() < 2) return this.cwnd;
    // The coupled term in bytes per segment: cwnd_total / alpha = (sum cwnd/rtt)^2 / max(cwnd/rtt^2).
    return Math.max(this.cwnd, (this.rateSum * this.rateSum) / this.best);
  }

  /** Refreshes the sums and returns how many subflows take part. */
  private sum(): number {
    let n = 0;
    this.total = 0;
    this.rateSum = 0;
    this.best = 0;
    for (const m of this.group.members) {
      const rtt = m.rtt;
      if (rtt === undefined) continue;
      const w = m.window();
      n++;
      this.total += w;
      this.rateSum += w / rtt;
      this.best = Math.max(this.best, w / (rtt * rtt));
    }
    return n;
  }
}

/** A factory of LIA controllers coupled through `group` (one group per MPTCP connection). */
export function lia(group: CoupledGroup<CoupledController> = new CoupledGroup()): CongestionFactory {
  return (init: CongestionInit) => new Lia(init, group);
}

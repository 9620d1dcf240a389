/**
 * OLIA, the Opportunistic Linked Increases Algorithm (Khalili, Gast, Popovic, Le Boudec,
 * CoNEXT 2012; draft-khalili-mptcp-congestion-control). Per ACK of `bytes_acked` on path r in
 * congestion avoidance, with windows w in bytes:
 *
 *   w_r += ( (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2 + alpha_r / w_r ) * MSS_r * bytes_acked
 *
 * The first term is the Kelly-Voice rule (kelly-voice.ts: LIA's increase with the path's own
 * w_r / rtt_r^2 where LIA takes the largest, and without its per-path cap); alpha_r moves window
 * from the paths with the largest windows (M) to the paths that look best but are not among them
 * (B \ M):
 *
 *   alpha_r =  1 / (n * |B \ M|)   for r in B \ M
 *   alpha_r = -1 / (n * |M|)       for r in M, when B \ M is not empty
 *   alpha_r =  0                   otherwise
 *
 * B holds the paths that maximise l_r / rtt_r^2, where l_r is the larger of the bytes carried
 * between the last two losses and since the last one: with l_r ~ 1/p_r this is the square of the
 * rate sqrt(2/p_r) / rtt_r a TCP would get on the path, the quantity the paper ranks paths by
 * (and the authors' Linux implementation compares). A negative alpha can shrink a window in
 * congestion avoidance; it never goes below 1 MSS. Loss halves the window as Reno does, down to
 * 2 MSS as the authors' Linux module keeps it (Reno's ssthresh, the default floor "linux"); the
 * draft's text lowers that to 1 MSS with more than one path in use (floor "draft",
 * multipath-research.md §8), where a path left with one segment in flight waits for the
 * receiver's delayed ACK each round trip and can stay there (docs/multipath.md).
 */
import type { CongestionFactory, CongestionInit, RttSnapshot } from "../../tcp/congestion/controller.js";
import { CoupledController, type CongestionFloor } from "./coupled.js";
import { CoupledGroup } from "./group.js";

export class Olia extends CoupledController {
  readonly name = "olia";
  declare protected readonly group: CoupledGroup<Olia>;
  /**
   * Bytes acknowledged between the last two congestion events (l1_r), those acknowledged in fast
   * recovery included (`onRecoveryAck`), as the paper (bytes transmitted between losses) and the
   * authors' module (the progress of snd_una) count them.
   */
  private betweenLosses = 0;
  /** Bytes acknowledged since the last congestion event (l2_r). */
  private sinceLoss = 0;

  constructor(
    init: CongestionInit,
    group: CoupledGroup<Olia>,
    private readonly floor: CongestionFloor = "linux",
  ) {
    super(init, group);
  }

  /** l_r = max(l1_r, l2_r) in bytes. */
  get interLoss(): number {
    return Math.max(this.betweenLosses, this.sinceLoss);
  }

  override onAck(now: number, bytes: number, rtt: RttSnapshot, inFlight: number, appLimited: boolean): void {
    this.sinceLoss += bytes;
    super.onAck(now, bytes, rtt, inFlight, appLimited);
  }

  /** Data delivered during fast recovery counts toward l_r too (as the authors' module counts it). */
  onRecoveryAck(bytes: number): void {
    this.sinceLoss += bytes;
  }

  /** alpha_r of this path over the subflows that carry data (0 alone). */
  alpha(): number {
    const own = this.rtt;
    if (own === undefined) return 0;
    let n = 0;
    let maxW = 0;
    let bestQ = 0;
    for (const m of this.group.members) {
      const rtt = m.rtt;
      if (rtt === undefined) continue;
      n++;
      maxW = Math.max(maxW, m.window());
      bestQ = Math.max(bestQ, quality(m.interLoss, rtt));
    }
    if (n < 2) return 0;
    let inM = 0;
    let collected = 0;
    for (const m of this.group.members) {
      const rtt = m.rtt;
      if (rtt === undefined) continue;
      if (m.window() === maxW) inM++;
      else if (quality(m.interLoss, rtt) === bestQ) collected++;
    }
    if (collected === 0) return 0;
    if (this.cwnd === maxW) return -1 / (n * inM);
    return quality(this.interLoss, own) === bestQ ? 1 / (n * collected) : 0;
  }

  bytesPerSegment(): number {
    const own = this.rtt;
    if (own === undefined) return this.cwnd;
    const rateSum = this.pooledRate();
    if (rateSum === 0) return this.cwnd;
    // Growth per byte acknowledged, in segments: the bracket of the rule above.
    const perByte = this.cwnd / (own * own) / (rateSum * rateSum) + this.alpha() / this.cwnd;
    return 1 / perByte;
  }

  protected override minSsthresh(): number {
    if (this.floor === "linux") return 2 * this.mss;
    let n = 0;
    for (const m of this.group.members) if (m.rtt !== undefined) n++;
    return n < 2 ? 2 * this.mss : this.mss;
  }

  protected override onLoss(): void {
    if (this.sinceLoss > 0) {
      this.betweenLosses = this.sinceLoss;
      this.sinceLoss = 0;
    }
  }
}

/** How good a path looks to OLIA: l_r / rtt_r^2. */
function quality(interLoss: number, rtt: number): number {
  return interLoss / (rtt * rtt);
}

/** A factory of OLIA controllers coupled through `group` (one group per MPTCP connection). */
export function olia(group: CoupledGroup<Olia> = new CoupledGroup(), floor: CongestionFloor = "linux"): CongestionFactory {
  return (init: CongestionInit) => new Olia(init, group, floor);
}

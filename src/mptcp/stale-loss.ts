/**
 * Stale subflows as Linux decides them (net/mptcp/pm.c `mptcp_pm_subflow_chk_stale`, the path
 * manager's `subflow_chk_stale`, sysctl `net.mptcp.stale_loss_cnt`): a subflow is stale after
 * more than `stale_loss_cnt` expiries of the connection-level retransmission timer (data-rtx.ts)
 * during which it held data and heard nothing from the peer, provided another usable subflow has
 * fewer than `max(stale_loss_cnt - 1, 1)` such expiries. A stale subflow takes no new data; it
 * recovers as soon as the peer is heard on it again (Linux `mptcp_subflow_active`).
 *
 * "Heard" is Linux's `rcv_tstamp`, the time of the last acceptable ACK (tcp_ack). Here it is the
 * count of segments received on the subflow: any segment from the peer moves it, a duplicate ACK
 * included, as a duplicate ACK moves `rcv_tstamp`. A lossy path that still returns ACKs is
 * therefore never stale; only a silent one is.
 */

/** Linux's default `net.mptcp.stale_loss_cnt`. */
export const DEFAULT_STALE_LOSS_COUNT = 4;

/** What one expiry of the connection-level timer did to a subflow holding data. */
export type StaleIntervalVerdict =
  /** The first interval without progress: counting starts from what was heard until now. */
  | "first"
  /** Another interval with nothing heard since counting started. */
  | "counted"
  /** Something was heard: the count restarts (the subflow was not stale). */
  | "progress"
  /** Something was heard on a stale subflow: it is usable again (MPTcpExt SubflowRecover). */
  | "recovered";

/** Per subflow: Linux's `stale_count`, `stale_rcv_tstamp` and `stale` flag. */
export class StaleLoss {
  /** Expiries of the connection-level timer without progress (Linux `stale_count`, at most 255). */
  count = 0;
  /** Takes no new data while another subflow can. */
  stale = false;
  /** What had been heard when counting started (Linux `stale_rcv_tstamp`). */
  private heardAtFirst = 0;

  /**
   * One expiry of the connection-level timer while the subflow holds data; `heard` is how much
   * has been heard on it so far (segments received).
   */
  interval(heard: number): StaleIntervalVerdict {
    if (this.count === 0) {
      this.heardAtFirst = heard;
      this.count = 1;
      return "first";
    }
    if (heard === this.heardAtFirst) {
      if (this.count < 255) this.count++;
      return "counted";
    }
    this.count = 0;
    return this.setActive() ? "recovered" : "progress";
  }

  /**
   * Before the scheduler offers it data (Linux `mptcp_subflow_active`): a stale subflow heard
   * from since counting started is usable again. Returns whether it recovered now.
   */
  recover(heard: number): boolean {
    return this.stale && heard !== this.heardAtFirst && this.setActive();
  }

  /** Whether the subflow takes data (not stale, or stale and heard from since). */
  active(heard: number): boolean {
    return !this.stale || heard !== this.heardAtFirst;
  }

  private setActive(): boolean {
    if (!this.stale) return false;
    this.stale = false;
    return true;
  }
}

/**
 * Linux `mptcp_pm_nl_subflow_chk_stale`: whether a subflow that holds data and has just counted
 * an interval without progress becomes stale. `others` are the counts of the other usable
 * subflows (not stale, or heard from since). `staleLossCount` 0 never marks a subflow stale.
 */
export function becomesStale(self: { readonly count: number; readonly stale: boolean }, others: Iterable<number>, staleLossCount: number): boolean {
  if (self.stale || staleLossCount === 0 || self.count <= staleLossCount) return false;
  // An alternative that is not in a loss state itself (Linux `active_max_loss_cnt`).
  const activeMax = Math.max(staleLossCount - 1, 1);
  for (const c of others) if (c < activeMax) return true;
  return false;
}

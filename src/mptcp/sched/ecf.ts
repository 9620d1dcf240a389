/**
 * ECF, Earliest Completion First (Lim, Nahum, Towsley, Gibbens, "ECF: An MPTCP Path Scheduler
 * to Manage Heterogeneous Paths", CoNEXT 2017).
 *
 * When the fastest subflow x_f has no room and the lowest-RTT subflow with room is a slower x_s,
 * ECF compares when the k bytes waiting would be done. On x_f they take n = 1 + k / CWND_f of its
 * round trips once its window frees up; on x_s at least one of its RTTs. With
 * delta = max(RTTVAR_f, RTTVAR_s) and the hysteresis beta = 0.25 of the paper:
 *
 *   if n * RTT_f < (1 + waiting * beta) * (RTT_s + delta):
 *     if (k / CWND_s) * RTT_s >= 2 * RTT_f + delta:  wait for x_f (waiting = 1, send nothing)
 *     else:                                          send on x_s
 *   else:                                            send on x_s (waiting = 0)
 *
 * The second test keeps x_s in use when what it would carry is done before x_f could carry it
 * after two of its own RTTs, so waiting only happens when it saves time. Without the figures it
 * needs (a context, RTTs, both windows) it picks as lowest-RTT.
 */
import type { Scheduler, SchedulerContext, SchedulerPath } from "./scheduler.js";
import { fastOrCandidate } from "./paths.js";

/** The paper's hysteresis for leaving the waiting state. */
const BETA = 0.25;

export class EcfScheduler implements Scheduler {
  private waitingValue = false;

  /** Whether the last decision was to wait for the fastest subflow. */
  get waiting(): boolean {
    return this.waitingValue;
  }

  pick<P extends SchedulerPath>(paths: readonly P[], context?: SchedulerContext): P | undefined {
    const c = fastOrCandidate(paths, context);
    if ("pick" in c) return c.pick;
    const { fast, slow } = c;
    if (fast.srtt === undefined || slow.srtt === undefined || fast.cwnd === undefined || slow.cwnd === undefined) return slow;
    const k = c.context.unsent;
    const n = 1 + k / fast.cwnd;
    const delta = Math.max(fast.rttvar ?? 0, slow.rttvar ?? 0);
    if (n * fast.srtt < (1 + (this.waitingValue ? BETA : 0)) * (slow.srtt + delta)) {
      if ((k / slow.cwnd) * slow.srtt >= 2 * fast.srtt + delta) {
        this.waitingValue = true;
        return undefined;
      }
      return slow;
    }
    this.waitingValue = false;
    return slow;
  }
}

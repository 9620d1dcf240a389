/**
 * The default scheduler (DESIGN.md §5, like Linux's `mptcp_subflow_get_send`): the subflow with
 * the lowest smoothed RTT among those with congestion-window room; backup subflows only when no
 * other subflow is usable at all, whatever its room (RFC 8684 §3.3.8). `paths` are the usable
 * subflows. A subflow without an RTT sample yet counts
 * as slower than any measured one, so that a fresh join does not take the data of a known path.
 */
import type { Scheduler, SchedulerPath } from "./scheduler.js";
import { fastest, onlyBackups } from "./paths.js";

export class LowestRttScheduler implements Scheduler {
  pick<P extends SchedulerPath>(paths: readonly P[]): P | undefined {
    return fastest(paths, onlyBackups(paths), true);
  }
}

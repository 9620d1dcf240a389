/**
 * Redundant: every chunk on every usable subflow with room, for the lowest latency and for
 * resilience to the loss of a path at the cost of capacity (like Linux's out-of-tree `redundant`
 * scheduler). `pick` is the primary copy, the lowest-RTT path with room; `pickAll` adds every
 * other eligible path with room, and the pump copies the chunk onto each as far as its room
 * allows (scheduler.ts, step 3). RFC 8684 §3.3.6 allows the same data on several subflows, and
 * the receiver keeps one copy at the data level. Backups join only when every subflow is a
 * backup (RFC 8684 §3.3.8).
 */
import type { Scheduler, SchedulerPath } from "./scheduler.js";
import { eligible, fastest, onlyBackups } from "./paths.js";

export class RedundantScheduler implements Scheduler {
  pick<P extends SchedulerPath>(paths: readonly P[]): P | undefined {
    return fastest(paths, onlyBackups(paths), true);
  }

  pickAll<P extends SchedulerPath>(paths: readonly P[], out: P[]): P[] {
    out.length = 0;
    const backups = onlyBackups(paths);
    const primary = fastest(paths, backups, true);
    if (primary === undefined) return out;
    out.push(primary);
    for (const p of paths) {
      if (p !== primary && eligible(p, backups) && p.room > 0) out.push(p);
    }
    return out;
  }
}

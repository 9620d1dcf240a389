/**
 * Round-robin: each chunk goes to the next subflow with room, in the order of their `id` (the
 * position in `paths` when there is none), skipping full ones; backups only when every subflow
 * is one (RFC 8684 §3.3.8). Like Linux's out-of-tree `roundrobin` scheduler, it ignores RTTs,
 * which makes it a baseline for schedulers that do not, and a way to spread load evenly in tests.
 * The turn advances when `pick` returns a path.
 */
import type { Scheduler, SchedulerPath } from "./scheduler.js";
import { eligible, onlyBackups } from "./paths.js";

export class RoundRobinScheduler implements Scheduler {
  /** The id of the path picked last. */
  private last: number | undefined;

  pick<P extends SchedulerPath>(paths: readonly P[]): P | undefined {
    const backups = onlyBackups(paths);
    let first: P | undefined;
    let firstKey = 0;
    let next: P | undefined;
    let nextKey = 0;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!;
      if (!eligible(p, backups) || p.room <= 0) continue;
      const key = p.id ?? i;
      if (first === undefined || key < firstKey) {
        first = p;
        firstKey = key;
      }
      if (this.last !== undefined && key > this.last && (next === undefined || key < nextKey)) {
        next = p;
        nextKey = key;
      }
    }
    if (next !== undefined) {
      this.last = nextKey;
      return next;
    }
    if (first !== undefined) this.last = firstKey;
    return first;
  }
}

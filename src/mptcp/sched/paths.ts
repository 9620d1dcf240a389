/**
 * Choices every scheduler shares. RFC 8684 §3.3.8: a backup subflow takes data only when no
 * regular subflow is usable, so a scheduler looks at backups only when every path is one. A path
 * without an RTT sample counts as slower than any measured path, so that a fresh join does not
 * take the data of a known one.
 */
import type { SchedulerPath } from "./scheduler.js";

/** Whether `p` is in the class of paths a scheduler may use now (regular ones, else backups). */
export function eligible(p: SchedulerPath, backupsOnly: boolean): boolean {
  return p.backup === backupsOnly;
}

/** True when every path is a backup: only then are backups used. */
export function onlyBackups(paths: readonly SchedulerPath[]): boolean {
  for (const p of paths) if (!p.backup) return false;
  return true;
}

/** The smoothed RTT for comparisons, an unmeasured path counting as the slowest. */
export function rttOf(p: SchedulerPath): number {
  return p.srtt ?? Number.POSITIVE_INFINITY;
}

/** The eligible path with the lowest RTT, with room when `needRoom`; ties go to the first. */
export function fastest<P extends SchedulerPath>(paths: readonly P[], backupsOnly: boolean, needRoom: boolean): P | undefined {
  let best: P | undefined;
  for (const p of paths) {
    if (!eligible(p, backupsOnly) || (needRoom && p.room <= 0)) continue;
    if (best === undefined || rttOf(p) < rttOf(best)) best = p;
  }
  return best;
}

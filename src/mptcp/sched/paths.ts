/**
 * Choices every scheduler shares. RFC 8684 §3.3.8: a backup subflow takes data only when no
 * regular subflow is usable, so a scheduler looks at backups only when every path is one. A path
 * without an RTT sample counts as slower than any measured path, so that a fresh join does not
 * take the data of a known one.
 */
import type { SchedulerContext, SchedulerPath } from "./scheduler.js";

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

/**
 * Where BLEST and ECF start: while the fastest usable subflow has room (or none is usable) it is
 * the answer (`pick`); otherwise the fastest subflow with room, `slow`, is the candidate the
 * scheduler may decline in order to wait for `fast`. Without a connection context, or without a
 * candidate, the answer is the candidate (or none).
 */
export function fastOrCandidate<P extends SchedulerPath>(
  paths: readonly P[],
  context: SchedulerContext | undefined,
): { pick: P | undefined } | { fast: P; slow: P; context: SchedulerContext } {
  const backups = onlyBackups(paths);
  const fast = fastest(paths, backups, false);
  if (fast === undefined || fast.room > 0) return { pick: fast };
  const slow = fastest(paths, backups, true);
  if (slow === undefined || context === undefined) return { pick: slow };
  return { fast, slow, context };
}

/** Redundant scheduling (src/mptcp/sched/redundant.ts; RFC 8684 §3.3.6, §3.3.8). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { RedundantScheduler } from "../../src/mptcp/sched/redundant.js";
import type { SchedulerPath } from "../../src/mptcp/sched/scheduler.js";

interface P extends SchedulerPath {
  name: string;
}

const path = (name: string, room: number, srtt: number | undefined, backup = false): P => ({ name, room, srtt, backup });
const names = (ps: readonly P[]): string[] => ps.map((p) => p.name);

describe("RedundantScheduler", () => {
  const s = new RedundantScheduler();

  test("the primary copy goes on the lowest-RTT subflow with room", () => {
    assert.equal(s.pick([path("slow", 1000, 80_000), path("fast", 1000, 10_000)])?.name, "fast");
    assert.equal(s.pick([path("slow", 1000, 80_000), path("fast", 0, 10_000)])?.name, "slow");
  });

  test("pickAll: the primary first, then every other subflow with room, in list order", () => {
    const paths = [path("a", 1000, 50_000), path("b", 1000, 10_000), path("full", 0, 5_000), path("c", 500, undefined)];
    assert.deepEqual(names(s.pickAll(paths, [])), ["b", "a", "c"]);
  });

  test("pickAll reuses the array it is given", () => {
    const out: P[] = [path("stale", 1, 1)];
    const got = s.pickAll([path("a", 1000, 10_000)], out);
    assert.equal(got, out);
    assert.deepEqual(names(got), ["a"]);
  });

  test("backups get no copy while a regular subflow exists (§3.3.8)", () => {
    const paths = [path("main", 1000, 40_000), path("backup", 1000, 10_000, true)];
    assert.deepEqual(names(s.pickAll(paths, [])), ["main"]);
    assert.deepEqual(names(s.pickAll([path("main", 0, 40_000), path("backup", 1000, 10_000, true)], [])), []);
  });

  test("when every subflow is a backup, every backup with room gets a copy", () => {
    const paths = [path("b1", 1000, 40_000, true), path("b2", 1000, 10_000, true)];
    assert.deepEqual(names(s.pickAll(paths, [])), ["b2", "b1"]);
  });

  test("nothing to pick: empty", () => {
    assert.deepEqual(s.pickAll([], []), []);
    assert.equal(s.pick([path("a", 0, 1)]), undefined);
  });
});

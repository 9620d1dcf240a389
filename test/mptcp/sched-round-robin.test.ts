/** Round-robin scheduling (src/mptcp/sched/round-robin.ts; RFC 8684 §3.3.8 for backups). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { RoundRobinScheduler } from "../../src/mptcp/sched/round-robin.js";
import type { SchedulerPath } from "../../src/mptcp/sched/scheduler.js";

interface P extends SchedulerPath {
  name: string;
}

const path = (name: string, room: number, opts: { id?: number; backup?: boolean; srtt?: number } = {}): P => ({
  name,
  room,
  srtt: opts.srtt ?? 10_000,
  backup: opts.backup ?? false,
  ...(opts.id === undefined ? {} : { id: opts.id }),
});

/** The names of `rounds` successive picks over the same paths. */
function turns(paths: P[], rounds: number, s = new RoundRobinScheduler()): (string | undefined)[] {
  return Array.from({ length: rounds }, () => s.pick(paths)?.name);
}

describe("RoundRobinScheduler", () => {
  test("takes turns in id order whatever the RTTs", () => {
    const paths = [path("a", 1000, { id: 0, srtt: 90_000 }), path("b", 1000, { id: 1, srtt: 1_000 }), path("c", 1000, { id: 2 })];
    assert.deepEqual(turns(paths, 7), ["a", "b", "c", "a", "b", "c", "a"]);
  });

  test("skips a subflow without room", () => {
    const paths = [path("a", 1000, { id: 0 }), path("b", 0, { id: 1 }), path("c", 1000, { id: 2 })];
    assert.deepEqual(turns(paths, 4), ["a", "c", "a", "c"]);
  });

  test("orders by id, not by position in the list", () => {
    const paths = [path("five", 1000, { id: 5 }), path("one", 1000, { id: 1 }), path("three", 1000, { id: 3 })];
    assert.deepEqual(turns(paths, 4), ["one", "three", "five", "one"]);
  });

  test("without ids, the position in the list is the order", () => {
    const paths = [path("x", 1000), path("y", 1000)];
    assert.deepEqual(turns(paths, 3), ["x", "y", "x"]);
  });

  test("a subflow that went away: the turn passes to the next id, wrapping round", () => {
    const s = new RoundRobinScheduler();
    assert.deepEqual(turns([path("a", 1, { id: 0 }), path("b", 1, { id: 1 }), path("c", 1, { id: 2 })], 3, s), ["a", "b", "c"]);
    assert.deepEqual(turns([path("a", 1, { id: 0 }), path("b", 1, { id: 1 })], 2, s), ["a", "b"]);
    assert.deepEqual(turns([path("a", 1, { id: 0 }), path("d", 1, { id: 7 })], 2, s), ["d", "a"]);
  });

  test("a backup with room is not used while a regular subflow exists, even a full one (§3.3.8)", () => {
    assert.deepEqual(turns([path("main", 0, { id: 0 }), path("backup", 1000, { id: 1, backup: true })], 2), [undefined, undefined]);
  });

  test("when every subflow is a backup, the backups take turns", () => {
    const paths = [path("b1", 1000, { id: 0, backup: true }), path("b2", 1000, { id: 1, backup: true })];
    assert.deepEqual(turns(paths, 3), ["b1", "b2", "b1"]);
  });

  test("nothing to pick: no paths, or all full", () => {
    assert.equal(new RoundRobinScheduler().pick([]), undefined);
    assert.deepEqual(turns([path("a", 0, { id: 0 }), path("b", 0, { id: 1 })], 2), [undefined, undefined]);
  });
});

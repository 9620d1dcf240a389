/**
 * The default scheduler (DESIGN.md §5; RFC 8684 §3.3.8 for backup subflows).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { LowestRttScheduler } from "../../src/mptcp/sched/lowest-rtt.js";
import type { SchedulerPath } from "../../src/mptcp/sched/scheduler.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

interface P extends SchedulerPath {
  name: string;
}

const path = (name: string, room: number, srtt: number | undefined, backup = false): P => ({ name, room, srtt, backup });
const pick = (paths: P[]): string | undefined => new LowestRttScheduler().pick(paths)?.name;

describe("LowestRttScheduler", () => {
  test("the lowest smoothed RTT among the subflows with room", () => {
    assert.equal(pick([path("a", 3000, 40_000), path("b", 3000, 20_000)]), "b");
    assert.equal(pick([path("a", 3000, 40_000), path("b", 0, 20_000)]), "a");
    assert.equal(pick([path("a", 0, 40_000), path("b", 0, 20_000)]), undefined);
    assert.equal(pick([]), undefined);
  });

  test("a subflow without an RTT sample comes after measured ones", () => {
    assert.equal(pick([path("new", 3000, undefined), path("old", 3000, 90_000)]), "old");
    assert.equal(pick([path("new", 3000, undefined)]), "new");
  });

  test("backup subflows only when no other subflow is usable, whatever its room (§3.3.8)", () => {
    assert.equal(pick([path("main", 0, 90_000), path("backup", 3000, 1_000, true)]), undefined);
    assert.equal(pick([path("backup", 3000, 30_000, true), path("backup2", 3000, 10_000, true)]), "backup2");
  });

  test("the pick always has room and is never a backup while a regular subflow exists", () => {
    const arb = fc.array(
      fc.record({ room: fc.integer({ min: 0, max: 5 }), srtt: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }), backup: fc.boolean() }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const paths = specs.map((s, i) => path(String(i), s.room, s.srtt, s.backup));
        const p = new LowestRttScheduler().pick(paths);
        if (p === undefined) return;
        assert.ok(p.room > 0);
        if (paths.some((q) => !q.backup)) assert.equal(p.backup, false);
        for (const q of paths) {
          if (q.room > 0 && q.backup === p.backup) assert.ok((p.srtt ?? Infinity) <= (q.srtt ?? Infinity));
        }
      }),
    );
  });
});

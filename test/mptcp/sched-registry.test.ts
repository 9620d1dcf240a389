/** Schedulers by name, and what every scheduler guarantees whatever the paths look like. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SCHEDULER_NAMES, isSchedulerName, schedulerByName } from "../../src/mptcp/sched/registry.js";
import { LowestRttScheduler } from "../../src/mptcp/sched/lowest-rtt.js";
import { RoundRobinScheduler } from "../../src/mptcp/sched/round-robin.js";
import { RedundantScheduler } from "../../src/mptcp/sched/redundant.js";
import { BlestScheduler } from "../../src/mptcp/sched/blest.js";
import { EcfScheduler } from "../../src/mptcp/sched/ecf.js";
import type { SchedulerPath } from "../../src/mptcp/sched/scheduler.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

describe("schedulerByName", () => {
  test("each name builds its scheduler, a new one per call", () => {
    const expected = {
      "lowest-rtt": LowestRttScheduler,
      "round-robin": RoundRobinScheduler,
      redundant: RedundantScheduler,
      blest: BlestScheduler,
      ecf: EcfScheduler,
    };
    assert.deepEqual([...SCHEDULER_NAMES].sort(), Object.keys(expected).sort());
    for (const name of SCHEDULER_NAMES) {
      assert.ok(schedulerByName(name) instanceof expected[name], name);
      assert.notEqual(schedulerByName(name), schedulerByName(name));
    }
  });

  test("an unknown name gives undefined", () => {
    assert.equal(schedulerByName("minrtt"), undefined);
    assert.equal(isSchedulerName("minrtt"), false);
    assert.equal(isSchedulerName("blest"), true);
  });

  test("only redundant copies chunks (pickAll)", () => {
    for (const name of SCHEDULER_NAMES) assert.equal(schedulerByName(name).pickAll !== undefined, name === "redundant", name);
  });
});

describe("every scheduler", () => {
  const pathArb = fc.record({
    room: fc.integer({ min: 0, max: 3 }).map((r) => r * 1000),
    srtt: fc.option(fc.integer({ min: 1000, max: 300_000 }), { nil: undefined }),
    backup: fc.boolean(),
    cwnd: fc.integer({ min: 2, max: 100 }).map((s) => s * 1000),
    inFlight: fc.integer({ min: 0, max: 100_000 }),
    mss: fc.constant(1000),
    rttvar: fc.integer({ min: 0, max: 50_000 }),
  });
  const contextArb = fc.option(fc.record({ sendWindow: fc.integer({ min: 0, max: 1_000_000 }), unsent: fc.integer({ min: 0, max: 1_000_000 }) }), { nil: undefined });

  test("picks a subflow with room, never a backup while a regular one exists; BLEST and ECF only ever veto lowest-RTT", () => {
    fc.assert(
      fc.property(fc.array(pathArb, { maxLength: 5 }), contextArb, fc.integer({ min: 1, max: 4 }), (paths, context, calls) => {
        const ps: SchedulerPath[] = paths.map((p, id) => ({ ...p, id }));
        const lowest = new LowestRttScheduler().pick(ps);
        for (const name of SCHEDULER_NAMES) {
          const s = schedulerByName(name);
          for (let i = 0; i < calls; i++) {
            const p = s.pick(ps, context);
            if (p === undefined) continue;
            assert.ok(p.room > 0, name);
            if (ps.some((q) => !q.backup)) assert.equal(p.backup, false, name);
            if (name === "blest" || name === "ecf" || name === "redundant") assert.equal(p, lowest, name);
          }
        }
      }),
    );
  });
});

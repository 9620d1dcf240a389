/**
 * Tail reinjection (sched/reinject.ts): what the fastest subflow with room carries again of what
 * a slower one holds.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tailReinjection } from "../../src/mptcp/sched/reinject.js";
import type { TailPath } from "../../src/mptcp/sched/reinject.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

interface P extends TailPath {
  name: string;
}

const path = (name: string, srtt: number, cwnd: number, inFlight: number, room: number, outstanding: Array<[number, number]>, backup = false): P => ({ name, srtt, cwnd, inFlight, room, outstanding, backup });

describe("tailReinjection", () => {
  test("the fast subflow takes the slow one's bytes beyond what it would deliver within a fast RTT", () => {
    // 3G: 300 ms, 30 KB window, 60 KB unacknowledged (DSN 1000..61000), all still in its TCP.
    // It drains 0.1 B/µs; within WiFi's 40 ms it delivers 4000 bytes: those stay with it.
    const slow = path("3g", 300_000, 30_000, 60_000, 0, [[1000, 61_000]]);
    const fast = path("wifi", 40_000, 100_000, 0, 200_000, []);
    const d = tailReinjection([fast, slow]);
    assert.equal(d?.on.name, "wifi");
    assert.deepEqual(d?.reinject, [[5000, 61_000]]);
  });

  test("bytes the slow subflow delivered already (waiting for a hole elsewhere) are not sent again", () => {
    // 60 KB outstanding at the data level, of which its TCP holds only the last 20 KB.
    const slow = path("3g", 300_000, 30_000, 20_000, 0, [[1000, 61_000]]);
    const fast = path("wifi", 40_000, 100_000, 0, 200_000, []);
    assert.deepEqual(tailReinjection([fast, slow])?.reinject, [[45_000, 61_000]]);
  });

  test("at most the fast subflow's room, oldest first; nothing it already carries", () => {
    const slow = path("3g", 300_000, 30_000, 60_000, 0, [[1000, 31_000], [41_000, 71_000]]);
    const fast = path("wifi", 40_000, 100_000, 0, 10_000, [[20_000, 25_000]]);
    assert.deepEqual(tailReinjection([fast, slow])?.reinject, [[5000, 15_000]]);
    const wide = path("wifi", 40_000, 100_000, 0, 100_000, [[20_000, 25_000]]);
    assert.deepEqual(tailReinjection([wide, slow])?.reinject, [[5000, 20_000], [25_000, 31_000], [41_000, 71_000]]);
  });

  test("nothing when no faster subflow has room, or nothing is worth it", () => {
    const slow = path("3g", 300_000, 30_000, 60_000, 0, [[1000, 61_000]]);
    assert.equal(tailReinjection([path("wifi", 40_000, 100_000, 0, 0, []), slow]), undefined);
    assert.equal(tailReinjection([slow]), undefined);
    // The slow subflow delivers all it holds within the fast one's RTT.
    const nearly = path("3g", 300_000, 30_000, 3000, 0, [[1000, 4000]]);
    assert.equal(tailReinjection([path("wifi", 40_000, 100_000, 0, 100_000, []), nearly]), undefined);
  });

  test("backups carry it only when every subflow is one (RFC 8684 §3.3.8)", () => {
    const slow = path("3g", 300_000, 30_000, 60_000, 0, [[1000, 61_000]]);
    assert.equal(tailReinjection([path("wifi", 40_000, 100_000, 0, 100_000, [], true), slow]), undefined);
  });

  test("the ranges are inside what the slower subflows hold, disjoint from the fast one's, within its room", () => {
    const range = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 20_000 })).map(([s, n]): [number, number] => [s, s + n]);
    fc.assert(
      fc.property(fc.array(range, { maxLength: 4 }), fc.array(range, { maxLength: 3 }), fc.integer({ min: 0, max: 80_000 }), fc.integer({ min: 0, max: 80_000 }), (held, onFast, inFlight, room) => {
        const slow = path("3g", 300_000, 30_000, inFlight, 0, held);
        const fast = path("wifi", 40_000, 100_000, 0, room, onFast);
        const d = tailReinjection([fast, slow]);
        if (d === undefined) return;
        let total = 0;
        for (const [a, b] of d.reinject) {
          assert.ok(a < b);
          total += b - a;
          assert.ok(held.some(([s, e]) => s <= a && b <= e));
          assert.ok(!onFast.some(([s, e]) => a < e && s < b));
        }
        assert.ok(total <= room);
      }),
    );
  });
});

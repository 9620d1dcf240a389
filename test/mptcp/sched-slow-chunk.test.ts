/**
 * What the default scheduler gives a slower subflow at a time (sched/arrival.ts `slowChunk`,
 * LowestRttScheduler.chunkFor): what its congestion window sends now, not the window of backlog
 * the fastest subflow gets; the arrival rule prices exactly that chunk (sched-arrival.test.ts).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { slowChunk } from "../../src/mptcp/sched/arrival.js";
import type { MeasuredPath } from "../../src/mptcp/sched/arrival.js";
import { LowestRttScheduler } from "../../src/mptcp/sched/lowest-rtt.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

interface P extends MeasuredPath {
  name: string;
}

const MSS = 1420;
const path = (name: string, srtt: number, cwnd: number, inFlight: number, room: number): P => ({ name, srtt, cwnd, inFlight, room, backup: false, mss: MSS });

describe("slowChunk: whole segments of the congestion window's free part, at least one, at most the room", () => {
  for (const [cwnd, inFlight, room, chunk] of [
    [14_480, 0, 28_400, 14_200], // ten segments of a window, not the twenty of its room
    [14_480, 2_840, 28_400, 11_360], // what is left of the window: eight segments
    [14_480, 14_480, 14_480, 1_420], // a full window: one segment (priced as a round more)
    [14_480, 20_000, 8_960, 1_420],
    [100_000, 0, 5_680, 5_680], // never more than the room
  ] as const) {
    test(`cwnd ${cwnd}, ${inFlight} in flight, room ${room}: ${chunk}`, () => {
      assert.equal(slowChunk(path("s", 300_000, cwnd, inFlight, room)), chunk);
    });
  }

  test("without the figures, the room", () => {
    assert.equal(slowChunk({ room: 7_000, srtt: 1, backup: false }), 7_000);
  });

  test("always within [min(room, mss), room] and a multiple of the MSS unless the room", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_420, max: 500_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (cwnd, inFlight, room) => {
        const c = slowChunk(path("s", 1, cwnd, inFlight, room));
        assert.ok(c <= room && c >= Math.min(room, MSS));
        assert.ok(c === room || c % MSS === 0);
      }),
    );
  });
});

describe("LowestRttScheduler.chunkFor", () => {
  const wifi = () => path("wifi", 40_000, 100_000, 50_000, 150_000);
  const g3 = () => path("3g", 300_000, 14_480, 0, 28_400);

  test("the fastest subflow gets its whole room", () => {
    const paths = [g3(), wifi()];
    assert.equal(new LowestRttScheduler().chunkFor(paths[1]!, paths), 150_000);
  });

  test("a slower one what its window sends now", () => {
    const paths = [g3(), wifi()];
    assert.equal(new LowestRttScheduler().chunkFor(paths[0]!, paths), 14_200);
  });

  test("the only subflow, and every subflow with delayAware: false, get their room", () => {
    const only = [g3()];
    assert.equal(new LowestRttScheduler().chunkFor(only[0]!, only), 28_400);
    const paths = [g3(), wifi()];
    assert.equal(new LowestRttScheduler({ delayAware: false }).chunkFor(paths[0]!, paths), 28_400);
  });

  test("a backup is measured against the backups when only backups are usable (§3.3.8)", () => {
    const b1 = { ...g3(), backup: true };
    const b2 = { ...wifi(), backup: true };
    const paths = [b1, b2];
    assert.equal(new LowestRttScheduler().chunkFor(b2, paths), 150_000);
    assert.equal(new LowestRttScheduler().chunkFor(b1, paths), 14_200);
  });
});

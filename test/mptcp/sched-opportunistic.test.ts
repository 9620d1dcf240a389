/**
 * Opportunistic retransmission and penalisation (Raiciu et al., NSDI 2012 §4.2). The base case:
 * the window [0, 64000) is full and 100000 bytes wait; the slow subflow (200 ms) holds the head
 * [0, 32000) and [48000, 64000), the fast one (20 ms) [32000, 48000) and has 20000 bytes of room.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { opportunisticRetransmit } from "../../src/mptcp/sched/opportunistic.js";
import type { OutstandingPath, WindowState } from "../../src/mptcp/sched/opportunistic.js";

interface P extends OutstandingPath {
  name: string;
}

const window = (extra: Partial<WindowState> = {}): WindowState => ({ dataUna: 0, sndNxt: 64_000, windowEdge: 64_000, unsent: 100_000, ...extra });
const slow = (extra: Partial<P> = {}): P => ({
  name: "slow",
  room: 0,
  srtt: 200_000,
  backup: false,
  mss: 1400,
  outstanding: [
    [0, 32_000],
    [48_000, 64_000],
  ],
  ...extra,
});
const fast = (extra: Partial<P> = {}): P => ({ name: "fast", room: 20_000, srtt: 20_000, backup: false, mss: 1400, outstanding: [[32_000, 48_000]], ...extra });

const NOW = 1_000_000;

function decide(w: WindowState, paths: P[], now = NOW) {
  const d = opportunisticRetransmit(w, paths, now);
  return d === undefined ? undefined : { reinject: d.reinject, on: d.on.name, penalise: d.penalise?.name };
}

describe("opportunisticRetransmit", () => {
  const cases: [string, WindowState, P[], ReturnType<typeof decide>][] = [
    ["window full, head on the slow subflow: reinject the head on the fast one, as much as its room, and penalise the slow one", window(), [slow(), fast()], { reinject: [[0, 20_000]], on: "fast", penalise: "slow" }],
    ["a fast subflow with more room than the head range: reinject the whole range", window(), [slow(), fast({ room: 50_000 })], { reinject: [[0, 32_000]], on: "fast", penalise: "slow" }],
    ["the head is data-acked up to 10000: reinject from there", window({ dataUna: 10_000 }), [slow({ outstanding: [[10_000, 32_000]] }), fast()], { reinject: [[10_000, 30_000]], on: "fast", penalise: "slow" }],
    ["the slow subflow was penalised less than its RTT ago: reinject only", window(), [slow({ penalisedAt: NOW - 199_999 }), fast()], { reinject: [[0, 20_000]], on: "fast", penalise: undefined }],
    ["the slow subflow was penalised one RTT ago: penalise again", window(), [slow({ penalisedAt: NOW - 200_000 }), fast()], { reinject: [[0, 20_000]], on: "fast", penalise: "slow" }],
    ["less than a segment of window open: still blocked", window({ windowEdge: 65_399 }), [slow(), fast()], { reinject: [[0, 20_000]], on: "fast", penalise: "slow" }],
    ["a segment of window open: not blocked", window({ windowEdge: 65_400 }), [slow(), fast()], undefined],
    ["less window than a segment, but it holds all the data waiting: not blocked", window({ windowEdge: 64_500, unsent: 500 }), [slow(), fast()], undefined],
    ["nothing waiting to be sent: not blocked", window({ unsent: 0 }), [slow(), fast()], undefined],
    ["the head was already reinjected on the fast subflow: nothing more", window(), [slow(), fast({ outstanding: [[0, 20_000]] })], undefined],
    ["the fast subflow holds the head: no faster subflow to reinject on", window(), [slow({ room: 9000, outstanding: [[32_000, 64_000]] }), fast({ room: 0, outstanding: [[0, 32_000]] })], undefined],
    ["the fast subflow has no room: nothing", window(), [slow(), fast({ room: 0 })], undefined],
    ["a faster backup with room is not used while a regular subflow exists (§3.3.8)", window(), [slow(), fast({ backup: true })], undefined],
    ["no subflow holds the head (it waits for reinjection already): nothing", window(), [slow({ outstanding: [[48_000, 64_000]] }), fast()], undefined],
    ["an unmeasured slow subflow counts as slowest", window(), [slow({ srtt: undefined }), fast()], { reinject: [[0, 20_000]], on: "fast", penalise: "slow" }],
  ];
  for (const [why, w, paths, expected] of cases) {
    test(why, () => {
      assert.deepEqual(decide(w, paths), expected);
    });
  }

  test("of several faster subflows with room, the fastest carries the reinjection", () => {
    const mid = fast({ name: "mid", srtt: 60_000, outstanding: [] });
    assert.deepEqual(decide(window(), [slow(), mid, fast()]), { reinject: [[0, 20_000]], on: "fast", penalise: "slow" });
    assert.deepEqual(decide(window(), [slow(), mid, fast({ room: 0 })]), { reinject: [[0, 20_000]], on: "mid", penalise: "slow" });
  });
});

/**
 * The Kelly-Voice controller (Kelly and Voice 2005; the "Coupled" of the BALIA draft §5). Expected
 * figures are computed here from the rule in segments with equal RTTs: per ACK on r,
 * w_r += w_r / w_total^2; per loss on r, w_r -= w_r / 2, floored at 2 SMSS (RFC 5681 eq. 4).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fullyCoupled, FullyCoupled } from "../../src/mptcp/cc/fully-coupled.js";
import { kellyVoice, KellyVoice } from "../../src/mptcp/cc/kelly-voice.js";
import { congestionFactory, isCongestionKind } from "../../src/mptcp/cc/index.js";
import { acks, inAvoidance, MSS } from "./cc-util.js";

describe("Kelly-Voice", () => {
  test("a subflow grows by w_r / w_total^2 segments per one-segment ACK", () => {
    const [a, b] = inAvoidance<KellyVoice>(kellyVoice(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 10_000 },
    ]);
    // w_total = 30 segments: 20/900 = 1/45 and 10/900 = 1/90 of a segment per ACK.
    assert.equal(a!.bytesPerSegment(), 45_000);
    assert.equal(b!.bytesPerSegment(), 90_000);
    acks(a!, 44, 1000, 10_000);
    assert.equal(a!.window(), 20_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 21_000);
    // Now w_total = 31: b needs 31^2 / 10 = 96.1 ACKs.
    acks(b!, 96, 1000, 10_000);
    assert.equal(b!.window(), 10_000);
    acks(b!, 1, 1000, 10_000);
    assert.equal(b!.window(), 11_000);
  });

  test("RTTs weigh as in OLIA's first term: (w_r / rtt_r^2) / (sum w_p / rtt_p)^2", () => {
    const [a, b] = inAvoidance<KellyVoice>(kellyVoice(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 20_000, srtt: 40_000 },
    ]);
    // Rates 2 and 0.5 bytes/µs: a grows 20000 / 1e8 / 6.25 per byte, b 20000 / 1.6e9 / 6.25.
    assert.equal(a!.bytesPerSegment(), 31_250);
    assert.equal(b!.bytesPerSegment(), 500_000);
  });

  test("a loss halves the subflow that saw it, down to 2 SMSS, whatever its siblings hold", () => {
    const [a, b] = inAvoidance<KellyVoice>(kellyVoice(), [
      { cwnd: 40_000, srtt: 20_000 },
      { cwnd: 3_000, srtt: 20_000 },
    ]);
    a!.onCongestionEvent(100, 100, false, 40_000);
    assert.deepEqual([a!.window(), a!.ssthresh()], [20_000, 20_000]);
    b!.onCongestionEvent(100, 100, false, 3_000);
    assert.deepEqual([b!.window(), b!.ssthresh()], [2_000, 2_000]);
  });

  test("a nearly empty path regains window far more slowly than under the fully coupled rule", () => {
    const specs = [
      { cwnd: 60_000, srtt: 20_000 },
      { cwnd: 2_000, srtt: 20_000 },
    ];
    const [, small] = inAvoidance<KellyVoice>(kellyVoice(), specs);
    const [, smallFc] = inAvoidance<FullyCoupled>(fullyCoupled(), specs);
    // w_total = 62 segments: 62^2 / 2 = 1922 ACKs per segment here, 62 under 1 / w_total.
    assert.equal(small!.bytesPerSegment(), 1_922_000);
    assert.equal(smallFc!.bytesPerSegment(), 62_000);
  });

  test("alone it is Reno: one segment per window acknowledged", () => {
    const [a] = inAvoidance<KellyVoice>(kellyVoice(), [{ cwnd: 20_000, srtt: 10_000 }]);
    assert.equal(a!.bytesPerSegment(), 20_000);
    a!.onCongestionEvent(100, 100, false, 20_000);
    assert.equal(a!.window(), 10_000);
  });

  test("`--cc kelly-voice` names it", () => {
    assert.ok(isCongestionKind("kelly-voice"));
    const f = congestionFactory("kelly-voice");
    assert.equal(f({ mss: MSS, initialWindow: 10, now: 0 }).name, "kelly-voice");
  });
});

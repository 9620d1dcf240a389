/**
 * The fully coupled controller (Wischik et al., NSDI 2011 §2.1 "COUPLED"; Kelly and Voice 2005).
 * Expected figures are computed here from the rule in segments: per ACK on r, w_r += 1/w_total;
 * per loss on r, w_r -= w_total/2, floored at 2 SMSS (RFC 5681 eq. 4). With windows in bytes, an
 * ACK of b bytes is b/MSS segments, so the window grows by one MSS per w_total bytes acknowledged.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fullyCoupled, FullyCoupled } from "../../src/mptcp/cc/fully-coupled.js";
import { congestionFactory, isCongestionKind } from "../../src/mptcp/cc/index.js";
import { acks, inAvoidance, MSS } from "./cc-util.js";

describe("fully coupled", () => {
  test("each subflow grows by one segment per w_total bytes acknowledged, whatever its own window or RTT", () => {
    const [a, b] = inAvoidance<FullyCoupled>(fullyCoupled(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 40_000 },
    ]);
    // w_total = 30 segments: 30 one-segment ACKs per segment of growth, on either subflow.
    assert.equal(a!.bytesPerSegment(), 30_000);
    assert.equal(b!.bytesPerSegment(), 30_000);
    acks(a!, 29, 1000, 10_000);
    assert.equal(a!.window(), 20_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 21_000);
    // Now w_total = 31 segments.
    acks(b!, 30, 1000, 40_000);
    assert.equal(b!.window(), 10_000);
    acks(b!, 1, 1000, 40_000);
    assert.equal(b!.window(), 11_000);
    // Per ACK the increase is MSS * bytes / w_total, below Reno's MSS * bytes / w_r.
    assert.equal(b!.increase(1000), (1000 * MSS) / 32_000);
  });

  test("a loss takes half the total window off the subflow that saw it, down to 2 SMSS", () => {
    const [a, b] = inAvoidance<FullyCoupled>(fullyCoupled(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 10_000 },
    ]);
    // 20000 - 30000 / 2.
    a!.onCongestionEvent(100, 100, false, 20_000);
    assert.deepEqual([a!.window(), a!.ssthresh()], [5_000, 5_000]);
    // w_total is now 15000: 10000 - 15000 / 2.
    b!.onCongestionEvent(100, 100, false, 10_000);
    assert.deepEqual([b!.window(), b!.ssthresh()], [2_500, 2_500]);
    // 2500 - 7500 / 2 < 0: the floor.
    b!.onCongestionEvent(200, 200, false, 2_500);
    assert.deepEqual([b!.window(), b!.ssthresh()], [2_000, 2_000]);
    // The FlightSize stands for w_r: 8000 in flight beside a 2000 sibling: 8000 - 10000 / 2.
    a!.onCongestionEvent(300, 300, false, 8_000);
    assert.equal(a!.ssthresh(), 3_000);
  });

  test("the smaller subflow of two is emptied by its own loss, the larger one keeps a window", () => {
    const [big, small] = inAvoidance<FullyCoupled>(fullyCoupled(), [
      { cwnd: 40_000, srtt: 20_000 },
      { cwnd: 12_000, srtt: 20_000 },
    ]);
    small!.onCongestionEvent(100, 100, false, 12_000);
    assert.equal(small!.window(), 2_000);
    big!.onCongestionEvent(100, 100, false, 40_000);
    // 40000 - 42000 / 2.
    assert.equal(big!.window(), 19_000);
  });

  test("`--cc coupled` names it", () => {
    assert.ok(isCongestionKind("coupled"));
    const f = congestionFactory("coupled");
    assert.equal(f({ mss: MSS, initialWindow: 10, now: 0 }).name, "coupled");
  });
});

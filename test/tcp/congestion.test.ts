import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Reno } from "../../src/tcp/congestion/reno.js";
import { Cubic } from "../../src/tcp/congestion/cubic.js";
import { initialWindow } from "../../src/tcp/congestion/controller.js";

const MSS = 1000;
const RTT = { srtt: 100_000, latest: 100_000, min: 100_000 };

describe("initial window (RFC 6928)", () => {
  test("min(10*MSS, max(2*MSS, 14600))", () => {
    assert.equal(initialWindow(1460, 10), 14600);
    assert.equal(initialWindow(536, 10), 5360);
    assert.equal(initialWindow(9000, 10), 18000);
    assert.equal(initialWindow(1460, 4), 5840);
  });
});

describe("Reno (RFC 5681) with byte counting (RFC 3465)", () => {
  test("slow start grows by the bytes acknowledged, at most 2 SMSS per ACK", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    assert.equal(r.window(), 10_000);
    r.onAck(0, 1000, RTT, 10_000, false);
    assert.equal(r.window(), 11_000);
    r.onAck(0, 5000, RTT, 10_000, false);
    assert.equal(r.window(), 13_000);
  });

  test("an application-limited ACK does not grow the window", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    r.onAck(0, 1000, RTT, 1000, true);
    assert.equal(r.window(), 10_000);
  });

  test("a congestion event halves the flight; congestion avoidance adds one SMSS per window", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    r.onCongestionEvent(10, 5, false, 20_000);
    assert.equal(r.ssthresh(), 10_000);
    assert.equal(r.window(), 10_000);
    for (let i = 0; i < 9; i++) r.onAck(20, 1000, RTT, 10_000, false);
    assert.equal(r.window(), 10_000);
    r.onAck(20, 1000, RTT, 10_000, false);
    assert.equal(r.window(), 11_000);
  });

  test("one reduction per window: losses of data sent before the last event are ignored", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    r.onCongestionEvent(100, 50, false, 20_000);
    r.onCongestionEvent(110, 60, false, 10_000);
    assert.equal(r.window(), 10_000);
    r.onCongestionEvent(300, 200, false, 10_000);
    assert.equal(r.window(), 5000);
  });

  test("a timeout collapses to one segment, ssthresh at least 2 SMSS", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    r.onCongestionEvent(100, 50, true, 3000);
    assert.equal(r.window(), 1000);
    assert.equal(r.ssthresh(), 2000);
  });

  test("a spurious event is undone", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    r.onCongestionEvent(100, 50, false, 20_000);
    r.onSpuriousCongestionEvent();
    assert.equal(r.window(), 10_000);
    assert.equal(r.ssthresh(), Infinity);
  });

  test("the snapshot shows the window and the latest smoothed RTT to coupled siblings", () => {
    const r = new Reno({ mss: MSS, initialWindow: 10, now: 0 });
    r.onAck(0, 1000, RTT, 10_000, false);
    assert.deepEqual(r.snapshot(), { cwnd: 11_000, ssthresh: Infinity, srtt: 100_000, mss: MSS });
  });

  test("setMss before any growth rescales the initial window", () => {
    const r = new Reno({ mss: 536, initialWindow: 10, now: 0 });
    r.setMss(1448);
    assert.equal(r.window(), 14_480);
  });
});

describe("CUBIC (RFC 9438)", () => {
  test("reduces by beta = 0.7 on loss", () => {
    const c = new Cubic({ mss: MSS, initialWindow: 10, now: 0 });
    for (let i = 0; i < 90; i++) c.onAck(0, 1000, RTT, c.window(), false);
    assert.equal(c.window(), 100_000);
    c.onCongestionEvent(1_000_000, 900_000, false, 100_000);
    assert.equal(c.window(), 70_000);
    assert.equal(c.ssthresh(), 70_000);
  });

  test("grows back to W_max around K seconds after the loss, then beyond", () => {
    const c = new Cubic({ mss: MSS, initialWindow: 10, now: 0 });
    for (let i = 0; i < 90; i++) c.onAck(0, 1000, RTT, c.window(), false);
    c.onCongestionEvent(0, 0, false, 100_000);
    // K = cbrt(100 * 0.3 / 0.4) = 4.217 s. Feed one window of ACKs per 100 ms RTT.
    let t = 0;
    const at: Record<number, number> = {};
    while (t <= 8_000_000) {
      const w = c.window();
      for (let acked = 0; acked < w; acked += MSS) c.onAck(t, MSS, RTT, w, false);
      t += 100_000;
      at[t] = c.window();
    }
    assert.ok(at[2_000_000]! > 70_000 && at[2_000_000]! < 100_000, `plateau approach ${at[2_000_000]}`);
    const nearK = at[4_200_000]!;
    assert.ok(Math.abs(nearK - 100_000) < 5_000, `near W_max at K: ${nearK}`);
    assert.ok(at[8_000_000]! > 110_000, `convex growth after K: ${at[8_000_000]}`);
  });

  test("fast convergence lowers W_max when losses come below the last W_max (§4.7)", () => {
    const c = new Cubic({ mss: MSS, initialWindow: 10, now: 0 });
    for (let i = 0; i < 90; i++) c.onAck(0, 1000, RTT, c.window(), false);
    c.onCongestionEvent(0, 0, false, 100_000);
    c.onCongestionEvent(1_000_000, 500_000, false, 70_000);
    assert.equal(c.window(), 49_000);
  });

  test("a timeout collapses to one segment", () => {
    const c = new Cubic({ mss: MSS, initialWindow: 10, now: 0 });
    c.onCongestionEvent(0, 0, true, 10_000);
    assert.equal(c.window(), 1000);
    assert.equal(c.ssthresh(), 7000);
  });
});

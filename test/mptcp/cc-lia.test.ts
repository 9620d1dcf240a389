/**
 * LIA (RFC 6356 §3). Expected figures are computed here in the rate form of the RFC's
 * formula, x_i = cwnd_i / rtt_i:
 *   alpha = cwnd_total * max_i(x_i / rtt_i) / (sum_i x_i)^2,
 *   growth per byte acknowledged on i = min(alpha * MSS / cwnd_total, MSS / cwnd_i),
 * and the window moves by one MSS once the bytes acknowledged reach MSS / growth.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { lia, Lia } from "../../src/mptcp/cc/lia.js";
import { CoupledGroup } from "../../src/mptcp/cc/group.js";
import type { CoupledController } from "../../src/mptcp/cc/coupled.js";
import { acks, inAvoidance, MSS } from "./cc-util.js";

interface Path {
  cwnd: number;
  srtt: number;
}

function alphaByRates(paths: Path[]): number {
  const x = paths.map((p) => p.cwnd / p.srtt);
  const sum = x.reduce((a, b) => a + b, 0);
  const total = paths.reduce((a, p) => a + p.cwnd, 0);
  return (total * Math.max(...paths.map((p, i) => x[i]! / p.srtt))) / (sum * sum);
}

function growthPerByte(paths: Path[], i: number): number {
  const total = paths.reduce((a, p) => a + p.cwnd, 0);
  return Math.min((alphaByRates(paths) * MSS) / total, MSS / paths[i]!.cwnd);
}

/** ACKs of 1000 bytes until subflow i grows by one MSS. */
const acksToGrow = (paths: Path[], i: number): number => Math.ceil(MSS / growthPerByte(paths, i) / 1000);

describe("LIA", () => {
  test("the coupled term sets the pace of both subflows when it is below Reno's", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 40_000 },
    ];
    const [a, b] = inAvoidance<Lia>(lia(), paths);
    assert.ok(Math.abs(a!.alpha() - 6 / 5.0625) < 1e-12);
    assert.ok(Math.abs(alphaByRates(paths) - a!.alpha()) < 1e-12);
    // alpha * MSS / cwnd_total = 0.0395 bytes per byte acknowledged: 25312.5 bytes per MSS.
    assert.equal(acksToGrow(paths, 0), 26);
    assert.equal(acksToGrow(paths, 1), 26);
    acks(a!, 25, 1000, 10_000);
    assert.equal(a!.window(), 20_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 21_000);
    acks(b!, 25, 1000, 40_000);
    assert.equal(b!.window(), 10_000);
    // a's growth raised max(x/rtt) and the rate sum: 1000 * 2.1e-4 / 2.35^2 = 0.0380 per byte.
    assert.equal(acksToGrow([{ cwnd: 21_000, srtt: 10_000 }, paths[1]!], 1), 27);
    acks(b!, 1, 1000, 40_000);
    assert.equal(b!.window(), 10_000);
    acks(b!, 1, 1000, 40_000);
    assert.equal(b!.window(), 11_000);
  });

  test("the Reno term caps a long-RTT subflow with a large window (RFC 6356 goal 2)", () => {
    const paths = [
      { cwnd: 10_000, srtt: 10_000 },
      { cwnd: 100_000, srtt: 200_000 },
    ];
    const [a, b] = inAvoidance<Lia>(lia(), paths);
    // Coupled: MSS * max(x/rtt) / (sum x)^2 = 1000 * 1e-4 / 2.25 = 0.0444; Reno for b: 0.01.
    assert.equal(growthPerByte(paths, 1), MSS / 100_000);
    assert.equal(acksToGrow(paths, 0), 23);
    assert.equal(acksToGrow(paths, 1), 100);
    acks(b!, 99, 1000, 200_000);
    assert.equal(b!.window(), 100_000);
    acks(b!, 1, 1000, 200_000);
    assert.equal(b!.window(), 101_000);
    // b's growth moved the sums a little; a still needs 23 ACKs.
    assert.equal(acksToGrow([paths[0]!, { cwnd: 101_000, srtt: 200_000 }], 0), 23);
    acks(a!, 22, 1000, 10_000);
    assert.equal(a!.window(), 10_000);
    acks(a!, 1, 1000, 10_000);
    assert.equal(a!.window(), 11_000);
  });

  test("increase() is the formula before rounding to segments", () => {
    const paths = [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 40_000 },
      { cwnd: 30_000, srtt: 25_000 },
    ];
    const cs = inAvoidance<Lia>(lia(), paths);
    cs.forEach((c, i) => assert.ok(Math.abs(c.increase(1448) - 1448 * growthPerByte(paths, i)) < 1e-9));
  });

  test("slow start is per subflow: a subflow below ssthresh grows by the bytes acknowledged", () => {
    const group = new CoupledGroup<CoupledController>();
    const f = lia(group);
    const a = f({ mss: MSS, initialWindow: 10, now: 0 });
    const b = f({ mss: MSS, initialWindow: 10, now: 0 });
    b.onAck(0, 0, { srtt: 5_000, latest: 5_000, min: 5_000 }, 0, true);
    a.onAck(0, 2000, { srtt: 50_000, latest: 50_000, min: 50_000 }, 10_000, false);
    assert.equal(a.window(), 12_000);
    assert.equal(group.size, 2);
  });

  test("a subflow that has not carried data does not count, and a closed one leaves the group", () => {
    const group = new CoupledGroup<CoupledController>();
    const [a, b] = inAvoidance<Lia>(lia(group), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 20_000, srtt: 10_000 },
    ]);
    const fresh = lia(group)({ mss: MSS, initialWindow: 10, now: 0 });
    assert.equal(group.size, 3);
    // Two equal subflows: alpha = 40000 * (20000 / rtt^2) / (40000 / rtt)^2 = 0.5.
    assert.ok(Math.abs(a!.alpha() - 0.5) < 1e-12);
    assert.ok(Math.abs(a!.bytesPerSegment() - 80_000) < 1e-6);
    b!.close();
    fresh.close?.();
    assert.equal(group.size, 1);
    // Alone again: Reno's one MSS per window.
    assert.equal(a!.alpha(), 1);
    assert.equal(a!.bytesPerSegment(), 20_000);
  });

  test("loss halves the FlightSize as Reno does, and an RTO leaves one MSS", () => {
    const [a, b] = inAvoidance<Lia>(lia(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 40_000 },
    ]);
    a!.onCongestionEvent(100, 50, false, 20_000);
    assert.deepEqual([a!.window(), a!.ssthresh()], [10_000, 10_000]);
    // Data sent before that event is part of it.
    a!.onCongestionEvent(101, 99, false, 10_000);
    assert.equal(a!.window(), 10_000);
    b!.onCongestionEvent(100, 100, true, 10_000);
    assert.deepEqual([b!.window(), b!.ssthresh()], [MSS, 5_000]);
    b!.onSpuriousCongestionEvent();
    assert.deepEqual([b!.window(), b!.ssthresh()], [10_000, 10_000]);
  });

  test("penalisation reduces like a loss, once per instant", () => {
    const [a] = inAvoidance<Lia>(lia(), [
      { cwnd: 20_000, srtt: 10_000 },
      { cwnd: 10_000, srtt: 40_000 },
    ]);
    a!.penalise(500);
    assert.equal(a!.window(), 10_000);
    a!.penalise(500);
    assert.equal(a!.window(), 10_000);
  });
});

/**
 * A round-based ACK-clock model of one shared drop-tail bottleneck (RFC 6356 §2 goal 3, "do no
 * harm"): a two-subflow MPTCP connection and one Reno TCP through a link that holds C packets per
 * round trip (pipe plus buffer), every flow with the same RTT. Each round every subflow sends its
 * window; the packets beyond C are dropped, each chosen uniformly among the packets of the round
 * (so each flow is hit in proportion to its rate); a subflow that lost one takes a congestion
 * event, every other subflow has each of its packets acknowledged. A seeded generator makes the
 * run reproducible. The MPTCP connection's mean total window is compared with the TCP's.
 *
 * Measured in this model (30000 rounds): LIA about 1.14, BALIA about 1.08, OLIA about 1.05 times
 * the TCP, uncoupled Reno 2.0. LIA's excess is a property of the algorithm, not of the model:
 * RFC 6356 sizes alpha from the fluid equilibrium w = sqrt(2/p), but a loss cuts only the
 * subflow that saw it, so the connection's window swings less than a TCP's sawtooth and its mean
 * sits higher; Khalili et al. (CoNEXT 2012) report the same unfriendliness of LIA to TCP, which
 * OLIA and BALIA reduce.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { CongestionController, CongestionFactory } from "../../src/tcp/congestion/controller.js";
import { reno } from "../../src/tcp/congestion/reno.js";
import { lia } from "../../src/mptcp/cc/lia.js";
import { olia } from "../../src/mptcp/cc/olia.js";
import { balia } from "../../src/mptcp/cc/balia.js";
import { MSS, rtt } from "./cc-util.js";

/** Packets per round trip the bottleneck carries before it drops. */
const CAPACITY = 100;
const RTT = 50_000;
const ROUNDS = 30_000;
const SEEDS = [1, 2];

/** Mulberry32: a small seeded generator, so the run is the same every time. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mean window of the MPTCP connection (both subflows) over that of the TCP, after the first 10%. */
function shareRatio(mptcp: CongestionFactory, seed: number): number {
  const subflows = [mptcp({ mss: MSS, initialWindow: 2, now: 0 }), mptcp({ mss: MSS, initialWindow: 2, now: 0 })];
  const tcp = reno()({ mss: MSS, initialWindow: 2, now: 0 });
  const flows: CongestionController[] = [...subflows, tcp];
  const random = generator(seed);
  let mptcpSum = 0;
  let tcpSum = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const now = round * RTT;
    const packets = flows.map((f) => Math.max(1, Math.floor(f.window() / MSS)));
    const total = packets.reduce((a, b) => a + b, 0);
    const lost = flows.map(() => false);
    for (let drop = 0; drop < total - CAPACITY; drop++) {
      let pick = Math.floor(random() * total);
      lost[packets.findIndex((p) => (pick -= p) < 0)] = true;
    }
    flows.forEach((f, i) => {
      if (lost[i]) {
        f.onCongestionEvent(now, now - 1, false, f.window());
        return;
      }
      for (let k = 0; k < packets[i]!; k++) f.onAck(now, MSS, rtt(RTT), f.window(), false);
    });
    if (round > ROUNDS / 10) {
      mptcpSum += subflows[0]!.window() + subflows[1]!.window();
      tcpSum += tcp.window();
    }
  }
  return mptcpSum / tcpSum;
}

/** The share ratio averaged over the seeds. */
const meanRatio = (factory: () => CongestionFactory): number =>
  SEEDS.reduce((sum, seed) => sum + shareRatio(factory(), seed), 0) / SEEDS.length;

describe("shared bottleneck (ACK-clock model)", () => {
  const ratios = { lia: meanRatio(lia), olia: meanRatio(olia), balia: meanRatio(balia) };

  test("OLIA and BALIA: two subflows take at most 1.1 times one TCP's share", () => {
    assert.ok(ratios.olia <= 1.1 && ratios.olia >= 0.9, `OLIA ${ratios.olia.toFixed(3)}`);
    assert.ok(ratios.balia <= 1.1 && ratios.balia >= 0.9, `BALIA ${ratios.balia.toFixed(3)}`);
  });

  test("LIA: about one TCP's share, a little above it (at most 1.2x), and above OLIA and BALIA", () => {
    assert.ok(ratios.lia <= 1.2 && ratios.lia >= 0.9, `LIA ${ratios.lia.toFixed(3)}`);
    assert.ok(ratios.lia > ratios.olia && ratios.lia > ratios.balia);
  });

  test("uncoupled Reno subflows take about two shares (the model tells the difference)", () => {
    const ratio = shareRatio(reno(), 1);
    assert.ok(ratio >= 1.8 && ratio <= 2.2, ratio.toFixed(3));
  });
});

/**
 * Two disjoint paths with the same RTT and independent per-packet loss rates p1 = 0.1% and
 * p2 = 1%: the ratio of the mean windows, path 1 over path 2. A TCP's window goes as 1/sqrt(p),
 * so uncoupled subflows split about sqrt(10) = 3.2 to 1; LIA's equilibrium (RFC 6356 §3 with
 * equal RTTs, increase max(w)/W^2 per packet against a loss rate p_i of halvings) is w_i ~ 1/p_i,
 * 10 to 1: the coupled controllers move load off the congested path (RFC 6356 §2 goal 3).
 */
function splitRatio(factory: CongestionFactory, seed: number): number {
  const loss = [0.001, 0.01];
  const subflows = loss.map(() => factory({ mss: MSS, initialWindow: 2, now: 0 }));
  const random = generator(seed);
  const sums = [0, 0];
  const rounds = 10_000;
  for (let round = 1; round <= rounds; round++) {
    const now = round * RTT;
    subflows.forEach((c, i) => {
      const packets = Math.floor(c.window() / MSS);
      let lost = false;
      for (let k = 0; k < packets; k++) if (random() < loss[i]!) lost = true;
      if (lost) {
        c.onCongestionEvent(now, now - 1, false, c.window());
        return;
      }
      for (let k = 0; k < packets; k++) c.onAck(now, MSS, rtt(RTT), c.window(), false);
    });
    if (round > rounds / 10) subflows.forEach((c, i) => (sums[i]! += c.window()));
  }
  return sums[0]! / sums[1]!;
}

describe("two paths with different loss rates (ACK-clock model)", () => {
  test("uncoupled subflows split about sqrt(p2/p1) = 3.2 to 1", () => {
    const ratio = splitRatio(reno(), 1);
    assert.ok(ratio > 2.5 && ratio < 4.5, ratio.toFixed(2));
  });

  for (const [name, factory] of [
    ["LIA", lia],
    ["OLIA", olia],
    ["BALIA", balia],
  ] as const) {
    test(`${name} moves load off the lossy path: at least 6 to 1 (LIA's equilibrium is p2/p1 = 10)`, () => {
      const ratio = splitRatio(factory(), 1);
      assert.ok(ratio >= 6, `${name}: ${ratio.toFixed(2)}`);
    });
  }
});

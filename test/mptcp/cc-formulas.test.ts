/**
 * Every coupled controller against its published rule, written here in the papers' own units:
 * windows w in segments, RTTs tau (`rtt` below), rates x = w / tau, one ACK acknowledging one
 * segment. The controllers keep windows in bytes and count bytes acknowledged, so this checks the
 * conversion as well as the rule, for any window and RTT vector:
 *
 *   LIA (RFC 6356 §3):   +min(a / w_total, 1 / w_r),  a = w_total max(w_k / tau_k^2) / (sum x_k)^2;  -w_r / 2
 *   OLIA (Khalili et al. CoNEXT'12; draft-khalili-mptcp-congestion-control):
 *                        +(w_r / tau_r^2) / (sum x_k)^2 + a_r / w_r;  -w_r / 2
 *   BALIA (Peng et al. ToN 2016; draft-walid-mptcp-congestion-control):
 *                        +x_r / (tau_r (sum x_k)^2) (1 + a_r)/2 (4 + a_r)/5,  a_r = max x_k / x_r;
 *                        -w_r / 2 min(a_r, 1.5)
 *   Coupled (Wischik et al. NSDI'11 §2.1):  +1 / w_total;  -w_total / 2
 *   Kelly-Voice (Kelly and Voice 2005; the BALIA draft's "Coupled"):  +(w_r / tau_r^2) / (sum x_k)^2;  -w_r / 2
 *
 * and every decrease floored at 2 segments (RFC 5681 §3.1 eq. 4), except where the authors' Linux
 * modules and the drafts differ (coupled.ts `CongestionFloor`; these vectors all have two paths or
 * more): BALIA's module floors at 1 segment and OLIA's at 2 (the default), OLIA's draft at 1 and
 * BALIA's, which gives none, at RFC 5681's 2 (floor "draft"). Real arithmetic throughout, as
 * the drafts write the rules; the authors' Linux modules round in places (BALIA's alpha is an
 * integer quotient in its decrease, OLIA's increase is counted in 1/1024 segments), which the
 * controllers here do not copy.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { CongestionFactory } from "../../src/tcp/congestion/controller.js";
import type { CoupledController } from "../../src/mptcp/cc/coupled.js";
import { balia } from "../../src/mptcp/cc/balia.js";
import { fullyCoupled } from "../../src/mptcp/cc/fully-coupled.js";
import { kellyVoice } from "../../src/mptcp/cc/kelly-voice.js";
import { lia } from "../../src/mptcp/cc/lia.js";
import { olia } from "../../src/mptcp/cc/olia.js";
import { inAvoidance, MSS, oliaAlphas, type PathSpec } from "./cc-util.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

/** One path in the papers' units: window in segments, RTT (any unit), bytes between losses. */
interface P {
  w: number;
  rtt: number;
  l: number;
}

const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
const rates = (ps: P[]): number[] => ps.map((p) => p.w / p.rtt);

/** Published increase per one-segment ACK on path r, in segments. */
const INCREASE: Record<string, (ps: P[], r: number) => number> = {
  lia(ps, r) {
    const total = sum(ps.map((p) => p.w));
    const a = (total * Math.max(...ps.map((p) => p.w / p.rtt ** 2))) / sum(rates(ps)) ** 2;
    return Math.min(a / total, 1 / ps[r]!.w);
  },
  olia(ps, r) {
    const p = ps[r]!;
    return p.w / p.rtt ** 2 / sum(rates(ps)) ** 2 + oliaAlphas(ps)[r]! / p.w;
  },
  balia(ps, r) {
    const x = rates(ps);
    const a = Math.max(...x) / x[r]!;
    return (x[r]! / (ps[r]!.rtt * sum(x) ** 2)) * ((1 + a) / 2) * ((4 + a) / 5);
  },
  coupled(ps) {
    return 1 / sum(ps.map((p) => p.w));
  },
  "kelly-voice"(ps, r) {
    const p = ps[r]!;
    return p.w / p.rtt ** 2 / sum(rates(ps)) ** 2;
  },
};

/** Published decrease per loss on path r, in segments (before the floor). */
const DECREASE: Record<string, (ps: P[], r: number) => number> = {
  lia: (ps, r) => ps[r]!.w / 2,
  olia: (ps, r) => ps[r]!.w / 2,
  balia(ps, r) {
    const x = rates(ps);
    return (ps[r]!.w / 2) * Math.min(Math.max(...x) / x[r]!, 1.5);
  },
  coupled: (ps) => sum(ps.map((p) => p.w)) / 2,
  "kelly-voice": (ps, r) => ps[r]!.w / 2,
};

const FACTORIES: Record<string, () => CongestionFactory> = { lia: () => lia(), olia: () => olia(), balia: () => balia(), coupled: () => fullyCoupled(), "kelly-voice": () => kellyVoice() };

/** Paths with windows of 2-400 segments and RTTs of 0.5-800 ms (µs), 2 to 4 of them. */
const pathsArb = fc.array(
  fc.record({
    w: fc.integer({ min: 2, max: 400 }),
    rtt: fc.integer({ min: 500, max: 800_000 }),
    l: fc.integer({ min: 0, max: 5_000_000 }),
  }),
  { minLength: 2, maxLength: 4 },
);

const specs = (ps: P[]): PathSpec[] => ps.map((p) => ({ cwnd: p.w * MSS, srtt: p.rtt, carried: p.l }));

describe("coupled controllers against the published rules, in segments", () => {
  for (const kind of Object.keys(FACTORIES)) {
    test(`${kind}: the increase per one-segment ACK is the published one on every path`, () => {
      fc.assert(
        fc.property(pathsArb, (ps) => {
          const cs = inAvoidance<CoupledController>(FACTORIES[kind]!(), specs(ps));
          cs.forEach((c, r) => {
            const got = c.increase(MSS) / MSS;
            const want = INCREASE[kind]!(ps, r);
            assert.ok(Math.abs(got - want) <= 1e-9 * Math.abs(want), `${kind} path ${r}: ${got} segments, published ${want}`);
          });
        }),
      );
    });
  }

  /** Each controller as built, with its least window after a loss in segments (see above). */
  const losses: { label: string; rule: string; factory: () => CongestionFactory; floor: number }[] = [
    { label: "lia", rule: "lia", factory: () => lia(), floor: 2 },
    { label: "olia", rule: "olia", factory: () => olia(), floor: 2 },
    { label: "olia, draft floor", rule: "olia", factory: () => olia(undefined, "draft"), floor: 1 },
    { label: "balia", rule: "balia", factory: () => balia(), floor: 1 },
    { label: "balia, draft floor", rule: "balia", factory: () => balia(undefined, "draft"), floor: 2 },
    { label: "coupled", rule: "coupled", factory: () => fullyCoupled(), floor: 2 },
    { label: "kelly-voice", rule: "kelly-voice", factory: () => kellyVoice(), floor: 2 },
  ];
  for (const { label, rule, factory, floor } of losses) {
    test(`${label}: the window after a loss with the window in flight is the published one, floored at ${floor} segment${floor === 1 ? "" : "s"}`, () => {
      fc.assert(
        fc.property(pathsArb, fc.nat(), (ps, pick) => {
          const r = pick % ps.length;
          const cs = inAvoidance<CoupledController>(factory(), specs(ps));
          cs[r]!.onCongestionEvent(100, 100, false, ps[r]!.w * MSS);
          const want = Math.max(ps[r]!.w - DECREASE[rule]!(ps, r), floor) * MSS;
          // The controllers floor the window to whole bytes, from a product whose last bits may
          // fall either side of an integer (394000 * (1 - 1.00507.../2) is 195999.99999999997).
          assert.ok(Math.abs(cs[r]!.ssthresh() - want) <= 1 + 1e-6, `${label} path ${r}: ${cs[r]!.ssthresh()} bytes, published ${want}`);
          assert.equal(cs[r]!.window(), cs[r]!.ssthresh());
        }),
      );
    });
  }
});

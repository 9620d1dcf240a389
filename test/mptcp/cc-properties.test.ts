/**
 * Properties of the coupled controllers: RFC 6356 §2 goal 2 (a subflow never increases faster
 * than a TCP on its path would), sane windows under any sequence of events, and Reno exactly
 * when a single subflow carries data (RFC 6356 §3; OLIA, BALIA and the fully coupled rule reduce to
 * Reno with one path).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { CongestionController, CongestionFactory } from "../../src/tcp/congestion/controller.js";
import { reno } from "../../src/tcp/congestion/reno.js";
import { lia } from "../../src/mptcp/cc/lia.js";
import { olia } from "../../src/mptcp/cc/olia.js";
import { balia } from "../../src/mptcp/cc/balia.js";
import { fullyCoupled } from "../../src/mptcp/cc/fully-coupled.js";
import { kellyVoice } from "../../src/mptcp/cc/kelly-voice.js";
import type { CoupledController } from "../../src/mptcp/cc/coupled.js";
import { inAvoidance, MSS, rtt } from "./cc-util.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

const coupled: Record<string, () => CongestionFactory> = { lia: () => lia(), olia: () => olia(), balia: () => balia(), coupled: () => fullyCoupled(), "kelly-voice": () => kellyVoice() };

const groupArb = fc.array(
  fc.record({
    cwnd: fc.integer({ min: 2, max: 400 }).map((s) => s * MSS),
    srtt: fc.integer({ min: 500, max: 800_000 }),
    carried: fc.integer({ min: 0, max: 5_000_000 }),
  }),
  { minLength: 2, maxLength: 4 },
);

type Op =
  | { t: "ack"; i: number; bytes: number; srtt: number | undefined; appLimited: boolean }
  | { t: "loss"; i: number; persistent: boolean; inFlight: number }
  | { t: "spurious"; i: number }
  | { t: "penalise"; i: number };

const opArb = (paths: number): fc.Arbitrary<Op> => {
  const i = fc.integer({ min: 0, max: paths - 1 });
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        t: fc.constant("ack" as const),
        i,
        bytes: fc.integer({ min: 0, max: 4000 }),
        srtt: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined, freq: 10 }),
        appLimited: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("loss" as const), i, persistent: fc.boolean(), inFlight: fc.integer({ min: 0, max: 500_000 }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("spurious" as const), i }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("penalise" as const), i }) },
  );
};

function apply(c: CongestionController, op: Op, now: number): void {
  switch (op.t) {
    case "ack":
      c.onAck(now, op.bytes, rtt(op.srtt), c.window(), op.appLimited);
      break;
    case "loss":
      c.onCongestionEvent(now, now - 1, op.persistent, op.inFlight);
      break;
    case "spurious":
      c.onSpuriousCongestionEvent?.();
      break;
    case "penalise":
      c.penalise?.(now);
      break;
  }
}

describe("coupled controllers: properties", () => {
  test("LIA, BALIA, the fully coupled and the Kelly-Voice controllers never grow a subflow faster per ACK than Reno would (RFC 6356 goal 2)", () => {
    for (const kind of ["lia", "balia", "coupled", "kelly-voice"]) {
      fc.assert(
        fc.property(groupArb, fc.integer({ min: 1, max: 3000 }), (specs, bytes) => {
          const cs = inAvoidance<CoupledController>(coupled[kind]!(), specs);
          for (const c of cs) {
            const renoIncrease = (bytes * MSS) / c.window();
            assert.ok(c.increase(bytes) <= renoIncrease * (1 + 1e-12), `${kind}: ${c.increase(bytes)} > ${renoIncrease}`);
            assert.ok(c.increase(bytes) > 0);
          }
        }),
      );
    }
  });

  test("OLIA's increase is at most (1 + 1/n) times Reno's: alpha_r <= 1/n and the first term <= 1/w_r", () => {
    fc.assert(
      fc.property(groupArb, fc.integer({ min: 1, max: 3000 }), (specs, bytes) => {
        const cs = inAvoidance<CoupledController>(olia(), specs);
        for (const c of cs) {
          const renoIncrease = (bytes * MSS) / c.window();
          assert.ok(c.increase(bytes) <= renoIncrease * (1 + 1 / specs.length) * (1 + 1e-12));
        }
      }),
    );
  });

  test("windows stay finite and at least one MSS, ssthresh at least one MSS, whatever happens", () => {
    for (const kind of Object.keys(coupled)) {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.constant(n), fc.array(opArb(n), { maxLength: 120 }))),
          ([n, ops]) => {
            const f = coupled[kind]!();
            const cs = Array.from({ length: n }, () => f({ mss: MSS, initialWindow: 10, now: 0 }));
            ops.forEach((op, k) => {
              apply(cs[op.i]!, op, 10 * (k + 1));
              for (const c of cs) {
                assert.ok(Number.isFinite(c.window()) && c.window() >= MSS, `${kind}: window ${c.window()}`);
                assert.ok(c.ssthresh() >= MSS, `${kind}: ssthresh ${c.ssthresh()}`);
              }
            });
          },
        ),
      );
    }
  });

  test("a single subflow is exactly Reno, also beside a subflow that never carried data", () => {
    for (const kind of Object.keys(coupled)) {
      fc.assert(
        fc.property(fc.array(opArb(1), { maxLength: 200 }), fc.boolean(), (ops, idleSibling) => {
          const f = coupled[kind]!();
          const c = f({ mss: MSS, initialWindow: 10, now: 0 });
          if (idleSibling) f({ mss: MSS, initialWindow: 10, now: 0 });
          const r = reno()({ mss: MSS, initialWindow: 10, now: 0 });
          ops.forEach((op, k) => {
            apply(c, op, 10 * (k + 1));
            apply(r, op, 10 * (k + 1));
            assert.equal(c.window(), r.window(), `${kind} after ${k + 1} ops`);
            assert.equal(c.ssthresh(), r.ssthresh());
          });
        }),
      );
    }
  });
});

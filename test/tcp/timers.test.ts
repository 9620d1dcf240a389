import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Timers } from "../../src/tcp/timers.js";
import { F, IRS, ISS, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";
import { runs } from "../support/fuzz.js";

describe("Timers", () => {
  test("next is the earliest deadline", () => {
    const t = new Timers();
    assert.equal(t.next(), undefined);
    t.set("retransmit", 500);
    t.set("delayedAck", 300);
    t.setIfIdle("delayedAck", 100);
    assert.equal(t.next(), 300);
    assert.ok(t.expired("delayedAck", 300) && !t.expired("retransmit", 300));
    t.clear("delayedAck");
    assert.equal(t.next(), 500);
    t.clearAll();
    assert.equal(t.next(), undefined);
  });

  test("the cached earliest deadline follows any sequence of sets and clears", () => {
    const names = ["retransmit", "lossProbe", "delayedAck", "persist", "keepalive", "timeWait"] as const;
    // [timer, deadline or undefined to clear, setIfIdle, read next() afterwards]
    const op = fc.tuple(fc.constantFrom(...names), fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), fc.boolean(), fc.boolean());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const t = new Timers();
        const model = new Map<string, number>();
        for (const [name, at, ifIdle, check] of ops) {
          if (at === undefined) {
            t.clear(name);
            model.delete(name);
          } else if (ifIdle) {
            t.setIfIdle(name, at);
            if (!model.has(name)) model.set(name, at);
          } else {
            t.set(name, at);
            model.set(name, at);
          }
          if (t.get(name) !== model.get(name)) return false;
          if (check && t.next() !== earliest(model)) return false;
        }
        return t.next() === earliest(model);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe("keepalive (RFC 9293 §3.8.4)", () => {
  const ka = { idle: 10_000_000, interval: 1_000_000, count: 2 };

  test("is off by default", () => {
    const c = established();
    assert.equal(c.pollTimeout(), undefined);
  });

  test("probes an idle connection with SEG.SEQ = SND.NXT - 1 and gives up after count probes", () => {
    const c = established(plainConfig({ keepalive: ka }));
    assert.equal(c.pollTimeout(), 10_000_000);
    c.handleTimeout(10_000_000);
    expectSent(c, 10_000_000, ours({ seq: ISS }));
    assert.equal(c.pollTimeout(), 11_000_000);
    c.handleTimeout(11_000_000);
    expectSent(c, 11_000_000, ours({ seq: ISS }));
    c.handleTimeout(12_000_000);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "timed-out" }, { type: "closed" }]);
  });

  test("an answer resets the idle timer", () => {
    const c = established(plainConfig({ keepalive: ka }));
    c.handleTimeout(10_000_000);
    drain(c, 10_000_000);
    c.handleSegment(peer({}), 10_500_000);
    assert.equal(c.pollTimeout(), 20_500_000);
    assert.equal(c.state, "ESTABLISHED");
  });
});

describe("delayed ACK timer", () => {
  test("a piggybacked ACK cancels it", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    assert.equal(c.pollTimeout(), 40_000);
    c.send(bytes(3));
    expectSent(c, 1000, ours({ ack: IRS + 11, window: 64000 - 10, flags: F.ACK | F.PSH, payload: bytes(3) }));
    assert.equal(c.pollTimeout(), 201_000);
  });
});

function earliest(deadlines: Map<string, number>): number | undefined {
  return deadlines.size === 0 ? undefined : Math.min(...deadlines.values());
}

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Timers } from "../../src/tcp/timers.js";
import { F, IRS, ISS, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";

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

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { EventQueue } from "../../src/sim/event-queue.js";
import { Link, validateLinkConfig, type LinkConfig } from "../../src/sim/link.js";
import { Rng } from "../../src/util/rng.js";
import { RecordingTap } from "../../src/sim/tap.js";
import { runs } from "../support/fuzz.js";

/** A link on its own queue; `arrivals` logs [time, packet id] at the far end. */
function harness(config: LinkConfig, seed = 1) {
  const events = new EventQueue();
  const arrivals: [number, number][] = [];
  const link = new Link("l", config, events, Rng.seeded(seed), {
    deliver: (packet, now) => void arrivals.push([now, id(packet)]),
  });
  /** Sends packet `n` of `size` bytes at time `at` (ids are stored in the first 4 bytes). */
  const sendAt = (at: number, n: number, size: number): void => {
    events.schedule(at, { handleEvent: () => link.send(packet(n, size)) }, 0);
  };
  const run = (): void => {
    while (events.dispatchNext());
  };
  return { events, link, arrivals, sendAt, run };
}

function packet(n: number, size: number): Uint8Array {
  const p = new Uint8Array(size);
  new DataView(p.buffer).setUint32(0, n);
  return p;
}

function id(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset).getUint32(0);
}

describe("Link timing", () => {
  test("1500 bytes at 10 Mbit/s take 1200 µs, then the propagation delay", () => {
    const h = harness({ rateBps: 10_000_000, delayUs: 5000 });
    h.sendAt(0, 1, 1500);
    h.run();
    assert.deepEqual(h.arrivals, [[6200, 1]]);
  });

  test("back-to-back packets queue: arrival times add up", () => {
    const h = harness({ rateBps: 10_000_000, delayUs: 100 });
    for (let i = 0; i < 5; i++) h.sendAt(0, i, 1500);
    h.run();
    assert.deepEqual(h.arrivals, [0, 1, 2, 3, 4].map((i) => [1200 * (i + 1) + 100, i]));
    assert.equal(h.link.counters.maxQueuePackets, 4);
    assert.equal(h.link.counters.maxQueueBytes, 6000);
  });

  test("fractional serialisation times carry over without drift", () => {
    // 1500 B at 7 Mbit/s is 1714 2/7 µs: seven back-to-back packets take exactly 12000 µs.
    const h = harness({ rateBps: 7_000_000 });
    for (let i = 0; i < 7000; i++) h.sendAt(0, i, 1500);
    h.run();
    assert.equal(h.arrivals.length, 7000);
    assert.equal(h.arrivals[6]![0], 12000);
    assert.equal(h.arrivals[6999]![0], 12_000_000);
    // Each arrival is the exact rational time rounded down.
    for (let i = 0; i < 7000; i++) assert.equal(h.arrivals[i]![0], Math.floor(((i + 1) * 12000) / 7));
  });

  test("an idle gap restarts the transmitter at the arrival time", () => {
    const h = harness({ rateBps: 7_000_000 });
    h.sendAt(0, 1, 1500);
    h.sendAt(10_000, 2, 1500);
    h.run();
    assert.deepEqual(h.arrivals, [[1714, 1], [11714, 2]]);
  });

  test("an unlimited link only adds its delay, and keeps order at equal times", () => {
    const h = harness({ delayUs: 30 });
    for (let i = 0; i < 3; i++) h.sendAt(7, i, 100);
    h.run();
    assert.deepEqual(h.arrivals, [[37, 0], [37, 1], [37, 2]]);
  });
});

describe("Link queue", () => {
  test("drop-tail by packets: the queue holds the limit, the transmitter one more", () => {
    const h = harness({ rateBps: 8_000_000, queueLimitPackets: 3 });
    for (let i = 0; i < 10; i++) h.sendAt(0, i, 1000);
    h.run();
    assert.deepEqual(h.arrivals.map((a) => a[1]), [0, 1, 2, 3]);
    const c = h.link.counters;
    assert.equal(c.offered, 10);
    assert.equal(c.enqueued, 4);
    assert.equal(c.droppedQueue, 6);
    assert.equal(c.delivered, 4);
    assert.equal(c.deliveredBytes, 4000);
    assert.equal(c.maxQueuePackets, 3);
  });

  test("drop-tail by bytes: a small packet may fit where a large one did not", () => {
    const h = harness({ rateBps: 8_000_000, queueLimitBytes: 2500 });
    h.sendAt(0, 0, 1000); // transmitting
    h.sendAt(0, 1, 1000); // queued, 1000
    h.sendAt(0, 2, 1000); // queued, 2000
    h.sendAt(0, 3, 1000); // would be 3000: dropped
    h.sendAt(0, 4, 500); // 2500: fits
    h.run();
    assert.deepEqual(h.arrivals.map((a) => a[1]), [0, 1, 2, 4]);
    assert.equal(h.link.counters.droppedQueue, 1);
    assert.equal(h.link.counters.maxQueueBytes, 2500);
  });

  test("the queue drains and accepts again", () => {
    const h = harness({ rateBps: 8_000_000, queueLimitPackets: 1 });
    for (let i = 0; i < 3; i++) h.sendAt(0, i, 1000); // 1000 µs each; #2 dropped
    // At 1000 this send was scheduled before #0's transmission end, so it runs first and finds
    // the queue full; one µs later #1 is on the transmitter and the queue is empty.
    h.sendAt(1000, 3, 1000);
    h.sendAt(1001, 4, 1000);
    h.run();
    assert.deepEqual(h.arrivals, [[1000, 0], [2000, 1], [3000, 4]]);
    assert.equal(h.link.counters.droppedQueue, 2);
  });
});

describe("Link loss", () => {
  test("Bernoulli loss over many packets is near p, and happens after serialisation", () => {
    const n = 20_000;
    const h = harness({ rateBps: 1_000_000_000, loss: { kind: "bernoulli", p: 0.05 } }, 3);
    for (let i = 0; i < n; i++) h.sendAt(0, i, 125); // 1 µs each
    h.run();
    const c = h.link.counters;
    assert.equal(c.delivered + c.droppedLoss, n);
    assert.ok(Math.abs(c.droppedLoss / n - 0.05) < 5 * Math.sqrt((0.05 * 0.95) / n), `${c.droppedLoss}`);
    // A lost packet still used its slot on the wire: survivors arrive at their own slot's end.
    for (const [t, i] of h.arrivals) assert.equal(t, i + 1);
  });

  test("Gilbert-Elliott bursts on a link", () => {
    const h = harness({ loss: { kind: "gilbert-elliott", p: 0.02, r: 0.5 } }, 8);
    for (let i = 0; i < 20_000; i++) h.sendAt(0, i, 40);
    h.run();
    const got = new Set(h.arrivals.map((a) => a[1]));
    let runs = 0, lostTotal = 0;
    for (let i = 0; i < 20_000; i++) {
      if (got.has(i)) continue;
      lostTotal++;
      if (i === 0 || got.has(i - 1)) runs++;
    }
    assert.ok(Math.abs(lostTotal / runs - 2) < 0.25, `mean burst ${lostTotal / runs}`);
  });
});

describe("Link jitter", () => {
  function jittered(reorder: boolean): [number, number][] {
    const h = harness({ rateBps: 100_000_000, delayUs: 1000, jitter: { maxUs: 500, reorder } }, 2);
    for (let i = 0; i < 2000; i++) h.sendAt(i * 20, i, 100); // a packet every 20 µs, 8 µs each
    h.run();
    assert.equal(h.arrivals.length, 2000);
    for (const [t, i] of h.arrivals) assert.ok(t >= i * 20 + 8 + 1000);
    return h.arrivals;
  }

  test("without reorder, jitter never reorders", () => {
    const a = jittered(false);
    assert.deepEqual(a.map((x) => x[1]), [...Array(2000).keys()]);
    for (let i = 1; i < a.length; i++) assert.ok(a[i]![0] >= a[i - 1]![0]);
  });

  test("with reorder, jitter reorders, within [delay, delay + maxUs]", () => {
    const a = jittered(true);
    const ids = a.map((x) => x[1]);
    assert.notDeepEqual(ids, [...Array(2000).keys()]);
    for (const [t, i] of a) assert.ok(t <= i * 20 + 8 + 1500);
  });

  test("no jitter: no reordering even with reorder on", () => {
    const h = harness({ rateBps: 100_000_000, delayUs: 1000, jitter: { maxUs: 0, reorder: true } });
    for (let i = 0; i < 100; i++) h.sendAt(i * 3, i, 100);
    h.run();
    assert.deepEqual(h.arrivals.map((x) => x[1]), [...Array(100).keys()]);
  });
});

describe("Link up/down", () => {
  test("drop-queue: going down loses the packet on the wire, the one serialising, and the queue", () => {
    // 1000 B at 8 Mbit/s = 1000 µs; delay 5000 µs. Down at 2500, up at 10000.
    const h = harness({
      rateBps: 8_000_000,
      delayUs: 5000,
      schedule: [{ atUs: 2500, up: false }, { atUs: 10_000, up: true }],
    });
    for (let i = 0; i < 5; i++) h.sendAt(0, i, 1000); // #0,#1 on the wire, #2 serialising, #3,#4 queued
    h.sendAt(3000, 5, 1000); // refused: down
    h.sendAt(10_000, 6, 1000); // after up
    h.run();
    assert.deepEqual(h.arrivals, [[16_000, 6]]);
    const c = h.link.counters;
    assert.equal(c.droppedDown, 6);
    assert.equal(c.offered, 7);
    assert.equal(h.link.isUp, true);
  });

  test("keep-queue: queued and newly offered packets wait for the link to come back", () => {
    const h = harness({
      rateBps: 8_000_000,
      delayUs: 5000,
      whenDown: "keep-queue",
      schedule: [{ atUs: 2500, up: false }, { atUs: 10_000, up: true }],
    });
    for (let i = 0; i < 5; i++) h.sendAt(0, i, 1000);
    h.sendAt(3000, 5, 1000);
    h.run();
    // #0, #1 in flight and #2 serialising are lost; #3, #4, #5 go out from 10000.
    assert.deepEqual(h.arrivals, [[16_000, 3], [17_000, 4], [18_000, 5]]);
    assert.equal(h.link.counters.droppedDown, 3);
  });

  test("a stale transmission end from before a down/up flap is ignored", () => {
    const h = harness({
      rateBps: 8_000_000,
      schedule: [{ atUs: 100, up: false }, { atUs: 200, up: true }],
    });
    h.sendAt(0, 1, 1000); // would end at 1000; lost at 100
    h.sendAt(300, 2, 1000); // ends at 1300, not at the stale 1000
    h.run();
    assert.deepEqual(h.arrivals, [[1300, 2]]);
  });

  test("scheduled rate and delay changes apply to later packets", () => {
    const h = harness({
      rateBps: 8_000_000,
      delayUs: 100,
      schedule: [{ atUs: 500, rateBps: 16_000_000, delayUs: 0 }, { atUs: 5000, rateBps: null }],
    });
    h.sendAt(0, 1, 1000); // 1000 µs at the old rate (started before the change), delay 0 at its end
    h.sendAt(0, 2, 1000); // starts at 1000 at the new rate: 500 µs
    h.sendAt(6000, 3, 1000); // unlimited
    h.run();
    assert.deepEqual(h.arrivals, [[1000, 1], [1500, 2], [6000, 3]]);
  });

  test("a delay decrease does not let a packet overtake without reorder", () => {
    const h = harness({ delayUs: 1000, schedule: [{ atUs: 10, delayUs: 0 }] });
    h.sendAt(0, 1, 100);
    h.sendAt(20, 2, 100);
    h.run();
    assert.deepEqual(h.arrivals, [[1000, 1], [1000, 2]]);
  });

  test("scheduled loss change: a black hole from 100 µs", () => {
    const h = harness({ schedule: [{ atUs: 100, loss: { kind: "bernoulli", p: 1 } }] });
    for (let i = 0; i < 10; i++) h.sendAt(i * 20, i, 100);
    h.run();
    assert.deepEqual(h.arrivals.map((a) => a[1]), [0, 1, 2, 3, 4]);
    assert.equal(h.link.counters.droppedLoss, 5);
  });
});

describe("Link taps and config", () => {
  test("offered and delivered taps see their end of the link", () => {
    const h = harness({ rateBps: 8_000_000, delayUs: 10, queueLimitPackets: 0 });
    const offered = new RecordingTap();
    const delivered = new RecordingTap();
    h.link.tapOffered(offered);
    h.link.tapDelivered(delivered);
    h.sendAt(0, 1, 1000);
    h.sendAt(0, 2, 1000); // dropped: no queue
    h.run();
    assert.deepEqual(offered.records.map((r) => [r.time, id(r.packet)]), [[0, 1], [0, 2]]);
    assert.deepEqual(delivered.records.map((r) => [r.time, id(r.packet)]), [[1010, 1]]);
  });

  test("bad configs are rejected with the field named", () => {
    assert.match(validateLinkConfig({ rateBps: 0 })!, /rateBps/);
    assert.match(validateLinkConfig({ rateBps: 1.5 })!, /rateBps/);
    assert.match(validateLinkConfig({ delayUs: -1 })!, /delayUs/);
    assert.match(validateLinkConfig({ queueLimitBytes: 0.5 })!, /queueLimitBytes/);
    assert.match(validateLinkConfig({ jitter: { maxUs: -3 } })!, /jitter\.maxUs/);
    assert.match(validateLinkConfig({ loss: { kind: "bernoulli", p: 3 } })!, /loss\.p/);
    assert.match(validateLinkConfig({ schedule: [{ atUs: 1, rateBps: -5 }] })!, /schedule\[0\]\.rateBps/);
    assert.match(validateLinkConfig({ whenDown: "maybe" as "drop-queue" })!, /whenDown/);
    assert.equal(validateLinkConfig({ rateBps: 1, delayUs: 0, schedule: [{ atUs: 0, rateBps: null, jitter: null }] }), undefined);
    assert.throws(() => harness({ rateBps: -1 }), /link l: rateBps/);
  });
});

describe("Link accounting", () => {
  test("every offered packet is delivered or dropped exactly once (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 20_000 }), size: fc.integer({ min: 40, max: 1500 }) }), { maxLength: 60 }),
        fc.array(fc.record({ atUs: fc.integer({ min: 0, max: 20_000 }), up: fc.boolean() }), { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        (sends, flaps, keep, limit) => {
          const h = harness({
            rateBps: 2_000_000, delayUs: 700, queueLimitPackets: limit, whenDown: keep ? "keep-queue" : "drop-queue",
            loss: { kind: "bernoulli", p: 0.2 }, jitter: { maxUs: 300, reorder: true }, schedule: flaps,
          }, 5);
          sends.forEach((s, i) => h.sendAt(s.at, i, s.size));
          // Bring the link up at the end so a kept queue drains.
          h.events.schedule(30_000, { handleEvent: () => h.link.setUp(true) }, 0);
          h.run();
          const c = h.link.counters;
          assert.equal(c.offered, sends.length);
          assert.equal(c.delivered + c.droppedQueue + c.droppedLoss + c.droppedDown, c.offered);
          assert.equal(h.arrivals.length, c.delivered);
          assert.equal(new Set(h.arrivals.map((a) => a[1])).size, c.delivered);
          assert.equal(h.link.queuePackets, 0);
          assert.equal(h.link.queueBytes, 0);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

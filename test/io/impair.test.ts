/**
 * The impairment wrapper (src/io/impair.ts) over an in-memory driver and a virtual clock: order
 * kept, delays and pacing exact in virtual time, loss reproducible for a seed, the queue bounded.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { emptyStats } from "../../src/io/driver.js";
import type { DriverError, PacketDriver, PacketHandler } from "../../src/io/driver.js";
import { DEFAULT_QUEUE_PACKETS, impair, ImpairedDriver } from "../../src/io/impair.js";
import type { ImpairOptions, ImpairTimers } from "../../src/io/impair.js";
import { runs } from "../support/fuzz.js";

/** A driver that records what is sent and lets the test inject received batches. */
class FakeDriver implements PacketDriver {
  readonly name = "fake";
  readonly mtu = 1500;
  readonly stats = emptyStats();
  readonly sent: Array<{ packet: Uint8Array; at: number }> = [];
  handler: PacketHandler | undefined;
  closed = false;

  constructor(private readonly clock: FakeTimers) {}

  onPackets(handler: PacketHandler): void {
    this.handler = handler;
  }

  onError(_handler: (err: DriverError) => void): void {}

  send(packet: Uint8Array): void {
    this.sent.push({ packet, at: this.clock.now() });
  }

  receive(packets: Uint8Array[]): void {
    this.handler!(packets);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Virtual time: timers fire only when the test advances the clock. */
class FakeTimers implements ImpairTimers {
  private t = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  /** Timers set at once, at most (the wrapper promises one per direction). */
  maxPending = 0;

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, delayUs: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + delayUs, fn });
    this.maxPending = Math.max(this.maxPending, this.pending.size);
    return id;
  }

  clearTimer(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get timerCount(): number {
    return this.pending.size;
  }

  /** Runs every timer due up to `to`, in deadline order, then sets the clock to `to`. */
  advanceTo(to: number): void {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= to && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.pending.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = to;
  }

  /** Runs timers until none is left. */
  runAll(): void {
    while (this.pending.size > 0) {
      let at = Infinity;
      for (const e of this.pending.values()) at = Math.min(at, e.at);
      this.advanceTo(at);
    }
  }
}

/** A datagram of `size` bytes whose first four bytes number it. */
function packet(n: number, size = 100): Uint8Array {
  const p = new Uint8Array(size);
  new DataView(p.buffer).setUint32(0, n);
  return p;
}

const numberOf = (p: Uint8Array): number => new DataView(p.buffer, p.byteOffset).getUint32(0);

function setup(opts: ImpairOptions): { timers: FakeTimers; inner: FakeDriver; outer: PacketDriver; received: Array<{ n: number; at: number }>; batches: number[] } {
  const timers = new FakeTimers();
  const inner = new FakeDriver(timers);
  const outer = impair(inner, opts, timers);
  const received: Array<{ n: number; at: number }> = [];
  const batches: number[] = [];
  outer.onPackets((ps) => {
    batches.push(ps.length);
    for (const p of ps) received.push({ n: numberOf(p), at: timers.now() });
  });
  return { timers, inner, outer, received, batches };
}

describe("impair", () => {
  test("with no impairment it returns the driver itself", () => {
    const timers = new FakeTimers();
    const inner = new FakeDriver(timers);
    assert.equal(impair(inner, {}, timers), inner);
    assert.equal(impair(inner, { rateBps: 0, delayUs: 0, loss: 0, seed: 9 }, timers), inner);
    assert.ok(impair(inner, { delayUs: 1 }, timers) instanceof ImpairedDriver);
  });

  test("rejects options out of range", () => {
    const inner = new FakeDriver(new FakeTimers());
    assert.throws(() => impair(inner, { loss: 1.5 }), RangeError);
    assert.throws(() => impair(inner, { loss: -0.1 }), RangeError);
    assert.throws(() => impair(inner, { delayUs: -1 }), RangeError);
    assert.throws(() => impair(inner, { rateBps: Number.NaN }), RangeError);
    assert.throws(() => impair(inner, { rateBps: 1e6, queuePackets: 0 }), RangeError);
  });

  test("a delay holds every sent datagram exactly that long, in order, with one timer", () => {
    const { timers, inner, outer } = setup({ delayUs: 20_000 });
    for (let i = 0; i < 10; i++) {
      timers.advanceTo(i * 1000);
      outer.send(packet(i));
    }
    assert.equal(inner.sent.length, 0);
    timers.runAll();
    assert.deepEqual(inner.sent.map((s) => numberOf(s.packet)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(inner.sent.map((s) => s.at), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i * 1000 + 20_000));
    assert.equal(timers.maxPending, 1);
  });

  test("a delay applies to received batches too; datagrams due together arrive as one batch", () => {
    const { timers, inner, received, batches } = setup({ delayUs: 5000 });
    inner.receive([packet(1), packet(2), packet(3)]);
    timers.advanceTo(100);
    inner.receive([packet(4)]);
    assert.equal(received.length, 0);
    timers.runAll();
    assert.deepEqual(received, [
      { n: 1, at: 5000 },
      { n: 2, at: 5000 },
      { n: 3, at: 5000 },
      { n: 4, at: 5100 },
    ]);
    assert.deepEqual(batches, [3, 1]);
  });

  test("without delay or rate, what survives loss goes through synchronously", () => {
    const { timers, inner, outer, received } = setup({ loss: 0.5, seed: 3 });
    for (let i = 0; i < 100; i++) outer.send(packet(i));
    inner.receive(Array.from({ length: 100 }, (_, i) => packet(i)));
    assert.equal(timers.timerCount, 0);
    const s = (outer as ImpairedDriver).impairStats;
    assert.equal(inner.sent.length + s.txLost, 100);
    assert.equal(received.length + s.rxLost, 100);
    // Survivors keep their order.
    const sent = inner.sent.map((x) => numberOf(x.packet));
    assert.deepEqual(sent, [...sent].sort((a, b) => a - b));
  });

  test("loss is reproducible for a seed, differs between seeds and directions, and has the right rate", () => {
    const run = (seed: number): { tx: number[]; rx: number[] } => {
      const { inner, outer, received } = setup({ loss: 0.1, seed });
      for (let i = 0; i < 10_000; i++) outer.send(packet(i));
      inner.receive(Array.from({ length: 10_000 }, (_, i) => packet(i)));
      return { tx: inner.sent.map((s) => numberOf(s.packet)), rx: received.map((r) => r.n) };
    };
    const a = run(7);
    const b = run(7);
    const c = run(8);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.tx, c.tx);
    assert.notDeepEqual(a.tx, a.rx);
    for (const kept of [a.tx.length, a.rx.length, c.tx.length]) {
      // Binomial(10000, 0.1): mean 1000 lost, sd 30; 5 sd either side.
      assert.ok(Math.abs(10_000 - kept - 1000) < 150, `lost ${10_000 - kept}`);
    }
    // The exact pattern for seed 7 is part of the contract (a recorded run can be repeated).
    assert.equal(10_000 - a.tx.length, LOST_SEED_7_SEND);
  });

  test("loss 1 drops everything and loss 0 nothing", () => {
    const all = setup({ loss: 1 });
    for (let i = 0; i < 50; i++) all.outer.send(packet(i));
    assert.equal(all.inner.sent.length, 0);
    const none = setup({ loss: 0, delayUs: 1 });
    for (let i = 0; i < 50; i++) none.outer.send(packet(i));
    none.timers.runAll();
    assert.equal(none.inner.sent.length, 50);
  });

  test("pacing: N datagrams of S bytes leave no faster than N*S*8/rate, back to back, in order", () => {
    const rateBps = 1_000_000;
    const size = 1250; // 10 ms at 1 Mbit/s
    const { timers, inner, outer } = setup({ rateBps, queuePackets: 50 });
    for (let i = 0; i < 40; i++) outer.send(packet(i, size));
    timers.runAll();
    assert.deepEqual(inner.sent.map((s) => numberOf(s.packet)), Array.from({ length: 40 }, (_, i) => i));
    // Datagram i finishes serialising at (i+1) * 10 ms.
    inner.sent.forEach((s, i) => assert.ok(s.at >= (i + 1) * 10_000, `datagram ${i} left at ${s.at}`));
    assert.ok(inner.sent[39]!.at >= (40 * size * 8 * 1e6) / rateBps);
    assert.equal(timers.maxPending, 1);
  });

  test("pacing plus delay: the delay adds to the serialisation time", () => {
    const { timers, inner, outer } = setup({ rateBps: 8_000_000, delayUs: 30_000 });
    for (let i = 0; i < 3; i++) outer.send(packet(i, 1000)); // 1 ms each at 8 Mbit/s
    timers.runAll();
    assert.deepEqual(inner.sent.map((s) => s.at), [31_000, 32_000, 33_000]);
  });

  test("the rate queue is drop-tail and bounded; it drains and accepts again", () => {
    const { timers, inner, outer } = setup({ rateBps: 1_000_000 });
    for (let i = 0; i < DEFAULT_QUEUE_PACKETS + 30; i++) outer.send(packet(i, 1250));
    const drops = (): number => (outer as ImpairedDriver).impairStats.txQueueDrops;
    assert.equal(drops(), 30);
    timers.runAll();
    assert.equal(inner.sent.length, DEFAULT_QUEUE_PACKETS);
    assert.deepEqual(inner.sent.map((x) => numberOf(x.packet)), Array.from({ length: DEFAULT_QUEUE_PACKETS }, (_, i) => i));
    outer.send(packet(999, 1250));
    timers.runAll();
    assert.equal(numberOf(inner.sent.at(-1)!.packet), 999);
    assert.equal(drops(), 30);
  });

  test("received batches are paced unless paceReceived is false", () => {
    const paced = setup({ rateBps: 1_000_000 });
    paced.inner.receive(Array.from({ length: 5 }, (_, i) => packet(i, 1250)));
    paced.timers.runAll();
    assert.deepEqual(paced.received.map((r) => r.at), [10_000, 20_000, 30_000, 40_000, 50_000]);

    const unpaced = setup({ rateBps: 1_000_000, paceReceived: false });
    unpaced.inner.receive(Array.from({ length: 5 }, (_, i) => packet(i, 1250)));
    assert.deepEqual(unpaced.received.map((r) => r.at), [0, 0, 0, 0, 0]);
    assert.deepEqual(unpaced.batches, [5]);
  });

  test("one timer serves both directions, re-set when the other direction's head is due sooner", () => {
    const { timers, inner, outer, received } = setup({ delayUs: 10_000 });
    outer.send(packet(1));
    timers.advanceTo(4000);
    inner.receive([packet(2)]);
    assert.equal(timers.timerCount, 1);
    timers.advanceTo(10_000);
    assert.deepEqual(inner.sent.map((s) => [numberOf(s.packet), s.at]), [[1, 10_000]]);
    assert.deepEqual(received, []);
    timers.runAll();
    assert.deepEqual(received, [{ n: 2, at: 14_000 }]);

    // Received datagrams with a shorter way to go than a queued send: the timer moves earlier.
    const paced = setup({ rateBps: 100_000, paceReceived: false, delayUs: 1000 });
    paced.outer.send(packet(3, 1250)); // 100 ms of serialisation, then 1 ms
    paced.inner.receive([packet(4)]);
    assert.equal(paced.timers.timerCount, 1);
    paced.timers.advanceTo(1000);
    assert.deepEqual(paced.received, [{ n: 4, at: 1000 }]);
    paced.timers.runAll();
    assert.deepEqual(paced.inner.sent.map((s) => s.at), [101_000]);
    assert.equal(paced.timers.maxPending, 1);
  });

  test("close drops what is queued, cancels the timer and closes the inner driver", async () => {
    const { timers, inner, outer } = setup({ delayUs: 10_000 });
    outer.send(packet(1));
    assert.equal(timers.timerCount, 1);
    await outer.close();
    assert.equal(timers.timerCount, 0);
    assert.ok(inner.closed);
    timers.runAll();
    assert.equal(inner.sent.length, 0);
    assert.equal(outer.close(), outer.close());
  });

  test("property: whatever the options and arrival times, order is kept, nothing leaves early, and every datagram is accounted for", () => {
    fc.assert(
      fc.property(
        fc.record({
          rateBps: fc.option(fc.integer({ min: 10_000, max: 1e9 }), { nil: undefined }),
          delayUs: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
          loss: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
          queuePackets: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
          paceReceived: fc.boolean(),
          seed: fc.nat(1000),
        }),
        fc.array(fc.record({ gapUs: fc.nat(5000), size: fc.integer({ min: 20, max: 1500 }), receive: fc.boolean() }), { maxLength: 60 }),
        (opts, arrivals) => {
          const { timers, inner, outer, received } = setup(opts);
          const offeredAt = new Map<number, number>();
          let t = 0;
          arrivals.forEach((a, n) => {
            t += a.gapUs;
            timers.advanceTo(t);
            offeredAt.set(n, t);
            if (a.receive) inner.receive([packet(n, a.size)]);
            else outer.send(packet(n, a.size));
          });
          timers.runAll();
          const sent = inner.sent.map((s) => ({ n: numberOf(s.packet), at: s.at }));
          const serialisation = (n: number): number => (opts.rateBps ? (arrivals[n]!.size * 8e6) / opts.rateBps : 0);
          for (const [out, paced] of [[sent, true], [received, opts.paceReceived]] as const) {
            for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.n < out[i]!.n, "order kept");
            for (const o of out) {
              const earliest = offeredAt.get(o.n)! + (opts.delayUs ?? 0) + (paced ? serialisation(o.n) : 0);
              assert.ok(o.at >= earliest - 1e-6, `datagram ${o.n} left at ${o.at}, before ${earliest}`);
            }
          }
          const st = outer === inner ? { txLost: 0, txQueueDrops: 0, rxLost: 0, rxQueueDrops: 0 } : (outer as ImpairedDriver).impairStats;
          const offeredTx = arrivals.filter((a) => !a.receive).length;
          assert.equal(sent.length + st.txLost + st.txQueueDrops, offeredTx);
          assert.equal(received.length + st.rxLost + st.rxQueueDrops, arrivals.length - offeredTx);
          assert.equal(timers.timerCount, 0);
        },
      ),
      { numRuns: runs(200) },
    );
  });

  test("stats are the inner driver's; name and MTU come from it", () => {
    const { inner, outer } = setup({ delayUs: 1 });
    assert.equal(outer.stats, inner.stats);
    assert.equal(outer.mtu, 1500);
    assert.equal(outer.name, "fake+impair");
  });
});

/** Datagrams seed 7 drops out of the first 10,000 sent at loss 0.1 (recorded from the generator). */
const LOST_SEED_7_SEND = 965;

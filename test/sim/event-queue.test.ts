import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { EventQueue, type EventHandler } from "../../src/sim/event-queue.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

/** Records (time, kind, payload, arg) of every event it receives. */
class Log implements EventHandler {
  readonly seen: [number, number, unknown, number][] = [];
  handleEvent(kind: number, payload: unknown, arg: number, now: number): void {
    this.seen.push([now, kind, payload, arg]);
  }
}

function drain(q: EventQueue): void {
  while (q.dispatchNext());
}

describe("EventQueue", () => {
  test("dispatches in time order and advances now", () => {
    const q = new EventQueue();
    const log = new Log();
    for (const t of [50, 10, 30, 20, 40]) q.schedule(t, log, t / 10, `p${t}`, t + 1);
    assert.equal(q.size, 5);
    assert.equal(q.peekTime(), 10);
    drain(q);
    assert.deepEqual(log.seen, [10, 20, 30, 40, 50].map((t) => [t, t / 10, `p${t}`, t + 1]));
    assert.equal(q.now, 50);
    assert.equal(q.dispatched, 5);
    assert.equal(q.peekTime(), undefined);
    assert.equal(q.dispatchNext(), false);
  });

  test("equal times run in scheduling order", () => {
    const q = new EventQueue();
    const log = new Log();
    for (let i = 0; i < 100; i++) q.schedule(i % 3 === 0 ? 5 : 7, log, i);
    drain(q);
    const kinds = log.seen.map((e) => e[1]);
    const expected = [...Array(100).keys()].filter((i) => i % 3 === 0).concat([...Array(100).keys()].filter((i) => i % 3 !== 0));
    assert.deepEqual(kinds, expected);
  });

  test("events scheduled by a handler at the current time run after those already due", () => {
    const q = new EventQueue();
    const order: string[] = [];
    const chain: EventHandler = {
      handleEvent(kind, _p, _a, now) {
        order.push(`k${kind}`);
        if (kind === 0) q.schedule(now, chain, 2);
      },
    };
    q.schedule(1, chain, 0);
    q.schedule(1, chain, 1);
    drain(q);
    assert.deepEqual(order, ["k0", "k1", "k2"]);
  });

  test("scheduling before now throws", () => {
    const q = new EventQueue(100);
    const log = new Log();
    assert.throws(() => q.schedule(99, log, 0), RangeError);
    assert.throws(() => q.schedule(Number.NaN, log, 0), RangeError);
    q.schedule(100, log, 0);
    assert.equal(q.size, 1);
  });

  test("timers: arm, re-arm earlier and later, disarm, fire, re-arm after firing", () => {
    const q = new EventQueue();
    const log = new Log();
    const t = q.createTimer(log, 9, "timer");
    assert.equal(q.deadline(t), undefined);
    q.arm(t, 100);
    q.schedule(50, log, 1);
    q.schedule(150, log, 2);
    assert.equal(q.size, 3);
    q.arm(t, 200); // later
    assert.equal(q.deadline(t), 200);
    assert.equal(q.size, 3);
    q.arm(t, 20); // earlier
    drain(q);
    assert.deepEqual(log.seen.map((e) => [e[0], e[1]]), [[20, 9], [50, 1], [150, 2]]);
    assert.equal(q.deadline(t), undefined);
    q.arm(t, 300);
    q.disarm(t);
    q.disarm(t); // idempotent
    assert.equal(q.size, 0);
    q.arm(t, 400);
    drain(q);
    assert.deepEqual(log.seen.at(-1), [400, 9, "timer", 0]);
  });

  test("re-arming at the same time keeps the timer's place among equal times", () => {
    const q = new EventQueue();
    const log = new Log();
    const t = q.createTimer(log, 1);
    q.arm(t, 10);
    q.schedule(10, log, 2);
    q.arm(t, 10);
    drain(q);
    assert.deepEqual(log.seen.map((e) => e[1]), [1, 2]);
  });

  test("re-arming at a new time counts as a new scheduling for ties", () => {
    const q = new EventQueue();
    const log = new Log();
    const t = q.createTimer(log, 1);
    q.arm(t, 5);
    q.schedule(10, log, 2);
    q.arm(t, 10);
    drain(q);
    assert.deepEqual(log.seen.map((e) => e[1]), [2, 1]);
  });

  test("a released timer's slot is reused without disturbing other events", () => {
    const q = new EventQueue();
    const log = new Log();
    const a = q.createTimer(log, 1);
    q.arm(a, 10);
    q.releaseTimer(a);
    assert.equal(q.size, 0);
    q.schedule(5, log, 2);
    const b = q.createTimer(log, 3);
    q.arm(b, 7);
    drain(q);
    assert.deepEqual(log.seen.map((e) => [e[0], e[1]]), [[5, 2], [7, 3]]);
  });

  test("grows past its initial capacity", () => {
    const q = new EventQueue(0, 16);
    const log = new Log();
    const timers = Array.from({ length: 40 }, (_, i) => q.createTimer(log, 1000 + i));
    for (let i = 0; i < 5000; i++) q.schedule((i * 7919) % 1000, log, i);
    timers.forEach((t, i) => q.arm(t, 500 + i));
    drain(q);
    assert.equal(log.seen.length, 5040);
    for (let i = 1; i < log.seen.length; i++) assert.ok(log.seen[i - 1]![0] <= log.seen[i]![0]);
  });

  test("matches a stable sort under random schedules, re-arms and disarms (property)", () => {
    type Op =
      | { op: "schedule"; time: number }
      | { op: "arm"; timer: number; time: number }
      | { op: "disarm"; timer: number }
      | { op: "pop" };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant("schedule" as const), time: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ op: fc.constant("arm" as const), timer: fc.integer({ min: 0, max: 3 }), time: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ op: fc.constant("disarm" as const), timer: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ op: fc.constant("pop" as const) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const q = new EventQueue();
        const got: string[] = [];
        const handler: EventHandler = { handleEvent: (_k, payload) => void got.push(payload as string) };
        const timers = [0, 1, 2, 3].map((i) => q.createTimer(handler, 0, `timer${i}`));
        // The model: a list of [time, seq, name]; pop takes the least (time, seq).
        let model: [number, number, string][] = [];
        const want: string[] = [];
        let seq = 0, n = 0;
        const popModel = (): void => {
          model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          want.push(model.shift()![2]);
        };
        for (const o of ops) {
          // Times are relative to now, as a simulation only ever schedules into the future.
          if (o.op === "schedule") {
            const name = `e${n++}`;
            q.schedule(q.now + o.time, handler, 0, name);
            model.push([q.now + o.time, seq++, name]);
          } else if (o.op === "arm") {
            const name = `timer${o.timer}`;
            const existing = model.find((m) => m[2] === name);
            const time = q.now + o.time;
            q.arm(timers[o.timer]!, time);
            if (existing === undefined) model.push([time, seq++, name]);
            else if (existing[0] !== time) { existing[0] = time; existing[1] = seq++; }
          } else if (o.op === "disarm") {
            q.disarm(timers[o.timer]!);
            model = model.filter((m) => m[2] !== `timer${o.timer}`);
          } else if (model.length > 0) {
            popModel();
            q.dispatchNext();
          }
          assert.equal(q.size, model.length);
        }
        while (model.length > 0) popModel();
        drain(q);
        assert.deepEqual(got, want);
      }),
    );
  });
});

describe("EventQueue deferred scheduling (takeSeq, scheduleAs)", () => {
  test("an event scheduled later with a place taken earlier runs in that place among ties", () => {
    const q = new EventQueue();
    const log = new Log();
    q.schedule(10, log, 0);
    const seq = q.takeSeq();
    q.schedule(10, log, 2);
    q.scheduleAs(10, seq, log, 1);
    drain(q);
    assert.deepEqual(log.seen.map((e) => e[1]), [0, 1, 2]);
  });

  test("a FIFO with only its head in the heap runs exactly as scheduling everything at once (property)", () => {
    // Each op schedules an event `delay` µs from now, either directly or (for a monotonic
    // stream, like a FIFO link's arrivals) into an owner's FIFO that keeps only its head queued;
    // every other event schedules two, so many are pending at once, with many equal times.
    const op = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const run = (deferred: boolean): number[] => {
          const q = new EventQueue();
          const order: number[] = [];
          const fifo: [number, number, number][] = []; // time, seq, id
          let last = 0;
          let next = 0;
          const spawn = (now: number): void => {
            const [delay, stream] = ops[next % ops.length]!;
            const id = next++;
            if (next > 200) return;
            let at = now + delay;
            if (stream) {
              at = Math.max(at, last);
              last = at;
              if (deferred) {
                const seq = q.takeSeq();
                if (fifo.length === 0) q.scheduleAs(at, seq, head, 0);
                fifo.push([at, seq, id]);
                return;
              }
            }
            q.schedule(at, direct, id);
          };
          const direct: EventHandler = {
            handleEvent(kind: number, _p: unknown, _a: number, now: number): void {
              order.push(kind);
              spawn(now);
              if (kind % 2 === 0) spawn(now);
            },
          };
          const head: EventHandler = {
            handleEvent(_kind: number, _p: unknown, _a: number, now: number): void {
              const [, , id] = fifo.shift()!;
              if (fifo.length > 0) q.scheduleAs(fifo[0]![0], fifo[0]![1], head, 0);
              order.push(id);
              spawn(now);
              if (id % 2 === 0) spawn(now);
            },
          };
          spawn(0);
          spawn(0);
          while (q.dispatchNext());
          return order;
        };
        assert.deepEqual(run(true), run(false));
      }),
    );
  });
});

describe("EventQueue clock", () => {
  test("advanceTo moves forward but never back or past a waiting event", () => {
    const q = new EventQueue(10);
    const log = new Log();
    q.advanceTo(20);
    assert.equal(q.now, 20);
    assert.throws(() => q.advanceTo(19), RangeError);
    q.schedule(30, log, 0);
    q.advanceTo(30);
    assert.throws(() => q.advanceTo(31), /skip an event at 30/);
    assert.equal(q.dispatchNext(), true);
    assert.equal(q.now, 30);
  });
});

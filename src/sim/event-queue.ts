/**
 * The simulator's event queue: a binary min-heap of timed events, ordered by (time, sequence).
 *
 * Times are integer microseconds (DESIGN.md §2). Events with equal times run in the order they
 * were scheduled: each scheduling takes the next value of a counter, and ties break on it. That,
 * and nothing else, makes a run deterministic when two packets arrive in the same microsecond.
 *
 * An event is (time, target, kind, payload, arg): `target.handleEvent(kind, payload, arg, now)`
 * runs when it is due. There are no closures per event: targets are long-lived objects (a link, a
 * node's timer) and `kind` says which of their events it is. The heap itself is three parallel
 * typed arrays (time, sequence, slot) and each slot's fields live in parallel arrays indexed by
 * slot, recycled through a free list, so a steady stream of events allocates nothing.
 *
 * Two kinds of event:
 * - one-shot events (`schedule`): packet arrivals, transmissions ending, scenario actions. They
 *   cannot be cancelled; their owner ignores a stale one (links compare an epoch in `arg`).
 * - timers (`createTimer`, then `arm`/`disarm` as often as needed): a persistent slot that is in
 *   the heap at most once. Re-arming moves it in place (O(log n)) instead of leaving cancelled
 *   entries behind, which matters because a TCP host moves its deadline on almost every ACK.
 */

/** Whoever an event is for. `now` is the event's time, which is also the queue's `now`. */
export interface EventHandler {
  handleEvent(kind: number, payload: unknown, arg: number, now: number): void;
}

/** A timer's identity, returned by `createTimer`. */
export type TimerId = number;

const NOT_QUEUED = -1;

export class EventQueue {
  /** How many events have been dispatched. */
  dispatched = 0;

  private time: number;
  private nextSeq = 0;
  private heapSize = 0;
  // The heap, in heap order.
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  // Per slot.
  private sTarget: (EventHandler | undefined)[];
  private sPayload: unknown[];
  private sKind: Int32Array;
  private sArg: Float64Array;
  private sPos: Int32Array; // index in the heap, or NOT_QUEUED
  private sTimer: Uint8Array; // 1 for a timer's slot (kept when it fires)
  private free: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;

  constructor(startTime = 0, initialCapacity = 1024) {
    this.time = startTime;
    const n = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(n);
    this.hSeq = new Float64Array(n);
    this.hSlot = new Int32Array(n);
    this.sTarget = new Array<EventHandler | undefined>(n);
    this.sPayload = new Array<unknown>(n);
    this.sKind = new Int32Array(n);
    this.sArg = new Float64Array(n);
    this.sPos = new Int32Array(n).fill(NOT_QUEUED);
    this.sTimer = new Uint8Array(n);
    this.free = new Int32Array(n);
  }

  /**
   * Virtual time: the time of the event being (or last) dispatched, or where `advanceTo` set it.
   * Nothing may be scheduled before it.
   */
  get now(): number {
    return this.time;
  }

  /** Moves the clock forward to `time` without running anything (it must not pass an event). */
  advanceTo(time: number): void {
    if (!(time >= this.time)) throw new RangeError(`cannot go back in time to ${time} (now ${this.time})`);
    if (this.heapSize > 0 && time > this.hTime[0]!) throw new RangeError(`advancing to ${time} would skip an event at ${this.hTime[0]}`);
    this.time = time;
  }

  /** Events waiting (armed timers included). */
  get size(): number {
    return this.heapSize;
  }

  /** The time of the earliest waiting event, or undefined when there is none. */
  peekTime(): number | undefined {
    return this.heapSize === 0 ? undefined : this.hTime[0];
  }

  /** Schedules a one-shot event at `time` (integer µs, not before `now`). */
  schedule(time: number, target: EventHandler, kind: number, payload?: unknown, arg = 0): void {
    if (!(time >= this.time)) throw new RangeError(`event at ${time} is before now (${this.time})`);
    const slot = this.allocSlot(target, kind, payload, arg, 0);
    this.insert(slot, time);
  }

  /**
   * Takes the next place in the tie-break order for an event that will be scheduled later with
   * `scheduleAs`. An owner whose events are due in the order it creates them (a link's
   * deliveries) keeps them in its own FIFO and has only the earliest in the heap: the heap stays
   * small, and each event still runs exactly where it would have had it been scheduled at once.
   */
  takeSeq(): number {
    return this.nextSeq++;
  }

  /**
   * Schedules a one-shot event at `time` (not before `now`) in the tie-break place `seq`, taken
   * with `takeSeq`. The owner must insert it before any event that would follow it runs, i.e.
   * while an event of its own that precedes it is still waiting or running.
   */
  scheduleAs(time: number, seq: number, target: EventHandler, kind: number, payload?: unknown, arg = 0): void {
    if (!(time >= this.time)) throw new RangeError(`event at ${time} is before now (${this.time})`);
    const slot = this.allocSlot(target, kind, payload, arg, 0);
    this.insertAs(slot, time, seq);
  }

  /** A persistent, initially disarmed timer that dispatches (kind, payload) to `target`. */
  createTimer(target: EventHandler, kind: number, payload?: unknown): TimerId {
    return this.allocSlot(target, kind, payload, 0, 1);
  }

  /**
   * Sets the timer to fire at `time`, replacing any earlier setting. Re-arming counts as a new
   * scheduling for the tie-break; arming at the time it already has keeps its place.
   */
  arm(timer: TimerId, time: number): void {
    if (!(time >= this.time)) throw new RangeError(`timer at ${time} is before now (${this.time})`);
    const i = this.sPos[timer]!;
    if (i === NOT_QUEUED) {
      this.insert(timer, time);
      return;
    }
    if (this.hTime[i] === time) return;
    const earlier = time < this.hTime[i]!;
    this.hTime[i] = time;
    this.hSeq[i] = this.nextSeq++;
    if (earlier) this.siftUp(i);
    else this.siftDown(i);
  }

  /** Stops the timer if it is armed. */
  disarm(timer: TimerId): void {
    const i = this.sPos[timer]!;
    if (i !== NOT_QUEUED) this.removeAt(i);
  }

  /** When the timer will fire, or undefined if it is disarmed. */
  deadline(timer: TimerId): number | undefined {
    const i = this.sPos[timer]!;
    return i === NOT_QUEUED ? undefined : this.hTime[i];
  }

  /** Disarms the timer and returns its slot for reuse; the id must not be used afterwards. */
  releaseTimer(timer: TimerId): void {
    this.disarm(timer);
    this.sTimer[timer] = 0;
    this.freeSlot(timer);
  }

  /**
   * Removes the earliest event, advances `now` to its time and runs it. Returns false (and does
   * nothing) when the queue is empty.
   */
  dispatchNext(): boolean {
    if (this.heapSize === 0) return false;
    const slot = this.hSlot[0]!;
    const time = this.hTime[0]!;
    this.removeAt(0);
    const target = this.sTarget[slot]!;
    const kind = this.sKind[slot]!;
    const payload = this.sPayload[slot];
    const arg = this.sArg[slot]!;
    if (this.sTimer[slot] === 0) this.freeSlot(slot);
    this.time = time;
    this.dispatched++;
    target.handleEvent(kind, payload, arg, time);
    return true;
  }

  private allocSlot(target: EventHandler, kind: number, payload: unknown, arg: number, timer: number): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      if (this.slotsUsed === this.sKind.length) this.growSlots();
      slot = this.slotsUsed++;
    }
    this.sTarget[slot] = target;
    this.sPayload[slot] = payload;
    this.sKind[slot] = kind;
    this.sArg[slot] = arg;
    this.sTimer[slot] = timer;
    return slot;
  }

  private freeSlot(slot: number): void {
    this.sTarget[slot] = undefined;
    this.sPayload[slot] = undefined;
    this.free[this.freeCount++] = slot;
  }

  private insert(slot: number, time: number): void {
    this.insertAs(slot, time, this.nextSeq++);
  }

  private insertAs(slot: number, time: number, seq: number): void {
    if (this.heapSize === this.hTime.length) this.growHeap();
    const i = this.heapSize++;
    this.hTime[i] = time;
    this.hSeq[i] = seq;
    this.hSlot[i] = slot;
    this.sPos[slot] = i;
    this.siftUp(i);
  }

  private removeAt(i: number): void {
    this.sPos[this.hSlot[i]!] = NOT_QUEUED;
    const last = --this.heapSize;
    if (i === last) return;
    this.hTime[i] = this.hTime[last]!;
    this.hSeq[i] = this.hSeq[last]!;
    this.hSlot[i] = this.hSlot[last]!;
    this.sPos[this.hSlot[i]!] = i;
    // The moved entry may belong above or below i (it came from elsewhere in the heap).
    if (i > 0 && this.less(i, (i - 1) >> 1)) this.siftUp(i);
    else this.siftDown(i);
  }

  private less(a: number, b: number): boolean {
    const ta = this.hTime[a]!, tb = this.hTime[b]!;
    return ta < tb || (ta === tb && this.hSeq[a]! < this.hSeq[b]!);
  }

  // Sifts hold the moving entry aside and shift others into the hole: one write per level.
  private siftUp(i: number): void {
    const hTime = this.hTime, hSeq = this.hSeq, hSlot = this.hSlot, sPos = this.sPos;
    const time = hTime[i]!, seq = hSeq[i]!, slot = hSlot[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hTime[p]!;
      if (pt < time || (pt === time && hSeq[p]! < seq)) break;
      hTime[i] = pt;
      hSeq[i] = hSeq[p]!;
      hSlot[i] = hSlot[p]!;
      sPos[hSlot[i]!] = i;
      i = p;
    }
    hTime[i] = time;
    hSeq[i] = seq;
    hSlot[i] = slot;
    sPos[slot] = i;
  }

  private siftDown(i: number): void {
    const hTime = this.hTime, hSeq = this.hSeq, hSlot = this.hSlot, sPos = this.sPos;
    const n = this.heapSize;
    const time = hTime[i]!, seq = hSeq[i]!, slot = hSlot[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = hTime[c]!, cs = hSeq[c]!;
      const r = c + 1;
      if (r < n) {
        const rt = hTime[r]!, rs = hSeq[r]!;
        if (rt < ct || (rt === ct && rs < cs)) { c = r; ct = rt; cs = rs; }
      }
      if (time < ct || (time === ct && seq < cs)) break;
      hTime[i] = ct;
      hSeq[i] = cs;
      hSlot[i] = hSlot[c]!;
      sPos[hSlot[i]!] = i;
      i = c;
    }
    hTime[i] = time;
    hSeq[i] = seq;
    hSlot[i] = slot;
    sPos[slot] = i;
  }

  private growHeap(): void {
    const n = this.hTime.length * 2;
    this.hTime = grow(this.hTime, new Float64Array(n));
    this.hSeq = grow(this.hSeq, new Float64Array(n));
    this.hSlot = grow(this.hSlot, new Int32Array(n));
  }

  private growSlots(): void {
    const n = this.sKind.length * 2;
    this.sTarget.length = n;
    this.sPayload.length = n;
    this.sKind = grow(this.sKind, new Int32Array(n));
    this.sArg = grow(this.sArg, new Float64Array(n));
    this.sPos = grow(this.sPos, new Int32Array(n).fill(NOT_QUEUED));
    this.sTimer = grow(this.sTimer, new Uint8Array(n));
    this.free = grow(this.free, new Int32Array(n));
  }
}

function grow<A extends Float64Array | Int32Array | Uint8Array>(old: A, next: A): A {
  next.set(old);
  return next;
}

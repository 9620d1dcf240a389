/**
 * A unidirectional link: a drop-tail queue in front of a transmitter of fixed rate, then a wire
 * of fixed propagation delay, optional jitter and random loss. Packets are IP datagrams as
 * `Uint8Array`; the link never looks inside them.
 *
 * A packet offered to the link goes straight to the transmitter when it is idle, otherwise it
 * waits in the queue, or is dropped if the queue limit (bytes and/or packets, counting waiting
 * packets only, not the one being serialised) would be exceeded. Serialisation takes
 * size·8·10^6 / rate µs, computed in integers with the remainder carried from one packet to the
 * next while the transmitter stays busy, so a long back-to-back run ends exactly when the exact
 * rational sum says (no drift). When serialisation ends the loss model decides the packet's fate
 * (a lost packet still used the link's capacity, as on a real noisy wire), then it arrives after
 * the propagation delay plus jitter (uniform in [0, maxUs]). Without `reorder` the link is a FIFO
 * pipe: a packet never arrives before one sent earlier (jitter and delay decreases push it back);
 * with `reorder` each packet's arrival time is independent.
 *
 * Up/down: when the link goes down, the packet being serialised and every packet propagating on
 * the wire are lost (the latter are counted when they would have arrived). Queued packets are
 * dropped with policy `drop-queue` (the default; an interface losing carrier flushes its queue
 * and arrivals are dropped while down), or kept with `keep-queue` (arrivals queue up too, and the
 * transmitter resumes when the link comes back, like a paused radio link).
 *
 * Rate, delay, loss, jitter and up/down can change at run time (`set*`) or on a schedule given in
 * the config. A rate change applies from the next packet to start serialisation (the current one
 * finishes at the old rate); a delay change applies to packets that finish serialisation after it.
 */
import type { EventHandler, EventQueue } from "./event-queue.js";
import { createLossProcess, validateLossModel, type LossModel, type LossProcess } from "./loss.js";
import type { Rng } from "../util/rng.js";
import type { CaptureWriter } from "./tap.js";
import { Queue } from "../util/queue.js";

export interface Jitter {
  /** Extra delay per packet, uniform in [0, maxUs] integer µs. */
  maxUs: number;
  /** Allow a packet to overtake earlier ones (default false: order is preserved). */
  reorder?: boolean;
}

export interface LinkConfig {
  /** Transmission rate in bits per second (a positive integer); omitted means unlimited. */
  rateBps?: number;
  /** Propagation delay in µs (default 0). */
  delayUs?: number;
  /** Most bytes that may wait in the queue (default unlimited). */
  queueLimitBytes?: number;
  /** Most packets that may wait in the queue (default unlimited). */
  queueLimitPackets?: number;
  loss?: LossModel;
  jitter?: Jitter;
  /** Initial state (default true). */
  up?: boolean;
  /** What happens to queued packets while the link is down (default `drop-queue`). */
  whenDown?: "drop-queue" | "keep-queue";
  /** Changes applied at given times. */
  schedule?: LinkChange[];
}

/** A change of link parameters at time `atUs`; absent fields are left as they are. */
export interface LinkChange {
  atUs: number;
  up?: boolean;
  /** New rate in bits/s; null makes the link unlimited. */
  rateBps?: number | null;
  delayUs?: number;
  loss?: LossModel;
  /** New jitter; null removes it. */
  jitter?: Jitter | null;
}

/** Where a link hands the packets that reach its far end. */
export interface LinkOutput {
  deliver(packet: Uint8Array, now: number): void;
}

export interface LinkCounters {
  /** Packets offered to the link by the sender. */
  offered: number;
  /** Packets accepted (sent to the transmitter or queued) and their bytes. */
  enqueued: number;
  enqueuedBytes: number;
  /** Packets dropped because the queue was full. */
  droppedQueue: number;
  /** Packets lost by the loss model. */
  droppedLoss: number;
  /** Packets lost because the link was or went down (refused, flushed, or lost on the wire). */
  droppedDown: number;
  /** Packets that reached the far end, and their bytes. */
  delivered: number;
  deliveredBytes: number;
  /** The most bytes and packets that ever waited in the queue. */
  maxQueueBytes: number;
  maxQueuePackets: number;
}

const TX_DONE = 0;
/** A packet arrives that was scheduled on its own (reordering links, see `propagate`). */
const DELIVER = 1;
const CHANGE = 2;
/** The packet at the head of the wire FIFO arrives. */
const WIRE_HEAD = 3;

export class Link implements EventHandler {
  readonly counters: LinkCounters = {
    offered: 0, enqueued: 0, enqueuedBytes: 0, droppedQueue: 0, droppedLoss: 0, droppedDown: 0,
    delivered: 0, deliveredBytes: 0, maxQueueBytes: 0, maxQueuePackets: 0,
  };

  private rateBps: number; // Infinity when unlimited
  private delayUs: number;
  private readonly limitBytes: number;
  private readonly limitPackets: number;
  private readonly keepQueueWhenDown: boolean;
  private loss: LossProcess;
  private jitterMax = 0;
  private reorder = false;
  private up: boolean;

  private readonly queue = new Queue<Uint8Array>();
  /**
   * The length of each queued packet, beside it: a packet leaves the queue long after it came
   * (a full queue holds hundreds), and reading its `length` then was a cache miss on the packet
   * object (1.3% of a tcp-clean run, on that one load); the receiver touches it anyway.
   */
  private readonly queuedLengths = new Queue<number>();
  private queuedBytes = 0;
  private current: Uint8Array | undefined; // being serialised
  private lastTxEnd = -1;
  private carry = 0; // remainder of bits·10^6 not yet turned into a whole µs, in units of 1/rate µs
  private lastArrival = 0;
  /** Packets propagating in arrival order; only the head has an event in the queue. */
  private readonly wire = new WireFifo();
  // Incremented whenever the link goes down; events scheduled in an older epoch are void.
  private epoch = 0;

  private readonly lossRng: Rng;
  private readonly jitterRng: Rng;
  private offeredTaps: CaptureWriter[] | undefined;
  private deliveredTaps: CaptureWriter[] | undefined;

  /**
   * `rng` should be this link's own stream (the simulator forks one per link name); loss and
   * jitter draw from separate sub-streams so enabling one does not change the other's pattern.
   */
  constructor(
    readonly name: string,
    config: LinkConfig,
    private readonly events: EventQueue,
    rng: Rng,
    private readonly output: LinkOutput,
  ) {
    const error = validateLinkConfig(config);
    if (error !== undefined) throw new RangeError(`link ${name}: ${error}`);
    this.rateBps = config.rateBps ?? Infinity;
    this.delayUs = config.delayUs ?? 0;
    this.limitBytes = config.queueLimitBytes ?? Infinity;
    this.limitPackets = config.queueLimitPackets ?? Infinity;
    this.keepQueueWhenDown = config.whenDown === "keep-queue";
    this.loss = createLossProcess(config.loss ?? { kind: "none" });
    this.setJitter(config.jitter);
    this.up = config.up ?? true;
    this.lossRng = rng.fork("loss");
    this.jitterRng = rng.fork("jitter");
    for (const change of config.schedule ?? []) events.schedule(change.atUs, this, CHANGE, change);
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Bytes and packets waiting in the queue now (not counting the one being serialised). */
  get queueBytes(): number {
    return this.queuedBytes;
  }

  get queuePackets(): number {
    return this.queue.length;
  }

  /** Captures every packet offered to the link (before queue and loss: what the sender sent). */
  tapOffered(writer: CaptureWriter): void {
    (this.offeredTaps ??= []).push(writer);
  }

  /** Captures every packet that reaches the far end (what the receiver got). */
  tapDelivered(writer: CaptureWriter): void {
    (this.deliveredTaps ??= []).push(writer);
  }

  /** The sender hands a packet to the link at the queue's current time. */
  send(packet: Uint8Array): void {
    const c = this.counters;
    const now = this.events.now;
    c.offered++;
    if (this.offeredTaps !== undefined) for (const t of this.offeredTaps) t.write(now, packet);
    if (!this.up && !this.keepQueueWhenDown) {
      c.droppedDown++;
      return;
    }
    const len = packet.length;
    if (this.up && this.current === undefined && this.queue.length === 0) {
      c.enqueued++;
      c.enqueuedBytes += len;
      this.transmit(packet, len, now);
      return;
    }
    if (this.queuedBytes + len > this.limitBytes || this.queue.length + 1 > this.limitPackets) {
      c.droppedQueue++;
      return;
    }
    c.enqueued++;
    c.enqueuedBytes += len;
    this.queue.push(packet);
    this.queuedLengths.push(len);
    this.queuedBytes += len;
    if (this.queuedBytes > c.maxQueueBytes) c.maxQueueBytes = this.queuedBytes;
    if (this.queue.length > c.maxQueuePackets) c.maxQueuePackets = this.queue.length;
  }

  setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (up) {
      this.transmitNext(this.events.now);
      return;
    }
    this.epoch++;
    this.lastArrival = 0;
    this.lastTxEnd = -1; // the lost packet's remainder must not carry into the next one
    if (this.current !== undefined) {
      this.counters.droppedDown++;
      this.current = undefined;
    }
    if (!this.keepQueueWhenDown) {
      this.counters.droppedDown += this.queue.length;
      this.queue.clear();
      this.queuedLengths.clear();
      this.queuedBytes = 0;
    }
  }

  /** New rate in bits/s (undefined: unlimited); the packet being serialised keeps the old one. */
  setRate(rateBps: number | undefined): void {
    const error = validateRate(rateBps);
    if (error !== undefined) throw new RangeError(`link ${this.name}: ${error}`);
    this.rateBps = rateBps ?? Infinity;
    this.carry = 0;
  }

  setDelay(delayUs: number): void {
    if (!isTime(delayUs)) throw new RangeError(`link ${this.name}: delayUs must be a non-negative integer`);
    this.delayUs = delayUs;
  }

  /** Replaces the loss model; a Gilbert–Elliott chain restarts in Good. */
  setLoss(model: LossModel): void {
    this.loss = createLossProcess(model);
  }

  setJitter(jitter: Jitter | undefined): void {
    if (jitter !== undefined && !isTime(jitter.maxUs)) {
      throw new RangeError(`link ${this.name}: jitter.maxUs must be a non-negative integer`);
    }
    this.jitterMax = jitter?.maxUs ?? 0;
    this.reorder = jitter?.reorder ?? false;
  }

  handleEvent(kind: number, payload: unknown, arg: number, now: number): void {
    if (kind === WIRE_HEAD) this.wireHeadArrives(now);
    else if (kind === DELIVER) this.arrive(payload as Uint8Array, arg, now);
    else if (kind === TX_DONE) this.transmitted(arg, now);
    else this.apply(payload as LinkChange);
  }

  /** Starts serialising `packet`, of `length` bytes. */
  private transmit(packet: Uint8Array, length: number, now: number): void {
    if (this.rateBps === Infinity) {
      this.propagate(packet, now);
      return;
    }
    this.current = packet;
    // The remainder only carries over between back-to-back packets; an idle gap restarts it.
    if (now !== this.lastTxEnd) this.carry = 0;
    const rate = this.rateBps;
    const scaled = length * 8_000_000 + this.carry;
    let us = Math.floor(scaled / rate);
    let rest = scaled - us * rate;
    if (rest < 0) { us--; rest += rate; } // guard against the float quotient rounding up
    this.carry = rest;
    this.lastTxEnd = now + us;
    this.events.schedule(this.lastTxEnd, this, TX_DONE, undefined, this.epoch);
  }

  private transmitted(epoch: number, now: number): void {
    if (epoch !== this.epoch) return; // the link went down meanwhile; already counted
    const packet = this.current!;
    this.current = undefined;
    this.propagate(packet, now);
    this.transmitNext(now);
  }

  private transmitNext(now: number): void {
    while (this.up && this.current === undefined) {
      const next = this.queue.shift();
      if (next === undefined) return;
      const length = this.queuedLengths.shift()!;
      this.queuedBytes -= length;
      this.transmit(next, length, now);
    }
  }

  private propagate(packet: Uint8Array, now: number): void {
    if (this.loss.lose(this.lossRng)) {
      this.counters.droppedLoss++;
      return;
    }
    let at = now + this.delayUs;
    if (this.jitterMax > 0) at += this.jitterRng.nextBelow(this.jitterMax + 1);
    if (!this.reorder) {
      if (at < this.lastArrival) at = this.lastArrival;
      this.lastArrival = at;
      // Arrivals of a FIFO link are due in the order they are scheduled, so they wait in the
      // link's own FIFO with their tie-break place taken now, and only the head is in the event
      // queue: the same events run in the same order, from a heap that holds a few entries per
      // link instead of a bandwidth-delay product of packets. (After the link went down and up,
      // a packet may be due before one still on the wire, voided; it is scheduled on its own.)
      const wire = this.wire;
      if (wire.length === 0 || at >= wire.lastTime) {
        const seq = this.events.takeSeq();
        if (wire.length === 0) this.events.scheduleAs(at, seq, this, WIRE_HEAD);
        wire.push(at, seq, packet, this.epoch);
        return;
      }
    }
    this.events.schedule(at, this, DELIVER, packet, this.epoch);
  }

  private wireHeadArrives(now: number): void {
    const wire = this.wire;
    const epoch = wire.headEpoch;
    const packet = wire.shift();
    if (wire.length > 0) this.events.scheduleAs(wire.headTime, wire.headSeq, this, WIRE_HEAD);
    this.arrive(packet, epoch, now);
  }

  private arrive(packet: Uint8Array, epoch: number, now: number): void {
    const c = this.counters;
    if (epoch !== this.epoch) {
      c.droppedDown++;
      return;
    }
    c.delivered++;
    c.deliveredBytes += packet.length;
    if (this.deliveredTaps !== undefined) for (const t of this.deliveredTaps) t.write(now, packet);
    this.output.deliver(packet, now);
  }

  private apply(change: LinkChange): void {
    if (change.rateBps !== undefined) this.setRate(change.rateBps ?? undefined);
    if (change.delayUs !== undefined) this.setDelay(change.delayUs);
    if (change.loss !== undefined) this.setLoss(change.loss);
    if (change.jitter !== undefined) this.setJitter(change.jitter ?? undefined);
    if (change.up !== undefined) this.setUp(change.up);
  }
}

/**
 * Packets on the wire of a FIFO link, with their arrival time, tie-break place and epoch: a ring
 * of parallel arrays (no object per packet), grown by doubling.
 */
class WireFifo {
  // A power of two (the ring wraps with a mask); small, since most links carry little.
  private times = new Float64Array(8);
  private seqs = new Float64Array(8);
  private epochs = new Float64Array(8);
  private packets: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(8);
  private head = 0;
  length = 0;
  /** Arrival time of the last packet pushed. */
  lastTime = 0;

  get headTime(): number {
    return this.times[this.head]!;
  }

  get headSeq(): number {
    return this.seqs[this.head]!;
  }

  get headEpoch(): number {
    return this.epochs[this.head]!;
  }

  push(time: number, seq: number, packet: Uint8Array, epoch: number): void {
    if (this.length === this.times.length) this.grow();
    const i = (this.head + this.length) & (this.times.length - 1);
    this.times[i] = time;
    this.seqs[i] = seq;
    this.epochs[i] = epoch;
    this.packets[i] = packet;
    this.length++;
    this.lastTime = time;
  }

  /** Removes the head (the FIFO is not empty) and returns its packet. */
  shift(): Uint8Array {
    const i = this.head;
    const packet = this.packets[i]!;
    this.packets[i] = undefined;
    this.head = (i + 1) & (this.times.length - 1);
    this.length--;
    return packet;
  }

  private grow(): void {
    const n = this.times.length;
    const times = new Float64Array(2 * n);
    const seqs = new Float64Array(2 * n);
    const epochs = new Float64Array(2 * n);
    const packets = new Array<Uint8Array | undefined>(2 * n);
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & (n - 1);
      times[k] = this.times[i]!;
      seqs[k] = this.seqs[i]!;
      epochs[k] = this.epochs[i]!;
      packets[k] = this.packets[i];
    }
    this.times = times;
    this.seqs = seqs;
    this.epochs = epochs;
    this.packets = packets;
    this.head = 0;
  }
}

/** Checks a link config; returns a message naming the bad field, or undefined. */
export function validateLinkConfig(config: LinkConfig): string | undefined {
  const rate = validateRate(config.rateBps);
  if (rate !== undefined) return rate;
  if (config.delayUs !== undefined && !isTime(config.delayUs)) return "delayUs must be a non-negative integer";
  for (const f of ["queueLimitBytes", "queueLimitPackets"] as const) {
    const v = config[f];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) return `${f} must be a non-negative integer`;
  }
  if (config.loss !== undefined) {
    const loss = validateLossModel(config.loss);
    if (loss !== undefined) return loss;
  }
  if (config.jitter !== undefined && !isTime(config.jitter.maxUs)) return "jitter.maxUs must be a non-negative integer";
  if (config.whenDown !== undefined && config.whenDown !== "drop-queue" && config.whenDown !== "keep-queue") {
    return `whenDown must be drop-queue or keep-queue, got ${String(config.whenDown)}`;
  }
  for (const [i, ch] of (config.schedule ?? []).entries()) {
    if (!isTime(ch.atUs)) return `schedule[${i}].atUs must be a non-negative integer`;
    if (ch.rateBps !== undefined && ch.rateBps !== null) {
      const r = validateRate(ch.rateBps);
      if (r !== undefined) return `schedule[${i}].${r}`;
    }
    if (ch.delayUs !== undefined && !isTime(ch.delayUs)) return `schedule[${i}].delayUs must be a non-negative integer`;
    if (ch.loss !== undefined) {
      const loss = validateLossModel(ch.loss);
      if (loss !== undefined) return `schedule[${i}].${loss}`;
    }
    if (ch.jitter !== undefined && ch.jitter !== null && !isTime(ch.jitter.maxUs)) {
      return `schedule[${i}].jitter.maxUs must be a non-negative integer`;
    }
  }
  return undefined;
}

function validateRate(rateBps: number | undefined): string | undefined {
  if (rateBps === undefined) return undefined;
  return Number.isInteger(rateBps) && rateBps > 0 ? undefined : `rateBps must be a positive integer, got ${rateBps}`;
}

function isTime(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

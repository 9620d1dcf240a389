/**
 * Link impairment inside a packet driver: a fixed one-way delay, random loss and a rate limit
 * with a bounded drop-tail queue, applied to the datagrams a `PacketDriver` sends and to the
 * batches it receives. It stands in for netem where the kernel has none (the testbed, see
 * docs/testbed.md), and it is deterministic for a seed, so a lossy run can be repeated.
 *
 * Each direction is one pipeline, in the order a real link applies them: the loss draw when the
 * datagram is offered, then the rate queue (serialisation at `rateBps`, drop-tail beyond
 * `queuePackets` datagrams waiting), then the propagation delay. Every datagram therefore leaves
 * at a time no earlier than the one before it, so one FIFO per direction suffices and order is
 * always kept. ONE timer, set for the earlier of the two FIFOs' heads, drives both; nothing polls.
 */
import type { DriverError, DriverStats, PacketDriver, PacketHandler } from "./driver.js";
import { Rng } from "../util/rng.js";

export interface ImpairOptions {
  /** Rate limit in bits per second (IP datagram bytes, no link-layer overhead). None when absent. */
  rateBps?: number;
  /** One-way delay added to every datagram in microseconds; the round trip grows by twice this. */
  delayUs?: number;
  /** Probability in [0, 1] that a datagram is dropped, drawn independently per datagram. */
  loss?: number;
  /** Seed of the loss pattern (each direction has its own stream). Default 1. */
  seed?: number;
  /** Datagrams that may wait for the rate limiter before the next is dropped. Default 100. */
  queuePackets?: number;
  /**
   * Whether the rate limit also paces received batches. Default true. The testbed turns it off:
   * its kernel side already shapes that direction with tbf.
   */
  paceReceived?: boolean;
}

/** The clock and the one-shot timer the impairment uses; tests inject a virtual one. */
export interface ImpairTimers {
  /** Now, in microseconds (any epoch, never going backwards). */
  now(): number;
  /** Calls `fn` once, no earlier than `delayUs` from now. */
  setTimer(fn: () => void, delayUs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Datagrams an impairment took out, per direction. */
export interface ImpairStats {
  txLost: number;
  txQueueDrops: number;
  rxLost: number;
  rxQueueDrops: number;
}

export const DEFAULT_QUEUE_PACKETS = 100;

/** Real time: `process.hrtime` and `setTimeout` (millisecond granularity, rounded up). */
export const realTimers: ImpairTimers = {
  now: () => Number(process.hrtime.bigint() / 1000n),
  setTimer: (fn, delayUs) => setTimeout(fn, Math.ceil(delayUs / 1000)),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Whether `opts` asks for any impairment at all. */
export function isImpairing(opts: ImpairOptions): boolean {
  return (opts.rateBps ?? 0) > 0 || (opts.delayUs ?? 0) > 0 || (opts.loss ?? 0) > 0;
}

/**
 * Wraps `driver` so that what it sends and receives is delayed, dropped and paced as `opts`
 * says. With nothing to impair it returns `driver` itself. Closing the wrapper drops what is
 * still queued and closes `driver`. Throws a RangeError for an option out of range.
 */
export function impair(driver: PacketDriver, opts: ImpairOptions, timers: ImpairTimers = realTimers): PacketDriver {
  checkOptions(opts);
  if (!isImpairing(opts)) return driver;
  return new ImpairedDriver(driver, opts, timers);
}

export class ImpairedDriver implements PacketDriver {
  readonly name: string;
  readonly mtu: number;
  private readonly tx: Pipe;
  private readonly rx: Pipe;
  private handler: PacketHandler | undefined;
  private closing: Promise<void> | undefined;
  /** The one timer, for the earlier of the two directions' heads, and when it is due. */
  private timer: unknown;
  private timerAt = Infinity;

  constructor(
    private readonly inner: PacketDriver,
    opts: ImpairOptions,
    private readonly timers: ImpairTimers,
  ) {
    this.name = `${inner.name}+impair`;
    this.mtu = inner.mtu;
    const rng = Rng.seeded(opts.seed ?? 1);
    const limit = opts.queuePackets ?? DEFAULT_QUEUE_PACKETS;
    this.tx = new Pipe(opts.delayUs ?? 0, opts.loss ?? 0, opts.rateBps ?? 0, limit, rng.fork("send"));
    this.rx = new Pipe(opts.delayUs ?? 0, opts.loss ?? 0, opts.paceReceived === false ? 0 : (opts.rateBps ?? 0), limit, rng.fork("receive"));
    inner.onPackets((packets) => {
      if (this.closing) return;
      const now = this.timers.now();
      this.deliverReceived(this.rx.offer(packets, now));
      this.arm(now);
    });
  }

  /** What the impairment dropped so far (a snapshot). */
  get impairStats(): ImpairStats {
    return { txLost: this.tx.lost, txQueueDrops: this.tx.queueDrops, rxLost: this.rx.lost, rxQueueDrops: this.rx.queueDrops };
  }

  /** The inner driver's counters: what actually crossed the device. See `impairStats` for drops. */
  get stats(): Readonly<DriverStats> {
    return this.inner.stats;
  }

  onPackets(handler: PacketHandler): void {
    this.handler = handler;
  }

  onError(handler: (err: DriverError) => void): void {
    this.inner.onError(handler);
  }

  send(packet: Uint8Array): void {
    if (this.closing) {
      this.inner.send(packet);
      return;
    }
    const now = this.timers.now();
    this.sendAll(this.tx.offer([packet], now));
    this.arm(now);
  }

  close(): Promise<void> {
    this.closing ??= (() => {
      if (this.timerAt !== Infinity) this.timers.clearTimer(this.timer);
      this.timerAt = Infinity;
      this.tx.clear();
      this.rx.clear();
      return this.inner.close();
    })();
    return this.closing;
  }

  private sendAll(batch: Uint8Array[] | undefined): void {
    if (batch) for (const p of batch) this.inner.send(p);
  }

  private deliverReceived(batch: Uint8Array[] | undefined): void {
    // As the inner driver does: a batch that arrives with no handler set is gone.
    if (batch) this.handler?.(batch);
  }

  /** Sets the timer for the earliest head of either direction, unless one is set no later. */
  private arm(now: number): void {
    if (this.closing) return;
    const next = Math.min(this.tx.nextDue(), this.rx.nextDue());
    if (next >= this.timerAt) return;
    if (this.timerAt !== Infinity) this.timers.clearTimer(this.timer);
    this.timerAt = next;
    if (next !== Infinity) this.timer = this.timers.setTimer(() => this.fire(), Math.max(0, next - now));
  }

  private fire(): void {
    this.timerAt = Infinity;
    if (this.closing) return;
    const now = this.timers.now();
    const sent = this.tx.release(now);
    const received = this.rx.release(now);
    // Re-armed before handing anything out: a handler that sends (an ACK) finds the timer set.
    this.arm(now);
    this.sendAll(sent);
    this.deliverReceived(received);
  }
}

/**
 * One direction: loss, then the rate queue, then the delay line. It keeps no clock of its own:
 * the driver passes the time in, and asks when the head is due.
 */
class Pipe {
  lost = 0;
  queueDrops = 0;
  /** Microseconds one byte takes at the rate (0: no rate limit). */
  private readonly usPerByte: number;
  /** When the rate limiter finishes sending the last datagram it took (fractional µs). */
  private busyUntil = 0;
  /** Departure times from the rate queue of the datagrams still waiting in it, oldest first. */
  private readonly waiting: number[] = [];
  private waitingHead = 0;
  /** Datagrams on their way to the far end, with their delivery times, oldest first. */
  private readonly packets: Uint8Array[] = [];
  private readonly due: number[] = [];
  private head = 0;

  constructor(
    private readonly delayUs: number,
    private readonly loss: number,
    rateBps: number,
    private readonly limit: number,
    private readonly rng: Rng,
  ) {
    this.usPerByte = rateBps > 0 ? 8e6 / rateBps : 0;
  }

  /**
   * Takes `batch` at time `now`; returns what is due at once (no delay, an idle limiter and
   * nothing ahead), which then goes out synchronously, or undefined.
   */
  offer(batch: readonly Uint8Array[], now: number): Uint8Array[] | undefined {
    let direct: Uint8Array[] | undefined;
    for (const p of batch) {
      if (this.loss > 0 && this.rng.chance(this.loss)) {
        this.lost++;
        continue;
      }
      let leaves = now;
      if (this.usPerByte > 0) {
        this.forgetDeparted(now);
        if (this.waiting.length - this.waitingHead >= this.limit) {
          this.queueDrops++;
          continue;
        }
        this.busyUntil = Math.max(this.busyUntil, now) + p.length * this.usPerByte;
        leaves = this.busyUntil;
        this.waiting.push(leaves);
      }
      const at = leaves + this.delayUs;
      if (at <= now && this.head === this.packets.length) {
        (direct ??= []).push(p);
      } else {
        this.packets.push(p);
        this.due.push(at);
      }
    }
    return direct;
  }

  /** When the oldest datagram in flight is due, or Infinity. */
  nextDue(): number {
    return this.head < this.due.length ? this.due[this.head]! : Infinity;
  }

  /** Takes out every datagram due by `now`, oldest first, or returns undefined if none is. */
  release(now: number): Uint8Array[] | undefined {
    const end = this.packets.length;
    let i = this.head;
    while (i < end && this.due[i]! <= now) i++;
    if (i === this.head) return undefined;
    const batch = this.packets.slice(this.head, i);
    this.head = i;
    if (this.head === end) {
      this.packets.length = 0;
      this.due.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER) {
      this.packets.splice(0, this.head);
      this.due.splice(0, this.head);
      this.head = 0;
    }
    return batch;
  }

  clear(): void {
    this.packets.length = 0;
    this.due.length = 0;
    this.head = 0;
  }

  private forgetDeparted(now: number): void {
    const w = this.waiting;
    while (this.waitingHead < w.length && w[this.waitingHead]! <= now) this.waitingHead++;
    if (this.waitingHead === w.length) {
      w.length = 0;
      this.waitingHead = 0;
    } else if (this.waitingHead >= COMPACT_AFTER) {
      w.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
  }
}

/** Queue arrays are indexed from a moving head and compacted once this many are consumed. */
const COMPACT_AFTER = 1024;

function checkOptions(opts: ImpairOptions): void {
  const { rateBps, delayUs, loss, queuePackets, seed } = opts;
  if (rateBps !== undefined && !(Number.isFinite(rateBps) && rateBps >= 0)) throw new RangeError(`impair: rateBps ${rateBps} is not a rate`);
  if (delayUs !== undefined && !(Number.isFinite(delayUs) && delayUs >= 0)) throw new RangeError(`impair: delayUs ${delayUs} is not a delay`);
  if (loss !== undefined && !(loss >= 0 && loss <= 1)) throw new RangeError(`impair: loss ${loss} is not a probability`);
  if (queuePackets !== undefined && !(Number.isInteger(queuePackets) && queuePackets >= 1)) throw new RangeError(`impair: queuePackets ${queuePackets} must be a positive integer`);
  if (seed !== undefined && !Number.isFinite(seed)) throw new RangeError(`impair: seed ${seed} is not a number`);
}

/**
 * The real-time driver of an `MptcpHost` (DESIGN.md §2, §7): the three sans-I/O inputs fed from
 * the real world, and the outputs drained after each.
 *
 * - A batch of datagrams from driver `i` is fed to `host.receive(packet, i, now)` (interface index
 *   i is driver i), then the host is drained once for the whole batch.
 * - Time: ONE timer, set at `pollTimeout()` after every drain. No polling loop, no interval.
 * - Application calls (socket writes, reads, opens, closes) call `schedule()`, which drains once
 *   at the end of the current tick (a microtask): a thousand `write`s cost one drain.
 *
 * Draining sends every `pollTransmit` datagram on its interface's driver and hands every
 * `pollEvent` event to `onEvent`, repeating while events come (a handler may write, which gives
 * the host more to send).
 */
import type { DriverError, PacketDriver } from "../io/driver.js";
import type { MptcpEvent } from "../stack/mptcp-events.js";
import type { MptcpHost } from "../stack/mptcp-host.js";
import type { Clock } from "./clock.js";

export interface DriverLoopOptions {
  host: MptcpHost;
  /** Interface i of the host is `drivers[i]`. */
  drivers: readonly PacketDriver[];
  /** Time in integer microseconds. */
  clock: Clock;
  /** Every application event of the host, in order. */
  onEvent: (event: MptcpEvent) => void;
  /** A driver failed after it was opened (it no longer receives). */
  onDriverError: (err: DriverError, iface: number) => void;
  /** Called at the end of every drain, once the host's output and events are handed out. */
  afterDrain?: () => void;
}

export class DriverLoop {
  readonly host: MptcpHost;
  readonly drivers: readonly PacketDriver[];
  readonly now: Clock;
  /** Datagrams the host addressed to an interface with no driver (a misconfigured host). */
  unroutable = 0;
  private readonly onEvent: (event: MptcpEvent) => void;
  private readonly afterDrain: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The deadline (µs) the timer was set for. */
  private timerAt = 0;
  private scheduled = false;
  private draining = false;
  private active = false;
  private closing: Promise<void> | undefined;

  constructor(opts: DriverLoopOptions) {
    this.host = opts.host;
    this.drivers = opts.drivers;
    this.now = opts.clock;
    this.onEvent = opts.onEvent;
    this.afterDrain = opts.afterDrain;
    opts.drivers.forEach((d, iface) => {
      d.onPackets((packets) => this.receive(packets, iface));
      d.onError((err) => opts.onDriverError(err, iface));
    });
  }

  /**
   * Whether a connection is open: the timer then keeps the process alive (a retransmission is
   * due whatever the application does); otherwise it is unref'd, so lingering TIME-WAIT or
   * DATA_FIN timers never hold the process.
   */
  setActive(active: boolean): void {
    if (this.active === active) return;
    this.active = active;
    if (active) this.timer?.ref();
    else this.timer?.unref();
  }

  /** The application called something: drain once at the end of the current tick. */
  schedule(): void {
    if (this.scheduled || this.closing) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /**
   * Sends what the host has to send, hands out its events, and re-arms the timer. Re-entrant
   * calls (from an event handler) become a scheduled drain.
   */
  drain(): void {
    if (this.closing) return;
    if (this.draining) {
      this.schedule();
      return;
    }
    this.draining = true;
    const host = this.host;
    const now = this.now();
    try {
      for (;;) {
        for (let t = host.pollTransmit(now); t !== undefined; t = host.pollTransmit(now)) {
          const d = this.drivers[t.iface];
          if (d === undefined) this.unroutable++;
          else d.send(t.packet);
        }
        const e = host.pollEvent();
        if (e === undefined) break;
        for (let ev: MptcpEvent | undefined = e; ev !== undefined; ev = host.pollEvent()) this.onEvent(ev);
      }
      this.afterDrain?.();
    } finally {
      this.draining = false;
      this.arm(now);
    }
  }

  /** Stops the timer and closes every driver; nothing is fed to the host afterwards. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      await Promise.all(this.drivers.map((d) => d.close()));
    })();
    return this.closing;
  }

  private receive(packets: Uint8Array[], iface: number): void {
    if (this.closing) return;
    const now = this.now();
    for (let i = 0; i < packets.length; i++) this.host.receive(packets[i]!, iface, now);
    this.drain();
  }

  private arm(now: number): void {
    if (this.closing) return;
    const deadline = this.host.pollTimeout();
    if (deadline === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    // A timer due no later than the new deadline stays: when it fires it re-arms, and most
    // drains (one per received batch) move the deadline only later.
    if (this.timer !== undefined && this.timerAt <= deadline) return;
    clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil((deadline - now) / 1000)));
    if (!this.active) this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.closing) return;
    // Node's timers may fire a little before the deadline by our clock: handleTimeout then
    // finds nothing due, and arm() sets a short timer for the rest.
    this.host.handleTimeout(this.now());
    this.drain();
  }
}

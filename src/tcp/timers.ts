/**
 * Every timer of a connection in one place. Each holds an absolute deadline in microseconds or
 * nothing; `next()` is what `pollTimeout()` reports.
 *
 * - `retransmit`: RFC 6298 §5 (data, FIN) and the SYN / SYN-ACK retransmission.
 * - `delayedAck`: RFC 9293 §3.8.6.3 / RFC 5681 §4.2.
 * - `persist`: zero-window probes, RFC 9293 §3.8.6.1 (exclusive with `retransmit`).
 * - `keepalive`: RFC 9293 §3.8.4, only when configured.
 * - `timeWait`: 2*MSL in TIME-WAIT, RFC 9293 §3.4.2 / §3.10.7.4.
 */
export type TimerName = "retransmit" | "delayedAck" | "persist" | "keepalive" | "timeWait";

const NAMES: readonly TimerName[] = ["retransmit", "delayedAck", "persist", "keepalive", "timeWait"];

/**
 * `next()` is read after every input (the Host's `pollTimeout`) while timers are set and cleared
 * several times per segment, so the earliest deadline is cached: setting a timer earlier than it
 * updates it at once, and only moving or clearing the timer that held it makes it stale, to be
 * recomputed from the five on the next read. (A plain record, not a typed array: an idle
 * connection costs about 200 bytes less.)
 */
export class Timers {
  private readonly deadlines: Record<TimerName, number | undefined> = {
    retransmit: undefined,
    delayedAck: undefined,
    persist: undefined,
    keepalive: undefined,
    timeWait: undefined,
  };
  /** The earliest deadline when not `stale`; otherwise at most the earliest. */
  private earliest: number | undefined;
  private stale = false;

  set(name: TimerName, at: number): void {
    const old = this.deadlines[name];
    this.deadlines[name] = at;
    const e = this.earliest;
    if (e === undefined || at <= e) {
      // No earlier deadline: a stale `earliest` is still at most every other one.
      this.earliest = at;
      this.stale = false;
    } else if (old === e) {
      this.stale = true;
    }
  }

  /** Sets the timer only when it is not already running. */
  setIfIdle(name: TimerName, at: number): void {
    if (this.deadlines[name] === undefined) this.set(name, at);
  }

  clear(name: TimerName): void {
    const old = this.deadlines[name];
    if (old === undefined) return;
    this.deadlines[name] = undefined;
    if (old === this.earliest) this.stale = true;
  }

  clearAll(): void {
    for (const n of NAMES) this.deadlines[n] = undefined;
    this.earliest = undefined;
    this.stale = false;
  }

  get(name: TimerName): number | undefined {
    return this.deadlines[name];
  }

  isRunning(name: TimerName): boolean {
    return this.deadlines[name] !== undefined;
  }

  /** Whether `name` is due at `now`. */
  expired(name: TimerName, now: number): boolean {
    const d = this.deadlines[name];
    return d !== undefined && d <= now;
  }

  /** The earliest deadline, if any timer runs. */
  next(): number | undefined {
    if (this.stale) this.recompute();
    return this.earliest;
  }

  private recompute(): void {
    let best: number | undefined;
    for (const n of NAMES) {
      const d = this.deadlines[n];
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    this.earliest = best;
    this.stale = false;
  }
}

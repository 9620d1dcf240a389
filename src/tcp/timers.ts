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

export class Timers {
  private readonly deadlines: Record<TimerName, number | undefined> = {
    retransmit: undefined,
    delayedAck: undefined,
    persist: undefined,
    keepalive: undefined,
    timeWait: undefined,
  };

  set(name: TimerName, at: number): void {
    this.deadlines[name] = at;
  }

  /** Sets the timer only when it is not already running. */
  setIfIdle(name: TimerName, at: number): void {
    if (this.deadlines[name] === undefined) this.deadlines[name] = at;
  }

  clear(name: TimerName): void {
    this.deadlines[name] = undefined;
  }

  clearAll(): void {
    for (const n of NAMES) this.deadlines[n] = undefined;
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
    let best: number | undefined;
    for (const n of NAMES) {
      const d = this.deadlines[n];
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    return best;
  }
}

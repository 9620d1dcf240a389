/**
 * Every timer of a connection in one place. Each holds an absolute deadline in microseconds or
 * nothing; `next()` is what `pollTimeout()` reports.
 *
 * - `retransmit`: RFC 6298 §5 (data, FIN) and the SYN / SYN-ACK retransmission.
 * - `lossProbe`: the tail loss probe's PTO, RFC 8985 §7.2. It runs in front of `retransmit`,
 *   never after it: its deadline is capped by the RTO's (TCP_RTO_expiration() of §7.2), and the
 *   probe re-arms the RTO (§7.3), so while it runs the RTO cannot fire first.
 * - `reorder`: RACK's reordering timer, RFC 8985 §6.2 step 5: when outstanding data sent before
 *   data already delivered becomes overdue.
 * - `delayedAck`: RFC 9293 §3.8.6.3 / RFC 5681 §4.2.
 * - `persist`: zero-window probes, RFC 9293 §3.8.6.1 (exclusive with `retransmit`).
 * - `keepalive`: RFC 9293 §3.8.4, only when configured.
 * - `timeWait`: 2*MSL in TIME-WAIT, RFC 9293 §3.4.2 / §3.10.7.4.
 * - `pace`: when pacing (pacing.ts) lets the next data segment leave, while one waits for it.
 */
export type TimerName = "retransmit" | "lossProbe" | "reorder" | "delayedAck" | "persist" | "keepalive" | "timeWait" | "pace";

/**
 * `next()` is read after every input (the Host's `pollTimeout`) while timers are set and cleared
 * several times per segment, so the earliest deadline is cached: setting a timer earlier than it
 * updates it at once, and only moving or clearing the timer that held it makes it stale, to be
 * recomputed from the eight on the next read.
 *
 * Each timer is a field of its own, reached through a `switch` on the name. Every caller passes
 * a constant name, so once inlined the switch folds to one field access; a record indexed by the
 * name (`deadlines[name]`) was one keyed load site shared by all the names, which V8 serves
 * from its megamorphic stub cache on every call (about 1% of a bulk transfer's profile).
 */
export class Timers {
  private retransmit: number | undefined = undefined;
  private lossProbe: number | undefined = undefined;
  private reorder: number | undefined = undefined;
  private delayedAck: number | undefined = undefined;
  private persist: number | undefined = undefined;
  private keepalive: number | undefined = undefined;
  private timeWait: number | undefined = undefined;
  private pace: number | undefined = undefined;
  /** The earliest deadline when not `stale`; otherwise at most the earliest. */
  private earliest: number | undefined;
  private stale = false;

  set(name: TimerName, at: number): void {
    const old = this.get(name);
    this.put(name, at);
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
    if (this.get(name) === undefined) this.set(name, at);
  }

  clear(name: TimerName): void {
    const old = this.get(name);
    if (old === undefined) return;
    this.put(name, undefined);
    if (old === this.earliest) this.stale = true;
  }

  clearAll(): void {
    this.retransmit = this.lossProbe = this.reorder = this.delayedAck = this.persist = this.keepalive = this.timeWait = this.pace = undefined;
    this.earliest = undefined;
    this.stale = false;
  }

  get(name: TimerName): number | undefined {
    switch (name) {
      case "retransmit": return this.retransmit;
      case "lossProbe": return this.lossProbe;
      case "reorder": return this.reorder;
      case "delayedAck": return this.delayedAck;
      case "persist": return this.persist;
      case "keepalive": return this.keepalive;
      case "timeWait": return this.timeWait;
      case "pace": return this.pace;
    }
  }

  isRunning(name: TimerName): boolean {
    return this.get(name) !== undefined;
  }

  /** Whether `name` is due at `now`. */
  expired(name: TimerName, now: number): boolean {
    const d = this.get(name);
    return d !== undefined && d <= now;
  }

  /** The earliest deadline, if any timer runs. */
  next(): number | undefined {
    if (this.stale) this.recompute();
    return this.earliest;
  }

  private put(name: TimerName, at: number | undefined): void {
    switch (name) {
      case "retransmit": this.retransmit = at; return;
      case "lossProbe": this.lossProbe = at; return;
      case "reorder": this.reorder = at; return;
      case "delayedAck": this.delayedAck = at; return;
      case "persist": this.persist = at; return;
      case "keepalive": this.keepalive = at; return;
      case "timeWait": this.timeWait = at; return;
      case "pace": this.pace = at; return;
    }
  }

  private recompute(): void {
    const sending = earlier(earlier(earlier(earlier(this.retransmit, this.lossProbe), this.reorder), this.delayedAck), this.pace);
    this.earliest = earlier(earlier(sending, earlier(this.persist, this.keepalive)), this.timeWait);
    this.stale = false;
  }
}

function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined || a <= b ? a : b;
}

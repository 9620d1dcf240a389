/**
 * A two-endpoint harness in the spirit of quinn's `Pair`: two connections joined by in-memory
 * one-way links with a fixed delay, optional drop and reorder predicates, and time that jumps to
 * the next delivery or timer.
 */
import { createHash } from "node:crypto";
import type { TcpRepr } from "../../src/wire/tcp-types.js";
import { TcpConnection } from "../../src/tcp/connection.js";
import type { TcpConfig } from "../../src/tcp/config.js";

/** A small deterministic PRNG (mulberry32), so a seed reproduces a run exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface InFlight {
  at: number;
  order: number;
  seg: TcpRepr;
}

export interface LinkOptions {
  /** One-way delay, µs. */
  delay: number;
  /** Return true to drop this segment. */
  drop?: (seg: TcpRepr, index: number) => boolean;
  /** Extra delay for this segment (reordering), µs. */
  jitter?: (seg: TcpRepr, index: number) => number;
  /** Return true to deliver this segment twice. */
  duplicate?: (seg: TcpRepr, index: number) => boolean;
}

class Link {
  queue: InFlight[] = [];
  sent = 0;
  dropped = 0;
  private order = 0;
  constructor(readonly opts: LinkOptions) {}

  push(seg: TcpRepr, now: number): void {
    const i = this.sent++;
    if (this.opts.drop?.(seg, i)) {
      this.dropped++;
      return;
    }
    // The payload is a view into the sender's buffer: copy it as a wire would.
    const copy = { ...seg, payload: seg.payload.slice(), options: seg.options.map((o) => ({ ...o })) };
    this.queue.push({ at: now + this.opts.delay + (this.opts.jitter?.(seg, i) ?? 0), order: this.order++, seg: copy });
    if (this.opts.duplicate?.(seg, i)) {
      const again = { ...copy, payload: copy.payload.slice() };
      this.queue.push({ at: now + this.opts.delay + 500, order: this.order++, seg: again });
    }
  }

  next(): number | undefined {
    let best: number | undefined;
    for (const f of this.queue) if (best === undefined || f.at < best) best = f.at;
    return best;
  }

  takeDue(now: number): TcpRepr[] {
    const due = this.queue.filter((f) => f.at <= now).sort((x, y) => x.at - y.at || x.order - y.order);
    this.queue = this.queue.filter((f) => f.at > now);
    return due.map((f) => f.seg);
  }
}

export class Pair {
  now = 0;
  readonly client: TcpConnection;
  readonly server: TcpConnection;
  readonly toServer: Link;
  readonly toClient: Link;
  steps = 0;

  constructor(clientCfg: TcpConfig, serverCfg: TcpConfig, up: LinkOptions, down: LinkOptions) {
    this.toServer = new Link(up);
    this.toClient = new Link(down);
    this.client = TcpConnection.connect(clientCfg, 40000, 80, 0x12345678, 0, { tsOffset: 1000 });
    this.server = TcpConnection.listen(serverCfg, 80, () => 0xfedcba98, 0, { tsOffset: 77 });
  }

  /** Sends whatever both ends have to send now. */
  flush(): void {
    const pairs: Array<[TcpConnection, Link]> = [
      [this.client, this.toServer],
      [this.server, this.toClient],
    ];
    for (const [conn, link] of pairs) {
      for (let s = conn.pollTransmit(this.now); s !== undefined; s = conn.pollTransmit(this.now)) link.push(s, this.now);
    }
  }

  /**
   * One step: flush, jump to the earliest delivery or timer, deliver and fire timers. Returns
   * false when nothing is left to happen.
   */
  step(): boolean {
    this.steps++;
    this.flush();
    const times = [this.toServer.next(), this.toClient.next(), this.client.pollTimeout(), this.server.pollTimeout()].filter(
      (t): t is number => t !== undefined,
    );
    if (times.length === 0) return false;
    this.now = Math.max(this.now, Math.min(...times));
    // Each arrival is processed and answered on its own, as a host would.
    for (const s of this.toServer.takeDue(this.now)) {
      this.server.handleSegment(s, this.now);
      this.flush();
    }
    for (const s of this.toClient.takeDue(this.now)) {
      this.client.handleSegment(s, this.now);
      this.flush();
    }
    this.client.handleTimeout(this.now);
    this.server.handleTimeout(this.now);
    return true;
  }
}

/** Steps `pair` until `done()` holds; fails if the pair goes idle first. */
export function runUntil(pair: Pair, done: () => boolean): void {
  while (!done()) if (!pair.step()) throw new Error("pair went idle");
}

export function sha256(chunks: Uint8Array[]): string {
  const h = createHash("sha256");
  for (const c of chunks) h.update(c);
  return h.digest("hex");
}

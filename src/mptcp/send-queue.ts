/**
 * Data-level send buffer of an MPTCP connection, in DSN space (RFC 8684 §3.3).
 *
 * The application's bytes get consecutive DSNs from 1 (the byte after our IDSN) and stay here
 * until data-acknowledged: a subflow ACK only says that one subflow carried them, and the data
 * may have to go again on another subflow (§3.3.6). The scheduler takes chunks with `next`:
 * ranges queued for reinjection first, then new data inside the peer's data-level window
 * (§3.3.5). `close` places the DATA_FIN, which takes the DSN after the last byte (§3.3.3).
 *
 * Storage is a chunk list trimmed from the front as Data ACKs arrive, and a range set of the
 * DSNs to send again; `next` hands out views, never copies.
 */
import { RangeSet } from "../tcp/range-set.js";

export interface SendQueueOptions {
  /** Most bytes buffered (written and not yet data-acked). */
  capacity: number;
  /**
   * The peer's receive window before its first Data ACK: the window of the segment that
   * completed the handshake (RFC 8684 §3.3.4 makes every window relative to the Data ACK).
   */
  initialWindow: number;
  /** DSN of the first byte: 1, after the IDSN (§3.3.1). */
  initialDsn?: number;
}

/** A piece of the stream for one subflow. `data` is empty only for a DATA_FIN on its own. */
export interface SendChunk {
  dsn: number;
  data: Uint8Array;
  /** The DATA_FIN follows `data`, at DSN `dsn + data.length`. */
  dataFin: boolean;
  /** Sent before (on some subflow): a reinjection or a data-level retransmission. */
  reinjection: boolean;
}

/** What a Data ACK did (§3.3.2). */
export type DataAckVerdict =
  /** SND.UNA moved forward. */
  | "advanced"
  /** The same as SND.UNA: nothing new. */
  | "duplicate"
  /** Below SND.UNA: an old ACK overtaken by a newer one on another subflow; ignored. */
  | "stale"
  /**
   * Acknowledges DSNs never sent: ignored, as RFC 9293 §3.10.7.4 ignores an ACK of data not
   * yet sent (and Linux `ack_update_msk` keeps SND.UNA), since acting on it would drop data.
   */
  | "beyond";

interface Chunk {
  dsn: number;
  data: Uint8Array;
}

export class DataSendQueue {
  private readonly capacity: number;
  private readonly initialDsn: number;
  private readonly chunks: Chunk[] = [];
  private head = 0;
  private una: number;
  private nxt: number;
  /** DSN after the last byte written. */
  private end: number;
  private edge: number;
  private finQueued = false;
  private readonly again = new RangeSet();

  constructor(opts: SendQueueOptions) {
    this.capacity = opts.capacity;
    this.initialDsn = opts.initialDsn ?? 1;
    this.una = this.initialDsn;
    this.nxt = this.una;
    this.end = this.una;
    this.edge = this.una + opts.initialWindow;
  }

  /** Data-level SND.UNA: the oldest DSN not data-acked. */
  get sndUna(): number {
    return this.una;
  }

  /** Data-level SND.NXT: the next DSN never sent before. */
  get sndNxt(): number {
    return this.nxt;
  }

  /** The right edge of the peer's window: no new DSN at or beyond it may be sent (§3.3.5). */
  get sendWindowEdge(): number {
    return this.edge;
  }

  /** How many more bytes `write` would take now. */
  get writable(): number {
    return this.finQueued ? 0 : Math.max(0, this.capacity - (this.end - this.una));
  }

  /** Bytes written and data-acked by the peer (§3.3.2), the DATA_FIN not counted. */
  get acked(): number {
    return Math.min(this.una, this.end) - this.initialDsn;
  }

  /** Bytes written and not yet data-acked. */
  get buffered(): number {
    return this.end - this.una;
  }

  /** Bytes handed out beyond the window's right edge (`next` with `ahead`), not sendable yet. */
  get ahead(): number {
    return Math.max(0, this.nxt - this.edge);
  }

  /** Sent and not data-acked, DATA_FIN included. */
  get inFlight(): number {
    return this.nxt - this.una;
  }

  /** The DSN of the DATA_FIN, once `close` was called. */
  get dataFinDsn(): number | undefined {
    return this.finQueued ? this.end : undefined;
  }

  /** Our DATA_FIN has been data-acked (§3.3.3): this direction is closed. */
  get finAcked(): boolean {
    return this.finQueued && this.una > this.end;
  }

  /** DSN ranges waiting to be sent again. */
  get pendingReinjection(): Array<[number, number]> {
    return this.again.toArray();
  }

  /** Whether `next` would return something now (ignoring the subflow's own limits). */
  get hasSendable(): boolean {
    return !this.again.isEmpty || (this.nxt < this.end && this.nxt < this.edge) || (this.finQueued && this.nxt === this.end);
  }

  /** Takes as much of `data` as fits (a copy); returns how many bytes were taken. */
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.writable);
    if (n === 0) return 0;
    this.chunks.push({ dsn: this.end, data: data.slice(0, n) });
    this.end += n;
    return n;
  }

  /** The application shut down its sending side: a DATA_FIN follows the last byte (§3.3.3). */
  close(): void {
    this.finQueued = true;
  }

  /**
   * The next chunk to put on a subflow, at most `maxLen` bytes: the lowest DSN range queued for
   * reinjection, else new data inside the window, or up to `ahead` bytes beyond its right edge
   * for a subflow that maps data ahead of the window and sends none of it before the window
   * opens (connection.ts `aheadAllowance`). Undefined when there is nothing to send. The
   * DATA_FIN rides on the chunk that ends at it, or alone when no data is left to carry it.
   */
  next(maxLen: number, ahead = 0): SendChunk | undefined {
    if (maxLen < 1) return undefined;
    const first = this.again.at(0);
    if (first !== undefined) {
      const [s, e] = first;
      // Data handed out ahead of the window (below) and queued again stays behind the window.
      if (s < this.end && s >= this.edge) return undefined;
      const chunk = this.piece(s, Math.min(e, this.end, s < this.end ? this.edge : this.end), maxLen, true);
      this.again.removeBelow(chunk.dsn + chunk.data.length + (chunk.dataFin ? 1 : 0));
      return chunk;
    }
    if (this.nxt < this.end) {
      const limit = Math.min(this.end, this.edge + ahead);
      if (this.nxt >= limit) return undefined;
      const chunk = this.piece(this.nxt, limit, maxLen, false);
      this.nxt = chunk.dsn + chunk.data.length + (chunk.dataFin ? 1 : 0);
      return chunk;
    }
    if (this.finQueued && this.nxt === this.end) {
      this.nxt = this.end + 1;
      return { dsn: this.end, data: new Uint8Array(0), dataFin: true, reinjection: false };
    }
    return undefined;
  }

  /** Bytes `[s, min(stop, s + maxLen))` within one stored chunk, with the DATA_FIN if it follows. */
  private piece(s: number, stop: number, maxLen: number, reinjection: boolean): SendChunk {
    if (s >= this.end) return { dsn: s, data: new Uint8Array(0), dataFin: true, reinjection };
    const c = this.chunkAt(s);
    const e = Math.min(stop, s + maxLen, c.dsn + c.data.length);
    const data = c.data.subarray(s - c.dsn, e - c.dsn);
    // A DATA_FIN already sent goes again with a reinjection that reaches it; a queued one rides
    // on the last data.
    const finDue = this.finQueued && e === this.end && (reinjection ? this.again.contains(this.end) : true);
    return { dsn: s, data, dataFin: finDue, reinjection };
  }

  private chunkAt(dsn: number): Chunk {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunks[mid]!.dsn <= dsn) lo = mid;
      else hi = mid - 1;
    }
    return this.chunks[lo]!;
  }

  /**
   * Processes a Data ACK, already expanded to a relative DSN (§3.3.2: cumulative, the next DSN
   * the peer expects). Frees the acknowledged bytes.
   */
  onDataAck(ack: number): DataAckVerdict {
    if (ack > this.nxt) return "beyond";
    if (ack < this.una) return "stale";
    if (ack === this.una) return "duplicate";
    this.una = ack;
    this.again.removeBelow(ack);
    while (this.head < this.chunks.length) {
      const c = this.chunks[this.head]!;
      const cEnd = c.dsn + c.data.length;
      if (cEnd <= ack) {
        this.head++;
        continue;
      }
      if (c.dsn < ack) this.chunks[this.head] = { dsn: ack, data: c.data.subarray(ack - c.dsn) };
      break;
    }
    if (this.head > 32 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
    return "advanced";
  }

  /**
   * A window advertisement seen on any subflow, with the Data ACK it is relative to (§3.3.4).
   * §3.3.5: the sender only moves the right edge forward. Since middleboxes may rewrite the window
   * of one subflow, the largest recent value from any subflow is the one to use, which is what
   * keeping the largest right edge does. Each subflow's own window still bounds what is mapped
   * onto that subflow (§3.3.5); the subflow's TCP enforces it.
   */
  onWindow(ack: number, window: number): void {
    this.edge = Math.max(this.edge, ack + window);
  }

  /**
   * Queues DSN ranges for sending again (a failed or stalled subflow's unacknowledged mappings,
   * §3.3.6, or a data-level retransmission timeout): clipped to what was sent and not yet acked.
   */
  reinject(ranges: ReadonlyArray<readonly [number, number]>): void {
    for (const [s, e] of ranges) {
      const from = Math.max(s, this.una);
      const to = Math.min(e, this.nxt);
      if (from < to) this.again.add(from, to);
    }
  }
}

/**
 * Data-level receive buffer of an MPTCP connection (RFC 8684 §3.3.2–§3.3.5): puts the bytes that
 * all subflows release (`mapping.ts`) back in DSN order, computes the Data ACK, the one receive
 * window shared by the whole connection, and consumes the DATA_FIN.
 *
 * The same DSN range can arrive twice: reinjected on another subflow after a failure (§3.3.6), or
 * sent redundantly. Such duplicates are counted and dropped; overlaps keep the bytes first
 * received. Storage is a chunk list for the in-order bytes not yet read and a sorted chunk list
 * with a range set for the out-of-order ones (DESIGN.md §3). What may be buffered out of order is
 * capped (RFC 7430 §4: bound the resources a peer can tie up); beyond the cap bytes are dropped
 * and counted, and the peer retransmits them after its data-level timeout.
 *
 * DSNs are relative to the peer's IDSN (`dsn.ts`); the first data byte is DSN 1.
 */
import { RangeSet } from "../tcp/range-set.js";

export interface ReassemblyOptions {
  /** Receive buffer in bytes: what the window offers when nothing is buffered. */
  capacity: number;
  /** Most bytes held out of order (RFC 7430); defaults to `capacity`. */
  maxOutOfOrderBytes?: number;
  /** The DSN of the first byte expected: 1, the byte after the IDSN (§3.3.1). */
  initialDsn?: number;
}

/**
 * What one `insert` did, in bytes. The MPTcpExt counters in brackets count segments: bump them
 * by one when the field is not zero.
 */
export interface InsertResult {
  /** Bytes new to the stream. */
  accepted: number;
  /** Bytes received before [DuplicateData]. */
  duplicate: number;
  /** Bytes beyond the right edge of the window offered, or after the DATA_FIN [NoDSSInWindow]. */
  outOfWindow: number;
  /** Out-of-order bytes dropped because the out-of-order cap was reached (RFC 7430). */
  pruned: number;
  /**
   * Bytes queued out of order as they arrived. Not MPTcpExt OFOQueue: Linux counts data out of
   * order once its subflow has put it back in order (ofo-count.ts).
   */
  queuedOutOfOrder: number;
  /** Whether the Data ACK (data-level RCV.NXT) moved. */
  advanced: boolean;
}

/** How a DATA_FIN was taken (§3.3.3). */
export type DataFinVerdict =
  /** Recorded; consumed when the data before it is complete. */
  | "ok"
  /** The same DATA_FIN again. */
  | "duplicate"
  /** A DATA_FIN at another DSN than the first one, or before data already received: ignored. */
  | "conflict"
  /** Beyond the window offered: ignored. */
  | "out-of-window";

interface Chunk {
  dsn: number;
  data: Uint8Array;
}

export class DataReassembly {
  private rcvNxtValue: number;
  private rightEdge: number;
  private readonly capacity: number;
  private readonly maxOfo: number;
  /** In-order bytes not yet read by the application. */
  private readonly ready: Uint8Array[] = [];
  private readyHead = 0;
  private readyBytes = 0;
  /** Out-of-order chunks, sorted by DSN, disjoint (copies). */
  private ofo: Chunk[] = [];
  private readonly ofoSet = new RangeSet();
  private finDsn: number | undefined;
  private finConsumed = false;

  constructor(opts: ReassemblyOptions) {
    this.capacity = opts.capacity;
    this.maxOfo = opts.maxOutOfOrderBytes ?? opts.capacity;
    this.rcvNxtValue = opts.initialDsn ?? 1;
    this.rightEdge = this.rcvNxtValue + this.capacity;
  }

  /**
   * The data-level RCV.NXT: the next DSN expected, past the DATA_FIN once it is consumed. This is
   * the Data ACK to send (§3.3.2), and what a 32-bit mapping DSN is expanded against.
   */
  get rcvNxt(): number {
    return this.rcvNxtValue;
  }

  /** In-order bytes waiting for `read`. */
  get readable(): number {
    return this.readyBytes;
  }

  /** Bytes held out of order. */
  get outOfOrderBytes(): number {
    return this.ofoSet.size;
  }

  /** The DATA_FIN has been consumed: no data follows what is readable (§3.3.3). */
  get finReceived(): boolean {
    return this.finConsumed;
  }

  /** The DSN of the DATA_FIN signalled, consumed or not. */
  get dataFinDsn(): number | undefined {
    return this.finDsn;
  }

  /**
   * The receive window to advertise on any subflow now (§3.3.4: one window for the connection,
   * relative to the Data ACK). It is the free buffer space, except that the right edge already
   * offered never moves left (RFC 9293 §3.8.6: the window SHOULD NOT shrink), so the window can
   * exceed the free space after the application stopped reading. `subflowHeld` of the bytes held
   * out of order are not counted: they wait beyond a hole in their own subflow.
   */
  window(subflowHeld = 0): number {
    const free = Math.max(0, this.capacity - this.readyBytes - Math.max(0, this.ofoSet.size - subflowHeld));
    this.rightEdge = Math.max(this.rightEdge, this.rcvNxtValue + free);
    return this.rightEdge - this.rcvNxtValue;
  }

  /** Adds data-level bytes `[dsn, dsn + data.length)`. `data` is copied where kept. */
  insert(dsn: number, data: Uint8Array): InsertResult {
    const res: InsertResult = { accepted: 0, duplicate: 0, outOfWindow: 0, pruned: 0, queuedOutOfOrder: 0, advanced: false };
    let start = dsn;
    let end = dsn + data.length;
    // §3.3.4: nothing beyond the right edge offered, and nothing after the DATA_FIN (§3.3.3).
    const limit = this.finDsn === undefined ? this.rightEdge : Math.min(this.rightEdge, this.finDsn);
    if (end > limit) {
      res.outOfWindow = end - Math.max(limit, start);
      end = Math.max(limit, start);
    }
    if (start < this.rcvNxtValue) {
      res.duplicate += Math.min(end, this.rcvNxtValue) - start;
      start = Math.min(end, this.rcvNxtValue);
    }
    if (start >= end) return res;
    const piece = data.subarray(start - dsn, end - dsn);
    if (start === this.rcvNxtValue) this.inOrder(start, piece, res);
    else this.outOfOrder(start, piece, res);
    return res;
  }

  private inOrder(start: number, piece: Uint8Array, res: InsertResult): void {
    const end = start + piece.length;
    const already = this.ofoSet.coveredIn(start, end);
    res.duplicate += already;
    res.accepted += piece.length - already;
    this.push(piece.slice());
    this.rcvNxtValue = end;
    res.advanced = true;
    // Out-of-order chunks now reached: append what lies beyond `end`, drop what is below.
    let n = 0;
    while (n < this.ofo.length && this.ofo[n]!.dsn <= this.rcvNxtValue) {
      const c = this.ofo[n]!;
      const cEnd = c.dsn + c.data.length;
      if (cEnd > this.rcvNxtValue) {
        this.push(c.data.subarray(this.rcvNxtValue - c.dsn));
        this.rcvNxtValue = cEnd;
      }
      n++;
    }
    this.ofo.splice(0, n);
    this.ofoSet.removeBelow(this.rcvNxtValue);
    this.consumeFin();
  }

  private outOfOrder(start: number, piece: Uint8Array, res: InsertResult): void {
    const end = start + piece.length;
    for (const [s, e] of this.ofoSet.gaps(start, end)) {
      const room = this.maxOfo - this.ofoSet.size;
      const take = Math.max(0, Math.min(e - s, room));
      res.pruned += e - s - take;
      if (take === 0) continue;
      this.insertOfo({ dsn: s, data: piece.slice(s - start, s - start + take) });
      this.ofoSet.add(s, s + take);
      res.accepted += take;
      res.queuedOutOfOrder += take;
    }
    res.duplicate += piece.length - res.accepted - res.pruned;
  }

  private insertOfo(c: Chunk): void {
    let lo = 0;
    let hi = this.ofo.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ofo[mid]!.dsn < c.dsn) lo = mid + 1;
      else hi = mid;
    }
    this.ofo.splice(lo, 0, c);
  }

  private push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.ready.push(bytes);
    this.readyBytes += bytes.length;
  }

  /**
   * Records the DATA_FIN the peer signalled at `dsn` (§3.3.3: it takes that one DSN, after the
   * last data byte), and consumes it at once if all data before it has arrived.
   */
  onDataFin(dsn: number): DataFinVerdict {
    if (this.finDsn !== undefined) return dsn === this.finDsn ? "duplicate" : "conflict";
    if (dsn < this.rcvNxtValue || (this.ofoSet.max ?? 0) > dsn) return "conflict";
    if (dsn > this.rightEdge) return "out-of-window";
    this.finDsn = dsn;
    this.consumeFin();
    return "ok";
  }

  private consumeFin(): void {
    if (this.finDsn !== undefined && !this.finConsumed && this.rcvNxtValue === this.finDsn) {
      this.finConsumed = true;
      this.rcvNxtValue = this.finDsn + 1;
      this.rightEdge = Math.max(this.rightEdge, this.rcvNxtValue);
    }
  }

  /**
   * Takes up to `max` in-order bytes (one contiguous piece; call again for more). Undefined when
   * nothing is readable: then `finReceived` says whether that is the end of the stream.
   */
  read(max = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    if (this.readyBytes === 0 || max <= 0) return undefined;
    const head = this.ready[this.readyHead]!;
    let out: Uint8Array;
    if (head.length <= max) {
      out = head;
      this.ready[this.readyHead] = EMPTY;
      this.readyHead++;
      if (this.readyHead > 64 && this.readyHead * 2 > this.ready.length) {
        this.ready.splice(0, this.readyHead);
        this.readyHead = 0;
      }
    } else {
      out = head.subarray(0, max);
      this.ready[this.readyHead] = head.subarray(max);
    }
    this.readyBytes -= out.length;
    return out;
  }
}

const EMPTY = new Uint8Array(0);

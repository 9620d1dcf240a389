/**
 * Send side of the data sequence mapping, one table per subflow (RFC 8684 §3.3.1, §3.3.6).
 *
 * When the scheduler gives a subflow a chunk of the data-level stream, the chunk is appended to
 * that subflow's byte stream and the binding (subflow offset → DSN, length) is recorded here; a
 * chunk that continues a mapping no segment was built from yet extends it, up to 64 KB. The TCP
 * hook then asks, per outgoing segment, which mapping covers the segment's first byte: `reserve`
 * caps the payload at the mapping's end (a segment never crosses one) and `options` attaches the
 * mapping, or not (`carriesMapping`).
 *
 * §3.3.1: a mapping may cover several segments, and the receiver keeps using it for the subflow
 * bytes that follow (Linux: subflow.c `get_mapping_status`, which maps an skb without a DSS by the
 * mapping in force). So the mapping goes only on the segment that starts it: the copy of a
 * mapping's first byte, original or retransmitted, always starts at the mapping's start (segments
 * never cross a mapping's end), so every copy of it declares the mapping, and a receiver that
 * gets later bytes first holds them until it does (they are out of order on the subflow). A
 * retransmission re-declares the same mapping (§3.3.1: it MUST NOT change once declared). The
 * other segments carry a DSS only for a Data ACK with news (`DataAckRecord`), and nothing
 * otherwise: 28 option bytes a segment less than Linux, which puts the whole DSS on each.
 *
 * An entry stays until its subflow bytes are acknowledged on the subflow (TCP may still
 * retransmit them) and its DSN range is data-acknowledged (the connection may still reinject it
 * on another subflow if this one fails, §3.3.6).
 *
 * A DATA_FIN sent alone (`dataFinDss`) maps no subflow byte and is not recorded here: until it is
 * data-acknowledged the connection resends it on any subflow from its data-level timer.
 */
import { dssChecksum } from "../wire/mptcp/dss-checksum.js";
import type { Dss, MptcpOption } from "../wire/mptcp/types.js";
import { paddedLengths } from "./capable.js";
import type { DsnSpace, DsnWidth } from "./dsn.js";
import { offsetToSsn, ssnToOffset } from "./mapping.js";

/** One mapping as sent. */
export interface SentMapping {
  /** Subflow stream offset of the first byte. */
  offset: number;
  /** Relative DSN of the first byte. */
  dsn: number;
  /** Subflow bytes mapped (the data-level length, less one for a DATA_FIN). */
  length: number;
  /** The mapping also carries the DATA_FIN, at DSN `dsn + length` (§3.3.3). */
  dataFin: boolean;
  /** The DSS checksum over the whole mapping, when checksums are in use. */
  checksum?: number;
  /** A segment declaring it went out: its length is declared and can no longer change. */
  sealed?: boolean;
}

/** Segment payloads, for cutting a mapping to whole segments (`SendMappings.payloadLimit`). */
export interface SegmentShape {
  /** Payload of the segment that declares the mapping (it carries the DSS). */
  first: number;
  /** Payload of a full segment inside the mapping. */
  full: number;
  /** More data is waiting to be mapped: the last mapping may still grow. */
  mayGrow: boolean;
}

/**
 * The shape a mapping starting at `offset` is cut to (SendMappings.payloadLimit), when the
 * segment that declares it is being planned; undefined once it is declared. `full` is a whole
 * segment's payload without MPTCP options, `declaring` the DSS (Data ACK included) that segment
 * carries; with `everyDeclares`, every segment of the mapping carries it too.
 */
export function declaringShape(m: SentMapping, offset: number, full: number, declaring: Dss, mayGrow: boolean, everyDeclares: boolean): SegmentShape | undefined {
  if (m.sealed === true || m.offset !== offset) return undefined;
  const first = full - paddedLengths([declaring]);
  return { first, full: everyDeclares ? first : full, mayGrow };
}

export interface SendMappingOptions {
  /** Whether DSS checksums are in use on the connection. */
  checksums: boolean;
  /** Our data sequence space (the DSNs we send). */
  space: DsnSpace;
  /** Subflow stream offset of the first mapping: 0 unless data was sent before (MP_CAPABLE data). */
  startOffset?: number;
}

export class SendMappings {
  private readonly entries: SentMapping[] = [];
  private end: number;
  private subflowAcked: number;
  private dataAcked = 0;

  constructor(private readonly opts: SendMappingOptions) {
    this.end = opts.startOffset ?? 0;
    this.subflowAcked = this.end;
  }

  /** Subflow stream offset where the next appended chunk goes. */
  get nextOffset(): number {
    return this.end;
  }

  /** Mappings still remembered, in subflow order. */
  get mappings(): readonly SentMapping[] {
    return this.entries;
  }

  /**
   * Records that `data` (data-level bytes from `dsn`) is appended to the subflow's stream, with a
   * DATA_FIN after it if `dataFin`. Computes the DSS checksum over the data now, while it is at
   * hand (§3.3.1: the checksum covers the whole mapping however TCP segments it). `data` must
   * not be empty, nor longer than a DSS data-level length can say.
   */
  append(dsn: number, data: Uint8Array, dataFin = false): SentMapping {
    const dataLen = data.length + (dataFin ? 1 : 0);
    if (data.length === 0 || dataLen > 0xffff) throw new RangeError(`a mapping maps 1 to 65535 bytes, not ${data.length}`);
    // A chunk that continues the last mapping, in DSN and in the subflow, before the segment
    // declaring that mapping went out, extends it rather than starting a mapping of its own: each
    // mapping costs a DSS, and a segment never crosses a mapping's end (§3.3.1), so a boundary
    // that does not fall on a segment boundary costs a short segment. (With checksums the sum
    // would have to be redone.)
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.sealed !== true && !last.dataFin && last.checksum === undefined && !this.opts.checksums && last.dsn + last.length === dsn && last.offset + last.length === this.end && last.length + dataLen <= 0xffff) {
      last.length += data.length;
      last.dataFin = dataFin;
      this.end += data.length;
      return last;
    }
    const m: SentMapping = { offset: this.end, dsn, length: data.length, dataFin };
    if (this.opts.checksums) m.checksum = dssChecksum(this.opts.space.toWire64(dsn), offsetToSsn(m.offset), dataLen, data);
    this.entries.push(m);
    this.end += data.length;
    return m;
  }

  /** The mapping covering subflow stream offset `offset`, if remembered. */
  at(offset: number): SentMapping | undefined {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (e.offset + e.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    const e = this.entries[lo];
    return e !== undefined && e.offset <= offset ? e : undefined;
  }

  /**
   * How many payload bytes a segment starting at `offset` may carry: up to its mapping's end, or
   * no limit (undefined) for the last mapping while `shape.mayGrow`: TCP then holds a short tail
   * back (Nagle) until more data extends the mapping, rather than send a runt.
   *
   * Before the first segment of a mapping is built, the mapping is cut to whole segments (`shape`:
   * the first one carries the mapping's DSS and so less payload), and what lies beyond becomes a
   * mapping of its own, still open to growth: a mapping's length is declared with its first
   * segment (§3.3.1), and a length that is not a whole number of segments would end in a runt.
   * With a shape the mapping stays open until `declared` (the segment may not be sent: Nagle, the
   * window); without one the caller builds the segment now, and the mapping is sealed.
   */
  payloadLimit(offset: number): number;
  payloadLimit(offset: number, shape: SegmentShape | undefined): number | undefined;
  payloadLimit(offset: number, shape?: SegmentShape): number | undefined {
    const m = this.at(offset);
    if (m === undefined) return 0;
    if (shape === undefined) m.sealed = true;
    else if (m.sealed !== true && offset === m.offset) {
      this.cutToSegments(m, shape);
      if (shape.mayGrow && this.entries[this.entries.length - 1] === m) return undefined;
    }
    return m.offset + m.length - offset;
  }

  /** The segment declaring the mapping that starts at `offset` went out: its length is fixed. */
  declared(offset: number): void {
    const m = this.at(offset);
    if (m !== undefined && m.offset === offset) m.sealed = true;
  }

  /** `declared` for a mapping named by its relative SSN on the wire. */
  declaredSsn(ssn: number): void {
    this.declared(ssnToOffset(ssn, this.end));
  }

  private cutToSegments(m: SentMapping, shape: SegmentShape): void {
    // With checksums the sum covers the mapping as appended; a DATA_FIN stays at its end.
    if (m.checksum !== undefined || m.dataFin || shape.full <= 0 || shape.first <= 0 || m.length <= shape.first) return;
    const cut = shape.first + Math.floor((m.length - shape.first) / shape.full) * shape.full;
    if (cut >= m.length) return;
    const i = this.entries.indexOf(m);
    const rest = m.length - cut;
    m.length = cut;
    this.prepend(i + 1, rest);
  }

  /**
   * Gives the `rest` bytes just before entry `i` to that entry when it continues them and is not
   * declared yet (it starts earlier instead: a mapping cut at its declaration, with more data
   * mapped after it), pushing what then exceeds the longest length a DSS can say on to the entry
   * after it in the same way; else they become a mapping of their own, still open to growth.
   */
  private prepend(i: number, rest: number): void {
    const before = this.entries[i - 1]!;
    const offset = before.offset + before.length;
    const dsn = before.dsn + before.length;
    const m = this.entries[i];
    const total = (m?.length ?? 0) + rest;
    // (A DATA_FIN stays at the end of the data: its mapping takes no bytes it would pass on.)
    const continues = m !== undefined && m.sealed !== true && m.checksum === undefined && m.offset === offset + rest && m.dsn === dsn + rest && (total <= 0xffff || !m.dataFin);
    if (!continues) {
      this.entries.splice(i, 0, { offset, dsn, length: rest, dataFin: false });
      return;
    }
    m.offset = offset;
    m.dsn = dsn;
    m.length = Math.min(total, 0xffff);
    if (total > 0xffff) this.prepend(i + 1, total - 0xffff);
  }

  /** The subflow acknowledged everything below `offset`. */
  onSubflowAck(offset: number): void {
    this.subflowAcked = Math.max(this.subflowAcked, offset);
    this.prune();
  }

  /** The connection's data-level SND.UNA advanced to `dsn`. */
  onDataAck(dsn: number): void {
    this.dataAcked = Math.max(this.dataAcked, dsn);
    this.prune();
  }

  /**
   * The data-level ranges `[start, end)` sent on this subflow and not yet data-acknowledged: what
   * to reinject on another subflow when this one fails or stalls (§3.3.6). A DATA_FIN sent here
   * is counted as the DSN after the data.
   */
  unacked(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const e of this.entries) {
      const end = e.dsn + e.length + (e.dataFin ? 1 : 0);
      if (end > this.dataAcked) out.push([Math.max(e.dsn, this.dataAcked), end]);
    }
    return out;
  }

  private prune(): void {
    let n = 0;
    while (n < this.entries.length) {
      const e = this.entries[n]!;
      if (e.offset + e.length > this.subflowAcked || e.dsn + e.length + (e.dataFin ? 1 : 0) > this.dataAcked) break;
      n++;
    }
    if (n > 0) this.entries.splice(0, n);
  }
}

/**
 * Whether the data segment at subflow offset `offset`, inside mapping `m`, declares it: the
 * segment that starts it does, and every segment does with `everySegment` (Linux's way).
 */
export function carriesMapping(m: SentMapping, offset: number, everySegment: boolean): boolean {
  return everySegment || offset === m.offset;
}

/**
 * Whether a data segment's MPTCP options declare a mapping: a DSS with a DSN (not the infinite
 * mapping), or the MP_CAPABLE that carries the client's first data (§3.1).
 */
export function declaresMapping(options: readonly MptcpOption[]): boolean {
  for (const o of options) {
    if (o.subtype === "DSS" && o.dsn !== undefined && o.dataLen !== 0) return true;
    if (o.subtype === "MP_CAPABLE" && o.dataLen !== undefined) return true;
  }
  return false;
}

/** What a Data ACK sent on a subflow says, and the subflow ACK beside it. */
export interface DataAckState {
  /** The Data ACK: the data-level RCV.NXT. */
  ack: number;
  width: DsnWidth;
  /** The right edge of the data-level window offered with it (§3.3.4). */
  edge: number;
  /** The subflow bytes received in order: the segment's own (TCP) ACK. */
  received: number;
}

/**
 * The Data ACK (§3.3.2) last sent on one subflow. A data segment inside a mapping carries a Data
 * ACK only when it tells the peer something new: the Data ACK moved or changed width, the
 * window's right edge moved right (the peer reads the data-level window only beside a Data ACK),
 * or the segment acknowledges subflow data the last one did not (a peer takes new subflow data
 * acknowledged without a Data ACK for options stripped on the way, and falls back, §3.7; the
 * Data ACK lags the subflow's while a mapping's checksum waits for all of it). A segment without
 * data always carries one: its ACK is its purpose.
 */
export class DataAckRecord {
  private ack: number | undefined;
  private width: DsnWidth | undefined;
  private edge = -Infinity;
  private received = 0;

  /** Whether a Data ACK in state `s` has news. */
  due(s: DataAckState): boolean {
    return s.ack !== this.ack || s.width !== this.width || s.edge > this.edge || s.received > this.received;
  }

  /** A segment carrying a Data ACK in state `s` went out. */
  sent(s: DataAckState): void {
    this.ack = s.ack;
    this.width = s.width;
    this.edge = s.edge;
    this.received = s.received;
  }
}

/**
 * The DSS of each sealed mapping, made once: every segment that declares a mapping carries the
 * same one (§3.3.1), and building it (a 64-bit DSN as a bigint) for each of the 45 segments of a
 * 64 KB mapping (`dssEverySegment`) showed in the send path's profile. Weak, so a mapping's entry goes with the mapping.
 */
const sealedDss = new WeakMap<SentMapping, Dss>();

/** The mapping part of a DSS option for `m` (a 64-bit DSN, as Linux sends). */
export function mappingDss(m: SentMapping, space: DsnSpace): Dss {
  const cached = m.sealed === true ? sealedDss.get(m) : undefined;
  if (cached !== undefined) return cached;
  const dss: Dss = {
    subtype: "DSS",
    fin: m.dataFin,
    dataAck64: false,
    dsn64: true,
    dsn: space.toWire64(m.dsn),
    ssn: offsetToSsn(m.offset),
    dataLen: m.length + (m.dataFin ? 1 : 0),
  };
  if (m.checksum !== undefined) dss.checksum = m.checksum;
  // Until sealed, the mapping may still grow (`append`).
  if (m.sealed === true) sealedDss.set(m, dss);
  return dss;
}

/**
 * A DSS carrying only a DATA_FIN at `dsn` (§3.3.3: on a segment without data the mapping has
 * SSN 0 and data-level length 1). With checksums the checksum covers the pseudo-header alone.
 */
export function dataFinDss(dsn: number, space: DsnSpace, checksums: boolean): Dss {
  const wire = space.toWire64(dsn);
  const dss: Dss = { subtype: "DSS", fin: true, dataAck64: false, dsn64: true, dsn: wire, ssn: 0, dataLen: 1 };
  if (checksums) dss.checksum = dssChecksum(wire, 0, 1, new Uint8Array(0));
  return dss;
}

/**
 * Adds a Data ACK to a DSS option (or makes a DSS with only a Data ACK): `ack` is the
 * data-level RCV.NXT in the peer's space, sent with `width` bits (`DataAckWidth`).
 *
 * The options of a segment are never modified once built, so consecutive segments that carry
 * the same mapping and the same Data ACK (all of a bulk send's) share one object.
 */
export function withDataAck(dss: Dss | undefined, ack: number, peer: DsnSpace, width: DsnWidth): Dss {
  const last = lastWithAck;
  if (last.out !== undefined && last.dss === dss && last.ack === ack && last.peer === peer && last.width === width) return last.out;
  const base: Dss = dss ?? { subtype: "DSS", fin: false, dataAck64: false, dsn64: false };
  const out: Dss = { ...base, dataAck64: width === 64, dataAck: peer.toWire(ack, width) };
  lastWithAck = { dss, ack, peer, width, out };
  return out;
}

let lastWithAck: { dss: Dss | undefined; ack: number; peer: DsnSpace | undefined; width: DsnWidth | undefined; out: Dss | undefined } = {
  dss: undefined, ack: 0, peer: undefined, width: undefined, out: undefined,
};

/**
 * Receive side of the data sequence mapping, one instance per subflow (RFC 8684 §3.3.1).
 *
 * A DSS mapping binds a range of subflow bytes (relative SSN, length) to a range of data-level
 * bytes (DSN), and may cover several segments (§3.3.1): the segments after the one that declares
 * it may carry no DSS, and their bytes are mapped by it. The declaring segment can be lost and
 * the later ones arrive first (out of order on the subflow), and a segment may run past the end
 * of one mapping into the next, whose DSS arrives with the following segment. So this table
 * keeps:
 *
 * - the mappings announced and not yet fully received, sorted by subflow offset;
 * - subflow bytes that arrived before any mapping covering them ("unmapped", held for a while:
 *   §3.3.1 allows holding them, bounded, and says a subflow whose mapping does not arrive within
 *   a receive window of data SHOULD be reset);
 * - the infinite mapping, once the peer fell back (§3.7), after which every later subflow byte
 *   maps linearly;
 * - which subflow bytes have arrived, to tell unmapped bytes that still wait for the segment
 *   declaring their mapping (out of order) from bytes no declaration will come for.
 *
 * Only bytes out of subflow order are held for a mapping to come. A sender declares a mapping on
 * the segment carrying its first byte (send-mapping.ts), or, as Linux, on every segment it
 * covers (a TSO segment carries the DSS of the mapping that started before it); no segment
 * crosses a mapping's end. So once every byte before some unmapped bytes has arrived, each
 * declaration that could map them has arrived too: they are "stranded", and no later mapping may
 * claim them (Linux processes the subflow in order and treats such bytes as MAPPING_INVALID,
 * subflow.c `validate_mapping`, counted DSSNoMatchTCP). They are what a middlebox leaves: options
 * stripped, segments merged across a mapping's end, or bytes an ALG inserted into a segment,
 * past the end of the mapping declared for it, while shifting the TCP sequence numbers of the
 * rest of the flow but not the DSS's relative subflow sequence numbers. Were they handed to the
 * next mapping, it would map the box's bytes at the sender's DSNs: silent corruption without
 * DSS checksums. The caller falls back to TCP or resets the subflow (§3.7, `stranded`), and an
 * announcement over them is DSSNoMatchTCP.
 *
 * When checksums are in use (§3.3.1, negotiated with flag A, §3.1), a mapping's bytes are held
 * until all of them arrived, in whatever order and segmentation, and are released only if the
 * DSS checksum over the whole mapping is right; otherwise the failure is reported so the
 * connection can send MP_FAIL or reset the subflow (§3.7).
 *
 * Without checksums, a middlebox that changed the length of a segment shows only where the
 * shifted bytes meet a mapping's end (stranded bytes, or a mapping starting after its segment's
 * data): an ALG that grew a segment in the middle of a mapping has changed every byte of the
 * mapping after it. By default mapped bytes are released as they arrive, as Linux does, so those
 * reach the application before the evidence; the subflow is then reset or falls back, and no
 * later byte is misplaced. With `holdMappings`, a mapping is held until complete as with
 * checksums: the changed bytes reach its end together with the bytes past it, and are never
 * released. The one gap is a mapping whose last segment the insertion pushed wholly past its end
 * (a last segment no longer than the bytes inserted): it completes from the box's bytes. Holding
 * delays delivery by up to a mapping; measured with it on for connections with joins:
 * exp-aggregation 0.946 of the two TCP baselines (the claim is >= 0.95), and on one subflow the
 * autotuned download of test/mptcp/autotune-sim.test.ts reads 90% 2.1% later. So the connection
 * does not set it (yet). A rewrite of the same length is invisible without checksums, as in TCP.
 *
 * Subflow positions are stream offsets as the TCP hook gives them (0 is the first byte after the
 * SYN, relative SSN 1); DSNs are relative to the peer's IDSN (`dsn.ts`).
 */
import { RangeSet } from "../tcp/range-set.js";
import { checksumAdd, checksumAddU16, checksumFinish } from "../wire/checksum.js";
import { dssPseudoHeaderSum } from "../wire/mptcp/dss-checksum.js";
import type { Dss } from "../wire/mptcp/types.js";
import type { DsnSpace } from "./dsn.js";

/** A finite mapping, in stack units. */
export interface Mapping {
  /** Relative DSN of the first mapped byte. */
  dsn: number;
  /** Subflow stream offset of the first mapped byte (relative SSN minus one). */
  offset: number;
  /** Subflow bytes mapped: the data-level length, less one when it includes a DATA_FIN. */
  length: number;
  /** The data-level range ends with a DATA_FIN, at DSN `dsn + length` (§3.3.3). */
  dataFin: boolean;
  /** The DSS checksum from the option, present exactly when checksums are in use. */
  checksum?: number;
}

/** What the mapping part of one DSS option says. */
export type MappingAnnouncement =
  | { kind: "map"; mapping: Mapping }
  /** Data-level length 0 (§3.3.1, §3.7): subflow byte `offset + k` is DSN `dsn + k` from now on. */
  | { kind: "infinite"; dsn: number; offset: number }
  /**
   * A DATA_FIN mapping no subflow byte (§3.3.3: sent on a segment without data, with SSN 0 and
   * data-level length 1). `checksum` as in `Mapping`.
   */
  | { kind: "data-fin"; dsn: number; checksum?: number };

/** Bytes of the data-level stream released by a subflow. `data` may be a view of the packet. */
export interface DataChunk {
  dsn: number;
  data: Uint8Array;
}

/**
 * Conditions that end the segment's processing; the connection reacts (names of the Linux
 * MPTcpExt counters in brackets).
 */
export type MappingError =
  /**
   * A mapping that differs from one already in force overlaps its subflow bytes, or overlaps
   * only part of the bytes an earlier mapping delivered (`existing` is then gone) [DSSNotMatching].
   * §3.3.1: a mapping MUST NOT change once declared, so a middlebox altered the stream; §3.7:
   * fall back to TCP if still possible (initial subflow, nothing verified yet), else reset the
   * subflow with MP_TCPRST "MPTCP-specific error" (Linux `MPTCP_RST_EMPTCP`).
   */
  | { kind: "dss-not-matching"; mapping: Mapping; existing?: Mapping }
  /**
   * The mapping carried by a segment starts after the segment's data, which therefore has none,
   * or covers stranded bytes (`SegmentResult.stranded`), which no later mapping may claim
   * [DSSNoMatchTCP]. Handled like `dss-not-matching`.
   */
  | { kind: "dss-no-match-tcp"; mapping: Mapping; offset: number }
  /**
   * A checksum present although checksums are not in use, or missing although they are: §3.3
   * says the receiver MUST close the subflow with a RST.
   */
  | { kind: "checksum-presence"; present: boolean }
  /**
   * The DSS checksum of a complete mapping is wrong [DataCsumErr]; its bytes are discarded.
   * §3.7: if no checksum was ever right on this (initial) subflow, fall back to TCP at once;
   * otherwise send MP_FAIL with `dsn` (the start of the failed mapping, as Linux does), then
   * either fall back with the infinite mapping (only subflow, nothing out of order) or reset this
   * subflow (Linux: MP_TCPRST "middlebox interference").
   */
  | { kind: "checksum"; dsn: number; mapping?: Mapping }
  /**
   * More unmapped subflow bytes than allowed are waiting for a mapping: §3.3.1, the subflow
   * SHOULD be treated as broken and reset, and the unmapped data discarded.
   */
  | { kind: "unmapped-overflow"; bytes: number }
  /** More pending mappings than allowed (RFC 7430: bound the state a peer can make us hold). */
  | { kind: "too-many-mappings" };

export interface SegmentResult {
  /** Newly mapped bytes, for the data-level reassembly. */
  chunks: DataChunk[];
  /**
   * New bytes of this segment held because no mapping covers them: data without a mapping. On
   * the initial subflow before any mapping this means the peer's options are being stripped,
   * and the connection falls back to TCP (§3.7; Linux DssFallback).
   */
  unmapped: number;
  /**
   * Unmapped bytes held (this segment's or earlier ones') that are in subflow order: every byte
   * before them has arrived, so no mapping will come for them (module comment). The caller must
   * not keep the subflow in MPTCP mode: fall back to TCP where §3.7 allows it, else reset the
   * subflow without delivering `chunks`: the mapping the segment completed may hold bytes the
   * middlebox changed (an ALG that grew a segment changed the rest of its mapping too).
   */
  stranded: number;
  /**
   * Of `stranded`, bytes past the end of the mapping that holds their segment's first byte, or
   * that the segment declares [DSSNoMatchTCP].
   */
  overrun: number;
  /** DSN of a DATA_FIN the peer has now signalled (its mapping is complete). */
  dataFin?: number;
  /** This segment carried the infinite mapping (§3.7) [InfiniteMapRx]. */
  infinite?: boolean;
  error?: MappingError;
}

export interface ReceiveMappingOptions {
  /** Whether DSS checksums are in use on the connection (§3.1, flag A from either side). */
  checksums: boolean;
  /** The peer's data sequence space, for the checksum pseudo-header's 64-bit DSN. */
  space: DsnSpace;
  /** Most unmapped bytes held; §3.3.1 suggests one receive window. */
  maxUnmappedBytes: number;
  /** Most mappings pending at once. */
  maxMappings?: number;
  /**
   * Without checksums, whether a mapping's bytes are held until it is complete (module comment);
   * with checksums they always are.
   */
  holdMappings?: boolean;
}

/** Default cap on pending mappings: a window of 64 KiB mappings fills it 256 times over. */
export const DEFAULT_MAX_MAPPINGS = 1024;

/**
 * The subflow stream offset for a relative SSN from the wire (32 bits), taken as the offset
 * closest to `near` (the segment's own offset): relative SSNs wrap after 4 GiB on one subflow.
 */
export function ssnToOffset(ssn: number, near: number): number {
  const TWO_32 = 2 ** 32;
  let delta = ((ssn - 1 - near) % TWO_32 + TWO_32) % TWO_32;
  if (delta >= 2 ** 31) delta -= TWO_32;
  return near + delta;
}

/** The relative SSN carried on the wire for a subflow stream offset. */
export function offsetToSsn(offset: number): number {
  return (offset + 1) % 2 ** 32;
}

/**
 * Reads the mapping of a parsed DSS option. `expectedDsn` is the data-level RCV.NXT (a 32-bit DSN
 * is expanded against it, §3.3.1) and `nearOffset` the segment's subflow offset. Returns
 * undefined when the option has no mapping, or a 64-bit DSN so far away it cannot be exact.
 */
export function readMapping(dss: Dss, space: DsnSpace, expectedDsn: number, nearOffset: number): MappingAnnouncement | undefined {
  if (dss.dsn === undefined || dss.ssn === undefined || dss.dataLen === undefined) return undefined;
  const dsn = space.fromWire(dss.dsn, dss.dsn64 ? 64 : 32, expectedDsn);
  if (dsn === undefined) return undefined;
  const checksum = dss.checksum;
  if (dss.dataLen === 0) return { kind: "infinite", dsn, offset: ssnToOffset(dss.ssn, nearOffset) };
  // §3.3.3: the DATA_FIN takes the last DSN of the data-level length but no subflow byte.
  const length = dss.fin ? dss.dataLen - 1 : dss.dataLen;
  if (length === 0) return checksum === undefined ? { kind: "data-fin", dsn } : { kind: "data-fin", dsn, checksum };
  const mapping: Mapping = { dsn, offset: ssnToOffset(dss.ssn, nearOffset), length, dataFin: dss.fin };
  if (checksum !== undefined) mapping.checksum = checksum;
  return { kind: "map", mapping };
}

/**
 * Whether two announcements of a mapping are the same mapping (§3.3.1: re-announcing is fine):
 * the same DSN, subflow offset and subflow length. The DATA_FIN flag and, with it, the checksum
 * may differ: the DATA_FIN takes one more DSN at the end (§3.3.3), and Linux adds it to the
 * mapping in force once the application has closed, so the later segments of a mapping (and
 * the retransmissions of its earlier ones) carry data-level length + 1, F and a checksum over
 * that length (options.c `mptcp_write_data_fin`); Linux's own receiver compares the length
 * without the DATA_FIN (subflow.c `get_mapping_status`).
 */
export function sameMapping(a: Mapping, b: Mapping): boolean {
  return a.dsn === b.dsn && a.offset === b.offset && a.length === b.length && (a.dataFin !== b.dataFin || a.checksum === b.checksum);
}

interface Piece {
  offset: number;
  data: Uint8Array;
}

interface Pending {
  mapping: Mapping;
  /** Subflow offsets received so far. */
  got: RangeSet;
  /** With checksums or `holdMappings`: the bytes, held (as copies) until the mapping is complete. */
  pieces: Piece[];
}

export class ReceiveMappings {
  private readonly pending: Pending[] = [];
  private readonly unmapped = new RangeSet();
  /** Subflow offsets already released (or discarded after a failed checksum): duplicates. */
  private readonly done = new RangeSet();
  private unmappedPieces: Piece[] = [];
  private infiniteAt: { dsn: number; offset: number } | undefined;
  private csumSeen = false;
  private failed: DataChunk[] = [];
  private readonly maxMappings: number;
  /** Every subflow offset below this has arrived: the subflow's RCV.NXT as this table saw it. */
  private contiguous = 0;
  /** Offsets at or above `contiguous` that have arrived (out of order on the subflow). */
  private readonly ahead = new RangeSet();
  /** `contiguous` before the segment being processed: unmapped bytes below it are stranded. */
  private contiguousBefore = 0;
  /** Unmapped bytes that arrived past the end of their own segment's mapping: stranded too. */
  private readonly overrun = new RangeSet();

  constructor(private readonly opts: ReceiveMappingOptions) {
    this.maxMappings = opts.maxMappings ?? DEFAULT_MAX_MAPPINGS;
  }

  /** Subflow bytes received in order: every offset below has arrived (the TCP ACK we send). */
  get receivedInOrder(): number {
    return this.contiguous;
  }

  /** Subflow bytes held because no mapping covers them yet. */
  get unmappedBytes(): number {
    return this.unmapped.size;
  }

  /** Mappings announced and not yet fully received. */
  get pendingMappings(): readonly Mapping[] {
    return this.pending.map((p) => p.mapping);
  }

  /** The infinite mapping in force, if the peer sent one. */
  get infinite(): { dsn: number; offset: number } | undefined {
    return this.infiniteAt;
  }

  /**
   * A mapping's checksum has been right on this subflow (Linux `valid_csum_seen`): from then on a
   * checksum failure is answered with MP_FAIL rather than a silent fallback (§3.7).
   */
  get validChecksumSeen(): boolean {
    return this.csumSeen;
  }

  /** Bytes held in total (unmapped, and mapped but awaiting the rest of their mapping). */
  get heldBytes(): number {
    let n = this.unmapped.size;
    for (const p of this.pending) for (const piece of p.pieces) n += piece.data.length;
    return n;
  }

  /**
   * The bytes of the mapping whose checksum failed last, as they arrived. After MP_FAIL on the
   * only subflow they are delivered as they are (§3.7; Linux does the same): the middlebox that
   * changed them is kept in the path, and the connection continues as TCP.
   */
  get failedData(): readonly DataChunk[] {
    return this.failed;
  }

  /**
   * Everything held, for a fallback to plain TCP on the only subflow (§3.7), then forgets it: the
   * bytes of incomplete mappings at their DSNs (unverified), and unmapped bytes at offset +
   * `delta` (the stream is linear from the last mapping on).
   */
  takeHeld(delta: number): DataChunk[] {
    const out: DataChunk[] = [];
    for (const p of this.pending) {
      for (const piece of p.pieces) out.push({ dsn: p.mapping.dsn + (piece.offset - p.mapping.offset), data: piece.data });
    }
    for (const piece of this.unmappedPieces) out.push({ dsn: piece.offset + delta, data: piece.data });
    this.clear();
    return out;
  }

  /** Forgets everything held (after a reset or a fallback to plain TCP). */
  clear(): void {
    this.pending.length = 0;
    this.unmapped.clear();
    this.overrun.clear();
    this.unmappedPieces = [];
    this.infiniteAt = undefined;
    this.done.clear();
    this.csumSeen = false;
  }

  /**
   * Processes one incoming segment: its in-window payload at subflow `offset` and the mapping
   * its DSS option announced, if any (`readMapping`). Payload views are copied if held.
   */
  onSegment(offset: number, payload: Uint8Array, announced?: MappingAnnouncement): SegmentResult {
    const out: SegmentResult = { chunks: [], unmapped: 0, stranded: 0, overrun: 0 };
    this.contiguousBefore = this.contiguous;
    if (payload.length > 0) this.arrived(offset, offset + payload.length);
    if (announced !== undefined && !this.announce(offset, payload.length, announced, out)) return out;
    // No segment crosses the end of the mapping it declares (module comment): bytes past it are
    // stranded at once, whatever the order of arrival, and kept from a mapping already pending.
    const own = announced?.kind === "map" ? announced.mapping.offset + announced.mapping.length - offset : payload.length;
    const cut = Math.max(0, Math.min(payload.length, own));
    if (cut > 0) this.place(offset, payload.subarray(0, cut), out);
    if (cut < payload.length) this.strand(offset + cut, payload.subarray(cut), out);
    if (out.error === undefined && this.unmapped.size > 0) {
      out.stranded = this.unmapped.coveredIn(0, this.contiguous) + this.overrun.coveredIn(this.contiguous, Number.MAX_SAFE_INTEGER);
    }
    return out;
  }

  /**
   * Whether `length` bytes at subflow offset `offset` would arrive in subflow order with no
   * mapping announced so far covering their first new byte: data the peer sends unmapped, if the
   * segment carrying them announces none (§3.7).
   */
  unmappedInOrder(offset: number, length: number): boolean {
    if (length === 0 || offset > this.contiguous || this.infiniteAt !== undefined) return false;
    const first = Math.max(offset, this.contiguous);
    if (first >= offset + length) return false;
    if (this.done.contains(first)) return false;
    return !this.pending.some((p) => p.mapping.offset <= first && first < p.mapping.offset + p.mapping.length);
  }

  private arrived(start: number, end: number): void {
    if (end <= this.contiguous) return;
    this.ahead.add(Math.max(start, this.contiguous), end);
    const first = this.ahead.at(0)!;
    if (first[0] > this.contiguous) return;
    this.contiguous = first[1];
    this.ahead.removeBelow(this.contiguous);
  }

  private announce(offset: number, len: number, a: MappingAnnouncement, out: SegmentResult): boolean {
    if (a.kind === "infinite") {
      // §3.7: checksums and mappings end here; held data at or after the point maps linearly.
      this.infiniteAt = { dsn: a.dsn, offset: a.offset };
      out.infinite = true;
      this.releaseUnmapped(out);
      return true;
    }
    if (!this.checkPresence(a.kind === "map" ? a.mapping.checksum : a.checksum, out)) return false;
    if (a.kind === "data-fin") {
      if (a.checksum !== undefined) {
        // §3.3.3 with §3.3.1: the checksum of a bare DATA_FIN covers the pseudo-header only.
        const acc = checksumAddU16(dssPseudoHeaderSum(this.opts.space.toWire64(a.dsn), 0, 1), a.checksum);
        if (checksumFinish(acc) !== 0) {
          out.error = { kind: "checksum", dsn: a.dsn };
          return false;
        }
      }
      out.dataFin = a.dsn;
      return true;
    }
    const m = a.mapping;
    const end = m.offset + m.length;
    // A mapping wholly before `offset` (the segment's in-window data, or RCV.NXT for a segment
    // without data) maps bytes already received, e.g. on a retransmission: nothing to do.
    if (end <= offset || this.done.covers(m.offset, end)) return true;
    if (this.done.coveredIn(m.offset, end) > 0) {
      out.error = { kind: "dss-not-matching", mapping: m };
      return false;
    }
    if ((len > 0 && m.offset > offset) || this.strandedIn(m.offset, end)) {
      out.error = { kind: "dss-no-match-tcp", mapping: m, offset };
      return false;
    }
    let i = 0;
    while (i < this.pending.length && this.pending[i]!.mapping.offset + this.pending[i]!.mapping.length <= m.offset) i++;
    const next = this.pending[i];
    if (next !== undefined && next.mapping.offset < end) {
      if (!sameMapping(next.mapping, m)) {
        out.error = { kind: "dss-not-matching", mapping: m, existing: next.mapping };
        return false;
      }
      // The announcement that adds the DATA_FIN wins, with its checksum (which covers it).
      if (m.dataFin && !next.mapping.dataFin) next.mapping = m;
      return true;
    }
    if (this.pending.length >= this.maxMappings) {
      out.error = { kind: "too-many-mappings" };
      return false;
    }
    this.pending.splice(i, 0, { mapping: m, got: new RangeSet(), pieces: [] });
    this.releaseUnmapped(out);
    return out.error === undefined;
  }

  /** Whether bytes in `[start, end)` were stranded before this segment (module comment). */
  private strandedIn(start: number, end: number): boolean {
    const stop = Math.min(end, this.contiguousBefore);
    return (stop > start && this.unmapped.coveredIn(start, stop) > 0) || this.overrun.coveredIn(start, end) > 0;
  }

  /** Holds new bytes of `[offset, offset + data.length)` as unmapped, for no mapping to claim. */
  private strand(offset: number, data: Uint8Array, out: SegmentResult): void {
    for (const [s, e] of this.done.gaps(offset, offset + data.length)) {
      this.overrun.add(s, e);
      this.unmappedOrInfinite(s, data.subarray(s - offset, e - offset), out);
      out.overrun += e - s;
    }
  }

  private checkPresence(checksum: number | undefined, out: SegmentResult): boolean {
    const present = checksum !== undefined;
    if (present === this.opts.checksums) return true;
    out.error = { kind: "checksum-presence", present };
    return false;
  }

  /** Hands held unmapped bytes to the mappings that now cover them; stranded ones stay held. */
  private releaseUnmapped(out: SegmentResult): void {
    if (this.unmappedPieces.length === 0) return;
    const pieces = this.unmappedPieces;
    this.unmappedPieces = [];
    this.unmapped.clear();
    // Bytes still unmapped after this are not the segment's own: they do not count in `unmapped`.
    const own = out.unmapped;
    for (const p of pieces) {
      if (this.overrun.covers(p.offset, p.offset + p.data.length)) this.unmappedOrInfinite(p.offset, p.data, out);
      else this.place(p.offset, p.data, out);
      if (out.error !== undefined) break;
    }
    out.unmapped = own;
  }

  /** Routes new subflow bytes to mappings, or holds them. */
  private place(offset: number, data: Uint8Array, out: SegmentResult): void {
    for (const [s, e] of this.done.gaps(offset, offset + data.length)) {
      this.placeNew(s, data.subarray(s - offset, e - offset), out);
    }
  }

  /**
   * Routes subflow bytes `[offset, offset + data.length)` of one segment, none of them done: to
   * the mapping holding the first of them, or held unmapped up to the next mapping's start. No
   * segment crosses a mapping's end (module comment), so bytes beyond are stranded.
   */
  private placeNew(offset: number, data: Uint8Array, out: SegmentResult): void {
    const end = offset + data.length;
    const i = this.pending.findIndex((q) => q.mapping.offset + q.mapping.length > offset);
    const p = i < 0 ? undefined : this.pending[i]!;
    let stop: number;
    if (p !== undefined && p.mapping.offset <= offset) {
      stop = Math.min(end, p.mapping.offset + p.mapping.length);
      this.fill(p, offset, data.subarray(0, stop - offset), out);
      if (p.got.covers(p.mapping.offset, p.mapping.offset + p.mapping.length)) {
        this.pending.splice(i, 1);
        this.complete(p, out);
      }
    } else {
      // No mapping here: up to the next mapping's start, the bytes are unmapped or, past an
      // infinite mapping point, mapped linearly.
      stop = p === undefined ? end : Math.min(end, p.mapping.offset);
      this.unmappedOrInfinite(offset, data.subarray(0, stop - offset), out);
    }
    if (stop < end && out.error === undefined) this.strand(stop, data.subarray(stop - offset), out);
  }

  private fill(p: Pending, offset: number, data: Uint8Array, out: SegmentResult): void {
    const hold = this.opts.checksums || this.opts.holdMappings === true;
    for (const [s, e] of p.got.gaps(offset, offset + data.length)) {
      const part = data.subarray(s - offset, e - offset);
      if (hold) p.pieces.push({ offset: s, data: part.slice() });
      else out.chunks.push({ dsn: p.mapping.dsn + (s - p.mapping.offset), data: part });
    }
    p.got.add(offset, offset + data.length);
  }

  private complete(p: Pending, out: SegmentResult): void {
    const m = p.mapping;
    this.done.add(m.offset, m.offset + m.length);
    p.pieces.sort((a, b) => a.offset - b.offset);
    if (this.opts.checksums) {
      const wireDataLen = m.length + (m.dataFin ? 1 : 0);
      let acc = checksumAddU16(dssPseudoHeaderSum(this.opts.space.toWire64(m.dsn), offsetToSsn(m.offset), wireDataLen), m.checksum ?? 0);
      for (const piece of p.pieces) acc = checksumAdd(acc, piece.data);
      if (checksumFinish(acc) !== 0) {
        out.error = { kind: "checksum", dsn: m.dsn, mapping: m };
        this.failed = p.pieces.map((piece) => ({ dsn: m.dsn + (piece.offset - m.offset), data: piece.data }));
        return;
      }
      this.csumSeen = true;
    }
    for (const piece of p.pieces) out.chunks.push({ dsn: m.dsn + (piece.offset - m.offset), data: piece.data });
    if (m.dataFin) out.dataFin = m.dsn + m.length;
  }

  private unmappedOrInfinite(offset: number, data: Uint8Array, out: SegmentResult): void {
    const inf = this.infiniteAt;
    let d = data;
    const o = offset;
    if (inf !== undefined && o + d.length > inf.offset) {
      const cut = Math.max(0, inf.offset - o);
      out.chunks.push({ dsn: inf.dsn + (o + cut - inf.offset), data: d.subarray(cut) });
      this.done.add(o + cut, o + d.length);
      d = d.subarray(0, cut);
    }
    if (d.length === 0) return;
    for (const [s, e] of this.unmapped.gaps(o, o + d.length)) {
      this.unmappedPieces.push({ offset: s, data: d.subarray(s - o, e - o).slice() });
      out.unmapped += e - s;
    }
    this.unmapped.add(o, o + d.length);
    const held = this.unmapped.size;
    if (held > this.opts.maxUnmappedBytes) {
      out.error = { kind: "unmapped-overflow", bytes: held };
      this.unmapped.clear();
      this.overrun.clear();
      this.unmappedPieces = [];
    }
  }
}

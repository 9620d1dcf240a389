/**
 * The DSS mappings of one direction of one subflow (RFC 8684 §3.3.1): which subflow sequence
 * numbers carry which data sequence numbers, and the DSS checksum of each mapping verified over
 * the payload as it goes by (§3.3.1: over the whole mapping, which may span several segments,
 * in whatever order the capture has them: mapping-checksum.ts).
 *
 * Subflow sequence numbers are relative to the subflow's ISN and widened (seq.ts), DSNs are
 * relative to the sender's IDSN; both are plain numbers. Only the most recent mappings are kept:
 * data is mapped when it is sent, so old mappings are needed only for retransmissions.
 */
import { checksumAddU16, checksumFinish } from "../wire/checksum.js";
import { dssPseudoHeaderSum } from "../wire/mptcp/dss-checksum.js";
import { MappingChecksum } from "./mapping-checksum.js";

/** Mappings kept per subflow direction; the oldest (lowest SSN) go first. */
const MAX_MAPPINGS = 512;

export interface Mapping {
  /** First subflow sequence number (relative, widened). */
  ssn: number;
  /** Data-level length as on the wire; 0 is the infinite mapping (§3.3.1). */
  len: number;
  /** Relative DSN of the first byte. */
  dsn: number;
  /** The mapping carries the DATA_FIN, which takes the last DSN and no payload byte (§3.3.3). */
  fin: boolean;
  /** Frame that carried it. */
  frame: number;
  /** Checksum verification: the pseudo-header and the payload bytes summed so far (`sum`, while pending). */
  csum?: { wireDsn: bigint; value: number; sum: MappingChecksum | undefined; state: "pending" | "ok" | "bad" | "unverifiable" };
}

export interface MappingConflict {
  existing: Mapping;
  incoming: Mapping;
}

/** A piece of a segment's payload and where it sits in DSN space. */
export interface MappedPiece {
  /** Offset of the piece within the segment's payload. */
  offset: number;
  length: number;
  dsn: number;
}

/**
 * Mappings whose checksum is still being summed, per subflow direction; beyond, the oldest is
 * given up as unverifiable. A mapping with a hole waits for its retransmission, so after a burst
 * of losses as many wait as there were holes; a capture that misses bytes for good leaves some
 * open until they are pushed out.
 */
const MAX_PENDING_CHECKSUMS = 256;

export class MappingTable {
  private maps: Mapping[] = [];
  private pendingChecksums: Mapping[] = [];
  /** Mapping checksums by outcome (the DATA_FIN-only ones included, see `countChecksum`). */
  readonly checksums = { verified: 0, failed: 0, unverifiable: 0 };

  /** Checksums begun and not finished: the capture ended (or lost bytes) before the mapping did. */
  get checksumsOpen(): number {
    return this.pendingChecksums.length;
  }

  /** Counts a checksum that was decided outside `checksum` (a mapping with no payload byte). */
  countChecksum(m: Mapping): void {
    const st = m.csum?.state;
    if (st === "ok") this.checksums.verified++;
    else if (st === "bad") this.checksums.failed++;
  }
  /** An infinite mapping: everything from `ssn` on maps to `dsn` + offset (§3.3.1, §3.7). */
  infinite: Mapping | undefined;

  get size(): number {
    return this.maps.length;
  }

  /**
   * Adds a mapping. A mapping already known for the same bytes is not added again; one that maps
   * some of the same subflow bytes to other DSNs is returned as a conflict (and replaces it).
   */
  add(m: Mapping): MappingConflict | undefined {
    if (m.len === 0) {
      this.infinite ??= m;
      return undefined;
    }
    const maps = this.maps;
    let i = maps.length;
    while (i > 0 && maps[i - 1]!.ssn > m.ssn) i--;
    // Neighbours that overlap in subflow space must agree on the SSN-to-DSN offset.
    let conflict: MappingConflict | undefined;
    for (let k = Math.max(0, i - 2); k < Math.min(maps.length, i + 2); k++) {
      const e = maps[k]!;
      const overlap = e.ssn < m.ssn + payloadLen(m) && m.ssn < e.ssn + payloadLen(e);
      if (!overlap) continue;
      if (e.ssn === m.ssn && e.len === m.len && e.dsn === m.dsn) return undefined; // a repeat
      if (e.dsn - e.ssn !== m.dsn - m.ssn) conflict ??= { existing: e, incoming: m };
    }
    if (conflict !== undefined) maps.splice(maps.indexOf(conflict.existing), 1);
    i = maps.length;
    while (i > 0 && maps[i - 1]!.ssn > m.ssn) i--;
    if (i === maps.length) maps.push(m);
    else maps.splice(i, 0, m);
    // Dropping in batches keeps the cost per mapping constant.
    if (maps.length > 2 * MAX_MAPPINGS) maps.splice(0, maps.length - MAX_MAPPINGS);
    if (m.csum?.state === "pending") {
      this.pendingChecksums.push(m);
      if (this.pendingChecksums.length > MAX_PENDING_CHECKSUMS) this.giveUp(this.pendingChecksums.shift()!);
    }
    return conflict;
  }

  /**
   * Maps payload bytes [ssn, ssn + len) to DSN pieces. Bytes no mapping covers are left out;
   * `unmapped` is how many.
   */
  map(ssn: number, len: number, out: MappedPiece[]): number {
    out.length = 0;
    let unmapped = 0;
    let pos = ssn;
    const end = ssn + len;
    const maps = this.maps;
    // The last mapping that starts at or before `pos`.
    let lo = 0;
    let hi = maps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (maps[mid]!.ssn <= pos) lo = mid + 1;
      else hi = mid;
    }
    let k = lo - 1;
    while (pos < end) {
      const m = k >= 0 ? maps[k] : undefined;
      const mEnd = m === undefined ? -Infinity : m.ssn + payloadLen(m);
      if (m !== undefined && pos >= m.ssn && pos < mEnd) {
        const pieceEnd = Math.min(end, mEnd);
        out.push({ offset: pos - ssn, length: pieceEnd - pos, dsn: m.dsn + (pos - m.ssn) });
        pos = pieceEnd;
        k++;
        continue;
      }
      const next = k + 1 < maps.length ? maps[k + 1]!.ssn : Infinity;
      if (next <= pos) { k++; continue; }
      const inf = this.infinite;
      if (inf !== undefined && pos >= inf.ssn) {
        const pieceEnd = Math.min(end, next);
        out.push({ offset: pos - ssn, length: pieceEnd - pos, dsn: inf.dsn + (pos - inf.ssn) });
        pos = pieceEnd;
        continue;
      }
      const gapEnd = Math.min(end, next);
      unmapped += gapEnd - pos;
      pos = gapEnd;
      k++;
    }
    return unmapped;
  }

  /**
   * Feeds the captured payload of a segment at `ssn` (all of it, or the part a snapped capture
   * kept: the rest may come in a later copy) to the checksum of the mappings it belongs to, in
   * any order; returns the mappings whose checksum just completed and failed.
   */
  checksum(ssn: number, payload: Uint8Array): Mapping[] {
    const failed: Mapping[] = [];
    const pending = this.pendingChecksums;
    if (pending.length === 0) return failed;
    const end = ssn + payload.length;
    let decided = false;
    for (const m of pending) {
      const c = m.csum!;
      const mEnd = m.ssn + payloadLen(m);
      if (mEnd <= ssn || m.ssn >= end) continue;
      const from = Math.max(ssn, m.ssn);
      const to = Math.min(end, mEnd);
      if (!c.sum!.add(from - m.ssn, payload, from - ssn, to - ssn)) {
        this.giveUp(m);
        decided = true;
      } else if (c.sum!.complete) {
        c.state = c.sum!.ok ? "ok" : "bad";
        c.sum = undefined;
        decided = true;
        if (c.state === "bad") {
          failed.push(m);
          this.checksums.failed++;
        } else this.checksums.verified++;
      }
    }
    if (decided) this.pendingChecksums = pending.filter((m) => m.csum!.state === "pending");
    return failed;
  }

  private giveUp(m: Mapping): void {
    m.csum!.state = "unverifiable";
    m.csum!.sum = undefined;
    this.checksums.unverifiable++;
  }
}

/** Payload bytes a mapping covers: its length less the DATA_FIN's sequence number. */
export function payloadLen(m: Mapping): number {
  return m.fin ? Math.max(0, m.len - 1) : m.len;
}

/**
 * Starts the checksum of a mapping (RFC 8684 §3.3.1): the pseudo-header with the 64-bit DSN,
 * the relative SSN (32 bits), the data-level length and the checksum from the wire in place of
 * zero, so that a correct mapping sums to all ones.
 */
export function startChecksum(m: Mapping, wireDsn: bigint, ssn32: number, value: number): void {
  const acc = checksumAddU16(dssPseudoHeaderSum(wireDsn, ssn32, m.len), value);
  const bytes = payloadLen(m);
  if (bytes === 0) m.csum = { wireDsn, value, sum: undefined, state: checksumFinish(acc) === 0 ? "ok" : "bad" };
  else m.csum = { wireDsn, value, sum: new MappingChecksum(acc, bytes), state: "pending" };
}

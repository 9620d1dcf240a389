/**
 * The DSS checksum of one mapping (RFC 8684 §3.3.1) summed from its payload in whatever order the
 * capture holds it: segments reordered on the path, or a hole filled later by a retransmission.
 *
 * The checksum is the one's-complement sum of the pseudo-header and of the mapping's whole
 * payload. That sum does not depend on the order of its terms, and a byte's place in it depends
 * only on the parity of its offset in the mapping (RFC 1071 §2(A), (B)), so each new piece is
 * summed on its own at its offset (`checksumPiece`) and added in. What has been summed is kept as
 * ranges of offsets, so memory is a few numbers per hole whatever the order (a mapping covers at
 * most 64 KB: its data-level length is 16 bits).
 *
 * A byte captured more than once counts in its first copy only. A retransmission normally repeats
 * the bytes; one that carries other bytes is not noticed (the payload is not kept to compare),
 * and the verdict is then that of the first copy, which is what a receiver that already held it
 * would have checked.
 */
import { checksumAddU16, checksumFinish, checksumPiece, type ChecksumAccumulator } from "../wire/checksum.js";

/**
 * Separate ranges kept per mapping. Each hole between captured pieces costs one; a capture this
 * fragmented (tiny segments, each with a gap) is not followed, and its checksum is left
 * unverifiable rather than tracked without bound.
 */
const MAX_RANGES = 64;

export class MappingChecksum {
  /** Offsets summed so far: sorted, disjoint, non-touching [start, end) pairs, flattened. */
  private ranges: number[] = [];
  private summed = 0;

  /** `acc` is the pseudo-header's sum (with the checksum from the wire); `length` the payload bytes. */
  constructor(private acc: ChecksumAccumulator, readonly length: number) {}

  /** Every byte of the payload has been summed. */
  get complete(): boolean {
    return this.summed === this.length;
  }

  /** With every byte summed: the checksum verifies (the whole sums to all ones, RFC 1071 §1). */
  get ok(): boolean {
    return checksumFinish(this.acc) === 0;
  }

  /**
   * Sums `bytes[from, to)`, which sit at offset `at` of the payload, leaving out what was summed
   * before. Returns false when the pieces are too scattered to follow (see MAX_RANGES).
   */
  add(at: number, bytes: Uint8Array, from: number, to: number): boolean {
    const start = at;
    const end = at + (to - from);
    if (end <= start) return true;
    const r = this.ranges;
    const n = r.length;
    // The usual case, data in order: at or past the right edge, the ranges change in place.
    if (n === 0 || start >= r[n - 1]!) {
      this.sum(start, end, at, bytes, from);
      if (n > 0 && start === r[n - 1]!) r[n - 1] = end;
      else r.push(start, end);
      return r.length <= 2 * MAX_RANGES;
    }
    const out: number[] = [];
    let i = 0;
    // Ranges wholly before the piece (not touching it) stay as they are.
    for (; i < r.length && r[i + 1]! < start; i += 2) out.push(r[i]!, r[i + 1]!);
    // Ranges that overlap or touch it merge with it; the gaps between them are the new bytes.
    let lo = start;
    let hi = end;
    let pos = start;
    for (; i < r.length && r[i]! <= end; i += 2) {
      if (pos < r[i]!) this.sum(pos, r[i]!, at, bytes, from);
      pos = Math.max(pos, r[i + 1]!);
      lo = Math.min(lo, r[i]!);
      hi = Math.max(hi, r[i + 1]!);
    }
    if (pos < end) this.sum(pos, end, at, bytes, from);
    out.push(lo, hi);
    for (; i < r.length; i += 2) out.push(r[i]!, r[i + 1]!);
    this.ranges = out;
    return out.length <= 2 * MAX_RANGES;
  }

  /** Adds payload offsets [s, e) of a piece at offset `at` that starts at `bytes[from]`. */
  private sum(s: number, e: number, at: number, bytes: Uint8Array, from: number): void {
    this.acc = checksumAddU16(this.acc, checksumPiece(s, bytes, from + (s - at), from + (e - at)));
    this.summed += e - s;
  }
}

/**
 * Out-of-order receive queue and SACK block generation.
 *
 * Segments that arrive beyond RCV.NXT are held here, by stream offset, until the gap before them
 * fills. Pieces are stored without overlap (a retransmission that overlaps held data only adds
 * its new bytes). A piece may be held without its bytes (`data` undefined) when a higher layer
 * consumed the payload (MPTCP takes subflow data into its own reassembly): the range still counts
 * for RCV.NXT and for SACK.
 *
 * SACK blocks follow RFC 2018 §4: the first block holds the most recently received segment, the
 * rest repeat the most recently reported blocks. A D-SACK (RFC 2883 §4) is reported once, as the
 * first block, in the next ACK.
 */
import { RangeSet } from "./range-set.js";

export interface HeldPiece {
  start: number;
  end: number;
  /** The bytes, or undefined when the payload was consumed by a hook. */
  data: Uint8Array | undefined;
}

/** Result of offering a segment to the queue. */
export interface InsertResult {
  /** Bytes that were not held before. */
  newBytes: number;
  /** True when every byte was already held (a duplicate: RFC 2883 D-SACK material). */
  duplicate: boolean;
}

export class Reassembly {
  private readonly held = new RangeSet();
  private pieces: HeldPiece[] = [];
  /** Block ranges in the order they were last touched, most recent first (RFC 2018 §4). */
  private recent: Array<[number, number]> = [];
  private dsack: [number, number] | undefined;

  /** Bytes held (data or consumed placeholders). */
  get heldBytes(): number {
    return this.held.size;
  }

  get isEmpty(): boolean {
    return this.held.isEmpty;
  }

  /** The held ranges, ascending. */
  ranges(): Array<[number, number]> {
    return this.held.toArray();
  }

  /** Whether `[start, end)` is entirely held. */
  covers(start: number, end: number): boolean {
    return this.held.covers(start, end);
  }

  /**
   * Holds `[start, start + length)`, which must lie above RCV.NXT. `data`, when given, has
   * `length` bytes.
   */
  insert(start: number, length: number, data: Uint8Array | undefined): InsertResult {
    const end = start + length;
    const gaps = this.held.gaps(start, end);
    let newBytes = 0;
    for (const [gs, ge] of gaps) {
      const piece: HeldPiece = { start: gs, end: ge, data: data?.subarray(gs - start, ge - start) };
      this.pieces.splice(this.pieceIndex(gs), 0, piece);
      newBytes += ge - gs;
    }
    this.held.add(start, end);
    const block = this.held.rangeContaining(start)!;
    this.touch(block);
    return { newBytes, duplicate: newBytes === 0 };
  }

  /**
   * Removes and returns the pieces that start at `rcvNxt` and follow each other without a gap,
   * trimmed to start at `rcvNxt`. Pieces entirely below `rcvNxt` are dropped.
   */
  pop(rcvNxt: number): HeldPiece[] {
    const out: HeldPiece[] = [];
    let next = rcvNxt;
    let i = 0;
    for (; i < this.pieces.length; i++) {
      const p = this.pieces[i]!;
      if (p.end <= next) continue;
      if (p.start > next) break;
      const cut = next - p.start;
      out.push({ start: next, end: p.end, data: p.data?.subarray(cut) });
      next = p.end;
    }
    if (i > 0) this.pieces.splice(0, i);
    this.held.removeBelow(next);
    this.recent = this.recent.filter(([, e]) => e > next);
    return out;
  }

  /** Records a duplicate `[start, end)` to report as a D-SACK block in the next ACK (RFC 2883). */
  noteDuplicate(start: number, end: number): void {
    this.dsack = [start, end];
  }

  /**
   * Up to `max` SACK blocks as stream offsets: a pending D-SACK first (RFC 2883 §4, followed by
   * the block that contains it when there is one), then blocks in most-recently-touched order.
   * The D-SACK stays until `clearDsack` (called once an ACK carrying it is sent).
   */
  sackBlocks(max: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (max <= 0) return out;
    const dsack = this.dsack;
    if (dsack !== undefined) {
      out.push(dsack);
      const container = this.held.rangeContaining(dsack[0]);
      if (container !== undefined && out.length < max) out.push(container);
    }
    for (const r of this.recent) {
      if (out.length >= max) break;
      if (out.some(([s, e]) => s === r[0] && e === r[1])) continue;
      out.push(r);
    }
    return out;
  }

  /** The D-SACK was reported (RFC 2883 §4: once). */
  clearDsack(): void {
    this.dsack = undefined;
  }

  /** Whether a D-SACK is waiting to be reported. */
  get hasDsack(): boolean {
    return this.dsack !== undefined;
  }

  private touch(block: [number, number]): void {
    // A block that grew absorbs the older ranges it now covers (RFC 2018 §4: report each
    // contiguous block once, the most recent first).
    this.recent = this.recent.filter(([s, e]) => !(s >= block[0] && e <= block[1]));
    this.recent.unshift(block);
    if (this.recent.length > 8) this.recent.length = 8;
  }

  private pieceIndex(start: number): number {
    let lo = 0;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pieces[mid]!.start < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

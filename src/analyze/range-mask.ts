/**
 * Which subflows have carried each byte of one direction's data sequence space.
 *
 * Disjoint, sorted, coalesced ranges [start, end) of relative DSNs, each with a bit mask of the
 * subflows that sent (or delivered) bytes in it. Data mostly arrives at the right edge, so the
 * common case appends or extends the last range; holes filled late split ranges in the middle.
 * Ranges below a floor are dropped (`prune`) so that memory follows the window of data still in
 * flight, not the length of the trace; bytes below the floor count as seen by an unknown subflow.
 */

/** Subflow index to mask bit. Connections with more than 31 subflows share the top bit. */
export function subflowBit(index: number): number {
  return index < 31 ? 1 << index : 1 << 31;
}

export interface CoverResult {
  /** Bytes of the range no subflow had carried before. */
  fresh: number;
  /** Bytes already carried by at least one other subflow (a reinjection, when sending). */
  byOthers: number;
  /** Bytes this subflow had already carried itself. */
  bySelf: number;
}

export class RangeMask {
  private starts: number[] = [];
  private ends: number[] = [];
  private masks: number[] = [];
  /** Everything below this was pruned: counted as seen, by no known subflow. */
  private floorValue = -Infinity;

  get floor(): number {
    return this.floorValue;
  }

  get rangeCount(): number {
    return this.starts.length;
  }

  /** The ranges, for tests and debugging. */
  entries(): Array<[number, number, number]> {
    return this.starts.map((s, i) => [s, this.ends[i]!, this.masks[i]!]);
  }

  /** Records that subflow `bit` carried [start, end) and says how much of it was new. */
  cover(start: number, end: number, bit: number): CoverResult {
    const res: CoverResult = { fresh: 0, byOthers: 0, bySelf: 0 };
    if (start < this.floorValue) {
      const below = Math.min(end, this.floorValue) - start;
      res.byOthers += below;
      start = Math.min(end, this.floorValue);
    }
    if (end <= start) return res;
    const starts = this.starts;
    const n = starts.length;
    // Fast path: at or beyond the right edge.
    if (n === 0 || start >= this.ends[n - 1]!) {
      res.fresh = end - start;
      if (n > 0 && start === this.ends[n - 1]! && this.masks[n - 1] === bit) this.ends[n - 1] = end;
      else this.push(start, end, bit);
      return res;
    }
    // General case: rebuild the overlapped stretch [i, j) of ranges.
    let i = this.firstEndingAfter(start);
    const outS: number[] = [];
    const outE: number[] = [];
    const outM: number[] = [];
    let pos = start;
    let j = i;
    const emit = (s: number, e: number, m: number): void => {
      const k = outS.length - 1;
      if (k >= 0 && outE[k] === s && outM[k] === m) outE[k] = e;
      else { outS.push(s); outE.push(e); outM.push(m); }
    };
    while (j < n && starts[j]! < end) {
      const s = starts[j]!;
      const e = this.ends[j]!;
      const m = this.masks[j]!;
      if (s < pos) emit(s, pos, m); // the part before `start` keeps its mask
      else if (s > pos) { // a hole inside the new range
        res.fresh += s - pos;
        emit(pos, s, bit);
      }
      const os = Math.max(s, pos);
      const oe = Math.min(e, end);
      if (m & ~bit) res.byOthers += oe - os;
      else res.bySelf += oe - os;
      emit(os, oe, m | bit);
      if (e > end) emit(end, e, m);
      pos = Math.max(pos, oe);
      j++;
    }
    if (pos < end) {
      res.fresh += end - pos;
      emit(pos, end, bit);
    }
    // Coalesce with the neighbours outside the stretch.
    if (i > 0 && this.ends[i - 1] === outS[0] && this.masks[i - 1] === outM[0]) {
      i--;
      outS[0] = starts[i]!;
    }
    if (j < n && starts[j] === outE[outE.length - 1] && this.masks[j] === outM[outM.length - 1]) {
      outE[outE.length - 1] = this.ends[j]!;
      j++;
    }
    starts.splice(i, j - i, ...outS);
    this.ends.splice(i, j - i, ...outE);
    this.masks.splice(i, j - i, ...outM);
    return res;
  }

  /** Forgets ranges below `floor` (data the receiver has acknowledged long ago). */
  prune(floor: number): void {
    if (floor <= this.floorValue) return;
    this.floorValue = floor;
    let k = 0;
    while (k < this.starts.length && this.ends[k]! <= floor) k++;
    if (k > 0) {
      this.starts.splice(0, k);
      this.ends.splice(0, k);
      this.masks.splice(0, k);
    }
    if (this.starts.length > 0 && this.starts[0]! < floor) this.starts[0] = floor;
  }

  /** Forgets the oldest ranges until at most `max` remain (memory bound without Data ACKs). */
  pruneToCount(max: number): void {
    if (this.starts.length > max) this.prune(this.starts[this.starts.length - max]!);
  }

  private push(s: number, e: number, m: number): void {
    this.starts.push(s);
    this.ends.push(e);
    this.masks.push(m);
  }

  /** Index of the first range whose end is after `x`. */
  private firstEndingAfter(x: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * A set of half-open integer ranges `[start, end)`, kept sorted, disjoint and with touching
 * ranges merged. Used for the receiver's out-of-order map and the sender's SACK scoreboard
 * (DESIGN.md §3: "range sets, not byte-by-byte arrays"). Positions are stream offsets (plain
 * numbers, not wrapping sequence numbers), so ordinary comparisons are correct here.
 */
export class RangeSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Number of disjoint ranges. */
  get count(): number {
    return this.starts.length;
  }

  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  /** Total number of integers covered. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) n += this.ends[i]! - this.starts[i]!;
    return n;
  }

  // Both read within bounds: `ends[-1]` of an empty set would be a named-property lookup, which
  // V8 does not serve from the element fast path (`max` is read on every ACK).

  /** The lowest covered integer, if any. */
  get min(): number | undefined {
    return this.starts.length === 0 ? undefined : this.starts[0];
  }

  /** One past the highest covered integer, if any. */
  get max(): number | undefined {
    const n = this.ends.length;
    return n === 0 ? undefined : this.ends[n - 1];
  }

  /** The `i`-th range in ascending order. */
  at(i: number): [number, number] | undefined {
    return i < this.starts.length ? [this.starts[i]!, this.ends[i]!] : undefined;
  }

  /** All ranges in ascending order (a copy). */
  toArray(): Array<[number, number]> {
    return this.starts.map((s, i) => [s, this.ends[i]!]);
  }

  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
  }

  /** Adds `[start, end)` and returns how many integers were not covered before. */
  add(start: number, end: number): number {
    if (end <= start) return 0;
    // First range whose end reaches `start` (touching ranges merge).
    const lo = this.firstEndingAtOrAfter(start);
    let hi = lo;
    let covered = 0;
    let s = start;
    let e = end;
    while (hi < this.starts.length && this.starts[hi]! <= end) {
      covered += Math.min(this.ends[hi]!, end) - Math.max(this.starts[hi]!, start);
      s = Math.min(s, this.starts[hi]!);
      e = Math.max(e, this.ends[hi]!);
      hi++;
    }
    this.starts.splice(lo, hi - lo, s);
    this.ends.splice(lo, hi - lo, e);
    return end - start - covered;
  }

  /** Removes `[start, end)`, splitting a range that straddles either end. */
  remove(start: number, end: number): void {
    if (end <= start) return;
    const i = this.firstEndingAfter(start);
    let j = i;
    const starts: number[] = [];
    const ends: number[] = [];
    while (j < this.starts.length && this.starts[j]! < end) {
      if (this.starts[j]! < start) {
        starts.push(this.starts[j]!);
        ends.push(start);
      }
      if (this.ends[j]! > end) {
        starts.push(end);
        ends.push(this.ends[j]!);
      }
      j++;
    }
    this.starts.splice(i, j - i, ...starts);
    this.ends.splice(i, j - i, ...ends);
  }

  /** Removes everything below `point`. */
  removeBelow(point: number): void {
    let i = 0;
    while (i < this.starts.length && this.ends[i]! <= point) i++;
    if (i > 0) {
      this.starts.splice(0, i);
      this.ends.splice(0, i);
    }
    if (this.starts.length > 0 && this.starts[0]! < point) this.starts[0] = point;
  }

  contains(x: number): boolean {
    const i = this.firstEndingAfter(x);
    return i < this.starts.length && this.starts[i]! <= x;
  }

  /** The range containing `x`, if any. */
  rangeContaining(x: number): [number, number] | undefined {
    const i = this.firstEndingAfter(x);
    return i < this.starts.length && this.starts[i]! <= x ? [this.starts[i]!, this.ends[i]!] : undefined;
  }

  /** True when every integer of `[start, end)` is covered. */
  covers(start: number, end: number): boolean {
    if (end <= start) return true;
    const r = this.rangeContaining(start);
    return r !== undefined && r[1] >= end;
  }

  /** How many integers of `[start, end)` are covered. */
  coveredIn(start: number, end: number): number {
    let n = 0;
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i]! < end; i++) {
      n += Math.min(this.ends[i]!, end) - Math.max(this.starts[i]!, start);
    }
    return n;
  }

  /** The first integer at or after `x` that is not covered. */
  nextUncovered(x: number): number {
    const r = this.rangeContaining(x);
    return r === undefined ? x : r[1];
  }

  /** The start of the first range that begins after `x`, or Infinity. */
  nextStartAfter(x: number): number {
    const i = this.firstEndingAfter(x);
    if (i >= this.starts.length) return Number.POSITIVE_INFINITY;
    return this.starts[i]! > x ? this.starts[i]! : (this.starts[i + 1] ?? Number.POSITIVE_INFINITY);
  }

  /** The uncovered sub-ranges of `[start, end)`, ascending. */
  gaps(start: number, end: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let p = start;
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i]! < end; i++) {
      if (this.starts[i]! > p) out.push([p, this.starts[i]!]);
      p = Math.max(p, this.ends[i]!);
    }
    if (p < end) out.push([p, end]);
    return out;
  }

  /** Index of the first range with `end >= x`. */
  private firstEndingAtOrAfter(x: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first range with `end > x`. */
  private firstEndingAfter(x: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * 32-bit TCP sequence-number arithmetic (RFC 9293 §3.4, "modulo 2**32"; DESIGN.md §3).
 *
 * Sequence numbers wrap, so `a < b` means "b is less than 2^31 ahead of a". Never compare wire
 * sequence numbers with `<` directly. Inside the engine, positions are kept as plain offsets
 * from the ISN (exact up to 2^53) and converted at the edge with `seqAdd`/`seqSub`.
 */

/** `a + n` modulo 2^32. `n` may be negative. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The signed distance `a - b` in (-2^31, 2^31]: positive when `a` is after `b`. */
export function seqSub(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqSub(a, b) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqSub(a, b) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqSub(a, b) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return seqSub(a, b) >= 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return seqGe(a, b) ? a : b;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return seqLe(a, b) ? a : b;
}

/** `lo <= x < hi` in sequence space (an empty range when `lo === hi`). */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return seqLe(lo, x) && seqLt(x, hi);
}

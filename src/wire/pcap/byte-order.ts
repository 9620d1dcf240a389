/**
 * Unsigned reads in either byte order. Capture files are written in the writer's native order and
 * say which by their magic number, so every field read takes the order as a flag.
 * Callers check bounds first.
 */

export function u16(b: Uint8Array, off: number, le: boolean): number {
  return le ? b[off]! | (b[off + 1]! << 8) : (b[off]! << 8) | b[off + 1]!;
}

export function u32(b: Uint8Array, off: number, le: boolean): number {
  return le
    ? (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0
    : ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** A signed 64-bit value as a number (exact within ±2^53; used for if_tsoffset seconds). */
export function i64(b: Uint8Array, off: number, le: boolean): number {
  const first = u32(b, off, le);
  const second = u32(b, off + 4, le);
  const high = le ? second : first;
  const low = le ? first : second;
  return (high | 0) * 4294967296 + low;
}

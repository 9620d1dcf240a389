/**
 * Widening of wrapped sequence numbers. TCP sequence numbers (RFC 9293 §3.4) and 32-bit DSNs and
 * Data ACKs (RFC 8684 §3.3.1) wrap modulo 2^32; the analyzer keeps them as plain numbers that
 * keep growing (exact to 2^53), each value expanded against the last one seen on the same axis.
 */

const TWO32 = 4294967296;
const HALF = 2147483648;

/**
 * The number congruent to `value` (a uint32) modulo 2^32 that is nearest to `reference`: what a
 * 32-bit counter most plausibly meant, given that it was last near `reference`.
 */
export function unwrap32(value: number, reference: number): number {
  const refLow = reference % TWO32;
  let delta = value - (refLow < 0 ? refLow + TWO32 : refLow);
  if (delta > HALF) delta -= TWO32;
  else if (delta < -HALF) delta += TWO32;
  return reference + delta;
}

/** `a - b` modulo 2^32, as a uint32: the offset of sequence number `a` from base `b`. */
export function seqOffset(a: number, b: number): number {
  return (a - b) >>> 0;
}

/** The relative value of a 64-bit wire DSN against a base (an IDSN), modulo 2^64, as a signed number
 * (data just below the base comes out negative rather than near 2^64). */
export function dsnOffset64(dsn: bigint, base: bigint): number {
  return Number(BigInt.asIntN(64, dsn - base));
}

/**
 * The injected source of randomness (DESIGN.md §2).
 *
 * The protocol core never calls `Math.random` or `crypto.randomBytes` itself: keys, join nonces,
 * initial sequence numbers and ephemeral ports come from a `RandomSource` handed in by the caller.
 * The runtime passes a cryptographically strong one; the simulator passes a seeded generator so a
 * run is bit-for-bit reproducible.
 */

export interface RandomSource {
  /** Fills `out` entirely with random bytes. */
  fillBytes(out: Uint8Array): void;
}

/** A uniformly random 32-bit unsigned integer (MP_JOIN nonces, TCP ISNs). */
export function randomU32(rng: RandomSource): number {
  const b = new Uint8Array(4);
  rng.fillBytes(b);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** A uniformly random 64-bit unsigned integer, the first byte drawn being the most significant. */
export function randomU64(rng: RandomSource): bigint {
  const b = new Uint8Array(8);
  rng.fillBytes(b);
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

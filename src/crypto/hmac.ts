/**
 * The hash primitives MPTCP uses: SHA-256 and HMAC-SHA256 for v1 (RFC 8684 §3.1, §3.2), SHA-1 and
 * HMAC-SHA1 for v0 (RFC 6824 §3.1, §3.2), HMAC as defined in RFC 2104. Everything above this file
 * works on keys and nonces; this file works on bytes only, so it can be checked against the
 * kernel's KUnit vectors, which are raw byte strings.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The MPTCP protocol version: 1 is RFC 8684, 0 is RFC 6824. It selects the hash. */
export type MptcpVersion = 0 | 1;

/** A plain `Uint8Array` view of a digest, so results compare equal to `Uint8Array` literals. */
function bytes(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/** RFC 8684 §3.1: v1 uses SHA-256 (flag H); RFC 6824 §3.1: v0 uses SHA-1 (flag H). */
function algorithm(version: MptcpVersion): "sha256" | "sha1" {
  return version === 1 ? "sha256" : "sha1";
}

export function sha256(msg: Uint8Array): Uint8Array {
  return bytes(createHash("sha256").update(msg).digest());
}

export function sha1(msg: Uint8Array): Uint8Array {
  return bytes(createHash("sha1").update(msg).digest());
}

/** The hash of `version`: SHA-256 (32 bytes) for v1, SHA-1 (20 bytes) for v0. */
export function mptcpHash(version: MptcpVersion, msg: Uint8Array): Uint8Array {
  return bytes(createHash(algorithm(version)).update(msg).digest());
}

export function hmacSha256(key: Uint8Array, msg: Uint8Array): Uint8Array {
  return bytes(createHmac("sha256", key).update(msg).digest());
}

export function hmacSha1(key: Uint8Array, msg: Uint8Array): Uint8Array {
  return bytes(createHmac("sha1", key).update(msg).digest());
}

/** The HMAC of `version`: HMAC-SHA256 (32 bytes) for v1, HMAC-SHA1 (20 bytes) for v0. */
export function mptcpHmac(version: MptcpVersion, key: Uint8Array, msg: Uint8Array): Uint8Array {
  return bytes(createHmac(algorithm(version), key).update(msg).digest());
}

/**
 * Compares a received HMAC with the expected one in time independent of where they differ, so
 * that a peer probing join or ADD_ADDR HMACs learns nothing from response timing (RFC 8684 §5
 * relies on the HMACs being unforgeable). Different lengths compare unequal; the length of an
 * HMAC field is public (it is fixed by the option length), so that early return leaks nothing.
 */
export function hmacEqual(received: Uint8Array, expected: Uint8Array): boolean {
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}

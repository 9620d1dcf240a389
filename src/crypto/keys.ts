/**
 * Connection keys and what is derived from them (RFC 8684 §3.1; RFC 6824 §3.1 for v0).
 *
 * Each host picks a 64-bit key and sends it in MP_CAPABLE. From the key, hashed as 8 big-endian
 * bytes, both sides derive:
 * - the token, the most significant 32 bits of the hash, which names the connection in MP_JOIN;
 * - the initial data sequence number (IDSN), the least significant 64 bits of the hash. The first
 *   data byte is at IDSN+1, because the SYN takes one DSN (RFC 8684 §3.3.1).
 * The hash is SHA-256 in v1 and SHA-1 in v0 (for SHA-1 the least significant 64 bits are bytes
 * 12..19 of the 20-byte digest). Linux computes the same in net/mptcp/crypto.c
 * `mptcp_crypto_key_sha`.
 */
import { readU32, readU64, writeU64 } from "../wire/bytes.js";
import { mptcpHash } from "./hmac.js";
import type { MptcpVersion } from "./hmac.js";
import { randomU64 } from "./random.js";
import type { RandomSource } from "./random.js";

/** What a key determines: its token and its IDSN. */
export interface KeyMaterial {
  key: bigint;
  /** Most significant 32 bits of H(key). */
  token: number;
  /** Least significant 64 bits of H(key). */
  idsn: bigint;
}

/** The key as the 8 big-endian bytes that are hashed and used in HMAC keys. */
export function keyBytes(key: bigint): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, BigInt.asUintN(64, key));
  return b;
}

/** Token and IDSN of `key`, from one hash. */
export function keyDerive(key: bigint, version: MptcpVersion): KeyMaterial {
  const digest = mptcpHash(version, keyBytes(key));
  return {
    key: BigInt.asUintN(64, key),
    token: readU32(digest, 0),
    idsn: readU64(digest, digest.length - 8),
  };
}

/** The token of `key`: the most significant 32 bits of SHA-256 (v1) or SHA-1 (v0) of the key. */
export function keyToken(key: bigint, version: MptcpVersion): number {
  return keyDerive(key, version).token;
}

/** The IDSN of `key`: the least significant 64 bits of SHA-256 (v1) or SHA-1 (v0) of the key. */
export function keyIdsn(key: bigint, version: MptcpVersion): bigint {
  return keyDerive(key, version).idsn;
}

/**
 * A fresh 64-bit key. RFC 8684 §3.1 asks only that the key be hard to guess (random as in
 * RFC 4086) and unique among the host's connections; it forbids no value, so zero is not
 * excluded (Linux does not exclude it either). Uniqueness is checked on the token, see
 * `generateUniqueKey`.
 */
export function generateKey(rng: RandomSource): bigint {
  return randomU64(rng);
}

/**
 * How many keys `generateUniqueKey` tries before giving up. With 32-bit tokens a collision needs
 * an enormous number of open connections, so several in a row mean a broken random source.
 */
export const KEY_GENERATION_ATTEMPTS = 16;

/**
 * A fresh key whose token is not in use on this host. RFC 8684 §3.1: two keys may hash to the same
 * token, and a host SHOULD check its tokens before sending its key and pick a new key if there is a
 * collision, since the token must identify one connection for MP_JOIN. Returns undefined when
 * every attempt collided (the caller fails the connect or accept).
 */
export function generateUniqueKey(
  rng: RandomSource,
  version: MptcpVersion,
  tokenInUse: (token: number) => boolean,
): KeyMaterial | undefined {
  for (let i = 0; i < KEY_GENERATION_ATTEMPTS; i++) {
    const material = keyDerive(generateKey(rng), version);
    if (!tokenInUse(material.token)) return material;
  }
  return undefined;
}

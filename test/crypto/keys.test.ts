import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  KEY_GENERATION_ATTEMPTS,
  generateKey,
  generateUniqueKey,
  keyBytes,
  keyDerive,
  keyIdsn,
  keyToken,
  randomU32,
  randomU64,
} from "../../src/crypto/index.js";
import type { RandomSource } from "../../src/crypto/index.js";
import { readU32, readU64, toHex } from "../../src/wire/bytes.js";
import { sha1, sha256 } from "../../src/crypto/index.js";
import { V0, V1, V1_IPV6, V1_PORT } from "./vectors.js";
import { runs } from "../support/fuzz.js";

/** Deterministic bytes 0, 1, 2, ... (mod 256) in the order they are asked for. */
class CountingRandom implements RandomSource {
  next = 0;
  fillBytes(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.next++ & 0xff;
  }
}

/** Replays the given byte strings, one per call. */
class ScriptedRandom implements RandomSource {
  calls = 0;
  constructor(private readonly chunks: Uint8Array[]) {}
  fillBytes(out: Uint8Array): void {
    const chunk = this.chunks[this.calls++ % this.chunks.length]!;
    assert.equal(chunk.length, out.length);
    out.set(chunk);
  }
}

describe("keyToken and keyIdsn", () => {
  test("v1 (SHA-256): live Linux 6.18 keys", () => {
    assert.equal(keyToken(V1.keyA, 1), V1.tokenA);
    assert.equal(keyIdsn(V1.keyA, 1), V1.idsnA);
    assert.equal(keyToken(V1.keyB, 1), V1.tokenB);
    assert.equal(keyIdsn(V1.keyB, 1), V1.idsnB);
  });

  test("v1 (SHA-256): keys from the kernel fixtures", () => {
    assert.equal(keyToken(V1_PORT.keyB, 1), V1_PORT.tokenB);
    assert.equal(keyIdsn(V1_PORT.keyB, 1), V1_PORT.idsnB);
    assert.deepEqual(keyDerive(V1_IPV6.keyA, 1), { key: V1_IPV6.keyA, token: V1_IPV6.tokenA, idsn: V1_IPV6.idsnA });
    assert.deepEqual(keyDerive(V1_IPV6.keyB, 1), { key: V1_IPV6.keyB, token: V1_IPV6.tokenB, idsn: V1_IPV6.idsnB });
  });

  test("v0 (SHA-1): keys from client_2.pcap", () => {
    assert.equal(keyToken(V0.keyA, 0), V0.tokenA);
    assert.equal(keyIdsn(V0.keyA, 0), V0.idsnA);
    assert.equal(keyToken(V0.keyB, 0), V0.tokenB);
    assert.equal(keyIdsn(V0.keyB, 0), V0.idsnB);
  });

  test("the version matters: a v1 key hashed as v0 gives another token", () => {
    assert.notEqual(keyToken(V1.keyA, 0), V1.tokenA);
    assert.notEqual(keyIdsn(V0.keyA, 1), V0.idsnA);
  });

  test("keyDerive agrees with keyToken and keyIdsn and with the digest's first 4 and last 8 bytes", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0 as const, 1 as const), (key, version) => {
        const m = keyDerive(key, version);
        assert.equal(m.key, key);
        assert.equal(m.token, keyToken(key, version));
        assert.equal(m.idsn, keyIdsn(key, version));
        const digest = (version === 1 ? sha256 : sha1)(keyBytes(key));
        assert.equal(m.token, readU32(digest, 0));
        assert.equal(m.idsn, readU64(digest, digest.length - 8));
      }),
      { numRuns: runs(100) },
    );
  });

  test("keyBytes is the 8-byte big-endian key", () => {
    assert.equal(toHex(keyBytes(V1.keyA)), "c12e566b69c3e004");
    assert.equal(toHex(keyBytes(0n)), "0000000000000000");
    assert.equal(toHex(keyBytes((1n << 64n) - 1n)), "ffffffffffffffff");
  });
});

describe("key generation from an injected RandomSource", () => {
  test("generateKey reads 8 bytes, most significant first", () => {
    const rng = new CountingRandom();
    assert.equal(generateKey(rng), 0x0001020304050607n);
    assert.equal(generateKey(rng), 0x08090a0b0c0d0e0fn);
  });

  test("the same random bytes give the same key", () => {
    assert.equal(generateKey(new CountingRandom()), generateKey(new CountingRandom()));
  });

  test("randomU32 and randomU64 are big-endian and unsigned", () => {
    const rng = new ScriptedRandom([Uint8Array.of(0xff, 0xfe, 0xfd, 0xfc)]);
    assert.equal(randomU32(rng), 0xfffefdfc);
    const rng64 = new ScriptedRandom([Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 1)]);
    assert.equal(randomU64(rng64), 0xff00000000000001n);
  });

  test("generateUniqueKey returns the first key whose token is free", () => {
    const first = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const second = Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1);
    const taken = keyToken(0x0102030405060708n, 1);
    const rng = new ScriptedRandom([first, second]);
    const m = generateUniqueKey(rng, 1, (t) => t === taken);
    assert.ok(m);
    assert.equal(m.key, 0x0807060504030201n);
    assert.deepEqual(m, keyDerive(0x0807060504030201n, 1));
    assert.equal(rng.calls, 2);
  });

  test("generateUniqueKey gives up after KEY_GENERATION_ATTEMPTS collisions", () => {
    const rng = new CountingRandom();
    assert.equal(generateUniqueKey(rng, 0, () => true), undefined);
    assert.equal(rng.next, 8 * KEY_GENERATION_ATTEMPTS);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { hmacEqual, hmacSha1, hmacSha256, mptcpHash, mptcpHmac, sha1, sha256 } from "../../src/crypto/index.js";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { runs } from "../support/fuzz.js";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("hmacSha256", () => {
  // net/mptcp/crypto_test.c. The kernel feeds the raw bytes of C strings: the key is the 16 ASCII
  // characters and the message the 8 ASCII characters, not their hex decoding.
  const kunit: Array<[string, string, string]> = [
    ["0b0b0b0b0b0b0b0b", "48692054", "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa"],
    ["aaaaaaaaaaaaaaaa", "dddddddd", "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9"],
    ["0102030405060708", "cdcdcdcd", "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d"],
  ];
  for (const [key, msg, expected] of kunit) {
    test(`KUnit vector key="${key}" msg="${msg}"`, () => {
      assert.equal(toHex(hmacSha256(ascii(key), ascii(msg))), expected);
    });
  }

  test("the KUnit vectors do not hold for hex-decoded inputs (the ASCII trap)", () => {
    const [key, msg, expected] = kunit[0]!;
    assert.notEqual(toHex(hmacSha256(fromHex(key), fromHex(msg))), expected);
  });

  test("RFC 4231 test case 2 (a key shorter than the block)", () => {
    assert.equal(
      toHex(hmacSha256(ascii("Jefe"), ascii("what do ya want for nothing?"))),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  test("returns a plain Uint8Array of 32 bytes", () => {
    const h = hmacSha256(new Uint8Array(16), new Uint8Array(8));
    assert.equal(h.length, 32);
    assert.equal(Object.getPrototypeOf(h), Uint8Array.prototype);
  });
});

describe("hmacSha1", () => {
  test("RFC 2202 test case 2", () => {
    assert.equal(
      toHex(hmacSha1(ascii("Jefe"), ascii("what do ya want for nothing?"))),
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    );
  });
});

describe("mptcpHash and mptcpHmac select the algorithm by version", () => {
  test("v1 is SHA-256 / HMAC-SHA256, v0 is SHA-1 / HMAC-SHA1", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (msg, key) => {
        assert.deepEqual(mptcpHash(1, msg), sha256(msg));
        assert.deepEqual(mptcpHash(0, msg), sha1(msg));
        assert.deepEqual(mptcpHmac(1, key, msg), hmacSha256(key, msg));
        assert.deepEqual(mptcpHmac(0, key, msg), hmacSha1(key, msg));
      }),
      { numRuns: runs(50) },
    );
  });

  test("SHA-256 and SHA-1 of the empty string", () => {
    assert.equal(toHex(sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(toHex(sha1(new Uint8Array(0))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });
});

describe("hmacEqual", () => {
  test("equal bytes compare equal, any single-bit change unequal", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (a, i, bit) => {
        assert.equal(hmacEqual(a, Uint8Array.from(a)), true);
        const b = Uint8Array.from(a);
        b[i % b.length] ^= 1 << bit;
        assert.equal(hmacEqual(a, b), false);
      }),
      { numRuns: runs(100) },
    );
  });

  test("different lengths compare unequal instead of throwing", () => {
    assert.equal(hmacEqual(new Uint8Array(8), new Uint8Array(20)), false);
    assert.equal(hmacEqual(new Uint8Array(20), new Uint8Array(20).subarray(0, 8)), false);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  JOIN_ACK_HMAC_LENGTH,
  JOIN_SYNACK_HMAC_LENGTH,
  hmacEqual,
  hmacSha1,
  hmacSha256,
  joinHmacAck,
  joinHmacSynAck,
} from "../../src/crypto/index.js";
import { fromHex, readU64, toHex } from "../../src/wire/bytes.js";
import { V0, V1, V1_IPV6, V1_PORT } from "./vectors.js";
import { runs } from "../support/fuzz.js";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe("MP_JOIN HMACs, v1 (HMAC-SHA256), live Linux 6.18 vectors", () => {
  test("SYN/ACK: leftmost 64 bits of HMAC(Key-B‖Key-A, R-B‖R-A)", () => {
    const h = joinHmacSynAck(V1.keyB, V1.keyA, V1.nonceB, V1.nonceA, 1);
    assert.equal(h.length, JOIN_SYNACK_HMAC_LENGTH);
    assert.equal(readU64(h, 0), V1.synAckHmac);
  });

  test("third ACK: leftmost 160 bits of HMAC(Key-A‖Key-B, R-A‖R-B)", () => {
    const h = joinHmacAck(V1.keyA, V1.keyB, V1.nonceA, V1.nonceB, 1);
    assert.equal(h.length, JOIN_ACK_HMAC_LENGTH);
    assert.equal(toHex(h), V1.ackHmac);
  });

  test("swapping the roles does not verify", () => {
    const received = joinHmacAck(V1.keyA, V1.keyB, V1.nonceA, V1.nonceB, 1);
    assert.equal(hmacEqual(received, joinHmacAck(V1.keyB, V1.keyA, V1.nonceB, V1.nonceA, 1)), false);
    assert.equal(hmacEqual(received, fromHex(V1.ackHmac)), true);
  });
});

describe("MP_JOIN HMACs, v1, from the kernel fixtures", () => {
  for (const [name, v] of [["kernel-add-addr-port.pcap", V1_PORT], ["kernel-ipv6.pcap", V1_IPV6]] as const) {
    test(name, () => {
      assert.equal(readU64(joinHmacSynAck(v.keyB, v.keyA, v.nonceB, v.nonceA, 1), 0), v.synAckHmac);
      assert.equal(toHex(joinHmacAck(v.keyA, v.keyB, v.nonceA, v.nonceB, 1)), v.ackHmac);
    });
  }
});

describe("MP_JOIN HMACs, v0 (HMAC-SHA1), client_2.pcap vectors", () => {
  test("SYN/ACK truncated HMAC-SHA1", () => {
    assert.equal(readU64(joinHmacSynAck(V0.keyB, V0.keyA, V0.nonceB, V0.nonceA, 0), 0), V0.synAckHmac);
  });

  test("third ACK: the whole 160-bit HMAC-SHA1", () => {
    assert.equal(toHex(joinHmacAck(V0.keyA, V0.keyB, V0.nonceA, V0.nonceB, 0)), V0.ackHmac);
  });
});

describe("MP_JOIN HMAC layout", () => {
  test("matches an HMAC written out by hand: key sender‖receiver, message sender nonce‖receiver nonce", () => {
    fc.assert(
      fc.property(u64, u64, u32, u32, fc.constantFrom(0 as const, 1 as const), (kA, kB, rA, rB, version) => {
        const key = fromHex(kA.toString(16).padStart(16, "0") + kB.toString(16).padStart(16, "0"));
        const msg = fromHex(rA.toString(16).padStart(8, "0") + rB.toString(16).padStart(8, "0"));
        const full = (version === 1 ? hmacSha256 : hmacSha1)(key, msg);
        assert.deepEqual(joinHmacAck(kA, kB, rA, rB, version), full.subarray(0, 20));
        // The same inputs in the listener's role give the leftmost 64 bits of the same digest.
        assert.deepEqual(joinHmacSynAck(kA, kB, rA, rB, version), full.subarray(0, 8));
      }),
      { numRuns: runs(100) },
    );
  });
});

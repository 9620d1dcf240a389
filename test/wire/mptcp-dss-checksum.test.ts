/**
 * The DSS checksum (RFC 8684 §3.3.1) against checksums computed by Linux 6.18 (mptcp-facts.md §2)
 * and by the out-of-tree v0 kernel (Wireshark's iperf-mptcp-0-0.pcap, in ../shared/captures).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex } from "../../src/wire/bytes.js";
import { checksumAdd, checksumFinish } from "../../src/wire/checksum.js";
import { dssChecksum, dssPseudoHeaderSum, verifyDssChecksum } from "../../src/wire/mptcp/dss-checksum.js";
import { runs } from "../support/fuzz.js";

const text = (s: string) => new TextEncoder().encode(s);

/** [name, 64-bit DSN, SSN, data-level length, payload, checksum on the wire]. */
const VECTORS: Array<[string, bigint, number, number, Uint8Array, number]> = [
  ["Linux DSS", 0x4e2fe64ae4c92e8fn, 12, 13, text("second chunk!"), 0x5a96],
  // DSN = IDSN + 1, the first byte after MP_CAPABLE.
  ["Linux MP_CAPABLE with data", 5633974868204138116n, 1, 11, text("hello mptcp"), 0x2265],
  // DATA_FIN alone: it counts in the length but has no payload byte (§3.3.3).
  ["Linux DATA_FIN", 0x4e2fe64ae4c92e9cn, 0, 1, new Uint8Array(0), 0xb81e],
  // The option carried the 32-bit DSN 0xa2fd390a; the checksum covers it expanded against the
  // sender's IDSN (SHA-1 of key 0xd8e9bdfad036fbf0 gives IDSN 0x83a45002a2fd3909).
  ["v0 iperf DSS", 0x83a45002a2fd390an, 1, 24, fromHex("0000000000000001000013890000000000000000fffffe0c"), 0x3ea1],
  ["v0 iperf DATA_FIN", 0x83a45002a3213922n, 0, 1, new Uint8Array(0), 0x5014],
];

describe("dssChecksum", () => {
  for (const [name, dsn, ssn, dataLen, payload, expected] of VECTORS) {
    test(name, () => {
      assert.equal(dssChecksum(dsn, ssn, dataLen, payload), expected);
      assert.equal(verifyDssChecksum(dsn, ssn, dataLen, payload, expected), true);
      assert.equal(verifyDssChecksum(dsn, ssn, dataLen, payload, expected ^ 0x0100), false);
      assert.equal(verifyDssChecksum(dsn ^ 1n, ssn, dataLen, payload, expected), false);
      assert.equal(verifyDssChecksum(dsn, ssn + 1, dataLen, payload, expected), false);
      assert.equal(verifyDssChecksum(dsn, ssn, dataLen + 1, payload, expected), false);
    });
  }

  test("a mapping summed segment by segment gives the same checksum", () => {
    const payload = text("second chunk!");
    let acc = dssPseudoHeaderSum(0x4e2fe64ae4c92e8fn, 12, 13);
    acc = checksumAdd(acc, payload.subarray(0, 5));
    acc = checksumAdd(acc, payload.subarray(5));
    assert.equal(checksumFinish(acc), 0x5a96);
  });

  test("verification accepts both encodings of a zero checksum", () => {
    // Find a payload word that makes the checksum 0, then check 0xffff is accepted too (RFC 1071).
    const dsn = 0x0123456789abcdefn;
    const base = dssChecksum(dsn, 7, 2, Uint8Array.of(0, 0));
    // Adding the word `base` to the sum brings it to all ones, so the checksum becomes 0.
    const payload = Uint8Array.of(base >> 8, base & 0xff);
    assert.equal(dssChecksum(dsn, 7, 2, payload), 0);
    assert.equal(verifyDssChecksum(dsn, 7, 2, payload, 0), true);
    assert.equal(verifyDssChecksum(dsn, 7, 2, payload, 0xffff), true);
  });

  test("property: the computed checksum always verifies, a flipped payload bit never does", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        (dsn, ssn, payload, bit) => {
          const ck = dssChecksum(dsn, ssn, payload.length, payload);
          assert.equal(verifyDssChecksum(dsn, ssn, payload.length, payload, ck), true);
          const bad = payload.slice();
          const at = bit % (bad.length * 8);
          bad[at >> 3]! ^= 1 << (at & 7);
          assert.equal(verifyDssChecksum(dsn, ssn, payload.length, bad, ck), false);
        },
      ),
      { numRuns: runs(500) },
    );
  });
});

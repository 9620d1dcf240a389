import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DataAckWidth, DsnSpace, MAPPING_DSN_WIDTH } from "../../src/mptcp/dsn.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

// IDSN-A of the live Linux capture (mptcp-facts.md §1).
const IDSN_A = 13190437782058015793n;
const TWO_32 = 2 ** 32;

describe("DsnSpace: 64-bit values", () => {
  test("relative DSN 1 is IDSN+1, the first data byte (RFC 8684 §3.3.1)", () => {
    const s = new DsnSpace(IDSN_A);
    assert.equal(s.toWire64(0), IDSN_A);
    assert.equal(s.toWire64(1), IDSN_A + 1n);
    assert.equal(s.fromWire64(IDSN_A + 1n), 1);
    assert.equal(s.fromWire64(IDSN_A), 0);
  });

  test("the 64-bit space wraps modulo 2^64", () => {
    const s = new DsnSpace((1n << 64n) - 2n);
    assert.equal(s.toWire64(1), (1n << 64n) - 1n);
    assert.equal(s.toWire64(2), 0n);
    assert.equal(s.toWire64(5), 3n);
    assert.equal(s.fromWire64(3n), 5);
    assert.equal(s.fromWire64(0n), 2);
  });

  test("a value just below the IDSN is a negative DSN; one 2^53 or more away is undefined", () => {
    const s = new DsnSpace(1000n);
    assert.equal(s.fromWire64(990n), -10);
    assert.equal(s.fromWire64(1000n + (1n << 53n)), undefined);
    assert.equal(s.fromWire64(1000n + (1n << 53n) - 1n), Number.MAX_SAFE_INTEGER);
    assert.equal(s.fromWire64(1000n + (1n << 63n)), undefined);
  });

  test("an IDSN given out of range is reduced to 64 bits", () => {
    assert.equal(new DsnSpace((1n << 64n) + 7n).idsn, 7n);
  });
});

describe("DsnSpace: 32-bit values", () => {
  test("the low half of the wire value", () => {
    const s = new DsnSpace(0x1_ffff_fff0n);
    assert.equal(s.toWire32(0), 0xffff_fff0);
    assert.equal(s.toWire32(0x10), 0);
    assert.equal(s.toWire32(0x11), 1);
    assert.equal(s.toWire(0x11, 32), 1n);
    assert.equal(s.toWire(0x11, 64), 0x2_0000_0001n);
    assert.equal(new DsnSpace(5n).toWire32(-6), 0xffff_ffff);
  });

  test("expansion across the 2^32 boundary of the wire value, forwards and backwards", () => {
    // IDSN low half 0xfffffff0: relative DSN 0x10 is where the low half wraps.
    const s = new DsnSpace(0xabcd_ffff_fff0n);
    assert.equal(s.expand32(0x0000_0005, 10), 0x15);
    assert.equal(s.expand32(0xffff_fff5, 10), 5);
    assert.equal(s.expand32(0xffff_fffa, 0x15), 10);
    assert.equal(s.expand32(0x0000_0005, 0x15), 0x15);
  });

  test("expansion across a 2^32 boundary of the relative DSN", () => {
    const s = new DsnSpace(0n);
    assert.equal(s.expand32(2, TWO_32 - 3), TWO_32 + 2);
    assert.equal(s.expand32(0xffff_ffff, TWO_32 + 1), TWO_32 - 1);
    assert.equal(s.expand32(0, 5 * TWO_32), 5 * TWO_32);
    assert.equal(s.expand32(0x7fff_ffff, 0), 0x7fff_ffff);
    // Exactly 2^31 away: the lower candidate wins.
    assert.equal(s.expand32(0x8000_0000, 0), -(2 ** 31));
    assert.equal(s.expand32(0x8000_0000, 1), 2 ** 31);
  });

  test("fromWire dispatches on the width", () => {
    const s = new DsnSpace(IDSN_A);
    assert.equal(s.fromWire(IDSN_A + 100n, 64, 0), 100);
    const low = BigInt(s.toWire32(100));
    assert.equal(s.fromWire(low, 32, 90), 100);
    assert.equal(s.fromWire(low | (0xdeadn << 32n), 32, 90), 100);
  });

  test("property: a value within 2^31 of the expected one expands to itself", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - TWO_32 }),
        fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }),
        (idsn, dsn, skew) => {
          const s = new DsnSpace(idsn);
          assert.equal(s.expand32(s.toWire32(dsn), dsn + skew), dsn);
          assert.equal(s.fromWire64(s.toWire64(dsn)), dsn);
          assert.equal(Number(s.toWire64(dsn) & 0xffffffffn), s.toWire32(dsn));
        },
      ),
    );
  });
});

describe("widths we send", () => {
  test("mappings are always 64-bit, as Linux sends them", () => {
    assert.equal(MAPPING_DSN_WIDTH, 64);
  });

  test("the Data ACK follows the width of the peer's last mapping (RFC 8684 §3.3.2)", () => {
    const w = new DataAckWidth();
    assert.equal(w.width, 32);
    w.onPeerMapping(true);
    assert.equal(w.width, 64);
    w.onPeerMapping(false);
    assert.equal(w.width, 32);
  });
});

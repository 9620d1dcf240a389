import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { splitTicks, tsUnitsFromResol, type SecNsec } from "../../src/wire/pcap/timestamp.js";
import { runs } from "../support/fuzz.js";

/** The definition, in bigint: whole seconds, and nanoseconds rounded down. */
function reference(ticks: bigint, resol: number): [number, number] {
  const perSecond = (resol & 0x80) !== 0 ? 1n << BigInt(resol & 0x7f) : 10n ** BigInt(resol);
  return [Number(ticks / perSecond), Number(((ticks % perSecond) * 1_000_000_000n) / perSecond)];
}

describe("pcapng timestamps", () => {
  test("if_tsresol: most significant bit selects a power of 2", () => {
    assert.deepEqual(tsUnitsFromResol(6), { binary: false, exp: 6 });
    assert.deepEqual(tsUnitsFromResol(0x8a), { binary: true, exp: 10 });
  });

  test("exact at the edges of the 64-bit range", () => {
    const out: SecNsec = { sec: 0, nsec: 0 };
    splitTicks(0xffffffff, 0xffffffff, tsUnitsFromResol(9), out);
    assert.deepEqual([out.sec, out.nsec], [18446744073, 709551615]);
    splitTicks(0, 999999, tsUnitsFromResol(6), out);
    assert.deepEqual([out.sec, out.nsec], [0, 999999000]);
    splitTicks(0x17a2b, 0x3c4d5e6f, tsUnitsFromResol(0), out);
    assert.deepEqual([out.sec, out.nsec], [0x17a2b * 2 ** 32 + 0x3c4d5e6f, 0]);
  });

  test("matches the bigint definition for every decimal and binary resolution", () => {
    const resolutions = fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0x80, max: 0x80 + 40 }));
    const out: SecNsec = { sec: 0, nsec: 0 };
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), resolutions, (ticks, resol) => {
        splitTicks(Number(ticks >> 32n), Number(ticks & 0xffffffffn), tsUnitsFromResol(resol), out);
        const [sec, nsec] = reference(ticks, resol);
        // Seconds past 2^53 cannot be exact in a number; such files would be nonsense anyway.
        if (sec <= Number.MAX_SAFE_INTEGER) assert.equal(out.sec, sec);
        assert.equal(out.nsec, nsec);
      }),
      { numRuns: runs(3000) },
    );
  });
});

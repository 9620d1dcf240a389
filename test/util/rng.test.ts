import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Rng } from "../../src/util/rng.js";
import { randomU32 } from "../../src/crypto/random.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextU32());
}

describe("Rng (xoshiro128**)", () => {
  test("matches the reference implementation from state {1, 2, 3, 4}", () => {
    // Blackman and Vigna's xoshiro128starstar.c with s = {1, 2, 3, 4}.
    assert.deepEqual(draws(Rng.fromState([1, 2, 3, 4]), 6), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  test("the same seed gives the same stream; a number seed equals its decimal text", () => {
    assert.deepEqual(draws(Rng.seeded(42), 100), draws(Rng.seeded(42), 100));
    assert.deepEqual(draws(Rng.seeded(42), 10), draws(Rng.seeded("42"), 10));
  });

  test("different seeds give different streams", () => {
    assert.notDeepEqual(draws(Rng.seeded(1), 8), draws(Rng.seeded(2), 8));
  });

  test("fork depends on the name and the seed, not on draws already made", () => {
    const a = Rng.seeded(7);
    const b = Rng.seeded(7);
    draws(b, 1000);
    assert.deepEqual(draws(a.fork("link/x"), 20), draws(b.fork("link/x"), 20));
    assert.notDeepEqual(draws(a.fork("link/x"), 20), draws(a.fork("link/y"), 20));
    assert.notDeepEqual(draws(a.fork("link/x"), 20), draws(Rng.seeded(8).fork("link/x"), 20));
    // A fork does not advance its parent.
    const c = Rng.seeded(7);
    c.fork("anything");
    assert.deepEqual(draws(c, 5), draws(Rng.seeded(7), 5));
  });

  test("nextFloat is in [0, 1) with a mean near 1/2", () => {
    const rng = Rng.seeded(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng.nextFloat();
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  });

  test("nextBelow and intBetween stay in range (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 2 ** 32 }), fc.integer(), (seed, n, lo) => {
        const rng = Rng.seeded(seed);
        const x = rng.nextBelow(n);
        assert.ok(Number.isInteger(x) && x >= 0 && x < n);
        const y = rng.intBetween(lo, lo + 5);
        assert.ok(y >= lo && y <= lo + 5);
      }),
    );
  });

  test("nextBelow is uniform over a small range", () => {
    const rng = Rng.seeded(11);
    const counts = new Array<number>(6).fill(0);
    const n = 60000;
    for (let i = 0; i < n; i++) counts[rng.nextBelow(6)]!++;
    // Each bucket expects 10000 with a standard deviation of about 91.
    for (const c of counts) assert.ok(Math.abs(c - n / 6) < 500, `bucket ${c}`);
  });

  test("nextBelow and intBetween reject bad ranges", () => {
    const rng = Rng.seeded(0);
    assert.throws(() => rng.nextBelow(0), RangeError);
    assert.throws(() => rng.nextBelow(2 ** 32 + 1), RangeError);
    assert.throws(() => rng.nextBelow(1.5), RangeError);
    assert.throws(() => rng.intBetween(3, 2), RangeError);
  });

  test("chance(0) is never true, chance(1) always, and both consume one draw", () => {
    const a = Rng.seeded(5), b = Rng.seeded(5);
    for (let i = 0; i < 1000; i++) {
      assert.equal(a.chance(0), false);
      assert.equal(a.chance(1), true);
      b.nextU32();
      b.nextU32();
    }
    assert.equal(a.nextU32(), b.nextU32());
  });

  test("fillBytes writes little-endian draws and handles every tail length", () => {
    const bytes = new Uint8Array(7);
    Rng.fromState([1, 2, 3, 4]).fillBytes(bytes);
    // Draws 11520 = 0x00002d00, then 0 (its first three bytes for the tail).
    assert.deepEqual([...bytes], [0x00, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const tail = new Uint8Array(9);
    Rng.fromState([1, 2, 3, 4]).fillBytes(tail);
    assert.equal(tail[8], 0x80); // the low byte of the third draw, 5927040 = 0x005a7080
  });

  test("serves as a crypto RandomSource", () => {
    assert.equal(randomU32(Rng.seeded(9)), randomU32(Rng.seeded(9)));
  });
});

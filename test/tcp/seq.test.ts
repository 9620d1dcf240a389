import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { seqAdd, seqGe, seqGt, seqInRange, seqLe, seqLt, seqMax, seqMin, seqSub } from "../../src/tcp/seq.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

describe("sequence arithmetic (RFC 9293 §3.4)", () => {
  test("comparisons across the wrap", () => {
    assert.ok(seqLt(0xfffffff0, 0x10));
    assert.ok(seqGt(0x10, 0xfffffff0));
    assert.ok(seqLe(5, 5) && seqGe(5, 5));
    assert.ok(!seqLt(5, 5) && !seqGt(5, 5));
    assert.equal(seqSub(0x10, 0xfffffff0), 0x20);
    assert.equal(seqSub(0xfffffff0, 0x10), -0x20);
    assert.equal(seqAdd(0xffffffff, 1), 0);
    assert.equal(seqAdd(0, -1), 0xffffffff);
    assert.equal(seqMax(0xfffffff0, 0x10), 0x10);
    assert.equal(seqMin(0xfffffff0, 0x10), 0xfffffff0);
    assert.ok(seqInRange(0, 0xffffff00, 0x100));
    assert.ok(!seqInRange(0x100, 0xffffff00, 0x100));
    assert.ok(!seqInRange(5, 5, 5));
  });

  test("a + n is after a for 0 < n < 2^31, and the distance round-trips", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 0x7fffffff }), (a, n) => {
        const b = seqAdd(a, n);
        return seqLt(a, b) && seqGt(b, a) && seqSub(b, a) === n && seqSub(a, b) === -n && b >= 0 && b <= 0xffffffff;
      }),
    );
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RangeSet } from "../../src/tcp/range-set.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

describe("RangeSet", () => {
  test("merges overlapping and touching ranges and counts new integers", () => {
    const r = new RangeSet();
    assert.equal(r.add(10, 20), 10);
    assert.equal(r.add(30, 40), 10);
    assert.deepEqual(r.toArray(), [[10, 20], [30, 40]]);
    assert.equal(r.add(20, 30), 10);
    assert.deepEqual(r.toArray(), [[10, 40]]);
    assert.equal(r.add(5, 45), 10);
    assert.equal(r.add(12, 13), 0);
    assert.equal(r.add(7, 7), 0);
    assert.deepEqual(r.toArray(), [[5, 45]]);
    assert.equal(r.size, 40);
  });

  test("queries", () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    assert.ok(r.contains(10) && r.contains(19) && !r.contains(20) && !r.contains(9));
    assert.deepEqual(r.rangeContaining(35), [30, 40]);
    assert.equal(r.rangeContaining(25), undefined);
    assert.ok(r.covers(31, 40) && !r.covers(15, 31));
    assert.equal(r.coveredIn(15, 35), 10);
    assert.equal(r.nextUncovered(12), 20);
    assert.equal(r.nextUncovered(25), 25);
    assert.deepEqual(r.gaps(0, 50), [[0, 10], [20, 30], [40, 50]]);
    assert.deepEqual(r.gaps(12, 18), []);
    assert.equal(r.min, 10);
    assert.equal(r.max, 40);
    r.removeBelow(15);
    assert.deepEqual(r.toArray(), [[15, 20], [30, 40]]);
    r.removeBelow(35);
    assert.deepEqual(r.toArray(), [[35, 40]]);
    r.clear();
    assert.ok(r.isEmpty);
  });

  test("remove splits straddling ranges", () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    r.remove(15, 35);
    assert.deepEqual(r.toArray(), [[10, 15], [35, 40]]);
    r.remove(0, 12);
    assert.deepEqual(r.toArray(), [[12, 15], [35, 40]]);
    r.remove(36, 38);
    assert.deepEqual(r.toArray(), [[12, 15], [35, 36], [38, 40]]);
    r.remove(50, 60);
    r.remove(5, 5);
    assert.equal(r.size, 6);
  });

  test("behaves like a set of integers", () => {
    const op = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 12 }), fc.constantFrom("add", "trim", "remove"));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const r = new RangeSet();
        const model = new Set<number>();
        for (const [start, len, trim] of ops) {
          if (trim === "trim") {
            r.removeBelow(start);
            for (const x of [...model]) if (x < start) model.delete(x);
          } else if (trim === "remove") {
            r.remove(start, start + len);
            for (let x = start; x < start + len; x++) model.delete(x);
          } else {
            let fresh = 0;
            for (let x = start; x < start + len; x++) {
              if (model.has(x)) continue;
              model.add(x);
              fresh++;
            }
            if (r.add(start, start + len) !== fresh) return false;
          }
        }
        const arr = r.toArray();
        for (let i = 1; i < arr.length; i++) if (arr[i]![0] <= arr[i - 1]![1]) return false;
        for (let x = 0; x < 80; x++) if (r.contains(x) !== model.has(x)) return false;
        return r.size === model.size && r.coveredIn(10, 50) === [...model].filter((x) => x >= 10 && x < 50).length;
      }),
    );
  });
  test("nextStartAfter: the next range beginning after x", () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    assert.equal(r.nextStartAfter(0), 10);
    assert.equal(r.nextStartAfter(10), 30, "x inside a range: the next one");
    assert.equal(r.nextStartAfter(25), 30);
    assert.equal(r.nextStartAfter(30), Infinity);
    assert.equal(r.nextStartAfter(45), Infinity);
  });
});

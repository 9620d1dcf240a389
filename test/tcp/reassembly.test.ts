import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Reassembly } from "../../src/tcp/reassembly.js";
import { runs } from "../support/fuzz.js";

const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

describe("Reassembly", () => {
  test("holds pieces without overlap and pops them in order", () => {
    const r = new Reassembly();
    assert.deepEqual(r.insert(20, 10, fill(10, 2)), { newBytes: 10, duplicate: false });
    assert.deepEqual(r.insert(15, 10, fill(10, 1)), { newBytes: 5, duplicate: false });
    assert.deepEqual(r.insert(22, 3, fill(3, 9)), { newBytes: 0, duplicate: true });
    assert.equal(r.heldBytes, 15);
    assert.deepEqual(r.pop(10), []);
    const out = r.pop(15);
    assert.deepEqual(out.map((p) => [p.start, p.end, [...p.data!]]), [
      [15, 20, [1, 1, 1, 1, 1]],
      [20, 30, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]],
    ]);
    assert.ok(r.isEmpty);
  });

  test("pop trims a piece that starts below RCV.NXT", () => {
    const r = new Reassembly();
    r.insert(10, 10, fill(10, 3));
    const [p] = r.pop(14);
    assert.deepEqual([p!.start, p!.end, p!.data!.length], [14, 20, 6]);
  });

  test("consumed pieces carry no data", () => {
    const r = new Reassembly();
    r.insert(10, 10, undefined);
    const [p] = r.pop(10);
    assert.equal(p!.data, undefined);
    assert.equal(p!.end, 20);
  });

  test("SACK blocks: most recent first, each block once, at most max", () => {
    const r = new Reassembly();
    r.insert(10, 5, undefined);
    r.insert(30, 5, undefined);
    r.insert(50, 5, undefined);
    assert.deepEqual(r.sackBlocks(4), [[50, 55], [30, 35], [10, 15]]);
    r.insert(15, 5, undefined);
    assert.deepEqual(r.sackBlocks(4), [[10, 20], [50, 55], [30, 35]]);
    assert.deepEqual(r.sackBlocks(2), [[10, 20], [50, 55]]);
    r.pop(20);
    assert.deepEqual(r.sackBlocks(4), [[50, 55], [30, 35]]);
  });

  test("a D-SACK comes first with its containing block, until cleared", () => {
    const r = new Reassembly();
    r.insert(10, 20, undefined);
    r.noteDuplicate(12, 15);
    assert.deepEqual(r.sackBlocks(4), [[12, 15], [10, 30]]);
    assert.deepEqual(r.sackBlocks(4), [[12, 15], [10, 30]]);
    r.clearDsack();
    assert.deepEqual(r.sackBlocks(4), [[10, 30]]);
    r.noteDuplicate(0, 5);
    assert.deepEqual(r.sackBlocks(1), [[0, 5]]);
  });

  test("any arrival order reassembles the stream", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 190 }), fc.integer({ min: 1, max: 30 })), { maxLength: 40 }), (segs) => {
        const stream = new Uint8Array(220).map((_, i) => i);
        const r = new Reassembly();
        let next = 0;
        const out: number[] = [];
        for (const [start, len] of [...segs, [0, 220] as [number, number]]) {
          const end = Math.min(start + len, 220);
          if (end <= next) continue;
          const s = Math.max(start, next);
          if (s === next) {
            for (let i = s; i < end; i++) out.push(stream[i]!);
            next = end;
            for (const p of r.pop(next)) {
              for (const b of p.data!) out.push(b);
              next = p.end;
            }
          } else {
            r.insert(s, end - s, stream.subarray(s, end));
          }
        }
        return out.length === 220 && out.every((b, i) => b === i) && r.isEmpty;
      }),
      { numRuns: runs(100) },
    );
  });
});

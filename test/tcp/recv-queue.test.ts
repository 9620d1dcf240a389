import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RecvQueue } from "../../src/tcp/recv-queue.js";
import { runs } from "../support/fuzz.js";

describe("RecvQueue", () => {
  test("reads within one view are views, across views copies", () => {
    const q = new RecvQueue();
    const a = new Uint8Array([1, 2, 3]);
    q.push(a);
    q.push(new Uint8Array([4, 5]));
    q.push(new Uint8Array(0));
    assert.equal(q.length, 5);
    const x = q.read(2);
    assert.equal(x.buffer, a.buffer);
    assert.deepEqual(x, new Uint8Array([1, 2]));
    assert.deepEqual(q.read(2), new Uint8Array([3, 4]));
    assert.deepEqual(q.read(10), new Uint8Array([5]));
    assert.equal(q.length, 0);
  });

  test("returns the bytes pushed, in order, for any read sizes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1 }), (pushes, reads) => {
        const q = new RecvQueue();
        let n = 0;
        for (const len of pushes) q.push(new Uint8Array(len).map(() => n++ & 0xff));
        const out: number[] = [];
        for (let i = 0; q.length > 0; i++) out.push(...q.read(reads[i % reads.length]!));
        return out.length === n && out.every((b, i) => b === (i & 0xff));
      }),
      { numRuns: runs(50) },
    );
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SendBuffer } from "../../src/tcp/send-buffer.js";

describe("SendBuffer", () => {
  test("takes what fits and releases on ACK", () => {
    const b = new SendBuffer(100);
    assert.equal(b.write(new Uint8Array(60).fill(1)), 60);
    assert.equal(b.write(new Uint8Array(60).fill(2)), 40);
    assert.equal(b.free, 0);
    assert.equal(b.length, 100);
    b.ack(30);
    assert.equal(b.start, 30);
    assert.equal(b.free, 30);
    assert.deepEqual(b.read(55, 10), new Uint8Array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]));
    assert.throws(() => b.read(10, 5), RangeError);
    assert.throws(() => b.read(95, 10), RangeError);
  });

  test("a read within one chunk is a view, across chunks a copy", () => {
    const b = new SendBuffer(64 * 1024);
    b.write(new Uint8Array(20_000).map((_, i) => i & 0xff));
    const v = b.read(100, 50);
    const w = b.read(100, 50);
    assert.equal(v.buffer, w.buffer);
    const x = b.read(16_000, 1000);
    assert.equal(x.length, 1000);
    assert.equal(x[0], 16_000 & 0xff);
    assert.equal(x[999], (16_999) & 0xff);
  });

  test("reads return what was written, whatever the write and ACK pattern", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9000 }), { maxLength: 30 }), fc.integer({ min: 1, max: 5000 }), (writes, step) => {
        const b = new SendBuffer(40_000);
        const all: number[] = [];
        let acked = 0;
        for (const n of writes) {
          const data = new Uint8Array(n).map((_, i) => (all.length + i) * 31);
          const took = b.write(data);
          for (let i = 0; i < took; i++) all.push(data[i]!);
          acked = Math.min(all.length, acked + step);
          b.ack(acked);
        }
        if (b.end !== all.length || b.start !== acked) return false;
        const len = b.end - b.start;
        const got = b.read(b.start, len);
        for (let i = 0; i < len; i++) if (got[i] !== all[acked + i]) return false;
        return true;
      }),
      { numRuns: 50 },
    );
  });
});

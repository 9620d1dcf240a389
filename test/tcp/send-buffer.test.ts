import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SendBuffer } from "../../src/tcp/send-buffer.js";
import { runs } from "../support/fuzz.js";

const K = 1024;

/** `n` bytes of a pattern that depends on the stream offset, starting at `offset`. */
function bytesFrom(offset: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((offset + i) * 7 + ((offset + i) >>> 8)) & 0xff;
  return b;
}

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

  test("chunks grow while writes fill them: 16, 32, 64 KiB", () => {
    const b = new SendBuffer(1 << 20);
    b.write(bytesFrom(0, 16 * K + 32 * K + 64 * K + 10));
    // [16K, 48K) is one chunk, so any range in it is a view of the same memory.
    const inSecond = b.read(16 * K, 32 * K);
    assert.equal(b.read(48 * K - 1, 1).buffer, inSecond.buffer);
    assert.notEqual(b.read(0, 1).buffer, inSecond.buffer);
    // The third chunk is 64 KiB: a read across the boundary at 48K is a copy.
    const across = b.read(48 * K - 5, 10);
    assert.deepEqual(across, bytesFrom(48 * K - 5, 10));
    assert.equal(b.read(108 * K, 5).buffer, b.read(48 * K, 1).buffer);
    assert.deepEqual(b.read(112 * K - 5, 10), bytesFrom(112 * K - 5, 10));
  });

  test("once everything is acknowledged, the next write starts with a small chunk again", () => {
    const b = new SendBuffer(1 << 20);
    b.write(bytesFrom(0, 200 * K));
    b.ack(200 * K);
    b.write(bytesFrom(200 * K, 20 * K));
    // 16 KiB then 32 KiB: the read across 216K copies.
    const x = b.read(216 * K - 2, 4);
    assert.deepEqual(x, bytesFrom(216 * K - 2, 4));
    assert.notEqual(x.buffer, b.read(216 * K - 2, 1).buffer);
  });

  test("with reuse, the last chunk acknowledged is written again instead of a new one", () => {
    const sizes = 16 * K + 32 * K + 64 * K + 128 * K;
    const run = (reuse: boolean): boolean => {
      const b = new SendBuffer(4 << 20, reuse);
      // Five chunks: 16, 32, 64, 128 and 256 KiB, then a second of 256 KiB.
      b.write(bytesFrom(0, sizes + 512 * K));
      const fifth = b.read(sizes, 1).buffer;
      b.ack(sizes + 256 * K);
      b.write(bytesFrom(sizes + 512 * K, 100));
      assert.deepEqual(b.read(sizes + 512 * K - 50, 150), bytesFrom(sizes + 512 * K - 50, 150));
      return b.read(sizes + 512 * K, 1).buffer === fifth;
    };
    assert.equal(run(true), true);
    assert.equal(run(false), false);
  });

  test("reads return what was written, whatever the write and ACK pattern", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 24 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.boolean(),
        (writes, step, reuse) => {
          const b = new SendBuffer(300_000, reuse);
          let written = 0;
          let acked = 0;
          for (const n of writes) {
            written += b.write(bytesFrom(written, n));
            // Every held byte reads back, across chunk boundaries too.
            const mid = acked + Math.floor((written - acked) / 2);
            const piece = b.read(mid, Math.min(3000, written - mid));
            if (!sameBytes(piece, bytesFrom(mid, piece.length))) return false;
            acked = Math.min(written, acked + step);
            b.ack(acked);
          }
          if (b.end !== written || b.start !== acked) return false;
          return sameBytes(b.read(acked, written - acked), bytesFrom(acked, written - acked));
        },
      ),
      { numRuns: runs(60) },
    );
  });
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

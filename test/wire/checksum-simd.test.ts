import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { SIMD_SUM } from "../../src/wire/checksum-simd.js";
import { checksumAdd, checksumFinish, internetChecksum, wordSum } from "../../src/wire/checksum.js";
import { runs } from "../support/fuzz.js";

/** Byte-at-a-time RFC 1071 one's-complement sum (not complemented), as plainly as possible. */
function referenceSum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += (i - start) % 2 === 0 ? b[i]! << 8 : b[i]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** A buffer of random bytes with a window [start, end) in it, at any offset and alignment. */
const windowed = (maxLen: number) =>
  fc
    .record({
      before: fc.nat({ max: 40 }),
      data: fc.uint8Array({ minLength: 0, maxLength: maxLen }),
      cut: fc.tuple(fc.nat(), fc.nat()),
    })
    .map(({ before, data, cut }) => {
      // The view starts `before` bytes into its buffer (any alignment), and the window anywhere in it.
      const buffer = new Uint8Array(before + data.length);
      buffer.set(data, before);
      const bytes = buffer.subarray(before);
      const a = bytes.length === 0 ? 0 : cut[0] % (bytes.length + 1);
      const b = bytes.length === 0 ? 0 : cut[1] % (bytes.length + 1);
      return { bytes, start: Math.min(a, b), end: Math.max(a, b) };
    });

const sumOf = (bytes: Uint8Array, start: number, end: number): number => SIMD_SUM!(bytes, start, end);

describe("internet checksum, WebAssembly SIMD", () => {
  test("Node.js 20 has WebAssembly SIMD, so the SIMD sum is in use", () => {
    assert.equal(typeof SIMD_SUM, "function");
  });

  test("the assembled bytes in checksum-wasm.ts are those of checksum.wat", () => {
    // Exits non-zero (and throws here) when the TypeScript file is stale.
    execFileSync(process.execPath, ["scripts/assemble-wasm.mjs", "src/wire/checksum.wat", "src/wire/checksum-wasm.ts", "--check"]);
  });

  test("every length from 0 to 300 at every start alignment equals the byte-at-a-time sum", () => {
    const buffer = Uint8Array.from({ length: 320 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let start = 0; start < 16; start++) {
      for (let len = 0; start + len <= 300; len++) {
        const expected = referenceSum(buffer, start, start + len);
        assert.equal(sumOf(buffer, start, start + len), expected, `start ${start} length ${len}`);
        assert.equal(wordSum(buffer, start, start + len), expected, `JavaScript sum, start ${start} length ${len}`);
      }
    }
  });

  test("property: equals the JavaScript sum for any window of any view", () => {
    fc.assert(
      fc.property(windowed(3000), ({ bytes, start, end }) => {
        assert.equal(sumOf(bytes, start, end), wordSum(bytes, start, end));
        assert.equal(sumOf(bytes, start, end), referenceSum(bytes, start, end));
      }),
      { numRuns: runs(300) },
    );
  });

  test("bytes after the window do not count, whatever they are", () => {
    const a = new Uint8Array(1500).fill(0xff);
    const b = new Uint8Array(1500);
    a.fill(0x5a, 0, 1001);
    b.fill(0x5a, 0, 1001);
    assert.equal(sumOf(a, 0, 1001), sumOf(b, 0, 1001));
    assert.equal(sumOf(a, 0, 1001), referenceSum(a, 0, 1001));
  });

  test("views longer than the module's 64 KiB are summed in pieces", () => {
    const big = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 31 + (i >>> 8)) & 0xff);
    for (const [start, end] of [[0, big.length], [1, big.length], [7, 65_536 + 9], [65_535, 131_073], [3, 65_539]] as const) {
      assert.equal(sumOf(big, start, end), referenceSum(big, start, end), `[${start}, ${end})`);
    }
    const allOnes = new Uint8Array(70_000).fill(0xff);
    assert.equal(sumOf(allOnes, 0, allOnes.length), 0xffff);
  });

  test("all zeros sum to zero, and a segment holding its checksum verifies", () => {
    assert.equal(sumOf(new Uint8Array(1000), 0, 1000), 0);
    const seg = Uint8Array.from({ length: 1480 }, (_, i) => (i * 13) & 0xff);
    seg[16] = 0;
    seg[17] = 0;
    const c = internetChecksum(seg);
    seg[16] = c >>> 8;
    seg[17] = c & 0xff;
    assert.equal(internetChecksum(seg), 0);
  });

  test("property: pieces of any length, chained through checksumAdd, equal the sum of the whole", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4000 }), fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
        const points = [0, ...cuts.map((c) => c % (data.length + 1)).sort((x, y) => x - y), data.length];
        let acc = 0;
        for (let k = 0; k + 1 < points.length; k++) acc = checksumAdd(acc, data, points[k]!, points[k + 1]!);
        assert.equal(checksumFinish(acc), ~referenceSum(data, 0, data.length) & 0xffff);
      }),
      { numRuns: runs(200) },
    );
  });
});

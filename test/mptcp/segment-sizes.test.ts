/** Chunks that start a mapping and fill whole segments (src/mptcp/segment-sizes.ts). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SegmentSizes } from "../../src/mptcp/segment-sizes.js";

describe("SegmentSizes", () => {
  test("a chunk is one declaring segment plus full ones, not a multiple of the full size", () => {
    const z = new SegmentSizes();
    z.note(1424, true);
    z.note(1448, false);
    // 6 segments: 1424 + 5 * 1448. Rounded to full segments (8688) it would end in a 24-byte runt.
    assert.equal(z.fit(8700, 1000), 8664);
    assert.equal(z.fit(8664, 1000), 8664);
    assert.equal(z.fit(8663, 1000), 7216);
    assert.equal(z.fit(1423, 1000), 0);
    assert.equal(z.any, 1448);
  });

  test("with the DSS on every segment only declaring segments are seen: whole segments of that size", () => {
    const z = new SegmentSizes();
    z.note(1420, true);
    assert.equal(z.fit(10_000, 1000), 7 * 1420);
    assert.equal(z.any, 1420);
  });

  test("before any segment was planned, the fallback size", () => {
    const z = new SegmentSizes();
    assert.equal(z.fit(3500, 1000), 3000);
    assert.equal(z.any, undefined);
  });
});

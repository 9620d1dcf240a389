/**
 * The analyzer's building blocks: widening of wrapped numbers, the carried-by range map (against
 * a byte-by-byte model), data-level reordering, bounded series, mappings.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { unwrap32, dsnOffset64 } from "../../src/analyze/seq.js";
import { RangeMask } from "../../src/analyze/range-mask.js";
import { DataReorder } from "../../src/analyze/reorder.js";
import { DelayHistogram, MinMaxSeries, TimeBins, TooManyBinsError } from "../../src/analyze/series.js";
import { MappingTable, startChecksum, type MappedPiece, type Mapping } from "../../src/analyze/mapping.js";
import { MappingChecksum } from "../../src/analyze/mapping-checksum.js";
import { checksumAddU16 } from "../../src/wire/checksum.js";
import { dssChecksum, dssPseudoHeaderSum } from "../../src/wire/mptcp/dss-checksum.js";
import { ConnDir } from "../../src/analyze/connection.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

describe("unwrap32", () => {
  test("follows a counter across 2^32", () => {
    assert.equal(unwrap32(10, 4294967290), 4294967306);
    assert.equal(unwrap32(4294967290, 4294967306), 4294967290);
    assert.equal(unwrap32(5, 0), 5);
    assert.equal(unwrap32(4294967295, 0), -1);
  });

  test("is exact for any value within 2^31 of the reference", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }), (ref, delta) => {
      const v = ref + delta;
      assert.equal(unwrap32(((v % 2 ** 32) + 2 ** 32) % 2 ** 32, ref), v);
    }));
  });

  test("dsnOffset64 wraps modulo 2^64 and goes negative just below the base", () => {
    assert.equal(dsnOffset64(5n, 2n ** 64n - 3n), 8);
    assert.equal(dsnOffset64(10n, 11n), -1);
  });
});

describe("ConnDir: 32-bit DSNs and Data ACKs expanded against the last one (RFC 8684 §3.3.1)", () => {
  test("across the wrap of the low 32 bits", () => {
    const d = new ConnDir();
    d.base = 0x1_ffff_ff00n; // IDSN with its low 32 bits 256 below the wrap
    assert.equal(d.relDsn(0x1_ffff_ff01n, true), 1);
    assert.equal(d.relDsn(0xffff_ff80n, false), 128);
    assert.equal(d.relDsn(0x0000_0100n, false), 512);
    assert.equal(d.relDsn(0x2_0000_0100n, true), 512);
    assert.equal(d.relAck(0x0000_0200n, false), 768);
  });
});

/** Byte-by-byte model of RangeMask. */
class ByteModel {
  readonly owners = new Map<number, number>();
  cover(start: number, end: number, bit: number): { fresh: number; byOthers: number; bySelf: number } {
    const r = { fresh: 0, byOthers: 0, bySelf: 0 };
    for (let i = start; i < end; i++) {
      const m = this.owners.get(i);
      if (m === undefined) r.fresh++;
      else if (m & ~bit) r.byOthers++;
      else r.bySelf++;
      this.owners.set(i, (m ?? 0) | bit);
    }
    return r;
  }
}

describe("RangeMask", () => {
  test("agrees with a byte model, and stays sorted, disjoint and coalesced", () => {
    const op = fc.record({ start: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 1, max: 40 }), sub: fc.integer({ min: 0, max: 3 }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const mask = new RangeMask();
      const model = new ByteModel();
      for (const { start, len, sub } of ops) {
        assert.deepEqual(mask.cover(start, start + len, 1 << sub), model.cover(start, start + len, 1 << sub));
      }
      const e = mask.entries();
      for (let i = 0; i < e.length; i++) {
        const [s, end, m] = e[i]!;
        assert.ok(s < end);
        for (let b = s; b < end; b++) assert.equal(model.owners.get(b), m);
        if (i > 0) {
          assert.ok(e[i - 1]![1] <= s);
          assert.ok(e[i - 1]![1] < s || e[i - 1]![2] !== m, "adjacent ranges with one mask are merged");
        }
      }
    }));
  });

  test("appending in order keeps one range per subflow run", () => {
    const mask = new RangeMask();
    for (let i = 0; i < 1000; i++) mask.cover(i * 100, i * 100 + 100, 1);
    assert.equal(mask.rangeCount, 1);
  });

  test("pruned bytes count as seen by others", () => {
    const mask = new RangeMask();
    mask.cover(0, 100, 1);
    mask.prune(50);
    assert.deepEqual(mask.entries(), [[50, 100, 1]]);
    assert.deepEqual(mask.cover(40, 60, 1), { fresh: 0, byOthers: 10, bySelf: 10 });
  });
});

describe("DataReorder", () => {
  test("data beyond a hole waits until the hole is filled", () => {
    const r = new DataReorder(1);
    r.arrive(1, 101, 1.0);
    r.arrive(201, 301, 1.1);
    r.arrive(301, 401, 1.2);
    r.arrive(101, 201, 1.5);
    assert.equal(r.next, 401);
    assert.equal(r.delays.total, 400);
    assert.equal(r.delays.delayedWeight, 200);
    assert.ok(Math.abs(r.delays.mean - (0.4 * 100 + 0.3 * 100) / 400) < 1e-9);
    assert.ok(Math.abs(r.delays.max - 0.4) < 1e-9);
  });

  test("a Data ACK beyond a hole: the capture missed the data, the waiting data was delivered", () => {
    const r = new DataReorder(1);
    r.arrive(1, 101, 1.0);
    r.arrive(201, 301, 1.1);
    r.arrive(401, 402, 1.15, false); // the DATA_FIN's sequence number
    r.acked(301, 1.3);
    assert.equal(r.next, 301);
    assert.equal(r.gapsSkipped, 1);
    assert.equal(r.gapBytes, 100);
    assert.equal(r.delays.total, 200);
    assert.ok(Math.abs(r.delays.max - 0.2) < 1e-9);
    r.arrive(301, 401, 1.4);
    assert.equal(r.next, 402);
    assert.equal(r.delays.total, 300, "the DATA_FIN is not a byte");
  });

  test("duplicates and overlaps count once", () => {
    const r = new DataReorder(1);
    r.arrive(51, 101, 1.0);
    r.arrive(51, 101, 1.1);
    r.arrive(1, 76, 1.2);
    assert.equal(r.next, 101);
    assert.equal(r.delays.total, 100);
  });
});

describe("series", () => {
  test("MinMaxSeries stays bounded and keeps the extremes", () => {
    const s = new MinMaxSeries(0, 100);
    for (let i = 0; i < 100000; i++) s.add(i * 0.001, i === 54321 ? 1e9 : i === 12345 ? -5 : i % 7);
    const pts = s.points();
    assert.ok(pts.length <= 200, `${pts.length} points`);
    assert.ok(pts.some(([t, v]) => v === 1e9 && Math.abs(t - 54.321) < 1e-9));
    assert.ok(pts.some(([, v]) => v === -5));
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i - 1]![0] <= pts[i]![0]);
  });

  test("TimeBins: fixed width, or automatic widening that keeps the sum", () => {
    const fixed = new TimeBins(10, 0.5);
    fixed.add(10.1, 5);
    fixed.add(11.2, 7);
    assert.deepEqual(fixed.bins(), [[10, 5], [10.5, 0], [11, 7]]);
    const auto = new TimeBins(0, 0.001, 50);
    for (let i = 0; i < 1000; i++) auto.add(i * 0.01, 1);
    const bins = auto.bins();
    assert.ok(bins.length <= 50);
    assert.equal(bins.reduce((n, [, v]) => n + v, 0), 1000);
  });

  test("TimeBins: a fixed width with a limit rejects the time that would make one bin too many", () => {
    const bins = new TimeBins(10, 0.5, 4, "reject");
    bins.add(10.2, 1);
    bins.add(11.9, 1);
    assert.equal(bins.bins().length, 4);
    assert.throws(() => bins.add(12, 1), (e: unknown) => e instanceof TooManyBinsError && e.maxBins === 4 && e.width === 0.5 && e.spanSeconds === 2);
    assert.deepEqual(bins.bins(), [[10, 1], [10.5, 0], [11, 0], [11.5, 1]]);
  });

  test("DelayHistogram: mean and max exact, quantiles to the bin, one value exact", () => {
    const h = new DelayHistogram(50);
    for (let i = 0; i < 10; i++) h.add(0.005, 1);
    assert.equal(h.quantile(0.5), 0.005);
    h.add(0.1, 10);
    assert.ok(Math.abs(h.mean - (0.05 + 1) / 20) < 1e-12);
    assert.equal(h.max, 0.1);
    const q = h.quantile(0.95);
    assert.ok(q > 0.095 && q <= 0.1, String(q));
  });
});

describe("MappingChecksum", () => {
  const data = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37 + 11) & 0xff);
  const pseudo = dssPseudoHeaderSum(123456789n, 1, data.length);
  const good = dssChecksum(123456789n, 1, data.length, data);
  /** Sums `data` in pieces [from, to), in the order given. */
  const sumIn = (value: number, pieces: Array<[number, number]>, bytes = data): MappingChecksum => {
    const m = new MappingChecksum(checksumAddU16(pseudo, value), bytes.length);
    for (const [from, to] of pieces) assert.equal(m.add(from, bytes, from, to), true);
    return m;
  };

  test("pieces in any order, overlapping or repeated, verify once all bytes are in", () => {
    const m = sumIn(good, [[500, 1001], [0, 7]]);
    assert.equal(m.complete, false);
    // Odd offsets and lengths; 3..9 and 400..600 were partly summed already.
    for (const [from, to] of [[3, 9], [9, 250], [400, 600], [250, 401], [0, 1001]] as const) assert.equal(m.add(from, data, from, to), true);
    assert.equal(m.complete, true);
    assert.equal(m.ok, true);
    assert.equal(sumIn(good ^ 1, [[1, 1001], [0, 1]]).ok, false);
  });

  test("a byte counts in its first copy: a later copy with other bytes changes nothing", () => {
    const other = data.slice();
    other[600] ^= 0x40;
    const m = sumIn(good, [[0, 700]]);
    assert.equal(m.add(550, other, 550, 650), true);
    assert.equal(m.add(700, data, 700, 1001), true);
    assert.equal(m.ok, true);
    const first = sumIn(good, [[550, 650]], other);
    assert.equal(first.add(0, data, 0, 1001), true);
    assert.equal(first.complete, true);
    assert.equal(first.ok, false);
  });

  test("a piece at an offset of the payload may start anywhere in its segment", () => {
    const segment = new Uint8Array(20 + 300);
    segment.set(data.subarray(101, 401), 20);
    const m = sumIn(good, [[0, 101], [401, 1001]]);
    assert.equal(m.add(101, segment, 20, 320), true);
    assert.equal(m.ok, true);
  });

  test("property: any pieces, overlapping, in any order, that cover the payload verify it", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.nat(300)), { maxLength: 30 }), (cuts) => {
        const spans: Array<[number, number]> = cuts.map(([a, l]) => [a, Math.min(data.length, a + l)]);
        // Whatever they miss comes last, in one piece per gap, from the right.
        const covered = new Uint8Array(data.length);
        for (const [a, b] of spans) covered.fill(1, a, b);
        for (let i = data.length; i > 0; ) {
          if (covered[i - 1]) { i--; continue; }
          let j = i;
          while (j > 0 && !covered[j - 1]) j--;
          spans.push([j, i]);
          i = j;
        }
        const m = sumIn(good, spans);
        assert.equal(m.complete, true);
        assert.equal(m.ok, true);
      }),
    );
  });

  test("too many separate pieces: given up rather than tracked without bound", () => {
    const m = new MappingChecksum(checksumAddU16(pseudo, good), data.length);
    let kept = true;
    for (let at = 0; at + 2 <= data.length && kept; at += 4) kept = m.add(at, data, at, at + 2);
    assert.equal(kept, false);
  });
});

describe("MappingTable", () => {
  const pieces: MappedPiece[] = [];

  test("a checksum completes from segments out of order, the snapped part of one filled by a later copy", () => {
    const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
    const t = new MappingTable();
    const m: Mapping = { ssn: 1, len: 3000, dsn: 1, fin: false, frame: 1 };
    startChecksum(m, 77n, 1, dssChecksum(77n, 1, 3000, data));
    t.add(m);
    assert.deepEqual(t.checksum(2001, data.subarray(2000)), []);
    // A snapped copy of the first segment: its first 100 bytes only.
    assert.deepEqual(t.checksum(1, data.subarray(0, 100)), []);
    assert.deepEqual(t.checksum(1, data.subarray(0, 1000)), []);
    assert.equal(m.csum!.state, "pending");
    assert.equal(t.checksumsOpen, 1);
    assert.deepEqual(t.checksum(1001, data.subarray(1000, 2000)), []);
    assert.equal(m.csum!.state, "ok");
    assert.deepEqual(t.checksums, { verified: 1, failed: 0, unverifiable: 0 });
    assert.equal(t.checksumsOpen, 0);
  });

  test("maps a segment across two mappings and reports unmapped bytes", () => {
    const t = new MappingTable();
    t.add({ ssn: 1, len: 100, dsn: 1001, fin: false, frame: 1 });
    t.add({ ssn: 101, len: 50, dsn: 5001, fin: false, frame: 2 });
    assert.equal(t.map(51, 150, pieces), 50);
    assert.deepEqual(pieces, [
      { offset: 0, length: 50, dsn: 1051 },
      { offset: 50, length: 50, dsn: 5001 },
    ]);
  });

  test("a mapping that disagrees with an earlier one is a conflict; a repeat is not", () => {
    const t = new MappingTable();
    assert.equal(t.add({ ssn: 1, len: 100, dsn: 1, fin: false, frame: 1 }), undefined);
    assert.equal(t.add({ ssn: 1, len: 100, dsn: 1, fin: false, frame: 2 }), undefined);
    assert.equal(t.add({ ssn: 51, len: 100, dsn: 51, fin: false, frame: 3 }), undefined);
    const c = t.add({ ssn: 1, len: 100, dsn: 7, fin: false, frame: 4 });
    assert.equal(c?.existing.frame, 1);
  });

  test("the infinite mapping maps everything after it", () => {
    const t = new MappingTable();
    t.add({ ssn: 1, len: 10, dsn: 1, fin: false, frame: 1 });
    t.add({ ssn: 11, len: 0, dsn: 11, fin: false, frame: 2 });
    assert.equal(t.map(5, 100, pieces), 0);
    assert.deepEqual(pieces, [{ offset: 0, length: 6, dsn: 5 }, { offset: 6, length: 94, dsn: 11 }]);
  });
});

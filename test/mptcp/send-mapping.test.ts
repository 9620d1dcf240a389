import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DsnSpace } from "../../src/mptcp/dsn.js";
import { ReceiveMappings, readMapping } from "../../src/mptcp/mapping.js";
import { SendMappings, dataFinDss, mappingDss, withDataAck } from "../../src/mptcp/send-mapping.js";
import { encodeMptcpOption, parseMptcpOption } from "../../src/wire/mptcp/option.js";
import { isParseError } from "../../src/wire/error.js";
import type { Dss } from "../../src/wire/mptcp/types.js";
import { runs } from "../support/fuzz.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const DSN64 = 0x4e2fe64ae4c92e8fn;

/** Through the codec, as the peer would see it. */
function roundTrip(dss: Dss): Dss {
  const parsed = parseMptcpOption(encodeMptcpOption(dss));
  assert.ok(!isParseError(parsed) && parsed.subtype === "DSS");
  return parsed;
}

describe("SendMappings", () => {
  test("chunks are laid end to end in the subflow stream", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    assert.deepEqual(s.append(1, enc("abcd")), { offset: 0, dsn: 1, length: 4, dataFin: false });
    assert.deepEqual(s.append(50, enc("xyz"), true), { offset: 4, dsn: 50, length: 3, dataFin: true });
    assert.equal(s.nextOffset, 7);
    assert.equal(s.at(0)?.dsn, 1);
    assert.equal(s.at(3)?.dsn, 1);
    assert.equal(s.at(4)?.dsn, 50);
    assert.equal(s.at(7), undefined);
    assert.equal(s.payloadLimit(1), 3, "a segment stops at its mapping's end");
    assert.equal(s.payloadLimit(4), 3);
    assert.equal(s.payloadLimit(9), 0);
  });

  test("a chunk that continues the last mapping before any segment was built from it extends it", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    s.append(1, enc("abcd"));
    // Contiguous in DSN and in the subflow, nothing built yet: one mapping (no short segment at a
    // mapping boundary that falls inside a segment, §3.3.1).
    assert.deepEqual(s.append(5, enc("efg"), true), { offset: 0, dsn: 1, length: 7, dataFin: true });
    assert.equal(s.mappings.length, 1);
    assert.equal(s.payloadLimit(0), 7);
    // A segment was built from it: its length is declared on the wire and must not change.
    const t = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    t.append(1, enc("abcd"));
    assert.equal(t.payloadLimit(0), 4);
    assert.equal(t.append(5, enc("ef")).offset, 4);
    assert.equal(t.mappings.length, 2);
    // Not contiguous in DSN (a reinjection), after a DATA_FIN, beyond 65535 bytes, or with
    // checksums (the sum covers the mapping as first declared): a mapping of its own.
    const u = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    u.append(1, enc("abcd"));
    u.append(100, enc("x"));
    u.append(101, new Uint8Array(0xffff));
    assert.equal(u.mappings.length, 3);
    const v = new SendMappings({ checksums: true, space: new DsnSpace(0n) });
    v.append(1, enc("abcd"));
    v.append(5, enc("ef"));
    assert.equal(v.mappings.length, 2);
  });

  test("a chunk may not be empty nor exceed a 16-bit data-level length", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n), startOffset: 11 });
    assert.throws(() => s.append(1, new Uint8Array(0)), RangeError);
    assert.throws(() => s.append(1, new Uint8Array(0xffff), true), RangeError);
    assert.equal(s.append(1, new Uint8Array(0xffff)).offset, 11);
  });

  test("the live checksum vector: \"second chunk!\" at SSN 12 gives 0x5a96", () => {
    const space = new DsnSpace(DSN64 - 1000n);
    const s = new SendMappings({ checksums: true, space, startOffset: 11 });
    const m = s.append(1000, enc("second chunk!"));
    assert.equal(m.checksum, 0x5a96);
    assert.deepEqual(mappingDss(m, space), {
      subtype: "DSS", fin: false, dataAck64: false, dsn64: true, dsn: DSN64, ssn: 12, dataLen: 13, checksum: 0x5a96,
    });
  });

  test("the live DATA_FIN vector: 0xb81e", () => {
    const space = new DsnSpace(0x4e2fe64ae4c92e9cn - 7n);
    assert.deepEqual(dataFinDss(7, space, true), {
      subtype: "DSS", fin: true, dataAck64: false, dsn64: true, dsn: 0x4e2fe64ae4c92e9cn, ssn: 0, dataLen: 1, checksum: 0xb81e,
    });
    assert.equal(dataFinDss(7, space, false).checksum, undefined);
  });

  test("Data ACK of either width, alone or with a mapping", () => {
    const peer = new DsnSpace(0x1_0000_0005n);
    assert.deepEqual(withDataAck(undefined, 10, peer, 64), { subtype: "DSS", fin: false, dataAck64: true, dataAck: 0x1_0000_000fn, dsn64: false });
    assert.equal(withDataAck(undefined, 10, peer, 32).dataAck, 0xfn);
    const m = withDataAck(mappingDss({ offset: 0, dsn: 1, length: 3, dataFin: false }, new DsnSpace(0n)), 10, peer, 32);
    assert.equal(m.dataLen, 3);
    assert.equal(m.dataAck64, false);
  });

  test("cut to whole segments at its declaration, a mapping's tail goes to the next one when that one continues it", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    // A mapping at the longest length a DSS can say, and data mapped after it, not declared yet.
    s.append(1, new Uint8Array(65_535));
    s.append(65_536, new Uint8Array(3000));
    assert.deepEqual(s.mappings.map((m) => [m.offset, m.dsn, m.length]), [[0, 1, 65_535], [65_535, 65_536, 3000]]);
    // Declaring segment 1420 bytes, full ones 1448: 45 segments make 1420 + 44 * 1448 = 65,132.
    assert.equal(s.payloadLimit(0, { first: 1420, full: 1448, mayGrow: true }), 65_132);
    assert.deepEqual(s.mappings.map((m) => [m.offset, m.dsn, m.length]), [[0, 1, 65_132], [65_132, 65_133, 3403]]);
  });

  test("a tail that the next mapping cannot take whole pushes that mapping's own excess on", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    s.append(1, new Uint8Array(65_535));
    s.append(65_536, new Uint8Array(65_400));
    assert.equal(s.payloadLimit(0, { first: 1420, full: 1448, mayGrow: true }), 65_132);
    // 403 bytes move to the second mapping, which keeps 65,535 and passes 268 on to a third.
    assert.deepEqual(s.mappings.map((m) => [m.offset, m.dsn, m.length]), [[0, 1, 65_132], [65_132, 65_133, 65_535], [130_667, 130_668, 268]]);
    assert.equal(s.nextOffset, 130_935);
  });

  test("entries are kept until subflow-acked AND data-acked", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    // Each mapping has had a segment built from it (so none extends the one before).
    s.append(1, enc("aaaa"));
    s.payloadLimit(0);
    s.append(5, enc("bbbb"));
    s.payloadLimit(4);
    s.append(9, enc("cc"), true);
    s.onSubflowAck(8);
    assert.equal(s.mappings.length, 3, "not data-acked yet");
    assert.deepEqual(s.unacked(), [[1, 5], [5, 9], [9, 12]]);
    s.onDataAck(7);
    assert.equal(s.mappings.length, 2, "the first is gone");
    assert.deepEqual(s.unacked(), [[7, 9], [9, 12]]);
    s.onDataAck(12);
    assert.equal(s.mappings.length, 1, "the last still awaits its subflow ACK for retransmission");
    assert.deepEqual(s.unacked(), []);
    s.onSubflowAck(5);
    assert.equal(s.mappings.length, 1, "acks never go backwards");
    s.onSubflowAck(10);
    assert.equal(s.mappings.length, 0);
  });

  test("reinjected DSNs may appear out of DSN order on a subflow", () => {
    const s = new SendMappings({ checksums: false, space: new DsnSpace(0n) });
    s.append(100, enc("new!"));
    s.append(20, enc("old"));
    assert.deepEqual(s.unacked(), [[100, 104], [20, 23]]);
    s.onDataAck(50);
    assert.deepEqual(s.unacked(), [[100, 104]]);
  });
});

describe("sender to receiver through the codec", () => {
  test("property: any mapping sizes and TCP segmentation verify at the receiver", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 64 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (bytes, sizes, mss, idsn) => {
          const space = new DsnSpace(idsn);
          const tx = new SendMappings({ checksums: true, space });
          const rx = new ReceiveMappings({ checksums: true, space, maxUnmappedBytes: 1 << 16 });
          let dsn = 1;
          for (let k = 0; dsn - 1 < bytes.length; k++) {
            const n = Math.min(sizes[k % sizes.length]!, bytes.length - (dsn - 1));
            tx.append(dsn, bytes.subarray(dsn - 1, dsn - 1 + n));
            dsn += n;
          }
          const got: number[] = [];
          for (let off = 0; off < tx.nextOffset; ) {
            const len = Math.min(mss, tx.payloadLimit(off));
            const dss = roundTrip(mappingDss(tx.at(off)!, space));
            const res = rx.onSegment(off, bytes.subarray(off, off + len), readMapping(dss, space, 1, off));
            assert.equal(res.error, undefined);
            for (const c of res.chunks) got.push(...c.data);
            off += len;
          }
          assert.deepEqual(Uint8Array.from(got), bytes);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

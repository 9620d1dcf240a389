import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DsnSpace } from "../../src/mptcp/dsn.js";
import {
  ReceiveMappings,
  offsetToSsn,
  readMapping,
  ssnToOffset,
  type DataChunk,
  type Mapping,
  type MappingAnnouncement,
} from "../../src/mptcp/mapping.js";
import { dssChecksum } from "../../src/wire/mptcp/dss-checksum.js";
import type { Dss } from "../../src/wire/mptcp/types.js";
import { runs } from "../support/fuzz.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const map = (mapping: Mapping): MappingAnnouncement => ({ kind: "map", mapping });
const SPACE = new DsnSpace(1000n);

function plain(maxUnmappedBytes = 1 << 16): ReceiveMappings {
  return new ReceiveMappings({ checksums: false, space: SPACE, maxUnmappedBytes });
}

/** Without checksums, holding each mapping until complete (as with other subflows). */
function held(): ReceiveMappings {
  return new ReceiveMappings({ checksums: false, space: SPACE, maxUnmappedBytes: 1 << 16, holdMappings: true });
}

/** `[start, end)` pieces of `[0, len)`, cut at the given points. */
function cuts(len: number, at: number[]): Array<[number, number]> {
  const points = [...new Set(at.filter((x) => x > 0 && x < len))].sort((a, b) => a - b);
  return [...points, len].map((p, i, all) => [i === 0 ? 0 : all[i - 1]!, p]);
}

/** Shuffles `items` in place, deterministically from `seed` (xorshift). */
function shuffle<T>(items: T[], seed: number): void {
  let x = seed >>> 0 || 1;
  for (let i = items.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** The chunks as [dsn, text] pairs. */
function texts(chunks: DataChunk[]): Array<[number, string]> {
  return chunks.map((c) => [c.dsn, dec(c.data)]);
}

describe("readMapping", () => {
  const dss = (over: Partial<Dss>): Dss => ({ subtype: "DSS", fin: false, dataAck64: false, dsn64: true, ...over });

  test("a 64-bit mapping: relative SSN 1 is subflow offset 0", () => {
    assert.deepEqual(readMapping(dss({ dsn: 1001n, ssn: 1, dataLen: 100 }), SPACE, 0, 0), {
      kind: "map",
      mapping: { dsn: 1, offset: 0, length: 100, dataFin: false },
    });
  });

  test("a 32-bit DSN is expanded against the expected DSN", () => {
    const space = new DsnSpace(0xffff_ff00n);
    const a = readMapping(dss({ dsn64: false, dsn: 0x10n, ssn: 1, dataLen: 1 }), space, 0xf0, 0);
    assert.deepEqual(a, { kind: "map", mapping: { dsn: 0x110, offset: 0, length: 1, dataFin: false } });
  });

  test("RFC 8684 §3.3.3: DSN 80, length 11 with DATA_FIN maps 10 bytes, the DATA_FIN is DSN 90", () => {
    const a = readMapping(dss({ fin: true, dsn: 1080n, ssn: 5, dataLen: 11, checksum: 7 }), SPACE, 0, 0);
    assert.deepEqual(a, { kind: "map", mapping: { dsn: 80, offset: 4, length: 10, dataFin: true, checksum: 7 } });
  });

  test("a DATA_FIN on its own: SSN 0, data-level length 1", () => {
    assert.deepEqual(readMapping(dss({ fin: true, dsn: 1091n, ssn: 0, dataLen: 1 }), SPACE, 0, 50), { kind: "data-fin", dsn: 91 });
    assert.deepEqual(readMapping(dss({ fin: true, dsn: 1091n, ssn: 0, dataLen: 1, checksum: 3 }), SPACE, 0, 50), {
      kind: "data-fin",
      dsn: 91,
      checksum: 3,
    });
  });

  test("data-level length 0 is the infinite mapping", () => {
    assert.deepEqual(readMapping(dss({ dsn: 1500n, ssn: 301, dataLen: 0 }), SPACE, 0, 300), { kind: "infinite", dsn: 500, offset: 300 });
  });

  test("no mapping, or a DSN too far to be exact", () => {
    assert.equal(readMapping(dss({ dataAck: 5n }), SPACE, 0, 0), undefined);
    assert.equal(readMapping(dss({ dsn: 1000n + (1n << 60n), ssn: 1, dataLen: 1 }), SPACE, 0, 0), undefined);
  });

  test("relative SSNs wrap after 4 GiB on a subflow", () => {
    assert.equal(ssnToOffset(1, 0), 0);
    assert.equal(ssnToOffset(0, 2 ** 32 - 10), 2 ** 32 - 1);
    assert.equal(ssnToOffset(5, 2 ** 32 - 10), 2 ** 32 + 4);
    assert.equal(ssnToOffset(0xffff_fff0, 2 ** 32 + 4), 2 ** 32 - 17);
    assert.equal(offsetToSsn(2 ** 32 + 4), 5);
    assert.equal(offsetToSsn(0), 1);
  });
});

describe("ReceiveMappings without checksums", () => {
  test("a mapping announced on the first segment covers the following ones", () => {
    const r = plain();
    const m = { dsn: 1, offset: 0, length: 12, dataFin: false };
    assert.deepEqual(texts(r.onSegment(0, enc("abcd"), map(m)).chunks), [[1, "abcd"]]);
    assert.deepEqual(texts(r.onSegment(4, enc("efgh")).chunks), [[5, "efgh"]]);
    assert.equal(r.pendingMappings.length, 1);
    assert.deepEqual(texts(r.onSegment(8, enc("ijkl")).chunks), [[9, "ijkl"]]);
    assert.equal(r.pendingMappings.length, 0, "a fully received mapping is retired");
  });

  test("holdMappings: a mapping's bytes are released once it is complete", () => {
    const r = held();
    const m = { dsn: 1, offset: 0, length: 12, dataFin: false };
    assert.deepEqual(r.onSegment(0, enc("abcd"), map(m)).chunks, []);
    assert.deepEqual(r.onSegment(4, enc("efgh")).chunks, []);
    assert.equal(r.heldBytes, 8);
    assert.deepEqual(r.onSegment(4, enc("efgh")).chunks, [], "a duplicate is held once");
    assert.equal(r.heldBytes, 8);
    assert.deepEqual(texts(r.onSegment(8, enc("ijkl")).chunks), [[1, "abcd"], [5, "efgh"], [9, "ijkl"]]);
    assert.equal(r.pendingMappings.length, 0);
    assert.equal(r.heldBytes, 0);
  });

  test("the same mapping announced twice is fine (§3.3.1)", () => {
    const r = plain();
    const m = { dsn: 1, offset: 0, length: 8, dataFin: false };
    r.onSegment(0, enc("abcd"), map(m));
    const res = r.onSegment(4, enc("efgh"), map({ ...m }));
    assert.equal(res.error, undefined);
    assert.deepEqual(texts(res.chunks), [[5, "efgh"]]);
  });

  test("a different mapping over bytes already mapped is DSSNotMatching", () => {
    const r = plain();
    const m = { dsn: 1, offset: 0, length: 8, dataFin: false };
    r.onSegment(0, enc("abcd"), map(m));
    const other = { dsn: 100, offset: 4, length: 8, dataFin: false };
    const res = r.onSegment(4, enc("efgh"), map(other));
    assert.deepEqual(res.error, { kind: "dss-not-matching", mapping: other, existing: m });
    assert.deepEqual(res.chunks, []);
  });

  test("the mapping re-announced with the DATA_FIN added (Linux, once its application closed) is the same mapping", () => {
    const r = plain();
    const m = { dsn: 1, offset: 0, length: 8, dataFin: false };
    r.onSegment(0, enc("abcd"), map(m));
    const res = r.onSegment(4, enc("efgh"), map({ ...m, dataFin: true }));
    assert.equal(res.error, undefined);
    assert.deepEqual(texts(res.chunks), [[5, "efgh"]]);
    assert.equal(res.dataFin, 9, "the DATA_FIN takes the DSN after the mapping's last byte (§3.3.3)");
  });

  test("a mapping that differs in its length as well as the DATA_FIN is DSSNotMatching", () => {
    const r = plain();
    const m = { dsn: 1, offset: 0, length: 8, dataFin: false };
    r.onSegment(0, enc("abcd"), map(m));
    const other = { ...m, length: 9, dataFin: true };
    assert.deepEqual(r.onSegment(4, enc("efgh"), map(other)).error, { kind: "dss-not-matching", mapping: other, existing: m });
  });

  test("a mapping over part of the bytes an earlier mapping delivered is DSSNotMatching", () => {
    const r = plain();
    r.onSegment(0, enc("abcd"), map({ dsn: 1, offset: 0, length: 4, dataFin: false }));
    const other = { dsn: 50, offset: 2, length: 4, dataFin: false };
    assert.deepEqual(r.onSegment(4, enc("ef"), map(other)).error, { kind: "dss-not-matching", mapping: other });
  });

  test("a segment past the end of the mapping it declares: the rest is stranded, and no later mapping claims it", () => {
    // An ALG grew the segment: "hello" mapped, the 2 bytes it added past the mapping's end, and
    // the next segment shifted by 2 while its DSS still says subflow offset 5.
    const r = plain();
    let res = r.onSegment(0, enc("hello!!"), map({ dsn: 1, offset: 0, length: 5, dataFin: false }));
    assert.deepEqual(texts(res.chunks), [[1, "hello"]]);
    assert.equal(res.unmapped, 2);
    assert.equal(res.stranded, 2);
    assert.equal(res.overrun, 2);
    const next = { dsn: 6, offset: 5, length: 6, dataFin: false };
    res = r.onSegment(7, enc(" world"), map(next));
    assert.deepEqual(res.error, { kind: "dss-no-match-tcp", mapping: next, offset: 7 });
    assert.deepEqual(res.chunks, []);
  });

  test("a segment past the end of its mapping is stranded at once, even out of order and with the next mapping pending", () => {
    const r = held();
    // The next mapping [5, 11) arrived first, on its own later segment.
    assert.deepEqual(r.onSegment(9, enc("ld"), map({ dsn: 6, offset: 5, length: 6, dataFin: false })).stranded, 0);
    const res = r.onSegment(2, enc("llo!!"), map({ dsn: 1, offset: 0, length: 5, dataFin: false }));
    assert.equal(res.stranded, 2, "out of subflow order (offsets 0-1 missing), yet stranded");
    assert.equal(res.overrun, 2);
    assert.deepEqual(res.chunks, [], "and the pending mapping [5, 11) did not take them");
    assert.deepEqual(r.pendingMappings.map((m) => m.offset), [0, 5]);
  });

  test("a segment without a DSS running past the end of its mapping (mapping on its first segment only): stranded", () => {
    const r = held();
    r.onSegment(0, enc("abcd"), map({ dsn: 1, offset: 0, length: 8, dataFin: false }));
    const res = r.onSegment(4, enc("efgh!!"));
    assert.deepEqual(texts(res.chunks), [[1, "abcd"], [5, "efgh"]]);
    assert.equal(res.stranded, 2);
    assert.equal(res.overrun, 2, "past the end of the mapping holding its first byte");
    const next = { dsn: 9, offset: 8, length: 4, dataFin: false };
    assert.deepEqual(r.onSegment(10, enc("ijkl"), map(next)).error, { kind: "dss-no-match-tcp", mapping: next, offset: 10 });
  });

  test("bytes past a mapping's end that arrive out of order wait for the segment declaring their mapping", () => {
    const r = held();
    r.onSegment(0, enc("abcd"), map({ dsn: 1, offset: 0, length: 4, dataFin: false }));
    // [8, 12) without a DSS (the later part of the mapping [4, 12)) comes before [4, 8), which declares it.
    let res = r.onSegment(8, enc("ijkl"));
    assert.equal(res.unmapped, 4);
    assert.equal(res.stranded, 0, "offsets 4-7 have not arrived");
    res = r.onSegment(4, enc("efgh"), map({ dsn: 5, offset: 4, length: 8, dataFin: false }));
    assert.equal(res.error, undefined);
    assert.equal(res.stranded, 0);
    assert.deepEqual(texts(res.chunks), [[5, "efgh"], [9, "ijkl"]]);
  });

  test("holdMappings: every segment carrying the mapping that started before it (Linux TSO), in any order: no stranded byte", () => {
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const r = held();
      const m = { dsn: 100, offset: 0, length: 12, dataFin: false };
      const segs = ["abcd", "efgh", "ijkl"];
      const chunks: DataChunk[] = [];
      for (const i of order) {
        const res = r.onSegment(4 * i, enc(segs[i]!), map({ ...m }));
        assert.equal(res.error, undefined);
        assert.equal(res.stranded, 0);
        chunks.push(...res.chunks);
      }
      assert.deepEqual(texts(chunks), [[100, "abcd"], [104, "efgh"], [108, "ijkl"]]);
    }
  });

  test("holdMappings: a shrunk segment: the next mapping starts after its segment's data (DSSNoMatchTCP), and the mapping before is never released", () => {
    const r = held();
    assert.deepEqual(r.onSegment(0, enc("abcd"), map({ dsn: 1, offset: 0, length: 8, dataFin: false })).chunks, []);
    assert.deepEqual(r.onSegment(4, enc("eh")).chunks, [], "an ALG took 2 bytes out of \"efgh\"");
    const next = { dsn: 9, offset: 8, length: 4, dataFin: false };
    const res = r.onSegment(6, enc("ijkl"), map(next));
    assert.deepEqual(res.error, { kind: "dss-no-match-tcp", mapping: next, offset: 6 });
    assert.deepEqual(res.chunks, []);
  });

  test("data that arrives before its mapping is held, then released", () => {
    const r = plain();
    const first = r.onSegment(4, enc("efgh"));
    assert.deepEqual(first.chunks, []);
    assert.equal(first.unmapped, 4, "data without a mapping");
    assert.equal(r.unmappedBytes, 4);
    const res = r.onSegment(0, enc("abcd"), map({ dsn: 20, offset: 0, length: 8, dataFin: false }));
    assert.deepEqual(texts(res.chunks), [[24, "efgh"], [20, "abcd"]]);
    assert.equal(r.unmappedBytes, 0);
  });

  test("unmapped data beyond the cap resets the subflow (§3.3.1)", () => {
    const r = plain(6);
    assert.equal(r.onSegment(0, enc("abcd")).error, undefined);
    assert.equal(r.onSegment(0, enc("abcd")).error, undefined, "duplicates are not counted twice");
    assert.deepEqual(r.onSegment(4, enc("efg")).error, { kind: "unmapped-overflow", bytes: 7 });
    assert.equal(r.unmappedBytes, 0, "and the unmapped data is discarded");
  });

  test("a mapping that starts after the segment's data is DSSNoMatchTCP", () => {
    const r = plain();
    const m = { dsn: 1, offset: 10, length: 8, dataFin: false };
    assert.deepEqual(r.onSegment(4, enc("efgh"), map(m)).error, { kind: "dss-no-match-tcp", mapping: m, offset: 4 });
  });

  test("a mapping for bytes already received is ignored", () => {
    const r = plain();
    r.onSegment(0, enc("abcd"), map({ dsn: 1, offset: 0, length: 4, dataFin: false }));
    // A retransmission carrying the old mapping, whose data TCP trimmed: only new bytes remain.
    const res = r.onSegment(4, enc("ef"), map({ dsn: 1, offset: 0, length: 4, dataFin: false }));
    assert.equal(res.error, undefined);
    assert.deepEqual(res.chunks, []);
    assert.equal(r.unmappedBytes, 2);
    assert.equal(r.pendingMappings.length, 0);
    assert.equal(res.overrun, 2, "a segment crossing its mapping's end: no sender does that, a middlebox does");
  });

  test("duplicate subflow bytes inside a mapping are released once", () => {
    const r = plain();
    r.onSegment(0, enc("ab"), map({ dsn: 1, offset: 0, length: 6, dataFin: false }));
    assert.deepEqual(texts(r.onSegment(0, enc("abcd")).chunks), [[3, "cd"]]);
  });

  test("a DATA_FIN at the end of a mapping is signalled when the mapping completes", () => {
    const r = plain();
    const m = { dsn: 80, offset: 0, length: 10, dataFin: true };
    let res = r.onSegment(5, enc("fghij"));
    assert.equal(res.dataFin, undefined);
    res = r.onSegment(0, enc("abcde"), map(m));
    assert.equal(res.dataFin, 90);
    assert.deepEqual(texts(res.chunks), [[85, "fghij"], [80, "abcde"]]);
  });

  test("a DATA_FIN on its own is signalled at once", () => {
    const r = plain();
    const res = r.onSegment(7, new Uint8Array(0), { kind: "data-fin", dsn: 91 });
    assert.equal(res.dataFin, 91);
  });

  test("the infinite mapping maps every later byte linearly (§3.7)", () => {
    const r = plain();
    r.onSegment(0, enc("abcd"), map({ dsn: 1, offset: 0, length: 4, dataFin: false }));
    r.onSegment(10, enc("zz"));
    const res = r.onSegment(4, enc("efgh"), { kind: "infinite", dsn: 5, offset: 4 });
    assert.equal(res.infinite, true);
    assert.deepEqual(texts(res.chunks), [[11, "zz"], [5, "efgh"]]);
    assert.deepEqual(texts(r.onSegment(8, enc("ij")).chunks), [[9, "ij"]]);
    assert.deepEqual(r.infinite, { dsn: 5, offset: 4 });
    assert.equal(r.unmappedBytes, 0);
  });

  test("a checksum where none was negotiated closes the subflow (§3.3)", () => {
    const r = plain();
    const res = r.onSegment(0, enc("ab"), map({ dsn: 1, offset: 0, length: 2, dataFin: false, checksum: 0x1234 }));
    assert.deepEqual(res.error, { kind: "checksum-presence", present: true });
  });

  test("too many pending mappings (RFC 7430)", () => {
    const r = new ReceiveMappings({ checksums: false, space: SPACE, maxUnmappedBytes: 100, maxMappings: 2 });
    r.onSegment(0, new Uint8Array(0), map({ dsn: 1, offset: 0, length: 1, dataFin: false }));
    r.onSegment(0, new Uint8Array(0), map({ dsn: 2, offset: 1, length: 1, dataFin: false }));
    const res = r.onSegment(0, new Uint8Array(0), map({ dsn: 3, offset: 2, length: 1, dataFin: false }));
    assert.deepEqual(res.error, { kind: "too-many-mappings" });
  });

  test("clear forgets everything", () => {
    const r = plain();
    r.onSegment(4, enc("efgh"));
    r.onSegment(0, new Uint8Array(0), { kind: "infinite", dsn: 1, offset: 100 });
    r.clear();
    assert.equal(r.unmappedBytes, 0);
    assert.equal(r.infinite, undefined);
  });
});

describe("ReceiveMappings with checksums (live vectors, mptcp-facts.md §2)", () => {
  // "second chunk!": DSN 0x4e2fe64ae4c92e8f, SSN 12, length 13, checksum 0x5a96.
  const DSN64 = 0x4e2fe64ae4c92e8fn;
  const space = new DsnSpace(DSN64 - 1000n);
  const mapping = { dsn: 1000, offset: 11, length: 13, dataFin: false, checksum: 0x5a96 };

  function checked(): ReceiveMappings {
    return new ReceiveMappings({ checksums: true, space, maxUnmappedBytes: 1 << 16 });
  }

  test("a mapping split over 3 segments arriving out of order is verified once complete", () => {
    const r = checked();
    let res = r.onSegment(20, enc("unk!"));
    assert.deepEqual(res.chunks, []);
    res = r.onSegment(11, enc("sec"), map(mapping));
    assert.deepEqual(res.chunks, []);
    assert.equal(r.heldBytes, 7);
    assert.equal(r.validChecksumSeen, false);
    res = r.onSegment(14, enc("ond ch"));
    assert.equal(res.error, undefined);
    assert.equal(r.validChecksumSeen, true, "Linux valid_csum_seen: a later failure means MP_FAIL");
    assert.equal(res.chunks.map((c) => dec(c.data)).join(""), "second chunk!");
    assert.deepEqual(res.chunks.map((c) => c.dsn), [1000, 1003, 1009]);
    assert.equal(r.heldBytes, 0);
  });

  test("one flipped byte fails the checksum: report the mapping's DSN for MP_FAIL (§3.7)", () => {
    const r = checked();
    r.onSegment(11, enc("sec"), map(mapping));
    r.onSegment(20, enc("unk?"));
    const res = r.onSegment(14, enc("ond ch"));
    assert.deepEqual(res.error, { kind: "checksum", dsn: 1000, mapping });
    assert.deepEqual(res.chunks, []);
    assert.equal(r.heldBytes, 0);
    assert.equal(r.validChecksumSeen, false);
    assert.deepEqual(r.onSegment(11, enc("second chunk!")).chunks, [], "the failed bytes are not taken again");
  });

  test("the MP_CAPABLE data vector: DSN IDSN+1, SSN 1, \"hello mptcp\", 0x2265", () => {
    const idsn = 5633974868204138116n - 1n;
    const r = new ReceiveMappings({ checksums: true, space: new DsnSpace(idsn), maxUnmappedBytes: 100 });
    const res = r.onSegment(0, enc("hello mptcp"), map({ dsn: 1, offset: 0, length: 11, dataFin: false, checksum: 0x2265 }));
    assert.equal(res.error, undefined);
    assert.deepEqual(texts(res.chunks), [[1, "hello mptcp"]]);
  });

  test("the DATA_FIN vector: DSN 0x4e2fe64ae4c92e9c, SSN 0, length 1, 0xb81e", () => {
    const r = checked();
    const dsn = 1000 + 13;
    assert.equal(space.toWire64(dsn), 0x4e2fe64ae4c92e9cn);
    assert.equal(r.onSegment(24, new Uint8Array(0), { kind: "data-fin", dsn, checksum: 0xb81e }).dataFin, dsn);
    assert.deepEqual(r.onSegment(24, new Uint8Array(0), { kind: "data-fin", dsn, checksum: 0xb81f }).error, { kind: "checksum", dsn });
  });

  test("a missing checksum when checksums are in use closes the subflow (§3.3)", () => {
    const r = checked();
    const res = r.onSegment(11, enc("sec"), map({ ...mapping, checksum: undefined }));
    assert.deepEqual(res.error, { kind: "checksum-presence", present: false });
  });

  test("re-announced with the DATA_FIN: the bytes are verified against the checksum that counts it", () => {
    const r = checked();
    const data = enc("goodbye!");
    const without = { dsn: 2000, offset: 40, length: 8, dataFin: false, checksum: dssChecksum(space.toWire64(2000), offsetToSsn(40), 8, data) };
    const withFin = { ...without, dataFin: true, checksum: dssChecksum(space.toWire64(2000), offsetToSsn(40), 9, data) };
    assert.notEqual(without.checksum, withFin.checksum);
    r.onSegment(40, data.subarray(0, 4), map(without));
    const res = r.onSegment(44, data.subarray(4), map(withFin));
    assert.equal(res.error, undefined);
    assert.equal(res.chunks.map((c) => dec(c.data)).join(""), "goodbye!");
    assert.equal(res.dataFin, 2008);
  });

  test("re-announced with the DATA_FIN but the checksum of the other: the bytes fail it", () => {
    const r = checked();
    const data = enc("goodbye!");
    const without = { dsn: 2000, offset: 40, length: 8, dataFin: false, checksum: dssChecksum(space.toWire64(2000), offsetToSsn(40), 8, data) };
    r.onSegment(40, data.subarray(0, 4), map(without));
    const res = r.onSegment(44, data.subarray(4), map({ ...without, dataFin: true }));
    assert.equal(res.error?.kind, "checksum");
    assert.deepEqual(res.chunks, []);
  });

  test("a DATA_FIN mapping with data: the checksum's data-level length counts the DATA_FIN", () => {
    const r = checked();
    const data = enc("bye");
    const csum = dssChecksum(space.toWire64(2000), offsetToSsn(40), 4, data);
    const res = r.onSegment(40, data, map({ dsn: 2000, offset: 40, length: 3, dataFin: true, checksum: csum }));
    assert.equal(res.error, undefined);
    assert.equal(res.dataFin, 2003);
  });
});

describe("property: any segmentation, order and duplication reassembles the stream", () => {
  /**
   * A stream cut into mappings, and into segments that never cross a mapping's end (as senders
   * cut them, send-mapping.ts); each segment declares its mapping (Linux) or only the first one
   * of a mapping does (`everySegment` false).
   */
  const scenario = fc.record({
      bytes: fc.uint8Array({ minLength: 1, maxLength: 400 }),
      mapCuts: fc.array(fc.integer({ min: 1, max: 399 }), { maxLength: 8 }),
      segCuts: fc.array(fc.integer({ min: 1, max: 399 }), { maxLength: 12 }),
      firstDsn: fc.integer({ min: 1, max: 2 ** 40 }),
      checksums: fc.boolean(),
      seed: fc.integer(),
      dupes: fc.array(fc.nat(), { maxLength: 4 }),
      everySegment: fc.boolean(),
    });

  test("ReceiveMappings releases every byte once, at its DSN", () => {
    fc.assert(
      fc.property(scenario, ({ bytes, mapCuts, segCuts, firstDsn, checksums, seed, dupes, everySegment }) => {
        const space = new DsnSpace(0xfedc_ba98_7654_3210n);
        const maps: Mapping[] = cuts(bytes.length, mapCuts).map(([s, e]) => {
          const m: Mapping = { dsn: firstDsn + s, offset: s, length: e - s, dataFin: false };
          if (checksums) m.checksum = dssChecksum(space.toWire64(m.dsn), offsetToSsn(s), e - s, bytes.subarray(s, e));
          return m;
        });
        const mapAt = (o: number): Mapping => maps.find((m) => m.offset <= o && o < m.offset + m.length)!;
        type Seg = { offset: number; data: Uint8Array; ann?: MappingAnnouncement };
        const segs: Seg[] = cuts(bytes.length, [...segCuts, ...mapCuts]).map(([s, e]) => {
          const m = mapAt(s);
          return everySegment || m.offset === s ? { offset: s, data: bytes.subarray(s, e), ann: map(m) } : { offset: s, data: bytes.subarray(s, e) };
        });
        for (const d of dupes) segs.push(segs[d % segs.length]!);
        shuffle(segs, seed);
        const r = new ReceiveMappings({ checksums, space, maxUnmappedBytes: 1 << 16 });
        const out = new Int16Array(bytes.length).fill(-1);
        for (const s of segs) {
          const res = r.onSegment(s.offset, s.data, s.ann);
          assert.equal(res.error, undefined);
          assert.equal(res.stranded, 0);
          for (const c of res.chunks) {
            for (let k = 0; k < c.data.length; k++) {
              const at = c.dsn - firstDsn + k;
              assert.equal(out[at], -1, "no byte is released twice");
              out[at] = c.data[k]!;
            }
          }
        }
        assert.deepEqual(Uint8Array.from(out), bytes);
        assert.equal(r.heldBytes, 0);
        assert.equal(r.pendingMappings.length, 0);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe("property: an ALG that changes one segment's length is caught before any changed byte is released", () => {
  // The box rewrites segment k: `delta` bytes inserted (or removed) at `at`, and every later
  // segment's subflow offset shifted by `delta`, the DSS left as it was (mbox-alg). Without DSS
  // checksums nothing else tells: the table must report the change (an error, or stranded
  // bytes: the connection then resets the subflow or falls back, and delivers none of the
  // segment's chunks) before it releases a byte that is not the sender's.
  const scenario = fc.record({
    bytes: fc.uint8Array({ minLength: 2, maxLength: 300 }),
    mapCuts: fc.array(fc.integer({ min: 1, max: 299 }), { maxLength: 6 }),
    segCuts: fc.array(fc.integer({ min: 1, max: 299 }), { maxLength: 12 }),
    everySegment: fc.boolean(),
    seed: fc.integer(),
    k: fc.nat(),
    at: fc.nat(),
    delta: fc.constantFrom(-2, -1, 1, 2, 3),
  });

  test("the gap: a mapping whose last segment the insertion pushed wholly past its end completes from the box's bytes", () => {
    // Mapping [0, 11) sent as [0, 10) and [10, 11); one byte inserted into the first: it now
    // fills the mapping exactly, and only the next segment, at 11, shows the shift. Without DSS
    // checksums a receiver could only tell by holding every mapping until the next one starts,
    // which the last mapping before a pause would wait for forever.
    const r = plain();
    const m = { dsn: 1, offset: 0, length: 11, dataFin: false };
    const res = r.onSegment(0, enc("!abcdefghij"), map(m));
    assert.deepEqual(texts(res.chunks), [[1, "!abcdefghij"]], "released: the box's bytes");
    assert.equal(r.onSegment(11, enc("k"), map(m)).stranded, 1, "caught one segment later");
  });

  test("no changed byte is released; a grown segment is always caught", () => {
    fc.assert(
      fc.property(scenario, ({ bytes, mapCuts, segCuts, everySegment, seed, k, at, delta }) => {
        const maps: Mapping[] = cuts(bytes.length, mapCuts).map(([s, e]) => ({ dsn: 1 + s, offset: s, length: e - s, dataFin: false }));
        const mapAt = (o: number): Mapping => maps.find((m) => m.offset <= o && o < m.offset + m.length)!;
        const plainSegs = cuts(bytes.length, [...segCuts, ...mapCuts]);
        const ki = k % plainSegs.length;
        const [ks, ke] = plainSegs[ki]!;
        if (delta < 0 && ke - ks <= -delta) return;
        // The one gap (test below): the rewritten segment is not its mapping's last, and that
        // last one is no longer than the bytes inserted.
        const last = plainSegs.filter(([s]) => mapAt(s) === mapAt(ks)).at(-1)!;
        if (delta > 0 && last[0] !== ks && last[1] - last[0] <= delta) return;
        type Seg = { offset: number; data: Uint8Array; ann?: MappingAnnouncement };
        const segs: Seg[] = plainSegs.map(([s, e], j) => {
          const m = mapAt(s);
          let data = bytes.subarray(s, e);
          if (j === ki) {
            const q = at % (delta > 0 ? data.length + 1 : data.length + delta + 1);
            data = delta > 0 ? Uint8Array.from([...data.subarray(0, q), ...new Array<number>(delta).fill(0xee), ...data.subarray(q)]) : Uint8Array.from([...data.subarray(0, q), ...data.subarray(q - delta)]);
          }
          const seg: Seg = { offset: j > ki ? s + delta : s, data };
          if (everySegment || m.offset === s) seg.ann = map(m);
          return seg;
        });
        shuffle(segs, seed);
        const r = held();
        let caught = false;
        for (const s of segs) {
          const res = r.onSegment(s.offset, s.data, s.ann);
          if (res.error !== undefined || res.stranded > 0) {
            caught = true;
            break;
          }
          for (const c of res.chunks) assert.deepEqual(c.data, bytes.subarray(c.dsn - 1, c.dsn - 1 + c.data.length), `released at DSN ${c.dsn}`);
        }
        if (delta > 0) assert.ok(caught, "a grown segment always leaves bytes past a mapping's end");
        // A shrunk one shows where the next mapping starts; in the last mapping, its mapping
        // simply never completes.
        else if (mapAt(ks) !== maps.at(-1)) assert.ok(caught, "the next mapping starts after its segment's data");
      }),
      { numRuns: runs(500) },
    );
  });
});

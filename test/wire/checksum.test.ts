import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checksumAdd,
  checksumAddU16,
  checksumAddU32,
  checksumFinish,
  checksumPiece,
  internetChecksum,
  ipv4PseudoHeaderSum,
  ipv6PseudoHeaderSum,
  pseudoHeaderSum,
} from "../../src/wire/checksum.js";
import { fromHex } from "../../src/wire/bytes.js";
import { runs } from "../support/fuzz.js";

/** Byte-at-a-time RFC 1071 reference, written as plainly as possible. */
function reference(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i++) sum += i % 2 === 0 ? b[i]! << 8 : b[i]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

// A SYN captured from Linux 6.18 on loopback (127.0.0.1:50100 -> 127.0.0.1:5601, MP_CAPABLE v1),
// checksum filled in and confirmed by tshark.
const SYN_V4 = fromHex(
  "45000040009d400040063c197f0000017f000001" +
  "c3b415e1fc7d14d300000000b002ffd73ad100000204ffd70402080a96b76486000000000103030a1e040101",
);
// The same from ::1 to ::1.
const SYN_V6 = fromHex(
  "60037bd8002c06400000000000000000000000000000000100000000000000000000000000000001" +
  "815a15e2bb5a483c00000000b002ffc4056f00000204ffc40402080aba93c446000000000103030a1e040101",
);

describe("internet checksum", () => {
  test("RFC 1071 §3 example: the sum of 0001 f203 f4f5 f6f7 is ddf2", () => {
    const b = fromHex("0001f203f4f5f6f7");
    assert.equal(internetChecksum(b), ~0xddf2 & 0xffff);
  });

  test("an odd trailing byte is padded with a zero low byte", () => {
    assert.equal(internetChecksum(fromHex("01")), 0xfeff);
    assert.equal(internetChecksum(fromHex("0001f2")), ~(0x0001 + 0xf200) & 0xffff);
  });

  test("empty input and an empty range leave the sum alone", () => {
    assert.equal(internetChecksum(new Uint8Array(0)), 0xffff);
    assert.equal(checksumAdd(0x1234, fromHex("abcd"), 1, 1), 0x1234);
  });

  test("a header that contains its correct checksum sums to zero", () => {
    assert.equal(internetChecksum(SYN_V4, 0, 20), 0);
  });

  test("start and end select a range, including odd start offsets", () => {
    const b = fromHex("ff0001f203f4f5f6f7ff");
    assert.equal(internetChecksum(b, 1, 9), ~0xddf2 & 0xffff);
    assert.equal(internetChecksum(b, 2, 9), reference(b.subarray(2, 9)));
  });

  test("pieces of odd length chain as if contiguous", () => {
    const b = fromHex("0001f203f4f5f6f7a1");
    const whole = internetChecksum(b);
    for (let cut1 = 0; cut1 <= b.length; cut1++) {
      for (let cut2 = cut1; cut2 <= b.length; cut2++) {
        let acc = checksumAdd(0, b, 0, cut1);
        acc = checksumAdd(acc, b, cut1, cut2);
        acc = checksumAdd(acc, b, cut2);
        assert.equal(checksumFinish(acc), whole, `cuts ${cut1} ${cut2}`);
      }
    }
  });

  test("large inputs fold all carries (70000 bytes of 0xff, and a ramp)", () => {
    const ones = new Uint8Array(70001).fill(0xff);
    assert.equal(internetChecksum(ones), reference(ones));
    const ramp = Uint8Array.from({ length: 65537 }, (_, i) => (i * 7) & 0xff);
    assert.equal(internetChecksum(ramp), reference(ramp));
  });

  test("word helpers add aligned 16- and 32-bit values", () => {
    assert.equal(checksumFinish(checksumAddU16(0, 0xddf2)), 0x220d);
    assert.equal(checksumAddU32(0, 0xffff0001), 0x0001);
    assert.equal(checksumFinish(checksumAddU32(0, 0x0001f203)), internetChecksum(fromHex("0001f203")));
  });

  test("DSS checksum vector (RFC 8684 §3.3.1, Linux capture): pseudo-header in odd pieces then payload", () => {
    // DSN 0x4e2fe64ae4c92e8f, SSN 12, data-level length 13, zero checksum field, "second chunk!".
    const pseudo = fromHex("4e2fe64ae4c92e8f0000000c000d0000");
    const payload = new TextEncoder().encode("second chunk!");
    let acc = checksumAdd(0, pseudo, 0, 3);
    acc = checksumAdd(acc, pseudo, 3, 11);
    acc = checksumAdd(acc, pseudo, 11);
    acc = checksumAdd(acc, payload, 0, 5);
    acc = checksumAdd(acc, payload, 5);
    assert.equal(checksumFinish(acc), 0x5a96);
  });

  test("property: any split of any bytes chains to the checksum of the whole", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let acc = 0;
        let prev = 0;
        for (const p of [...points, bytes.length]) { acc = checksumAdd(acc, bytes, prev, p); prev = p; }
        assert.equal(checksumFinish(acc), reference(bytes));
      }),
    );
  });

  test("property: the pieces of any split, summed at their offsets in any order, give the checksum of the whole", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat(), (bytes, cuts, turn) => {
        const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1))])].sort((a, b) => a - b);
        const pieces = points.map((p, i) => [p, points[i + 1] ?? bytes.length] as const);
        // Rotated and reversed: no piece needs the one before it.
        const k = turn % pieces.length;
        const order = [...pieces.slice(k), ...pieces.slice(0, k)].reverse();
        let acc = 0;
        for (const [from, to] of order) acc = checksumAddU16(acc, checksumPiece(from, bytes, from, to));
        assert.equal(checksumFinish(acc), reference(bytes));
      }),
    );
  });
});

describe("word-at-a-time path", () => {
  test("property: any view (any buffer offset, length up to 3000) sums as the byte-wise reference", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.nat(7), fc.nat(7), fc.nat(5), (bytes, lead, from, cut) => {
        // Place the bytes at every alignment of the underlying buffer, and sum sub-ranges.
        const backing = new Uint8Array(bytes.length + 8);
        backing.set(bytes, lead);
        const view = backing.subarray(lead, lead + bytes.length);
        const start = Math.min(from, view.length);
        const end = Math.max(start, view.length - cut);
        assert.equal(checksumFinish(checksumAdd(0, view, start, end)), reference(view.subarray(start, end)));
      }),
      { numRuns: runs(400) },
    );
  });

  test("70000 bytes of 0xff at an odd and an even buffer offset", () => {
    for (const lead of [0, 1, 2, 3]) {
      const backing = new Uint8Array(70004).fill(0xff);
      const view = backing.subarray(lead, lead + 70000);
      assert.equal(checksumFinish(checksumAdd(0, view)), reference(view));
    }
  });
});

describe("pseudo-headers", () => {
  test("IPv4 (RFC 9293 §3.1): a captured SYN verifies", () => {
    const seg = SYN_V4.subarray(20);
    const acc = ipv4PseudoHeaderSum(SYN_V4.subarray(12, 16), SYN_V4.subarray(16, 20), 6, seg.length);
    assert.equal(checksumFinish(checksumAdd(acc, seg)), 0);
  });

  test("IPv6 (RFC 8200 §8.1): a captured SYN verifies", () => {
    const seg = SYN_V6.subarray(40);
    const acc = ipv6PseudoHeaderSum(SYN_V6.subarray(8, 24), SYN_V6.subarray(24, 40), 6, seg.length);
    assert.equal(checksumFinish(checksumAdd(acc, seg)), 0);
  });

  test("pseudoHeaderSum picks the family by address length and equals the spelled-out header", () => {
    const src4 = fromHex("c0000201"), dst4 = fromHex("c6336407");
    assert.equal(pseudoHeaderSum(src4, dst4, 6, 1234), ipv4PseudoHeaderSum(src4, dst4, 6, 1234));
    assert.equal(
      checksumFinish(pseudoHeaderSum(src4, dst4, 6, 1234)),
      internetChecksum(concat(src4, dst4, fromHex("000604d2"))),
    );
    const src6 = SYN_V6.subarray(8, 24), dst6 = fromHex("20010db8000000000000000000000001");
    assert.equal(
      checksumFinish(pseudoHeaderSum(src6, dst6, 6, 0x12345)),
      internetChecksum(concat(src6, dst6, fromHex("00012345000000" + "06"))),
    );
  });
});

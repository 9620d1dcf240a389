import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { ParseError } from "../../src/wire/error.js";
import { Ipv4HeaderTemplate, Ipv4Packet, emitIpv4, emitIpv4HeaderInto, ipv4HeaderLength, parseIpv4 } from "../../src/wire/ipv4.js";
import type { Ipv4Repr } from "../../src/wire/ipv4.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

// Linux 6.18 SYN on loopback: 127.0.0.1 -> 127.0.0.1, id 0x009d, DF, TTL 64, 44 bytes of TCP.
const SYN_HEADER = "45000040009d400040063c197f0000017f000001";
const SYN_TCP = "c3b415e1fc7d14d300000000b002ffd73ad100000204ffd70402080a96b76486000000000103030a1e040101";
const SYN = fromHex(SYN_HEADER + SYN_TCP);
// First fragment (MF) with a Router Alert option (RFC 2113), DSCP 46 (EF), ECN 1, 16 bytes of data;
// header checksum computed independently.
const FRAG_FIRST = fromHex("46b90028123420004006c6a2c0000201c633640794040000000102030405060708090a0b0c0d0e0f");
// Last fragment: offset 185 (1480 bytes), TTL 3, 8 bytes of data.
const FRAG_LAST = fromHex("4500001c123400b90306b8b3c0000201c63364076162636465666768");

function expectError(r: unknown, field: string, reason: string): void {
  assert.ok(r instanceof ParseError, `expected a ParseError, got ${JSON.stringify(r)}`);
  assert.equal(r.layer, "ipv4");
  assert.equal(r.field, field);
  assert.equal(r.reason, reason);
}

describe("ipv4 view", () => {
  test("accessors of a captured SYN", () => {
    const p = Ipv4Packet.check(SYN);
    assert.ok(p instanceof Ipv4Packet);
    assert.equal(p.version, 4);
    assert.equal(p.headerLength, 20);
    assert.equal(p.dscp, 0);
    assert.equal(p.ecn, 0);
    assert.equal(p.totalLength, 64);
    assert.equal(p.identification, 0x009d);
    assert.equal(p.reservedFlag, false);
    assert.equal(p.dontFragment, true);
    assert.equal(p.moreFragments, false);
    assert.equal(p.fragmentOffset, 0);
    assert.equal(p.isFragment, false);
    assert.equal(p.ttl, 64);
    assert.equal(p.protocol, 6);
    assert.equal(p.checksum, 0x3c19);
    assert.equal(p.verifyChecksum(), true);
    assert.deepEqual(p.src, fromHex("7f000001"));
    assert.deepEqual(p.dst, fromHex("7f000001"));
    assert.equal(p.options.length, 0);
    assert.equal(toHex(p.payload), SYN_TCP);
  });

  test("payload and addresses are views, not copies", () => {
    const p = Ipv4Packet.check(SYN) as Ipv4Packet;
    assert.equal(p.payload.buffer, SYN.buffer);
    assert.equal(p.src.buffer, SYN.buffer);
  });

  test("link-layer padding beyond the total length is trimmed", () => {
    const padded = new Uint8Array(SYN.length + 6);
    padded.set(SYN);
    const p = Ipv4Packet.check(padded) as Ipv4Packet;
    assert.equal(p.payload.length, 44);
  });
});

describe("ipv4 errors", () => {
  test("shorter than 20 bytes", () => expectError(parseIpv4(SYN.subarray(0, 19)), "header", "truncated"));
  test("version other than 4", () => {
    const b = SYN.slice();
    b[0] = 0x65;
    expectError(parseIpv4(b), "version", "bad-value");
  });
  test("IHL below 5", () => {
    const b = SYN.slice();
    b[0] = 0x44;
    expectError(parseIpv4(b), "IHL", "bad-length");
  });
  test("IHL past the buffer", () => expectError(parseIpv4(SYN.subarray(0, 20).map((x, i) => (i === 0 ? 0x4f : x))), "options", "truncated"));
  test("total length below the header length", () => {
    const b = SYN.slice();
    b[2] = 0; b[3] = 19;
    expectError(parseIpv4(b), "total length", "bad-length");
  });
  test("buffer shorter than the total length", () => expectError(parseIpv4(SYN.subarray(0, 63)), "total length", "truncated"));
  test("bad header checksum only when asked", () => {
    const b = SYN.slice();
    b[8] = 63; // TTL changed, checksum not
    assert.ok(!(parseIpv4(b) instanceof ParseError));
    expectError(parseIpv4(b, { verifyChecksum: true }), "header checksum", "bad-checksum");
    assert.ok(!(parseIpv4(SYN, { verifyChecksum: true }) instanceof ParseError));
  });
});

describe("ipv4 repr", () => {
  test("parse of a captured SYN", () => {
    const r = parseIpv4(SYN) as Ipv4Repr;
    assert.deepEqual(r, {
      version: 4,
      src: fromHex("7f000001"),
      dst: fromHex("7f000001"),
      protocol: 6,
      ttl: 64,
      dscp: 0,
      ecn: 0,
      identification: 0x9d,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      options: new Uint8Array(0),
      checksum: 0x3c19,
      payload: fromHex(SYN_TCP),
      isFragment: false,
    });
  });

  test("emit of the parsed SYN is byte-identical", () => {
    const r = parseIpv4(SYN) as Ipv4Repr;
    assert.equal(toHex(emitIpv4(r, r.payload)), toHex(SYN));
  });

  test("first fragment with options: fields, options kept, round trip", () => {
    const r = parseIpv4(FRAG_FIRST, { verifyChecksum: true }) as Ipv4Repr;
    assert.equal(r.dscp, 46);
    assert.equal(r.ecn, 1);
    assert.equal(r.identification, 0x1234);
    assert.equal(r.dontFragment, false);
    assert.equal(r.moreFragments, true);
    assert.equal(r.fragmentOffset, 0);
    assert.equal(r.isFragment, true);
    assert.deepEqual(r.options, fromHex("94040000"));
    assert.equal(r.payload.length, 16);
    assert.equal(toHex(emitIpv4(r, r.payload)), toHex(FRAG_FIRST));
  });

  test("last fragment: offset in bytes, not MF, still a fragment", () => {
    const r = parseIpv4(FRAG_LAST, { verifyChecksum: true }) as Ipv4Repr;
    assert.equal(r.moreFragments, false);
    assert.equal(r.fragmentOffset, 1480);
    assert.equal(r.isFragment, true);
    assert.equal(r.ttl, 3);
    assert.equal(toHex(emitIpv4(r, r.payload)), toHex(FRAG_LAST));
  });

  test("the reserved flag is kept and re-emitted", () => {
    const b = SYN.slice();
    b[6] |= 0x80;
    b[10] = 0; b[11] = 0;
    const fixed = emitIpv4(parseIpv4(b) as Ipv4Repr, b.subarray(20));
    const r = parseIpv4(fixed, { verifyChecksum: true }) as Ipv4Repr;
    assert.equal(r.reservedFlag, true);
    assert.equal(fixed[6], 0xc0);
  });

  test("emit with defaults: DF, TTL 64, checksum, total length", () => {
    const out = emitIpv4({ src: fromHex("c0000201"), dst: fromHex("c6336407"), protocol: 6 }, fromHex("aabb"));
    // Header checksum 0x4ea6 computed independently.
    assert.equal(toHex(out), "450000160000400040064ea6c0000201c6336407aabb");
    const r = parseIpv4(out, { verifyChecksum: true }) as Ipv4Repr;
    assert.equal(r.ttl, 64);
    assert.equal(r.dontFragment, true);
    assert.deepEqual(r.payload, fromHex("aabb"));
  });

  test("options are padded to a 4-byte boundary with zeros", () => {
    const hdr = { src: fromHex("c0000201"), dst: fromHex("c6336407"), protocol: 6, options: fromHex("0101") };
    assert.equal(ipv4HeaderLength(hdr), 24);
    const out = emitIpv4(hdr, new Uint8Array(0));
    assert.equal(out[0], 0x46);
    assert.equal(toHex(out.subarray(20)), "01010000");
  });

  test("emitIpv4HeaderInto writes in place in front of a payload already there", () => {
    const buf = new Uint8Array(30).fill(0xee);
    const n = emitIpv4HeaderInto(buf, 2, { src: fromHex("0a000001"), dst: fromHex("0a000002"), protocol: 6, ttl: 1 }, 8);
    assert.equal(n, 20);
    assert.equal(buf[0], 0xee);
    const r = parseIpv4(buf.subarray(2), { verifyChecksum: true }) as Ipv4Repr;
    assert.equal(r.payload.length, 8);
    assert.equal(r.ttl, 1);
  });

  test("emit refuses what cannot be encoded", () => {
    const base = { src: fromHex("0a000001"), dst: fromHex("0a000002"), protocol: 6 };
    assert.throws(() => emitIpv4({ ...base, options: new Uint8Array(44) }, new Uint8Array(0)), RangeError);
    assert.throws(() => emitIpv4(base, new Uint8Array(65516)), RangeError);
    assert.throws(() => emitIpv4({ ...base, fragmentOffset: 7 }, new Uint8Array(0)), RangeError);
    assert.throws(() => emitIpv4({ ...base, src: new Uint8Array(16) }, new Uint8Array(0)), RangeError);
  });
});

describe("ipv4 header template", () => {
  test("writes what emitIpv4HeaderInto writes, for any header fields and length", () => {
    const addr = fc.uint8Array({ minLength: 4, maxLength: 4 });
    const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
    fc.assert(
      fc.property(
        addr, addr, fc.integer({ min: 0, max: 255 }), opt(fc.integer({ min: 0, max: 255 })), opt(fc.integer({ min: 0, max: 63 })),
        opt(fc.integer({ min: 0, max: 3 })), opt(fc.integer({ min: 0, max: 0xffff })), opt(fc.boolean()), fc.integer({ min: 0, max: 0xffff - 20 }),
        (src, dst, protocol, ttl, dscp, ecn, identification, dontFragment, payloadLength) => {
          const hdr = { src, dst, protocol, ttl, dscp, ecn, identification, dontFragment };
          const want = new Uint8Array(24);
          const got = new Uint8Array(24);
          emitIpv4HeaderInto(want, 4, hdr, payloadLength);
          assert.equal(new Ipv4HeaderTemplate(hdr).emitInto(got, 4, payloadLength), 20);
          assert.deepEqual(got, want);
        },
      ),
    );
  });

  test("rejects a header with options and a datagram over 65,535 bytes", () => {
    const hdr = { src: new Uint8Array([10, 0, 0, 1]), dst: new Uint8Array([10, 0, 0, 2]), protocol: 6 };
    assert.throws(() => new Ipv4HeaderTemplate({ ...hdr, options: new Uint8Array(4) }), RangeError);
    assert.throws(() => new Ipv4HeaderTemplate(hdr).emitInto(new Uint8Array(20), 0, 0xffff - 19), RangeError);
  });
});

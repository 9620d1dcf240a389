import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { ParseError } from "../../src/wire/error.js";
import {
  IPV6_MAX_EXTENSION_HEADERS,
  Ipv6Packet,
  emitIpv6,
  emitIpv6HeaderInto,
  ipv6HeaderLength,
  parseIpv6,
  walkIpv6Extensions,
} from "../../src/wire/ipv6.js";
import type { Ipv6Repr } from "../../src/wire/ipv6.js";

// Linux 6.18 SYN on loopback, ::1 -> ::1, flow label 0x37bd8, 44 bytes of TCP.
const SYN_TCP = "815a15e2bb5a483c00000000b002ffc4056f00000204ffc40402080aba93c446000000000103030a1e040101";
const LOOPBACK = "00000000000000000000000000000001";
const SYN_FULL = fromHex("60037bd8002c0640" + LOOPBACK + LOOPBACK + SYN_TCP);

const SRC = "20010db8000000000000000000000001";
const DST = "20010db8000000000000000000000002";
const TCP20 = "04d2005000000001000000005002ffff00000000";
// Traffic class 0xb9, flow label 0x12345, hop limit 255, then the chain
// hop-by-hop (8) -> destination options (16) -> routing (8) -> fragment (8, offset 0, M) -> AH (24) -> TCP (20).
const HBH = "3c00" + "010400000000";
const DSTOPT = "2b01" + "010c000000000000000000000000";
const ROUTING = "2c00" + "fd00" + "00000000";
const FRAG_FIRST = "3300" + "0001" + "deadbeef";
const AH = "0604" + "0000" + "00000100" + "00000007" + "0102030405060708090a0b0c";
const CHAIN = fromHex("6b912345" + "0054" + "00" + "ff" + SRC + DST + HBH + DSTOPT + ROUTING + FRAG_FIRST + AH + TCP20);
// A non-first fragment: offset 181 (1448 bytes), M clear, id 1; its data is not a TCP header.
const FRAG_LATER = fromHex("60000000" + "0010" + "2c" + "40" + SRC + DST + "0600" + "05a8" + "00000001" + "6162636465666768");

function expectError(r: unknown, field: string, reason: string): void {
  assert.ok(r instanceof ParseError, `expected a ParseError, got ${JSON.stringify(r)}`);
  assert.equal(r.layer, "ipv6");
  assert.equal(r.field, field);
  assert.equal(r.reason, reason);
}

function withNextHeader(nh: number, payloadHex: string): Uint8Array {
  const len = payloadHex.length / 2;
  return fromHex("60000000" + len.toString(16).padStart(4, "0") + nh.toString(16).padStart(2, "0") + "40" + SRC + DST + payloadHex);
}

describe("ipv6 view", () => {
  test("accessors of a captured SYN", () => {
    const p = Ipv6Packet.check(SYN_FULL);
    assert.ok(p instanceof Ipv6Packet);
    assert.equal(p.version, 6);
    assert.equal(p.trafficClass, 0);
    assert.equal(p.flowLabel, 0x37bd8);
    assert.equal(p.payloadLength, 44);
    assert.equal(p.nextHeader, 6);
    assert.equal(p.hopLimit, 64);
    assert.equal(toHex(p.src), LOOPBACK);
    assert.equal(toHex(p.dst), LOOPBACK);
    assert.equal(toHex(p.payload), SYN_TCP);
    assert.equal(p.payload.buffer, SYN_FULL.buffer);
  });

  test("traffic class straddles the first two bytes", () => {
    const p = Ipv6Packet.check(CHAIN) as Ipv6Packet;
    assert.equal(p.trafficClass, 0xb9);
    assert.equal(p.flowLabel, 0x12345);
  });

  test("link-layer padding beyond the payload length is trimmed", () => {
    const padded = new Uint8Array(SYN_FULL.length + 3);
    padded.set(SYN_FULL);
    assert.equal((parseIpv6(padded) as Ipv6Repr).payload.length, 44);
  });
});

describe("ipv6 repr", () => {
  test("parse of a captured SYN, and emit byte-identical", () => {
    const r = parseIpv6(SYN_FULL) as Ipv6Repr;
    assert.deepEqual(r, {
      version: 6,
      src: fromHex(LOOPBACK),
      dst: fromHex(LOOPBACK),
      protocol: 6,
      hopLimit: 64,
      trafficClass: 0,
      flowLabel: 0x37bd8,
      extensionHeaders: [],
      payload: fromHex(SYN_TCP),
      isFragment: false,
    });
    assert.equal(toHex(emitIpv6(r, r.payload)), toHex(SYN_FULL));
  });

  test("the extension chain is walked to the upper layer and re-emitted as it was", () => {
    const r = parseIpv6(CHAIN) as Ipv6Repr;
    assert.equal(r.protocol, 6);
    assert.deepEqual(r.extensionHeaders.map((h) => [h.type, h.bytes.length]), [[0, 8], [60, 16], [43, 8], [44, 8], [51, 24]]);
    assert.equal(toHex(r.payload), TCP20);
    assert.deepEqual(r.fragment, { offset: 0, more: true, identification: 0xdeadbeef });
    assert.equal(r.isFragment, true);
    assert.equal(toHex(emitIpv6(r, r.payload)), toHex(CHAIN));
  });

  test("an atomic fragment (offset 0, M clear; RFC 6946) is not a fragment", () => {
    const r = parseIpv6(withNextHeader(44, "0600" + "0000" + "00000009" + TCP20)) as Ipv6Repr;
    assert.equal(r.isFragment, false);
    assert.deepEqual(r.fragment, { offset: 0, more: false, identification: 9 });
    assert.equal(r.protocol, 6);
    assert.equal(toHex(r.payload), TCP20);
  });

  test("a later fragment stops the walk: its data is the middle of the packet", () => {
    const r = parseIpv6(FRAG_LATER) as Ipv6Repr;
    assert.equal(r.isFragment, true);
    assert.deepEqual(r.fragment, { offset: 1448, more: false, identification: 1 });
    assert.equal(r.protocol, 6);
    assert.equal(toHex(r.payload), "6162636465666768");
    assert.equal(toHex(emitIpv6(r, r.payload)), toHex(FRAG_LATER));
  });

  test("ESP ends the walk, as does No Next Header", () => {
    const esp = parseIpv6(withNextHeader(60, "3200010400000000" + "0000100100000001")) as Ipv6Repr;
    assert.equal(esp.protocol, 50);
    assert.equal(toHex(esp.payload), "0000100100000001");
    const none = parseIpv6(withNextHeader(59, "aabbccdd")) as Ipv6Repr;
    assert.equal(none.protocol, 59);
    assert.equal(none.extensionHeaders.length, 0);
    assert.equal(toHex(none.payload), "aabbccdd");
  });

  test("emit sets each Next Header byte from the chain and lets the repr override the protocol", () => {
    const r = parseIpv6(CHAIN) as Ipv6Repr;
    const out = emitIpv6({ ...r, protocol: 17 }, r.payload);
    const back = parseIpv6(out) as Ipv6Repr;
    assert.equal(back.protocol, 17);
    assert.equal(out[6], 0);
    assert.equal(ipv6HeaderLength(r), 40 + 64);
  });

  test("emit with defaults and emitIpv6HeaderInto in place", () => {
    const src = fromHex(SRC), dst = fromHex(DST);
    const out = emitIpv6({ src, dst, protocol: 6 }, fromHex(TCP20));
    assert.equal(toHex(out), "60000000" + "0014" + "06" + "40" + SRC + DST + TCP20);
    const buf = new Uint8Array(60);
    assert.equal(emitIpv6HeaderInto(buf, 0, { src, dst, protocol: 6, hopLimit: 1, trafficClass: 0xff, flowLabel: 0xfffff }, 20), 40);
    assert.equal(toHex(buf.subarray(0, 8)), "6fffffff" + "0014" + "06" + "01");
  });

  test("emit refuses what cannot be encoded", () => {
    const src = fromHex(SRC), dst = fromHex(DST);
    assert.throws(() => emitIpv6({ src, dst, protocol: 6 }, new Uint8Array(65536)), RangeError);
    assert.throws(() => emitIpv6({ src: new Uint8Array(4), dst, protocol: 6 }, new Uint8Array(0)), RangeError);
    assert.throws(() => emitIpv6({ src, dst, protocol: 6, extensionHeaders: [{ type: 60, bytes: new Uint8Array(4) }] }, new Uint8Array(0)), RangeError);
  });
});

describe("ipv6 errors", () => {
  test("shorter than 40 bytes", () => expectError(parseIpv6(SYN_FULL.subarray(0, 39)), "header", "truncated"));
  test("version other than 6", () => {
    const b = SYN_FULL.slice();
    b[0] = 0x40;
    expectError(parseIpv6(b), "version", "bad-value");
  });
  test("buffer shorter than the payload length", () => expectError(parseIpv6(SYN_FULL.subarray(0, 83)), "payload length", "truncated"));
  test("jumbogram (payload length 0 with hop-by-hop) is unsupported", () => {
    expectError(parseIpv6(withNextHeader(0, "")), "payload length", "unsupported");
  });
  test("extension header length past the payload", () => {
    expectError(parseIpv6(withNextHeader(60, "0602010400000000")), "extension header 60", "truncated");
  });
  test("extension header without room for its length byte", () => {
    expectError(parseIpv6(withNextHeader(43, "06")), "extension header 43", "truncated");
    expectError(parseIpv6(withNextHeader(51, "06")), "authentication header", "truncated");
  });
  test("AH length uses 4-byte units plus 2 (RFC 4302 §2.2)", () => {
    // Payload Len 4 means 24 bytes; only 16 present.
    expectError(parseIpv6(withNextHeader(51, "0604000000000100" + "0000000700000000")), "extension header 51", "truncated");
  });
  test("fragment header cut short", () => expectError(parseIpv6(withNextHeader(44, "06000000")), "extension header 44", "truncated"));
  test("hop-by-hop anywhere but first", () => {
    expectError(parseIpv6(withNextHeader(60, "0000010400000000" + "0600010400000000")), "next header", "bad-value");
  });
  test("chains longer than the limit are refused", () => {
    const one = "3c00010400000000";
    const hex = one.repeat(IPV6_MAX_EXTENSION_HEADERS + 1) + TCP20;
    expectError(parseIpv6(withNextHeader(60, hex)), "extension headers", "overlong");
    const ok = walkIpv6Extensions(fromHex(one.repeat(IPV6_MAX_EXTENSION_HEADERS - 1) + "0600010400000000" + TCP20), 60);
    assert.ok(!(ok instanceof ParseError));
    assert.equal(ok.headers.length, IPV6_MAX_EXTENSION_HEADERS);
  });
});

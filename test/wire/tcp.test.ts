import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { ParseError } from "../../src/wire/error.js";
import { TcpPacket, emitTcp, emitTcpInto, parseTcp, tcpHeaderLength } from "../../src/wire/tcp.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { TcpRepr } from "../../src/wire/tcp-types.js";

// Segments captured from Linux 6.18 (MPTCP v1 on loopback); checksums filled in and confirmed by tshark.
const V4 = fromHex("7f000001");
const V6 = fromHex("00000000000000000000000000000001");
/** 50100 -> 5601 SYN: MSS, SACK-permitted, timestamps, NOP, window scale 10, MP_CAPABLE. */
const SYN = "c3b415e1fc7d14d300000000b002ffd73ad100000204ffd70402080a96b76486000000000103030a1e040101";
/** First data: MP_CAPABLE with keys and data-level length 11, "hello mptcp". */
const FIRST_DATA =
  "c3b415e1fc7d14d406fc89d5e01800401d3d00000101080a96b764871e81b2641e160101f5cc2380a28fe4099f386c8d92eabeb3000b0101" +
  "68656c6c6f206d70746370";
/** Reply data with a DSS, "pong:hello mptcp". */
const DSS_DATA =
  "15e1c3b406fc89d5fc7d14dff0180040ce0f00000101080a1e81b26496b764871e1a200fc92943062fd728fdf5659da013dac7c00000000100100101" +
  "706f6e673a68656c6c6f206d70746370";
/** The same exchange over IPv6 (::1 -> ::1). */
const DSS_DATA_V6 =
  "15e2815a13371b19bb5a4848f0180040fb7200000101080abd29f7b7ba93c4461e1a200fefc7054450bfd6de32b3be749ca444ca0000000100100101" +
  "706f6e673a68656c6c6f206d70746370";

function expectError(r: unknown, field: string, reason: string): void {
  assert.ok(r instanceof ParseError, `expected a ParseError, got ${JSON.stringify(r)}`);
  assert.equal(r.layer, "tcp");
  assert.equal(r.field, field);
  assert.equal(r.reason, reason);
}

function repr(overrides: Partial<TcpRepr> = {}): TcpRepr {
  return {
    srcPort: 49152,
    dstPort: 80,
    seq: 0x01020304,
    ack: 0xfffffffe,
    flags: TCP_FLAG.ACK | TCP_FLAG.PSH,
    window: 512,
    checksum: 0,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
    ...overrides,
  };
}

describe("tcp view", () => {
  test("accessors of a captured SYN", () => {
    const b = fromHex(SYN);
    const p = TcpPacket.check(b);
    assert.ok(p instanceof TcpPacket);
    assert.equal(p.srcPort, 50100);
    assert.equal(p.dstPort, 5601);
    assert.equal(p.seq, 0xfc7d14d3);
    assert.equal(p.ack, 0);
    assert.equal(p.dataOffset, 11);
    assert.equal(p.headerLength, 44);
    assert.equal(p.reserved, 0);
    assert.equal(p.flags, TCP_FLAG.SYN);
    assert.equal(p.window, 65495);
    assert.equal(p.checksum, 0x3ad1);
    assert.equal(p.urgentPointer, 0);
    assert.equal(toHex(p.optionArea), SYN.slice(40));
    assert.equal(p.payload.length, 0);
    assert.equal(p.verifyChecksum(V4, V4), true);
    assert.equal(p.verifyChecksum(V4, fromHex("7f000002")), false);
  });

  test("NS and the reserved bits share byte 12 with the data offset", () => {
    const b = fromHex(SYN);
    b[12] = 0xbf; // data offset 11, reserved 0b111, NS
    const p = TcpPacket.check(b) as TcpPacket;
    assert.equal(p.dataOffset, 11);
    assert.equal(p.reserved, 7);
    assert.equal(p.flags, TCP_FLAG.NS | TCP_FLAG.SYN);
  });
});

describe("tcp parse", () => {
  test("captured SYN, checksum verified", () => {
    const r = parseTcp(fromHex(SYN), { checksum: { src: V4, dst: V4 } });
    assert.deepEqual(r, {
      srcPort: 50100,
      dstPort: 5601,
      seq: 0xfc7d14d3,
      ack: 0,
      flags: TCP_FLAG.SYN,
      window: 65495,
      checksum: 0x3ad1,
      urgentPointer: 0,
      options: [
        { kind: "mss", mss: 65495 },
        { kind: "sack-permitted" },
        { kind: "timestamps", tsVal: 0x96b76486, tsEcr: 0 },
        { kind: "nop" },
        { kind: "wscale", shift: 10 },
        { kind: "mptcp", option: { subtype: "MP_CAPABLE", version: 1, flags: 0x01 } },
      ],
      payload: new Uint8Array(0),
    });
  });

  test("captured data segments: payload is a view after the options", () => {
    const b = fromHex(FIRST_DATA);
    const r = parseTcp(b, { checksum: { src: V4, dst: V4 } }) as TcpRepr;
    assert.equal(r.flags, TCP_FLAG.PSH | TCP_FLAG.ACK);
    assert.equal(new TextDecoder().decode(r.payload), "hello mptcp");
    assert.equal(r.payload.buffer, b.buffer);
    assert.equal(r.options.length, 6);
    const d = parseTcp(fromHex(DSS_DATA), { checksum: { src: V4, dst: V4 } }) as TcpRepr;
    assert.equal(new TextDecoder().decode(d.payload), "pong:hello mptcp");
    assert.equal(d.options[3]!.kind, "mptcp");
  });

  test("IPv6 pseudo-header is used for 16-byte addresses", () => {
    const r = parseTcp(fromHex(DSS_DATA_V6), { checksum: { src: V6, dst: V6 } });
    assert.ok(!(r instanceof ParseError));
    expectError(parseTcp(fromHex(DSS_DATA_V6), { checksum: { src: V4, dst: V4 } }), "checksum", "bad-checksum");
  });

  test("a bad checksum is reported only when asked", () => {
    const b = fromHex(DSS_DATA);
    b[b.length - 1] ^= 1;
    assert.ok(!(parseTcp(b) instanceof ParseError));
    expectError(parseTcp(b, { checksum: { src: V4, dst: V4 } }), "checksum", "bad-checksum");
  });

  test("shorter than 20 bytes", () => expectError(parseTcp(fromHex(SYN).subarray(0, 19)), "header", "truncated"));

  test("data offset below 5", () => {
    for (const off of [0, 4]) {
      const b = fromHex(SYN);
      b[12] = off << 4;
      expectError(parseTcp(b), "data offset", "bad-length");
    }
  });

  test("data offset past the end of the segment", () => {
    expectError(parseTcp(fromHex(SYN).subarray(0, 43)), "data offset", "truncated");
  });

  test("a malformed option does not fail the segment", () => {
    const b = fromHex(SYN);
    b[21] = 3; // MSS with length 3
    const r = parseTcp(b) as TcpRepr;
    assert.equal(r.options[0]!.kind, "malformed");
  });
});

describe("tcp emit", () => {
  test("captured segments re-emit byte-identical, checksum included", () => {
    for (const [hex, addr] of [[SYN, V4], [FIRST_DATA, V4], [DSS_DATA, V4], [DSS_DATA_V6, V6]] as const) {
      const r = parseTcp(fromHex(hex)) as TcpRepr;
      assert.equal(toHex(emitTcp(r, addr, addr)), hex);
    }
  });

  test("reserved bits and NS round-trip", () => {
    const r = repr({ reserved: 5, flags: TCP_FLAG.NS | TCP_FLAG.CWR | TCP_FLAG.ECE | TCP_FLAG.SYN });
    const b = emitTcp(r, V4, V4);
    assert.equal(b[12], 0x5b);
    assert.equal(b[13], 0xc2);
    assert.deepEqual(parseTcp(b), { ...r, checksum: (b[16]! << 8) | b[17]! });
  });

  test("options are padded with zeros to 4 bytes, and the checksum covers the payload", () => {
    const r = repr({ options: [{ kind: "wscale", shift: 7 }], payload: fromHex("010203") });
    assert.equal(tcpHeaderLength(r), 24);
    const b = emitTcp(r, V4, fromHex("7f000002"));
    assert.equal(b[12], 0x60);
    assert.equal(toHex(b.subarray(20)), "03030700" + "010203");
    const back = parseTcp(b, { checksum: { src: V4, dst: fromHex("7f000002") } }) as TcpRepr;
    assert.deepEqual(back.options, [{ kind: "wscale", shift: 7 }, { kind: "eol" }]);
    assert.deepEqual(back.payload, fromHex("010203"));
  });

  test("zero padding reads back as an EOL holding the rest of the padding", () => {
    const b = emitTcp(repr({ options: [{ kind: "timestamps", tsVal: 1, tsEcr: 2 }] }), V4, V4);
    assert.equal(b[12], 0x80);
    assert.deepEqual((parseTcp(b) as TcpRepr).options, [
      { kind: "timestamps", tsVal: 1, tsEcr: 2 },
      { kind: "eol", trailing: fromHex("00") },
    ]);
  });

  test("a segment without options, exact bytes", () => {
    // Checksum over pseudo-header 7f000001 7f000001 0006 0014 and the header, computed independently.
    assert.equal(
      toHex(emitTcp(repr(), V4, V4)),
      "c0000050" + "01020304" + "fffffffe" + "5018" + "0200" + "eb74" + "0000",
    );
  });

  test("emitTcpInto writes at an offset and returns the segment length", () => {
    const buf = new Uint8Array(64).fill(0xee);
    const r = repr({ options: [{ kind: "mss", mss: 1400 }], payload: fromHex("aa") });
    const n = emitTcpInto(buf, 10, r, V6, V6);
    assert.equal(n, 25);
    assert.equal(buf[9], 0xee);
    assert.equal(buf[35], 0xee);
    const back = parseTcp(buf.subarray(10, 10 + n), { checksum: { src: V6, dst: V6 } }) as TcpRepr;
    assert.equal(back.seq, r.seq);
    assert.deepEqual(back.options, [{ kind: "mss", mss: 1400 }]);
  });

  test("emit refuses options over 40 bytes and a buffer too short", () => {
    const big = repr({ options: [{ kind: "unknown", type: 99, data: new Uint8Array(40) }] });
    assert.throws(() => emitTcp(big, V4, V4), RangeError);
    assert.throws(() => emitTcpInto(new Uint8Array(19), 0, repr(), V4, V4), RangeError);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { ParseError } from "../../src/wire/error.js";
import { emitTcpOptions, parseTcpOptions, tcpOptionsLength } from "../../src/wire/tcp-options.js";
import type { TcpOption } from "../../src/wire/tcp-types.js";

function emitHex(opts: TcpOption[]): string {
  const buf = new Uint8Array(tcpOptionsLength(opts));
  assert.equal(emitTcpOptions(opts, buf, 0), buf.length);
  return toHex(buf);
}

/** Parses `hex`, checks it against `expected`, and that it re-emits byte-identical. */
function roundTrip(hex: string, expected: TcpOption[]): void {
  const opts = parseTcpOptions(fromHex(hex));
  assert.deepEqual(opts, expected);
  assert.equal(emitHex(opts), hex);
}

/** Asserts entry `i` of the parse of `hex` is malformed with the given bytes and reason. */
function expectMalformed(hex: string, i: number, type: number, bytesHex: string, reason: string): TcpOption[] {
  const opts = parseTcpOptions(fromHex(hex));
  const o = opts[i]!;
  assert.equal(o.kind, "malformed", JSON.stringify(opts));
  if (o.kind !== "malformed") return opts;
  assert.equal(o.type, type);
  assert.equal(toHex(o.bytes), bytesHex);
  assert.ok(o.error instanceof ParseError);
  assert.equal(o.error.reason, reason);
  assert.equal(emitHex(opts), hex);
  return opts;
}

describe("tcp options from Linux 6.18 captures", () => {
  test("MPTCP v1 SYN: MSS, SACK-permitted, timestamps, NOP, window scale, MP_CAPABLE", () => {
    roundTrip("0204ffd70402080a96b76486000000000103030a1e040101", [
      { kind: "mss", mss: 65495 },
      { kind: "sack-permitted" },
      { kind: "timestamps", tsVal: 0x96b76486, tsEcr: 0 },
      { kind: "nop" },
      { kind: "wscale", shift: 10 },
      { kind: "mptcp", option: { subtype: "MP_CAPABLE", version: 1, flags: 0x01 } },
    ]);
  });

  test("first data: timestamps and MP_CAPABLE with both keys and a data-level length", () => {
    roundTrip("0101080a96b764871e81b2641e160101f5cc2380a28fe4099f386c8d92eabeb3000b", [
      { kind: "nop" },
      { kind: "nop" },
      { kind: "timestamps", tsVal: 0x96b76487, tsEcr: 0x1e81b264 },
      {
        kind: "mptcp",
        option: {
          subtype: "MP_CAPABLE",
          version: 1,
          flags: 0x01,
          sendKey: 0xf5cc2380a28fe409n,
          recvKey: 0x9f386c8d92eabeb3n,
          dataLen: 11,
        },
      },
    ]);
  });

  test("data: DSS with 64-bit Data ACK and mapping, padded with NOPs", () => {
    roundTrip("0101080a1e81b26496b764871e1a200fc92943062fd728fdf5659da013dac7c00000000100100101", [
      { kind: "nop" },
      { kind: "nop" },
      { kind: "timestamps", tsVal: 0x1e81b264, tsEcr: 0x96b76487 },
      {
        kind: "mptcp",
        option: {
          subtype: "DSS",
          fin: false,
          dataAck64: true,
          dataAck: 0xc92943062fd728fdn,
          dsn64: true,
          dsn: 0xf5659da013dac7c0n,
          ssn: 1,
          dataLen: 16,
        },
      },
      { kind: "nop" },
      { kind: "nop" },
    ]);
  });
});

describe("tcp options, each kind", () => {
  test("empty area", () => roundTrip("", []));

  test("SACK with one and with four blocks (RFC 2018 §3)", () => {
    roundTrip("0101050a0000000100000010", [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[1, 16]] }]);
    roundTrip("0522" + "00000001000000020000000300000004" + "ffffffff00000000fffffff0fffffff8", [
      { kind: "sack", blocks: [[1, 2], [3, 4], [0xffffffff, 0], [0xfffffff0, 0xfffffff8]] },
    ]);
  });

  test("window scale above 14 is kept as sent (clamped by TCP, RFC 7323 §2.3)", () => {
    roundTrip("030320", [{ kind: "wscale", shift: 32 }]);
  });

  test("EOL ends the list; the bytes after it are kept", () => {
    roundTrip("020405b400", [{ kind: "mss", mss: 1460 }, { kind: "eol" }]);
    roundTrip("020405b4000000", [{ kind: "mss", mss: 1460 }, { kind: "eol", trailing: fromHex("0000") }]);
    roundTrip("00020405b4", [{ kind: "eol", trailing: fromHex("020405b4") }]);
  });

  test("unknown kinds keep their data", () => {
    roundTrip("fe06f989abcd" + "1c02", [
      { kind: "unknown", type: 254, data: fromHex("f989abcd") },
      { kind: "unknown", type: 28, data: new Uint8Array(0) },
    ]);
  });

  test("parsed data is a view into the area", () => {
    const area = fromHex("fe04abcd");
    const o = parseTcpOptions(area)[0]!;
    assert.ok(o.kind === "unknown" && o.data.buffer === area.buffer);
  });
});

describe("tcp options, malformed", () => {
  test("a kind byte with no length byte", () => {
    const opts = expectMalformed("010102", 2, 2, "02", "truncated");
    assert.equal(opts.length, 3);
  });

  test("length 0 or 1 swallows the rest of the area (the next option cannot be found)", () => {
    expectMalformed("02000101", 0, 2, "02000101", "bad-length");
    expectMalformed("0101fe01aa", 2, 254, "fe01aa", "bad-length");
  });

  test("length past the end of the area", () => {
    expectMalformed("0101080a00000001", 2, 8, "080a00000001", "truncated");
  });

  test("wrong length for a known kind: kept, and the options after it still parse", () => {
    for (const [hex, type] of [
      ["020305", 2],
      ["03040a00", 3],
      ["040300", 4],
      ["0502", 5],
      ["050b0000000100000002ff", 5],
      ["052a" + "00".repeat(40), 5],
      ["0808000000000000", 8],
    ] as const) {
      const opts = expectMalformed(hex + "0204ffff", 0, type, hex, "bad-length");
      assert.deepEqual(opts[1], { kind: "mss", mss: 0xffff });
    }
  });

  test("an MPTCP option its codec rejects is malformed, and the rest survives", () => {
    // MP_CAPABLE of length 5 exists in no version.
    const opts = parseTcpOptions(fromHex("1e050101aa01030307"));
    assert.equal(opts[0]!.kind, "malformed");
    assert.deepEqual(opts.slice(1), [{ kind: "nop" }, { kind: "wscale", shift: 7 }]);
    assert.equal(emitHex(opts), "1e050101aa01030307");
  });
});

describe("tcp options, emit", () => {
  test("reprs emit the bytes of their RFC layouts", () => {
    assert.equal(
      emitHex([
        { kind: "mss", mss: 1460 },
        { kind: "sack-permitted" },
        { kind: "timestamps", tsVal: 1, tsEcr: 0xfffffffe },
        { kind: "nop" },
        { kind: "wscale", shift: 7 },
      ]),
      "020405b4" + "0402" + "080a00000001fffffffe" + "01" + "030307",
    );
  });

  test("length is the sum of the options, unpadded", () => {
    assert.equal(tcpOptionsLength([{ kind: "nop" }, { kind: "mss", mss: 1 }, { kind: "eol" }]), 6);
  });

  test("emit at an offset returns the bytes written", () => {
    const buf = new Uint8Array(8).fill(0xee);
    assert.equal(emitTcpOptions([{ kind: "wscale", shift: 3 }], buf, 2), 3);
    assert.equal(toHex(buf), "eeee030303eeeeee");
  });

  test("reprs that have no encoding throw", () => {
    const buf = new Uint8Array(300);
    assert.throws(() => emitTcpOptions([{ kind: "sack", blocks: [] }], buf, 0), RangeError);
    assert.throws(() => emitTcpOptions([{ kind: "unknown", type: 99, data: new Uint8Array(254) }], buf, 0), RangeError);
  });
});

/**
 * Malformed MPTCP options: every rejection branch of the codec returns a `ParseError` naming the
 * layer, field and reason, and every subtype is rejected at every length it does not define.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex } from "../../src/wire/bytes.js";
import { isParseError, type ParseErrorReason } from "../../src/wire/error.js";
import { parseMptcpOption } from "../../src/wire/mptcp/option.js";

/** An option of `len` bytes with the given subtype byte, other bytes `fill`. */
function option(subtypeByte: number, len: number, fill = 0): Uint8Array {
  const b = new Uint8Array(len).fill(fill);
  b[0] = 30;
  if (len > 1) b[1] = len;
  if (len > 2) b[2] = subtypeByte;
  return b;
}

function assertError(bytes: Uint8Array, layer: string, field: string, reason: ParseErrorReason): void {
  const r = parseMptcpOption(bytes);
  assert.ok(isParseError(r), `expected an error, got ${JSON.stringify(r, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
  assert.equal(r.layer, layer);
  assert.equal(r.field, field);
  assert.equal(r.reason, reason);
  assert.ok(r.toString().length > 0);
}

describe("option header", () => {
  test("empty input", () => assertError(new Uint8Array(0), "mptcp", "kind", "truncated"));
  test("only the kind byte", () => assertError(fromHex("1e"), "mptcp", "length", "truncated"));
  test("a kind other than 30", () => assertError(fromHex("0204 05b4"), "mptcp", "kind", "bad-value"));
  test("a wrong kind even when short", () => assertError(fromHex("01"), "mptcp", "kind", "bad-value"));
  test("length byte beyond the buffer", () => assertError(fromHex("1e05 0101"), "mptcp", "length", "truncated"));
  test("length byte short of the buffer", () => assertError(fromHex("1e03 0101"), "mptcp", "length", "overlong"));
  test("length byte 0", () => assertError(fromHex("1e00"), "mptcp", "length", "overlong"));
  test("length 2: no subtype byte", () => assertError(fromHex("1e02"), "mptcp", "length", "bad-length"));
});

/** The lengths each subtype defines; every other length from 3 to 40 must be rejected. */
const VALID_LENGTHS: Array<[string, number, string, number[]]> = [
  ["MP_CAPABLE", 0x01, "mptcp.mp_capable", [4, 12, 20, 22, 24]],
  ["MP_JOIN", 0x10, "mptcp.mp_join", [12, 16, 24]],
  // Flags byte 0 (no fields): only 4; the flag-dependent lengths are checked below.
  ["DSS", 0x20, "mptcp.dss", [4]],
  ["ADD_ADDR v1", 0x30, "mptcp.add_addr", [8, 10, 16, 18, 20, 22, 28, 30]],
  ["REMOVE_ADDR", 0x40, "mptcp.remove_addr", Array.from({ length: 37 }, (_, i) => i + 4)],
  ["MP_PRIO", 0x51, "mptcp.mp_prio", [3, 4]],
  ["MP_FAIL", 0x60, "mptcp.mp_fail", [12]],
  ["MP_FASTCLOSE", 0x70, "mptcp.mp_fastclose", [12]],
  ["MP_TCPRST", 0x81, "mptcp.mp_tcprst", [4]],
];

describe("every subtype at every wrong length", () => {
  for (const [name, subtypeByte, layer, lengths] of VALID_LENGTHS) {
    test(name, () => {
      for (let len = 3; len <= 40; len++) {
        const r = parseMptcpOption(option(subtypeByte, len));
        if (lengths.includes(len)) {
          assert.ok(!isParseError(r), `${name} length ${len}: ${String(r)}`);
        } else {
          assert.ok(isParseError(r), `${name} length ${len} accepted`);
          assert.equal(r.layer, layer);
          assert.equal(r.field, "length");
          assert.equal(r.reason, "bad-length");
        }
      }
    });
  }

  test("MP_EXPERIMENTAL and unassigned subtypes accept any length from 3", () => {
    for (const subtypeByte of [0x90, 0xa5, 0xbf, 0xc0, 0xd1, 0xee, 0xf3]) {
      for (let len = 3; len <= 40; len++) assert.ok(!isParseError(parseMptcpOption(option(subtypeByte, len))));
    }
  });
});

describe("DSS length against flags", () => {
  // For each flags byte, the one length without checksum, and that plus 2 with a mapping.
  for (let flags = 0; flags < 32; flags++) {
    const ack = flags & 0x01 ? (flags & 0x02 ? 8 : 4) : 0;
    const map = flags & 0x04 ? (flags & 0x08 ? 8 : 4) + 6 : 0;
    const plain = 4 + ack + map;
    const ok = map ? [plain, plain + 2] : [plain];
    test(`flags 0x${flags.toString(16)} accepts only ${ok.join(" or ")}`, () => {
      for (let len = 4; len <= 40; len++) {
        const b = option(0x20, len);
        b[3] = flags;
        const r = parseMptcpOption(b);
        if (ok.includes(len)) {
          assert.ok(!isParseError(r), `length ${len}`);
          assert.equal(r.subtype === "DSS" && r.checksum !== undefined, len === plain + 2);
        } else {
          assert.ok(isParseError(r), `length ${len} accepted`);
          assert.equal(r.field, "length");
          assert.equal(r.reason, "bad-length");
        }
      }
    });
  }
});

describe("ADD_ADDR", () => {
  test("v0 IPVer 4 at the v0 IPv6 lengths is inconsistent", () => {
    assertError(option(0x34, 20), "mptcp.add_addr", "length", "inconsistent");
    assertError(option(0x34, 22), "mptcp.add_addr", "length", "inconsistent");
  });

  test("v0 IPVer 6 at the v0 IPv4 lengths is inconsistent", () => {
    assertError(option(0x36, 8), "mptcp.add_addr", "length", "inconsistent");
    assertError(option(0x36, 10), "mptcp.add_addr", "length", "inconsistent");
  });

  test("v0 at a length of neither family, such as a v1 length with HMAC", () => {
    for (const len of [3, 4, 7, 9, 11, 16, 18, 21, 28, 30, 40]) {
      assertError(option(0x34, len), "mptcp.add_addr", "length", "bad-length");
      assertError(option(0x36, len), "mptcp.add_addr", "length", "bad-length");
    }
  });

  test("the nibble decides the version: 4 and 6 are v0, every other value v1", () => {
    for (let nibble = 0; nibble < 16; nibble++) {
      const len = nibble === 6 ? 20 : 8;
      const r = parseMptcpOption(option(0x30 | nibble, len));
      assert.ok(!isParseError(r) && r.subtype === "ADD_ADDR");
      assert.equal(r.version, nibble === 4 || nibble === 6 ? 0 : 1);
    }
  });
});

/**
 * MPTCP option codec: one canonical example per length variant and flag combination, each with its
 * exact bytes, checked in both directions (RFC 8684 §3, RFC 6824 §3).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { isParseError } from "../../src/wire/error.js";
import type { Dss, MptcpOption } from "../../src/wire/mptcp/types.js";
import { DSS_FLAG } from "../../src/wire/mptcp/types.js";
import { emitMptcpOption, encodeMptcpOption, mptcpOptionLength, parseMptcpOption } from "../../src/wire/mptcp/option.js";

import { MPTCP_CASES as CASES } from "../support/mptcp-cases.js";

const h = fromHex;

describe("MPTCP option canonical examples", () => {
  for (const [name, repr, hex] of CASES) {
    test(name, () => {
      const bytes = h(hex);
      assert.equal(mptcpOptionLength(repr), bytes.length);
      assert.equal(toHex(encodeMptcpOption(repr)), toHex(bytes));
      assert.deepEqual(parseMptcpOption(bytes), repr);
    });
  }
});

describe("DSS flag combinations", () => {
  // All 32 values of F m M a A, with and without a checksum where there is a mapping.
  for (let flags = 0; flags < 32; flags++) {
    for (const withChecksum of [false, true]) {
      const mapped = (flags & DSS_FLAG.M) !== 0;
      if (withChecksum && !mapped) continue;
      test(`flags 0x${flags.toString(16).padStart(2, "0")}${withChecksum ? " with checksum" : ""}`, () => {
        const dss: Dss = {
          subtype: "DSS",
          fin: (flags & DSS_FLAG.F) !== 0,
          dataAck64: (flags & DSS_FLAG.a) !== 0,
          dsn64: (flags & DSS_FLAG.m) !== 0,
        };
        let len = 4;
        if (flags & DSS_FLAG.A) {
          dss.dataAck = dss.dataAck64 ? 0xfedcba9876543210n : 0x76543210n;
          len += dss.dataAck64 ? 8 : 4;
        }
        if (mapped) {
          dss.dsn = dss.dsn64 ? 0x0123456789abcdefn : 0x89abcdefn;
          dss.ssn = 0x11223344;
          dss.dataLen = 0x5566;
          len += (dss.dsn64 ? 8 : 4) + 6;
          if (withChecksum) {
            dss.checksum = 0x7788;
            len += 2;
          }
        }
        const bytes = encodeMptcpOption(dss);
        assert.equal(bytes.length, len);
        assert.equal(bytes[1], len);
        assert.equal(bytes[3], flags);
        assert.deepEqual(parseMptcpOption(bytes), dss);
      });
    }
  }
});

describe("emitMptcpOption", () => {
  test("writes at an offset and returns the length, touching nothing else", () => {
    const buf = new Uint8Array(20).fill(0xee);
    const n = emitMptcpOption({ subtype: "MP_TCPRST", flags: 1, reason: 2 }, buf, 7);
    assert.equal(n, 4);
    assert.equal(toHex(buf), "ee".repeat(7) + "1e048102" + "ee".repeat(9));
  });

  test("a 32-bit DSS field takes the low 32 bits of a wider value", () => {
    const bytes = encodeMptcpOption({ subtype: "DSS", fin: false, dataAck64: false, dataAck: 0x1_2345_6789n, dsn64: false });
    assert.equal(toHex(bytes), "1e08200123456789");
  });

  test("throws a RangeError when the buffer is too small", () => {
    const opt: MptcpOption = { subtype: "MP_CAPABLE", version: 1, flags: 1, sendKey: 1n };
    assert.throws(() => emitMptcpOption(opt, new Uint8Array(11), 0), RangeError);
    assert.throws(() => emitMptcpOption(opt, new Uint8Array(12), 1), RangeError);
    assert.throws(() => emitMptcpOption(opt, new Uint8Array(12), -1), RangeError);
  });

  const unencodable: Array<[string, MptcpOption]> = [
    ["MP_CAPABLE receiver's key alone", { subtype: "MP_CAPABLE", version: 1, flags: 1, recvKey: 1n }],
    ["MP_CAPABLE data-level length without keys", { subtype: "MP_CAPABLE", version: 1, flags: 1, sendKey: 1n, dataLen: 1 }],
    ["MP_CAPABLE checksum without data-level length", { subtype: "MP_CAPABLE", version: 1, flags: 1, sendKey: 1n, recvKey: 2n, checksum: 1 }],
    ["MP_JOIN SYN/ACK HMAC of 20 bytes", { subtype: "MP_JOIN", form: "synack", backup: false, addrId: 0, hmac: new Uint8Array(20), nonce: 0 }],
    ["MP_JOIN ACK HMAC of 8 bytes", { subtype: "MP_JOIN", form: "ack", hmac: new Uint8Array(8) }],
    ["DSS DSN without SSN", { subtype: "DSS", fin: false, dataAck64: false, dsn64: false, dsn: 1n, dataLen: 1 }],
    ["DSS DSN without data-level length", { subtype: "DSS", fin: false, dataAck64: false, dsn64: false, dsn: 1n, ssn: 1 }],
    ["DSS checksum without mapping", { subtype: "DSS", fin: false, dataAck64: false, dsn64: false, checksum: 1 }],
    ["DSS SSN without DSN", { subtype: "DSS", fin: false, dataAck64: false, dsn64: false, ssn: 1, dataLen: 1 }],
    ["ADD_ADDR address of 5 bytes", { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 0, addr: new Uint8Array(5) }],
    ["ADD_ADDR HMAC of 20 bytes", { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 0, addr: new Uint8Array(4), hmac: new Uint8Array(20) }],
    ["ADD_ADDR v0 with HMAC", { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 0, addr: new Uint8Array(4), hmac: new Uint8Array(8) }],
    ["ADD_ADDR v0 echo", { subtype: "ADD_ADDR", version: 0, echo: true, addrId: 0, addr: new Uint8Array(4) }],
    ["ADD_ADDR v0 reserved bits", { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 0, addr: new Uint8Array(4), reserved: 1 }],
    // The nibble would be 4 or 6, an RFC 6824 IPVer.
    ["ADD_ADDR v1 reserved 2", { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 0, addr: new Uint8Array(4), reserved: 2 }],
    ["ADD_ADDR v1 reserved 3", { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 0, addr: new Uint8Array(4), reserved: 3 }],
    ["REMOVE_ADDR empty", { subtype: "REMOVE_ADDR", addrIds: [] }],
    ["REMOVE_ADDR of 253", { subtype: "REMOVE_ADDR", addrIds: new Array<number>(253).fill(1) }],
    ["MP_EXPERIMENTAL of 253 bytes", { subtype: "MP_EXPERIMENTAL", nibble: 0, data: new Uint8Array(253) }],
    ["UNKNOWN with a known code", { subtype: "UNKNOWN", code: 2, nibble: 0, data: new Uint8Array(0) }],
    ["UNKNOWN with code 16", { subtype: "UNKNOWN", code: 16, nibble: 0, data: new Uint8Array(0) }],
  ];
  for (const [name, opt] of unencodable) {
    test(`refuses ${name}`, () => {
      assert.throws(() => mptcpOptionLength(opt), RangeError);
      assert.throws(() => encodeMptcpOption(opt), RangeError);
    });
  }

  test("the largest opaque options still fit the length byte", () => {
    const exp = encodeMptcpOption({ subtype: "MP_EXPERIMENTAL", nibble: 1, data: new Uint8Array(252).fill(7) });
    assert.equal(exp.length, 255);
    assert.equal(exp[1], 255);
    const parsed = parseMptcpOption(exp);
    assert.ok(!isParseError(parsed) && parsed.subtype === "MP_EXPERIMENTAL" && parsed.data.length === 252);
  });
});

describe("parsed byte fields", () => {
  test("are views into the input, not copies", () => {
    const bytes = h("1e18 1000 79992efa54436db16b33b18dfe127ca26623ef10");
    const opt = parseMptcpOption(bytes);
    assert.ok(!isParseError(opt) && opt.subtype === "MP_JOIN" && opt.form === "ack");
    assert.equal(opt.hmac.buffer, bytes.buffer);
    assert.equal(opt.hmac.byteOffset, 4);
  });
});

/**
 * Exact MPTCP option bytes from outside this codebase: the packetdrill MPTCP scripts, the live
 * Linux 6.18 values in mptcp-facts.md §1–§2, and options copied byte for byte out of the public v0
 * captures in ../shared/captures (pymptcpanalyzer `client_2.pcap`, Wireshark `iperf-mptcp-0-0.pcap`).
 * Each is decoded field by field and re-encoded to the same bytes.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { formatAddress } from "../../src/wire/address.js";
import { isParseError } from "../../src/wire/error.js";
import { MPC_FLAG, type MptcpOption } from "../../src/wire/mptcp/types.js";
import { encodeMptcpOption, parseMptcpOption } from "../../src/wire/mptcp/option.js";

/** Decodes `hex`, checks it re-encodes identically, and returns the repr. */
function decode(hex: string): MptcpOption {
  const bytes = fromHex(hex);
  const opt = parseMptcpOption(bytes);
  if (isParseError(opt)) assert.fail(opt.toString());
  assert.equal(toHex(encodeMptcpOption(opt)), toHex(bytes));
  return opt;
}

describe("packetdrill and live Linux 6.18 (v1)", () => {
  test("MP_CAPABLE SYN: mpcapable v1 flags[flag_h] nokey", () => {
    assert.deepEqual(decode("1e040101"), { subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H });
  });

  test("MP_CAPABLE SYN/ACK: key[skey=2]", () => {
    assert.deepEqual(decode("1e0c0101 0000000000000002"), { subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H, sendKey: 2n });
  });

  test("MP_CAPABLE third ACK with the live keys", () => {
    const opt = decode("1e140101 c12e566b69c3e004 62031ceec1407cd4");
    assert.deepEqual(opt, {
      subtype: "MP_CAPABLE",
      version: 1,
      flags: MPC_FLAG.H,
      sendKey: 13920158517584715780n,
      recvKey: 7062520452417092820n,
    });
  });

  test("MP_CAPABLE with data and checksum, flags A and H", () => {
    const opt = decode("1e180181 c12e566b69c3e004 62031ceec1407cd4 000b 2265");
    assert.ok(opt.subtype === "MP_CAPABLE");
    assert.equal(opt.flags, MPC_FLAG.A | MPC_FLAG.H);
    assert.equal(opt.dataLen, 11);
    assert.equal(opt.checksum, 0x2265);
  });

  test("MP_JOIN SYN: mp_join_syn address_id=0 token=1", () => {
    assert.deepEqual(decode("1e0c1000 00000001 09ee3065"), {
      subtype: "MP_JOIN",
      form: "syn",
      backup: false,
      addrId: 0,
      token: 1,
      nonce: 166604901,
    });
  });

  test("MP_JOIN SYN/ACK with the live truncated HMAC and R-B", () => {
    const opt = decode("1e101000 6ae6c6b245e14bd6 8b6ed785");
    assert.ok(opt.subtype === "MP_JOIN" && opt.form === "synack");
    assert.equal(toHex(opt.hmac), (7703062681642683350n).toString(16));
    assert.equal(opt.nonce, 2339297157);
  });

  test("MP_JOIN ACK with the live 160-bit HMAC", () => {
    assert.deepEqual(decode("1e181000 79992efa54436db16b33b18dfe127ca26623ef10"), {
      subtype: "MP_JOIN",
      form: "ack",
      hmac: fromHex("79992efa54436db16b33b18dfe127ca26623ef10"),
    });
  });

  test("ADD_ADDR from the server: id 1, 10.0.2.1, rightmost-64-bit HMAC", () => {
    const opt = decode("1e103001 0a000201 8e5c46406ffcae2e");
    assert.ok(opt.subtype === "ADD_ADDR");
    assert.equal(opt.version, 1);
    assert.equal(opt.echo, false);
    assert.equal(formatAddress(opt.addr), "10.0.2.1");
    assert.equal(opt.port, undefined);
    assert.equal(toHex(opt.hmac!), (10258151293813829166n).toString(16));
  });

  test("ADD_ADDR echo of it: E=1, no HMAC", () => {
    assert.deepEqual(decode("1e083101 0a000201"), { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: fromHex("0a000201") });
  });

  test("DSS DATA_FIN with no data: 64-bit DSN, SSN 0, length 1, checksum", () => {
    assert.deepEqual(decode("1e14201c 4e2fe64ae4c92e9c 00000000 0001 b81e"), {
      subtype: "DSS",
      fin: true,
      dataAck64: false,
      dsn64: true,
      dsn: 0x4e2fe64ae4c92e9cn,
      ssn: 0,
      dataLen: 1,
      checksum: 0xb81e,
    });
  });

  test("DSS dack8 alone, as Linux acknowledges MP_CAPABLE with data", () => {
    // An illustrative value on the live keys: IDSN-A + 12 acknowledges 11 bytes from IDSN-A + 1.
    const dataAck = 13190437782058015793n + 12n;
    assert.deepEqual(decode(`1e0c2003 ${dataAck.toString(16).padStart(16, "0")}`), {
      subtype: "DSS",
      fin: false,
      dataAck64: true,
      dataAck,
      dsn64: false,
    });
  });

  test("MP_TCPRST: mp_reset 1 (unknown join token)", () => {
    assert.deepEqual(decode("1e048001"), { subtype: "MP_TCPRST", flags: 0, reason: 1 });
  });

  test("MP_PRIO backup, as Linux sends it (length 3, then a NOP outside the option)", () => {
    assert.deepEqual(decode("1e0351"), { subtype: "MP_PRIO", backup: true });
  });

  test("MP_FASTCLOSE with the receiver's key", () => {
    assert.deepEqual(decode("1e0c7000 62031ceec1407cd4"), { subtype: "MP_FASTCLOSE", key: 7062520452417092820n });
  });
});

describe("public v0 captures (RFC 6824)", () => {
  test("client_2: MP_CAPABLE SYN with Key-A, flag H (HMAC-SHA1)", () => {
    assert.deepEqual(decode("1e0c0001 ca2f07947b1bfd2b"), { subtype: "MP_CAPABLE", version: 0, flags: 0x01, sendKey: 14568871653868829995n });
  });

  test("client_2: MP_CAPABLE third ACK with Key-A and Key-B", () => {
    assert.deepEqual(decode("1e140001 ca2f07947b1bfd2b a78213619e4beafc"), {
      subtype: "MP_CAPABLE",
      version: 0,
      flags: 0x01,
      sendKey: 14568871653868829995n,
      recvKey: 12070231261294881532n,
    });
  });

  test("iperf: MP_CAPABLE SYN with flags A and H (checksums on)", () => {
    assert.deepEqual(decode("1e0c0081 d8e9bdfad036fbf0"), { subtype: "MP_CAPABLE", version: 0, flags: 0x81, sendKey: 0xd8e9bdfad036fbf0n });
  });

  test("client_2: MP_JOIN SYN to Token-B from address 3", () => {
    assert.deepEqual(decode("1e0c1003 2ff5f1f0 3b2264d8"), {
      subtype: "MP_JOIN",
      form: "syn",
      backup: false,
      addrId: 3,
      token: 804647408,
      nonce: 0x3b2264d8,
    });
  });

  test("client_2: MP_JOIN SYN/ACK", () => {
    assert.deepEqual(decode("1e101003 84037deda67a454c 0f0cc049"), {
      subtype: "MP_JOIN",
      form: "synack",
      backup: false,
      addrId: 3,
      hmac: fromHex("84037deda67a454c"),
      nonce: 0x0f0cc049,
    });
  });

  test("client_2: MP_JOIN ACK with the full HMAC-SHA1", () => {
    assert.deepEqual(decode("1e181000 66e36626703eacb8f72ec5be13f8c4ef4f6d4dd8"), {
      subtype: "MP_JOIN",
      form: "ack",
      hmac: fromHex("66e36626703eacb8f72ec5be13f8c4ef4f6d4dd8"),
    });
  });

  test("client_2: MP_JOIN ACK with a reserved bit set keeps it", () => {
    // The out-of-tree kernel set the low bit of the nibble (its backup flag) on some third ACKs.
    const opt = decode("1e181100 07211583f89a237c3474fd76e2d135f5865970e7");
    assert.ok(opt.subtype === "MP_JOIN" && opt.form === "ack");
    assert.equal(opt.reserved, 0x100);
  });

  test("client_2: ADD_ADDR v0, IPVer 4, id 3, 11.0.0.1", () => {
    const opt = decode("1e083403 0b000001");
    assert.deepEqual(opt, { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 3, addr: fromHex("0b000001") });
    assert.equal(formatAddress((opt as { addr: Uint8Array }).addr), "11.0.0.1");
  });

  test("client_2: DSS Data ACK 4", () => {
    assert.deepEqual(decode("1e082001 e589f0d4"), { subtype: "DSS", fin: false, dataAck64: false, dataAck: 0xe589f0d4n, dsn64: false });
  });

  test("client_2: DSS Data ACK 4 and a 32-bit mapping, no checksum", () => {
    assert.deepEqual(decode("1e122005 e589f0d4 4e92c2fd 00000001 0025"), {
      subtype: "DSS",
      fin: false,
      dataAck64: false,
      dataAck: 0xe589f0d4n,
      dsn64: false,
      dsn: 0x4e92c2fdn,
      ssn: 1,
      dataLen: 0x25,
    });
  });

  test("client_2: DSS DATA_FIN", () => {
    const opt = decode("1e122015 4845e397 8e8b8202 00000000 0001");
    assert.ok(opt.subtype === "DSS");
    assert.equal(opt.fin, true);
    assert.equal(opt.dataLen, 1);
    assert.equal(opt.checksum, undefined);
  });

  test("iperf: DSS with a 32-bit mapping and a checksum", () => {
    assert.deepEqual(decode("1e142005 e240025b a2fd390a 00000001 0018 3ea1"), {
      subtype: "DSS",
      fin: false,
      dataAck64: false,
      dataAck: 0xe240025bn,
      dsn64: false,
      dsn: 0xa2fd390an,
      ssn: 1,
      dataLen: 24,
      checksum: 0x3ea1,
    });
  });

  test("client_2: MP_FASTCLOSE", () => {
    assert.deepEqual(decode("1e0c7000 1513f7895ef77b72"), { subtype: "MP_FASTCLOSE", key: 0x1513f7895ef77b72n });
  });
});

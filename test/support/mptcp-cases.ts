/**
 * One canonical example per MPTCP option length variant and flag combination, each with its exact
 * bytes (RFC 8684 §3, RFC 6824 §3). Shared by the codec tests and the tshark cross-check.
 */
import { fromHex } from "../../src/wire/bytes.js";
import type { MptcpOption } from "../../src/wire/mptcp/types.js";

const h = fromHex;
// Live v1 values (mptcp-facts.md §1).
const KEY_A = 0xc12e566b69c3e004n;
const KEY_B = 0x62031ceec1407cd4n;
const K8 = 0x0102030405060708n;
const V6 = h("20010db8000000000000000000000001");

/** [name, repr, exact bytes]. */
export const MPTCP_CASES: Array<[string, MptcpOption, string]> = [
  // MP_CAPABLE (§3.1): 4 / 12 / 20 / 22 / 24; v0 12 and 20.
  ["MP_CAPABLE v1 SYN", { subtype: "MP_CAPABLE", version: 1, flags: 0x01 }, "1e04 0101"],
  ["MP_CAPABLE v1 SYN, checksum required", { subtype: "MP_CAPABLE", version: 1, flags: 0x81 }, "1e04 0181"],
  ["MP_CAPABLE v1 SYN/ACK", { subtype: "MP_CAPABLE", version: 1, flags: 0x01, sendKey: KEY_B }, "1e0c 0101 62031ceec1407cd4"],
  ["MP_CAPABLE v0 SYN", { subtype: "MP_CAPABLE", version: 0, flags: 0x81, sendKey: K8 }, "1e0c 0081 0102030405060708"],
  [
    "MP_CAPABLE v1 ACK",
    { subtype: "MP_CAPABLE", version: 1, flags: 0x01, sendKey: KEY_A, recvKey: KEY_B },
    "1e14 0101 c12e566b69c3e004 62031ceec1407cd4",
  ],
  [
    "MP_CAPABLE v0 ACK",
    { subtype: "MP_CAPABLE", version: 0, flags: 0x81, sendKey: K8, recvKey: KEY_B },
    "1e14 0081 0102030405060708 62031ceec1407cd4",
  ],
  [
    "MP_CAPABLE v1 ACK with data",
    { subtype: "MP_CAPABLE", version: 1, flags: 0x01, sendKey: KEY_A, recvKey: KEY_B, dataLen: 11 },
    "1e16 0101 c12e566b69c3e004 62031ceec1407cd4 000b",
  ],
  [
    "MP_CAPABLE v1 ACK with data and checksum",
    { subtype: "MP_CAPABLE", version: 1, flags: 0x81, sendKey: KEY_A, recvKey: KEY_B, dataLen: 11, checksum: 0x2265 },
    "1e18 0181 c12e566b69c3e004 62031ceec1407cd4 000b 2265",
  ],
  ["MP_CAPABLE unusual version and every flag", { subtype: "MP_CAPABLE", version: 0xf, flags: 0xff }, "1e04 0fff"],

  // MP_JOIN (§3.2): 12 / 16 / 24.
  [
    "MP_JOIN SYN",
    { subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: 0x61998b9f, nonce: 0x09ee3065 },
    "1e0c 1001 61998b9f 09ee3065",
  ],
  [
    "MP_JOIN SYN backup, reserved bits",
    { subtype: "MP_JOIN", form: "syn", backup: true, addrId: 2, token: 0xffffffff, nonce: 0, reserved: 5 },
    "1e0c 1b02 ffffffff 00000000",
  ],
  [
    "MP_JOIN SYN/ACK",
    { subtype: "MP_JOIN", form: "synack", backup: true, addrId: 0, hmac: h("6ae6c6b245e14bd6"), nonce: 0x8b6ed785 },
    "1e10 1100 6ae6c6b245e14bd6 8b6ed785",
  ],
  [
    "MP_JOIN SYN/ACK reserved bits",
    { subtype: "MP_JOIN", form: "synack", backup: false, addrId: 255, hmac: h("0000000000000001"), nonce: 1, reserved: 7 },
    "1e10 1eff 0000000000000001 00000001",
  ],
  [
    "MP_JOIN ACK",
    { subtype: "MP_JOIN", form: "ack", hmac: h("79992efa54436db16b33b18dfe127ca26623ef10") },
    "1e18 1000 79992efa54436db16b33b18dfe127ca26623ef10",
  ],
  [
    "MP_JOIN ACK reserved bits",
    { subtype: "MP_JOIN", form: "ack", hmac: h("79992efa54436db16b33b18dfe127ca26623ef10"), reserved: 0xabc },
    "1e18 1abc 79992efa54436db16b33b18dfe127ca26623ef10",
  ],

  // DSS (§3.3); every flag combination is also generated below.
  ["DSS Data ACK 8 (Linux)", { subtype: "DSS", fin: false, dataAck64: true, dataAck: 0xb70dd946df759c32n, dsn64: false }, "1e0c 2003 b70dd946df759c32"],
  ["DSS Data ACK 4", { subtype: "DSS", fin: false, dataAck64: false, dataAck: 0xdf759c32n, dsn64: false }, "1e08 2001 df759c32"],
  [
    "DSS Data ACK 8, mapping 8 (Linux data)",
    { subtype: "DSS", fin: false, dataAck64: true, dataAck: 1n, dsn64: true, dsn: 0x4e2fe64ae4c92e8fn, ssn: 12, dataLen: 13 },
    "1e1a 200f 0000000000000001 4e2fe64ae4c92e8f 0000000c 000d",
  ],
  [
    "DSS Data ACK 8, mapping 8, checksum",
    { subtype: "DSS", fin: false, dataAck64: true, dataAck: 1n, dsn64: true, dsn: 0x4e2fe64ae4c92e8fn, ssn: 12, dataLen: 13, checksum: 0x5a96 },
    "1e1c 200f 0000000000000001 4e2fe64ae4c92e8f 0000000c 000d 5a96",
  ],
  [
    "DSS mapping 4 only",
    { subtype: "DSS", fin: false, dataAck64: false, dsn64: false, dsn: 0x12345678n, ssn: 0xfffffffe, dataLen: 1400 },
    "1e0e 2004 12345678 fffffffe 0578",
  ],
  [
    "DSS mapping 4, checksum",
    { subtype: "DSS", fin: false, dataAck64: false, dsn64: false, dsn: 0x12345678n, ssn: 1, dataLen: 1400, checksum: 0 },
    "1e10 2004 12345678 00000001 0578 0000",
  ],
  [
    "DSS DATA_FIN without data (Linux)",
    { subtype: "DSS", fin: true, dataAck64: false, dataAck: 7n, dsn64: true, dsn: 0x4e2fe64ae4c92e9cn, ssn: 0, dataLen: 1 },
    "1e16 201d 00000007 4e2fe64ae4c92e9c 00000000 0001",
  ],
  [
    "DSS infinite mapping",
    { subtype: "DSS", fin: false, dataAck64: false, dsn64: true, dsn: 0xffffffffffffffffn, ssn: 0, dataLen: 0 },
    "1e12 200c ffffffffffffffff 00000000 0000",
  ],
  ["DSS no fields", { subtype: "DSS", fin: false, dataAck64: false, dsn64: false }, "1e04 2000"],
  ["DSS a without A, m without M", { subtype: "DSS", fin: false, dataAck64: true, dsn64: true }, "1e04 200a"],
  ["DSS DATA_FIN alone", { subtype: "DSS", fin: true, dataAck64: false, dsn64: false }, "1e04 2010"],
  [
    "DSS reserved bits",
    { subtype: "DSS", fin: false, dataAck64: false, dataAck: 0x01020304n, dsn64: false, reserved: 0x7f },
    "1e08 2fe1 01020304",
  ],

  // ADD_ADDR v1 (§3.4.1): 16 / 18 / 28 / 30 with HMAC, 8 / 10 / 20 / 22 echo.
  [
    "ADD_ADDR v1 IPv4 (Linux)",
    { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 1, addr: h("0a000201"), hmac: h("8e5c46406ffcae2e") },
    "1e10 3001 0a000201 8e5c46406ffcae2e",
  ],
  [
    "ADD_ADDR v1 IPv4 port",
    { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 2, addr: h("0a000201"), port: 4321, hmac: h("8e5c46406ffcae2e") },
    "1e12 3002 0a000201 10e1 8e5c46406ffcae2e",
  ],
  [
    "ADD_ADDR v1 IPv6",
    { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 3, addr: V6, hmac: h("0102030405060708") },
    "1e1c 3003 20010db8000000000000000000000001 0102030405060708",
  ],
  [
    "ADD_ADDR v1 IPv6 port",
    { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 3, addr: V6, port: 65535, hmac: h("0102030405060708") },
    "1e1e 3003 20010db8000000000000000000000001 ffff 0102030405060708",
  ],
  ["ADD_ADDR v1 IPv4 echo", { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: h("0a000201") }, "1e08 3101 0a000201"],
  [
    "ADD_ADDR v1 IPv4 echo port",
    { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: h("0a000201"), port: 80 },
    "1e0a 3101 0a000201 0050",
  ],
  ["ADD_ADDR v1 IPv6 echo", { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 9, addr: V6 }, "1e14 3109 20010db8000000000000000000000001"],
  [
    "ADD_ADDR v1 IPv6 echo port",
    { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 9, addr: V6, port: 443 },
    "1e16 3109 20010db8000000000000000000000001 01bb",
  ],
  [
    "ADD_ADDR v1 echo with HMAC (unusual)",
    { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: h("0a000201"), hmac: h("8e5c46406ffcae2e") },
    "1e10 3101 0a000201 8e5c46406ffcae2e",
  ],
  ["ADD_ADDR v1 without echo or HMAC (unusual)", { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 1, addr: h("0a000201") }, "1e08 3001 0a000201"],
  [
    "ADD_ADDR v1 reserved bits",
    { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: h("0a000201"), reserved: 7 },
    "1e08 3f01 0a000201",
  ],
  // ADD_ADDR v0 (RFC 6824 §3.4.1): IPVer nibble, 8 / 10 / 20 / 22, no HMAC.
  ["ADD_ADDR v0 IPv4", { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 2, addr: h("c0a80002") }, "1e08 3402 c0a80002"],
  ["ADD_ADDR v0 IPv4 port", { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 2, addr: h("c0a80002"), port: 5001 }, "1e0a 3402 c0a80002 1389"],
  ["ADD_ADDR v0 IPv6", { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 4, addr: V6 }, "1e14 3604 20010db8000000000000000000000001"],
  [
    "ADD_ADDR v0 IPv6 port",
    { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 4, addr: V6, port: 1 },
    "1e16 3604 20010db8000000000000000000000001 0001",
  ],

  // REMOVE_ADDR (§3.4.2): 3 + n.
  ["REMOVE_ADDR one", { subtype: "REMOVE_ADDR", addrIds: [5] }, "1e04 4005"],
  ["REMOVE_ADDR several", { subtype: "REMOVE_ADDR", addrIds: [1, 2, 0, 255] }, "1e07 4001 0200ff"],
  ["REMOVE_ADDR reserved bits", { subtype: "REMOVE_ADDR", addrIds: [1], reserved: 9 }, "1e04 4901"],

  // MP_PRIO (§3.3.8): 3; v0 4.
  ["MP_PRIO backup", { subtype: "MP_PRIO", backup: true }, "1e03 51"],
  ["MP_PRIO not backup", { subtype: "MP_PRIO", backup: false }, "1e03 50"],
  ["MP_PRIO v0 with address ID", { subtype: "MP_PRIO", backup: true, addrId: 3 }, "1e04 5103"],
  ["MP_PRIO reserved bits", { subtype: "MP_PRIO", backup: false, reserved: 7 }, "1e03 5e"],

  // MP_FAIL (§3.7), MP_FASTCLOSE (§3.5): 12.
  ["MP_FAIL", { subtype: "MP_FAIL", dsn: 0x4e2fe64ae4c92e8fn }, "1e0c 6000 4e2fe64ae4c92e8f"],
  ["MP_FAIL reserved bits", { subtype: "MP_FAIL", dsn: 0n, reserved: 0xfff }, "1e0c 6fff 0000000000000000"],
  ["MP_FASTCLOSE", { subtype: "MP_FASTCLOSE", key: KEY_B }, "1e0c 7000 62031ceec1407cd4"],
  ["MP_FASTCLOSE reserved bits", { subtype: "MP_FASTCLOSE", key: KEY_A, reserved: 0x801 }, "1e0c 7801 c12e566b69c3e004"],

  // MP_TCPRST (§3.6): 4.
  ["MP_TCPRST transient, MPTCP-specific", { subtype: "MP_TCPRST", flags: 0x1, reason: 1 }, "1e04 8101"],
  ["MP_TCPRST U V W T, middlebox", { subtype: "MP_TCPRST", flags: 0xf, reason: 6 }, "1e04 8f06"],
  ["MP_TCPRST unknown reason", { subtype: "MP_TCPRST", flags: 0, reason: 0xff }, "1e04 80ff"],

  // MP_EXPERIMENTAL and unassigned subtypes, opaque.
  ["MP_EXPERIMENTAL empty", { subtype: "MP_EXPERIMENTAL", nibble: 0, data: h("") }, "1e03 f0"],
  ["MP_EXPERIMENTAL data", { subtype: "MP_EXPERIMENTAL", nibble: 0xa, data: h("010203") }, "1e06 fa 010203"],
  ["UNKNOWN 0x9", { subtype: "UNKNOWN", code: 9, nibble: 0, data: h("") }, "1e03 90"],
  ["UNKNOWN 0xe", { subtype: "UNKNOWN", code: 0xe, nibble: 7, data: h("aabb") }, "1e05 e7 aabb"],
];

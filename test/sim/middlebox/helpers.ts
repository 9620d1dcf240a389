/**
 * Building TCP/IP datagrams with our own emitters for the middlebox tests, running them through a
 * box, and reading them back with every checksum verified.
 */
import assert from "node:assert/strict";
import { parseAddress, type IpAddress } from "../../../src/wire/address.js";
import { emitIp, parseIpPacket, type IpRepr } from "../../../src/wire/ip.js";
import { emitTcp, parseTcp } from "../../../src/wire/tcp.js";
import { isParseError } from "../../../src/wire/error.js";
import { TCP_FLAG, type TcpOption, type TcpRepr } from "../../../src/wire/tcp-types.js";
import { MPC_FLAG, type MptcpOption } from "../../../src/wire/mptcp/types.js";
import type { Direction, Middlebox } from "../../../src/sim/middlebox/middlebox.js";

export const addr = (text: string): IpAddress => parseAddress(text)!;

export const CLIENT4 = addr("10.0.0.1");
export const SERVER4 = addr("10.0.1.2");
export const CLIENT6 = addr("2001:db8::1");
export const SERVER6 = addr("2001:db8:1::2");

export interface SegmentSpec {
  src?: IpAddress;
  dst?: IpAddress;
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: TcpOption[];
  payload?: Uint8Array | string;
  ipId?: number;
}

export function tcpRepr(s: SegmentSpec): TcpRepr {
  const payload = typeof s.payload === "string" ? new TextEncoder().encode(s.payload) : (s.payload ?? new Uint8Array(0));
  return {
    srcPort: s.srcPort ?? 40000,
    dstPort: s.dstPort ?? 80,
    seq: s.seq ?? 1000,
    ack: s.ack ?? 0,
    flags: s.flags ?? TCP_FLAG.ACK,
    window: s.window ?? 65535,
    checksum: 0,
    urgentPointer: 0,
    options: s.options ?? [],
    payload,
  };
}

/** A datagram with correct IP and TCP checksums, built by our emitters. */
export function segment(s: SegmentSpec = {}): Uint8Array {
  const src = s.src ?? CLIENT4;
  const dst = s.dst ?? SERVER4;
  return emitIp({ src, dst, protocol: 6, identification: s.ipId ?? 7 }, emitTcp(tcpRepr(s), src, dst));
}

/** Parses a datagram, asserting that the IPv4 header checksum and the TCP checksum are valid. */
export function parse(packet: Uint8Array): { ip: IpRepr; tcp: TcpRepr } {
  const ip = parseIpPacket(packet, { verifyChecksum: true });
  assert.ok(!isParseError(ip), `IP: ${String(ip)}`);
  const tcp = parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } });
  assert.ok(!isParseError(tcp), `TCP: ${String(tcp)}`);
  return { ip, tcp };
}

/** True when the TCP checksum of `packet` is valid. */
export function tcpChecksumValid(packet: Uint8Array): boolean {
  const ip = parseIpPacket(packet, { verifyChecksum: true });
  assert.ok(!isParseError(ip));
  return !isParseError(parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } }));
}

/** Runs one datagram through a box and returns what it emitted, with the directions. */
export function run(box: Middlebox, packet: Uint8Array, dir: Direction = "forward", now = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  box.process(packet, dir, now, (p, d) => {
    assert.equal(d, dir);
    out.push(p);
  });
  return out;
}

export const mptcp = (option: MptcpOption): TcpOption => ({ kind: "mptcp", option });

/** MP_CAPABLE of a v1 SYN (4 bytes). */
export const MPC_SYN = mptcp({ subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H });
/** MP_CAPABLE of a v1 SYN/ACK (12 bytes). */
export const MPC_SYNACK = mptcp({ subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H, sendKey: 0x62031ceec1407cd4n });
/** MP_JOIN of a SYN (12 bytes). */
export const JOIN_SYN = mptcp({ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: 0x9ed23d28, nonce: 0x09ee3065 });

/** A DSS with a 4-byte Data ACK and a 64-bit mapping (22 bytes, 24 with a checksum), optionally with a checksum. */
export function dss(dsn: bigint, ssn: number, dataLen: number, checksum?: number): TcpOption {
  const option: MptcpOption = { subtype: "DSS", fin: false, dataAck64: false, dataAck: 0x1000n, dsn64: true, dsn, ssn, dataLen };
  if (checksum !== undefined) option.checksum = checksum;
  return mptcp(option);
}

export const ADD_ADDR = mptcp({
  subtype: "ADD_ADDR", version: 1, echo: false, addrId: 2, addr: addr("10.0.0.1"),
  hmac: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
});

export const TIMESTAMPS: TcpOption = { kind: "timestamps", tsVal: 0x01020304, tsEcr: 0x05060708 };
export const NOP: TcpOption = { kind: "nop" };

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `n` bytes counting 0, 1, 2, ... mod 251 (a prime, so pieces never look alike). */
export function pattern(n: number, start = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) % 251);
}

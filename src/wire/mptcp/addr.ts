/**
 * ADD_ADDR and REMOVE_ADDR (RFC 8684 §3.4.1, §3.4.2; v0 RFC 6824 §3.4.1, §3.4.2).
 *
 * ADD_ADDR v1:  subtype 3 · rsv(3) E | address ID | address (4 or 16) | [port (2)] | [truncated HMAC (8)]
 * ADD_ADDR v0:  subtype 3 · IPVer    | address ID | address (4 or 16) | [port (2)]
 *
 * The two versions share a subtype, so the nibble tells them apart: 4 or 6 is an RFC 6824 IPVer,
 * anything else is the v1 E flag plus reserved bits. (A v1 option whose reserved bits make the
 * nibble 4 or 6 therefore reads as v0; the emitter refuses to write one.) v1 has no IPVer field:
 * the eight v1 lengths (8, 10, 16, 18 for IPv4; 20, 22, 28, 30 for IPv6) are all distinct, so the
 * length alone says the address family, whether a port follows and whether an HMAC does. The RFC
 * expects the HMAC exactly when E is clear, but an option that breaks that is still decodable and
 * is kept as it is; the path manager decides what to do with it.
 *
 * REMOVE_ADDR:  subtype 4 · rsv(4) | address ID × n, n ≥ 1
 */
import { readU16, writeU16 } from "../bytes.js";
import { ParseError } from "../error.js";
import type { AddAddr, RemoveAddr } from "./types.js";

const ADD_ADDR = "mptcp.add_addr";
const HMAC_LEN = 8;

/** The address length a v1 ADD_ADDR of `len` bytes carries, or 0 if `len` is not a v1 length. */
function v1AddrLen(len: number): number {
  switch (len) {
    case 8:
    case 10:
    case 16:
    case 18:
      return 4;
    case 20:
    case 22:
    case 28:
    case 30:
      return 16;
    default:
      return 0;
  }
}

export function parseAddAddr(b: Uint8Array): AddAddr | ParseError {
  const len = b.length;
  const nibble = b[2]! & 0x0f;
  if (nibble === 4 || nibble === 6) return parseAddAddrV0(b, nibble);
  const addrLen = v1AddrLen(len);
  if (addrLen === 0) {
    return new ParseError(ADD_ADDR, "length", "bad-length", `${len}; ADD_ADDR is 8, 10, 16, 18 (IPv4) or 20, 22, 28, 30 (IPv6) bytes`);
  }
  const rest = len - 4 - addrLen;
  const opt: AddAddr = { subtype: "ADD_ADDR", version: 1, echo: (nibble & 1) !== 0, addrId: b[3]!, addr: b.subarray(4, 4 + addrLen) };
  if (rest & 2) opt.port = readU16(b, 4 + addrLen);
  if (rest >= HMAC_LEN) opt.hmac = b.subarray(len - HMAC_LEN, len);
  if (nibble > 1) opt.reserved = nibble >> 1;
  return opt;
}

/** RFC 6824 §3.4.1: the IPVer nibble fixes the address length; a port may follow; no HMAC. */
function parseAddAddrV0(b: Uint8Array, ipVersion: number): AddAddr | ParseError {
  const len = b.length;
  const addrLen = ipVersion === 4 ? 4 : 16;
  const rest = len - 4 - addrLen;
  if (rest !== 0 && rest !== 2) {
    const other = ipVersion === 4 ? 16 : 4;
    const fitsOther = len === 4 + other || len === 6 + other;
    return new ParseError(
      ADD_ADDR,
      "length",
      fitsOther ? "inconsistent" : "bad-length",
      `${len}; a v0 ADD_ADDR with IPVer ${ipVersion} is ${4 + addrLen} or ${6 + addrLen} bytes`,
    );
  }
  const opt: AddAddr = { subtype: "ADD_ADDR", version: 0, echo: false, addrId: b[3]!, addr: b.subarray(4, 4 + addrLen) };
  if (rest === 2) opt.port = readU16(b, 4 + addrLen);
  return opt;
}

export function addAddrLength(opt: AddAddr): number {
  const addrLen = opt.addr.length;
  if (addrLen !== 4 && addrLen !== 16) throw new RangeError(`ADD_ADDR address of ${addrLen} bytes`);
  let len = 4 + addrLen + (opt.port !== undefined ? 2 : 0);
  if (opt.version === 0) {
    if (opt.echo || opt.hmac !== undefined || opt.reserved) throw new RangeError("v0 ADD_ADDR has no E flag, HMAC or reserved bits");
    return len;
  }
  if (opt.hmac !== undefined) {
    if (opt.hmac.length !== HMAC_LEN) throw new RangeError(`ADD_ADDR HMAC of ${opt.hmac.length} bytes, not 8`);
    len += HMAC_LEN;
  }
  const nibble = v1Nibble(opt);
  if (nibble === 4 || nibble === 6) throw new RangeError("v1 ADD_ADDR reserved bits would read as a v0 IPVer");
  return len;
}

function v1Nibble(opt: AddAddr): number {
  return (((opt.reserved ?? 0) & 0x7) << 1) | (opt.echo ? 1 : 0);
}

/** Writes the body after kind and length. */
export function emitAddAddr(opt: AddAddr, b: Uint8Array, off: number): void {
  b[off + 2] = 0x30 | (opt.version === 0 ? (opt.addr.length === 4 ? 4 : 6) : v1Nibble(opt));
  b[off + 3] = opt.addrId;
  b.set(opt.addr, off + 4);
  let at = off + 4 + opt.addr.length;
  if (opt.port !== undefined) {
    writeU16(b, at, opt.port);
    at += 2;
  }
  if (opt.version === 1 && opt.hmac !== undefined) b.set(opt.hmac, at);
}

export function parseRemoveAddr(b: Uint8Array): RemoveAddr | ParseError {
  if (b.length < 4) return new ParseError("mptcp.remove_addr", "length", "bad-length", `${b.length}; REMOVE_ADDR lists at least one address ID`);
  const opt: RemoveAddr = { subtype: "REMOVE_ADDR", addrIds: Array.from(b.subarray(3)) };
  const reserved = b[2]! & 0x0f;
  if (reserved !== 0) opt.reserved = reserved;
  return opt;
}

export function removeAddrLength(opt: RemoveAddr): number {
  const n = opt.addrIds.length;
  if (n < 1 || n > 252) throw new RangeError(`REMOVE_ADDR of ${n} address IDs (1 to 252 fit)`);
  return 3 + n;
}

/** Writes the body after kind and length. */
export function emitRemoveAddr(opt: RemoveAddr, b: Uint8Array, off: number): void {
  b[off + 2] = 0x40 | ((opt.reserved ?? 0) & 0x0f);
  const ids = opt.addrIds;
  for (let i = 0; i < ids.length; i++) b[off + 3 + i] = ids[i]!;
}

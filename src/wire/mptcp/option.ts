/**
 * The MPTCP option (TCP option kind 30): parse, length and emit for every subtype, v1 (RFC 8684 §3)
 * and v0 (RFC 6824 §3).
 *
 * The option's first byte after kind and length is `subtype << 4 | nibble` (RFC 8684 §3); the
 * per-subtype codecs read the rest. Which variant of a subtype is on the wire is decided by the
 * length byte alone (and, for ADD_ADDR, by the nibble), so every length variant maps to exactly one
 * repr shape and back.
 *
 * Byte fields of a parsed repr (HMACs, addresses, opaque data) are views into the input, as
 * payloads are everywhere in wire/ (DESIGN.md §3): copy them before keeping them past the packet.
 *
 * Emitters trust numeric fields to be in range (they write the low bits) but throw a `RangeError`
 * on a repr that has no encoding (a mapping without its SSN, an HMAC of the wrong size, a buffer too
 * small): those are programming errors, not bad input.
 */
import { ParseError, truncated } from "../error.js";
import { TCPOPT_MPTCP, type MptcpOption } from "./types.js";
import { emitMpCapable, mpCapableLength, parseMpCapable } from "./capable.js";
import { emitMpJoin, mpJoinLength, parseMpJoin } from "./join.js";
import { dssLength, emitDss, parseDss } from "./dss.js";
import { addAddrLength, emitAddAddr, emitRemoveAddr, parseAddAddr, parseRemoveAddr, removeAddrLength } from "./addr.js";
import {
  emitMpExperimental,
  emitMpFail,
  emitMpFastclose,
  emitMpPrio,
  emitMpTcpRst,
  emitMpUnknown,
  mpOpaqueLength,
  mpPrioLength,
  mpUnknownLength,
  parseMpExperimental,
  parseMpFail,
  parseMpFastclose,
  parseMpPrio,
  parseMpTcpRst,
  parseMpUnknown,
} from "./misc.js";

const LAYER = "mptcp";

/**
 * Decodes one MPTCP option. `bytes` is the whole option from its kind byte (30) to its end, so
 * its length byte must equal `bytes.length`.
 */
export function parseMptcpOption(bytes: Uint8Array): MptcpOption | ParseError {
  const len = bytes.length;
  if (len === 0) return truncated(LAYER, "kind", 3, 0);
  if (bytes[0] !== TCPOPT_MPTCP) {
    return new ParseError(LAYER, "kind", "bad-value", `kind ${bytes[0]} is not ${TCPOPT_MPTCP}`);
  }
  if (len === 1) return truncated(LAYER, "length", 2, 1);
  const declared = bytes[1]!;
  if (declared > len) return truncated(LAYER, "length", declared, len);
  if (declared < len) {
    return new ParseError(LAYER, "length", "overlong", `length byte says ${declared}, have ${len} bytes`);
  }
  // RFC 8684 §3: every MPTCP option has at least the subtype byte.
  if (len < 3) return new ParseError(LAYER, "length", "bad-length", `length ${len}, an MPTCP option has at least 3 bytes`);
  switch (bytes[2]! >> 4) {
    case 0x0:
      return parseMpCapable(bytes);
    case 0x1:
      return parseMpJoin(bytes);
    case 0x2:
      return parseDss(bytes);
    case 0x3:
      return parseAddAddr(bytes);
    case 0x4:
      return parseRemoveAddr(bytes);
    case 0x5:
      return parseMpPrio(bytes);
    case 0x6:
      return parseMpFail(bytes);
    case 0x7:
      return parseMpFastclose(bytes);
    case 0x8:
      return parseMpTcpRst(bytes);
    case 0xf:
      return parseMpExperimental(bytes);
    default:
      return parseMpUnknown(bytes);
  }
}

/** The number of bytes `emitMptcpOption` writes for `opt`, kind and length bytes included. */
export function mptcpOptionLength(opt: MptcpOption): number {
  switch (opt.subtype) {
    case "MP_CAPABLE":
      return mpCapableLength(opt);
    case "MP_JOIN":
      return mpJoinLength(opt);
    case "DSS":
      return dssLength(opt);
    case "ADD_ADDR":
      return addAddrLength(opt);
    case "REMOVE_ADDR":
      return removeAddrLength(opt);
    case "MP_PRIO":
      return mpPrioLength(opt);
    case "MP_FAIL":
    case "MP_FASTCLOSE":
      return 12;
    case "MP_TCPRST":
      return 4;
    case "MP_EXPERIMENTAL":
      return mpOpaqueLength(opt.data);
    case "UNKNOWN":
      return mpUnknownLength(opt);
  }
}

/** Writes `opt` (kind, length, body) at `buf[off]` and returns the number of bytes written. */
export function emitMptcpOption(opt: MptcpOption, buf: Uint8Array, off: number): number {
  const len = mptcpOptionLength(opt);
  if (off < 0 || off + len > buf.length) {
    throw new RangeError(`MPTCP option of ${len} bytes does not fit at offset ${off} of ${buf.length}`);
  }
  buf[off] = TCPOPT_MPTCP;
  buf[off + 1] = len;
  switch (opt.subtype) {
    case "MP_CAPABLE":
      emitMpCapable(opt, buf, off, len);
      break;
    case "MP_JOIN":
      emitMpJoin(opt, buf, off);
      break;
    case "DSS":
      emitDss(opt, buf, off);
      break;
    case "ADD_ADDR":
      emitAddAddr(opt, buf, off);
      break;
    case "REMOVE_ADDR":
      emitRemoveAddr(opt, buf, off);
      break;
    case "MP_PRIO":
      emitMpPrio(opt, buf, off);
      break;
    case "MP_FAIL":
      emitMpFail(opt, buf, off);
      break;
    case "MP_FASTCLOSE":
      emitMpFastclose(opt, buf, off);
      break;
    case "MP_TCPRST":
      emitMpTcpRst(opt, buf, off);
      break;
    case "MP_EXPERIMENTAL":
      emitMpExperimental(opt, buf, off);
      break;
    case "UNKNOWN":
      emitMpUnknown(opt, buf, off);
      break;
  }
  return len;
}

/** `opt` encoded into a new array of exactly its length. */
export function encodeMptcpOption(opt: MptcpOption): Uint8Array {
  const out = new Uint8Array(mptcpOptionLength(opt));
  emitMptcpOption(opt, out, 0);
  return out;
}

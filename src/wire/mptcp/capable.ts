/**
 * MP_CAPABLE (RFC 8684 §3.1; v0 RFC 6824 §3.1).
 *
 *   kind | length | subtype 0 · version | A B C D E F G H | sender's key (8) | receiver's key (8)
 *   | data-level length (2) | checksum (2)
 *
 * The trailing fields are present or absent as a stack, so the length names the variant:
 * 4 (v1 SYN), 12 (v1 SYN/ACK; v0 SYN and SYN/ACK), 20 (third ACK), 22 (v1 ACK with data), 24 (the
 * same with a DSS checksum). The version nibble and the flags byte are kept whole: which versions
 * and flags are acceptable is the connection's decision (§3.1, §3.7), not the codec's.
 *
 * Parsers here receive the whole option, with `b.length` equal to its length byte and at least 3.
 */
import { readU16, readU64, writeU16, writeU64 } from "../bytes.js";
import { ParseError } from "../error.js";
import type { MpCapable } from "./types.js";

export function parseMpCapable(b: Uint8Array): MpCapable | ParseError {
  const len = b.length;
  if (len !== 4 && len !== 12 && len !== 20 && len !== 22 && len !== 24) {
    return new ParseError("mptcp.mp_capable", "length", "bad-length", `${len}; MP_CAPABLE is 4, 12, 20, 22 or 24 bytes`);
  }
  const opt: MpCapable = { subtype: "MP_CAPABLE", version: b[2]! & 0x0f, flags: b[3]! };
  if (len >= 12) opt.sendKey = readU64(b, 4);
  if (len >= 20) opt.recvKey = readU64(b, 12);
  if (len >= 22) opt.dataLen = readU16(b, 20);
  if (len === 24) opt.checksum = readU16(b, 22);
  return opt;
}

export function mpCapableLength(opt: MpCapable): number {
  const len =
    opt.checksum !== undefined ? 24 : opt.dataLen !== undefined ? 22 : opt.recvKey !== undefined ? 20 : opt.sendKey !== undefined ? 12 : 4;
  // Each variant extends the one before it, so every field before the last present one is needed.
  if ((len >= 12 && opt.sendKey === undefined) || (len >= 20 && opt.recvKey === undefined) || (len === 24 && opt.dataLen === undefined)) {
    throw new RangeError(`MP_CAPABLE of ${len} bytes lacks a field before its last one`);
  }
  return len;
}

/** Writes the body after kind and length; `len` is `mpCapableLength(opt)`. */
export function emitMpCapable(opt: MpCapable, b: Uint8Array, off: number, len: number): void {
  b[off + 2] = opt.version & 0x0f;
  b[off + 3] = opt.flags & 0xff;
  if (len >= 12) writeU64(b, off + 4, opt.sendKey!);
  if (len >= 20) writeU64(b, off + 12, opt.recvKey!);
  if (len >= 22) writeU16(b, off + 20, opt.dataLen!);
  if (len === 24) writeU16(b, off + 22, opt.checksum!);
}

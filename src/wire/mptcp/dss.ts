/**
 * DSS, the Data Sequence Signal (RFC 8684 §3.3; the same layout in RFC 6824 §3.3).
 *
 *   kind | length | subtype 2 · rsv(4) | rsv(3) F m M a A
 *   | Data ACK (4 or 8, if A) | DSN (4 or 8), SSN (4), data-level length (2), [checksum (2)] (if M)
 *
 * The flags fix every field but the checksum, whose presence was negotiated at MP_CAPABLE time
 * (§3.3.1) and so shows only in the length: a length that matches neither the flags' length nor
 * that plus 2 is rejected. The checksum belongs to the mapping, so without M there is none. A flag
 * that qualifies an absent field (a without A, m without M) means nothing but is kept, so that the
 * flags byte round-trips.
 *
 * This is parsed for every data segment: one object, no intermediate allocations.
 */
import { readU16, readU32, readU64, writeU16, writeU32, writeU64 } from "../bytes.js";
import { ParseError } from "../error.js";
import { DSS_FLAG, type Dss } from "./types.js";

export function parseDss(b: Uint8Array): Dss | ParseError {
  const len = b.length;
  if (len < 4) return new ParseError("mptcp.dss", "length", "bad-length", `${len}; a DSS has at least 4 bytes`);
  const flags = b[3]!;
  const ackLen = flags & DSS_FLAG.A ? (flags & DSS_FLAG.a ? 8 : 4) : 0;
  const dsnLen = flags & DSS_FLAG.M ? (flags & DSS_FLAG.m ? 8 : 4) : 0;
  // DSN + SSN (4) + data-level length (2).
  const plain = 4 + ackLen + (dsnLen === 0 ? 0 : dsnLen + 6);
  if (len !== plain && (dsnLen === 0 || len !== plain + 2)) {
    const want = dsnLen === 0 ? `${plain}` : `${plain} or ${plain + 2}`;
    return new ParseError("mptcp.dss", "length", "bad-length", `${len}; flags 0x${flags.toString(16)} need ${want}`);
  }
  const opt: Dss = { subtype: "DSS", fin: (flags & DSS_FLAG.F) !== 0, dataAck64: (flags & DSS_FLAG.a) !== 0, dsn64: (flags & DSS_FLAG.m) !== 0 };
  let at = 4;
  if (ackLen === 8) opt.dataAck = readU64(b, at);
  else if (ackLen === 4) opt.dataAck = BigInt(readU32(b, at));
  at += ackLen;
  if (dsnLen !== 0) {
    opt.dsn = dsnLen === 8 ? readU64(b, at) : BigInt(readU32(b, at));
    at += dsnLen;
    opt.ssn = readU32(b, at);
    opt.dataLen = readU16(b, at + 4);
    if (len !== plain) opt.checksum = readU16(b, at + 6);
  }
  const reserved = ((b[2]! & 0x0f) << 3) | (flags >> 5);
  if (reserved !== 0) opt.reserved = reserved;
  return opt;
}

export function dssLength(opt: Dss): number {
  let len = 4;
  if (opt.dataAck !== undefined) len += opt.dataAck64 ? 8 : 4;
  if (opt.dsn !== undefined) {
    if (opt.ssn === undefined || opt.dataLen === undefined) throw new RangeError("DSS mapping without its SSN or data-level length");
    len += (opt.dsn64 ? 8 : 4) + 6 + (opt.checksum !== undefined ? 2 : 0);
  } else if (opt.ssn !== undefined || opt.dataLen !== undefined || opt.checksum !== undefined) {
    throw new RangeError("DSS SSN, data-level length or checksum without a DSN");
  }
  return len;
}

/** Writes the body after kind and length. 32-bit fields take the low 32 bits of their value. */
export function emitDss(opt: Dss, b: Uint8Array, off: number): void {
  const reserved = opt.reserved ?? 0;
  let flags = (reserved & 0x7) << 5;
  if (opt.fin) flags |= DSS_FLAG.F;
  if (opt.dsn64) flags |= DSS_FLAG.m;
  if (opt.dsn !== undefined) flags |= DSS_FLAG.M;
  if (opt.dataAck64) flags |= DSS_FLAG.a;
  if (opt.dataAck !== undefined) flags |= DSS_FLAG.A;
  b[off + 2] = 0x20 | ((reserved >> 3) & 0x0f);
  b[off + 3] = flags;
  let at = off + 4;
  if (opt.dataAck !== undefined) {
    if (opt.dataAck64) {
      writeU64(b, at, opt.dataAck);
      at += 8;
    } else {
      writeU32(b, at, Number(opt.dataAck & 0xffffffffn));
      at += 4;
    }
  }
  if (opt.dsn !== undefined) {
    if (opt.dsn64) {
      writeU64(b, at, opt.dsn);
      at += 8;
    } else {
      writeU32(b, at, Number(opt.dsn & 0xffffffffn));
      at += 4;
    }
    writeU32(b, at, opt.ssn!);
    writeU16(b, at + 4, opt.dataLen!);
    if (opt.checksum !== undefined) writeU16(b, at + 6, opt.checksum);
  }
}

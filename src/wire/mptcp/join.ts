/**
 * MP_JOIN (RFC 8684 §3.2; the same layout in RFC 6824 §3.2). Three forms, told apart by length:
 *
 *   SYN      12: subtype 1 · rsv(3) B | address ID | receiver's token (4) | sender's random (4)
 *   SYN/ACK  16: subtype 1 · rsv(3) B | address ID | sender's truncated HMAC (8) | sender's random (4)
 *   ACK      24: subtype 1 · rsv(12)                | sender's HMAC (20)
 *
 * Which form a segment must carry depends on the handshake state, which the codec does not know;
 * a form on the wrong segment is the subflow's to reject.
 */
import { readU32, writeU32 } from "../bytes.js";
import { ParseError } from "../error.js";
import type { MpJoin } from "./types.js";

/** Leftmost 64 bits of the HMAC on the SYN/ACK (§3.2). */
const TRUNCATED_HMAC_LEN = 8;
/** 160 bits of HMAC on the third ACK (§3.2). */
const HMAC_LEN = 20;

export function parseMpJoin(b: Uint8Array): MpJoin | ParseError {
  const nibble = b[2]! & 0x0f;
  let opt: MpJoin;
  switch (b.length) {
    case 12:
      opt = { subtype: "MP_JOIN", form: "syn", backup: (nibble & 1) !== 0, addrId: b[3]!, token: readU32(b, 4), nonce: readU32(b, 8) };
      break;
    case 16:
      opt = {
        subtype: "MP_JOIN",
        form: "synack",
        backup: (nibble & 1) !== 0,
        addrId: b[3]!,
        hmac: b.subarray(4, 4 + TRUNCATED_HMAC_LEN),
        nonce: readU32(b, 12),
      };
      break;
    case 24: {
      const ack: MpJoin = { subtype: "MP_JOIN", form: "ack", hmac: b.subarray(4, 4 + HMAC_LEN) };
      const reserved = (nibble << 8) | b[3]!;
      if (reserved !== 0) ack.reserved = reserved;
      return ack;
    }
    default:
      return new ParseError("mptcp.mp_join", "length", "bad-length", `${b.length}; MP_JOIN is 12 (SYN), 16 (SYN/ACK) or 24 (ACK) bytes`);
  }
  if (nibble > 1) opt.reserved = nibble >> 1;
  return opt;
}

export function mpJoinLength(opt: MpJoin): number {
  switch (opt.form) {
    case "syn":
      return 12;
    case "synack":
      if (opt.hmac.length !== TRUNCATED_HMAC_LEN) throw new RangeError(`MP_JOIN SYN/ACK HMAC of ${opt.hmac.length} bytes, not 8`);
      return 16;
    case "ack":
      if (opt.hmac.length !== HMAC_LEN) throw new RangeError(`MP_JOIN ACK HMAC of ${opt.hmac.length} bytes, not 20`);
      return 24;
  }
}

/** Writes the body after kind and length. */
export function emitMpJoin(opt: MpJoin, b: Uint8Array, off: number): void {
  if (opt.form === "ack") {
    const reserved = opt.reserved ?? 0;
    b[off + 2] = 0x10 | ((reserved >> 8) & 0x0f);
    b[off + 3] = reserved & 0xff;
    b.set(opt.hmac, off + 4);
    return;
  }
  b[off + 2] = 0x10 | (((opt.reserved ?? 0) & 0x7) << 1) | (opt.backup ? 1 : 0);
  b[off + 3] = opt.addrId;
  if (opt.form === "syn") {
    writeU32(b, off + 4, opt.token);
    writeU32(b, off + 8, opt.nonce);
  } else {
    b.set(opt.hmac, off + 4);
    writeU32(b, off + 12, opt.nonce);
  }
}

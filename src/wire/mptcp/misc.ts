/**
 * The small fixed-layout subtypes, and the opaque ones.
 *
 *   MP_PRIO       3: subtype 5 · rsv(3) B                (RFC 8684 §3.3.8)
 *                 4: the same + address ID              (RFC 6824 §3.3.8; dropped in v1)
 *   MP_FAIL      12: subtype 6 · rsv(12) | DSN (8)      (RFC 8684 §3.7)
 *   MP_FASTCLOSE 12: subtype 7 · rsv(12) | key (8)      (RFC 8684 §3.5; the option receiver's key)
 *   MP_TCPRST     4: subtype 8 · U V W T | reason       (RFC 8684 §3.6)
 *   MP_EXPERIMENTAL (0xf) and the unassigned 0x9..0xe: nibble and data kept as they are.
 */
import { readU64, writeU64 } from "../bytes.js";
import { ParseError } from "../error.js";
import { MPTCP_SUBTYPE, type MpExperimental, type MpFail, type MpFastclose, type MpPrio, type MpTcpRst, type MpUnknown } from "./types.js";

export function parseMpPrio(b: Uint8Array): MpPrio | ParseError {
  if (b.length !== 3 && b.length !== 4) {
    return new ParseError("mptcp.mp_prio", "length", "bad-length", `${b.length}; MP_PRIO is 3 bytes (4 with an address ID in v0)`);
  }
  const nibble = b[2]! & 0x0f;
  const opt: MpPrio = { subtype: "MP_PRIO", backup: (nibble & 1) !== 0 };
  if (b.length === 4) opt.addrId = b[3]!;
  if (nibble > 1) opt.reserved = nibble >> 1;
  return opt;
}

export function mpPrioLength(opt: MpPrio): number {
  return opt.addrId !== undefined ? 4 : 3;
}

export function emitMpPrio(opt: MpPrio, b: Uint8Array, off: number): void {
  b[off + 2] = 0x50 | (((opt.reserved ?? 0) & 0x7) << 1) | (opt.backup ? 1 : 0);
  if (opt.addrId !== undefined) b[off + 3] = opt.addrId;
}

/** MP_FAIL and MP_FASTCLOSE share a layout: 12 reserved bits, then a 64-bit value. */
function parseReservedU64(b: Uint8Array, layer: string): { reserved: number; value: bigint } | ParseError {
  if (b.length !== 12) return new ParseError(layer, "length", "bad-length", `${b.length}; must be 12 bytes`);
  return { reserved: ((b[2]! & 0x0f) << 8) | b[3]!, value: readU64(b, 4) };
}

function emitReservedU64(subtype: number, reserved: number | undefined, value: bigint, b: Uint8Array, off: number): void {
  const r = reserved ?? 0;
  b[off + 2] = (subtype << 4) | ((r >> 8) & 0x0f);
  b[off + 3] = r & 0xff;
  writeU64(b, off + 4, value);
}

export function parseMpFail(b: Uint8Array): MpFail | ParseError {
  const f = parseReservedU64(b, "mptcp.mp_fail");
  if (f instanceof ParseError) return f;
  const opt: MpFail = { subtype: "MP_FAIL", dsn: f.value };
  if (f.reserved !== 0) opt.reserved = f.reserved;
  return opt;
}

export function emitMpFail(opt: MpFail, b: Uint8Array, off: number): void {
  emitReservedU64(MPTCP_SUBTYPE.MP_FAIL, opt.reserved, opt.dsn, b, off);
}

export function parseMpFastclose(b: Uint8Array): MpFastclose | ParseError {
  const f = parseReservedU64(b, "mptcp.mp_fastclose");
  if (f instanceof ParseError) return f;
  const opt: MpFastclose = { subtype: "MP_FASTCLOSE", key: f.value };
  if (f.reserved !== 0) opt.reserved = f.reserved;
  return opt;
}

export function emitMpFastclose(opt: MpFastclose, b: Uint8Array, off: number): void {
  emitReservedU64(MPTCP_SUBTYPE.MP_FASTCLOSE, opt.reserved, opt.key, b, off);
}

export function parseMpTcpRst(b: Uint8Array): MpTcpRst | ParseError {
  if (b.length !== 4) return new ParseError("mptcp.mp_tcprst", "length", "bad-length", `${b.length}; MP_TCPRST is 4 bytes`);
  return { subtype: "MP_TCPRST", flags: b[2]! & 0x0f, reason: b[3]! };
}

export function emitMpTcpRst(opt: MpTcpRst, b: Uint8Array, off: number): void {
  b[off + 2] = (MPTCP_SUBTYPE.MP_TCPRST << 4) | (opt.flags & 0x0f);
  b[off + 3] = opt.reason;
}

export function parseMpExperimental(b: Uint8Array): MpExperimental {
  return { subtype: "MP_EXPERIMENTAL", nibble: b[2]! & 0x0f, data: b.subarray(3) };
}

export function emitMpExperimental(opt: MpExperimental, b: Uint8Array, off: number): void {
  b[off + 2] = (MPTCP_SUBTYPE.MP_EXPERIMENTAL << 4) | (opt.nibble & 0x0f);
  b.set(opt.data, off + 3);
}

export function parseMpUnknown(b: Uint8Array): MpUnknown {
  return { subtype: "UNKNOWN", code: b[2]! >> 4, nibble: b[2]! & 0x0f, data: b.subarray(3) };
}

export function emitMpUnknown(opt: MpUnknown, b: Uint8Array, off: number): void {
  b[off + 2] = (opt.code << 4) | (opt.nibble & 0x0f);
  b.set(opt.data, off + 3);
}

/** Length of an opaque option (experimental or unknown) carrying `data` after the subtype byte. */
export function mpOpaqueLength(data: Uint8Array): number {
  if (data.length > 252) throw new RangeError(`MPTCP option data of ${data.length} bytes (252 fit)`);
  return 3 + data.length;
}

/** The subtype codes this codec has a repr for: an `UNKNOWN` with one of them would not round-trip. */
const KNOWN_CODES: ReadonlySet<number> = new Set(Object.values(MPTCP_SUBTYPE));

/** Length of an `UNKNOWN` option; its code must be one no repr claims, or it would not round-trip. */
export function mpUnknownLength(opt: MpUnknown): number {
  if (!Number.isInteger(opt.code) || opt.code < 0 || opt.code > 0xf || KNOWN_CODES.has(opt.code)) {
    throw new RangeError(`UNKNOWN MPTCP subtype ${opt.code} is not an unassigned code`);
  }
  return mpOpaqueLength(opt.data);
}

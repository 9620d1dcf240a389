/**
 * pcapng blocks (draft-ietf-opsawg-pcapng). Every block is Block Type, Block Total Length, body,
 * and Block Total Length again; a file is one or more sections, each opened by a Section Header
 * Block whose byte-order magic sets the byte order of every block until the next section.
 *
 * The functions here decode one complete block, given as `b[off .. off + len)` with its framing
 * (both length fields, a multiple of 4, at least the type's minimum) already checked by the reader.
 */

import { ParseError } from "../error.js";
import { i64, u16, u32 } from "./byte-order.js";
import { MAX_CAPLEN, type CapturedPacket } from "./packet.js";
import { MICROSECOND_UNITS, splitTicks, tsUnitsFromResol, type SecNsec, type TsUnits } from "./timestamp.js";

/** Block types (§10.1). The SHB type reads the same in both byte orders, so it can be found first. */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** The obsolete Packet Block (Appendix A): an EPB with a 16-bit interface id. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

/** The Section Header Block's Byte-Order Magic, read big-endian (§4.1). */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** The smallest Block Total Length of any block: type, length and trailing length. */
export const MIN_BLOCK_LEN = 12;

/**
 * The smallest valid Block Total Length of a block type this reader decodes (framing plus fixed
 * fields), or undefined for the types it skips.
 */
export function minBlockLen(type: number): number | undefined {
  switch (type) {
    case BlockType.SECTION_HEADER:
      return 28;
    case BlockType.INTERFACE_DESCRIPTION:
      return 20;
    case BlockType.PACKET:
    case BlockType.ENHANCED_PACKET:
      return 32;
    case BlockType.SIMPLE_PACKET:
      return 16;
    default:
      return undefined;
  }
}

/**
 * The largest decoded block held in memory: a maximal packet plus room for options and comments.
 * Blocks of other types are skipped as they stream past and have no such limit.
 */
export const MAX_DECODED_BLOCK_LEN = MAX_CAPLEN + 65536;

/** What the reader keeps of an Interface Description Block (§4.2). */
export interface PcapngInterface {
  linkType: number;
  /** 0 means no limit. */
  snaplen: number;
  units: TsUnits;
  /** if_tsoffset: seconds added to every timestamp of this interface. */
  offsetSec: number;
}

/** Reads the byte order from the Byte-Order Magic at `off + 8`: true for little-endian. */
export function sectionByteOrder(b: Uint8Array, off: number): boolean | ParseError {
  const magic = u32(b, off + 8, false);
  if (magic === BYTE_ORDER_MAGIC) return false;
  if (magic === BYTE_ORDER_MAGIC_SWAPPED) return true;
  return new ParseError("pcapng", "byte-order magic", "bad-value", `0x${magic.toString(16).padStart(8, "0")}`);
}

/** Checks the Section Header Block's version (§4.1: a major version other than 1 is a different format). */
export function checkSectionVersion(b: Uint8Array, off: number, le: boolean): ParseError | undefined {
  const major = u16(b, off + 12, le);
  if (major !== 1) return new ParseError("pcapng", "major version", "unsupported", `version ${major}`);
  return undefined;
}

const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

export function parseInterfaceDescription(b: Uint8Array, off: number, len: number, le: boolean): PcapngInterface | ParseError {
  const iface: PcapngInterface = {
    linkType: u16(b, off + 8, le),
    snaplen: u32(b, off + 12, le),
    units: MICROSECOND_UNITS,
    offsetSec: 0,
  };
  // Options (§3.5): code, length, value padded to 32 bits; opt_endofopt or the block's end stops the list.
  const end = off + len - 4;
  let p = off + 16;
  while (p + 4 <= end) {
    const code = u16(b, p, le);
    const optLen = u16(b, p + 2, le);
    if (code === OPT_ENDOFOPT) break;
    if (p + 4 + optLen > end) {
      return new ParseError("pcapng", "option length", "bad-length", `option ${code} of ${optLen} bytes overruns the block`);
    }
    if (code === OPT_IF_TSRESOL) {
      if (optLen !== 1) return new ParseError("pcapng", "if_tsresol", "bad-length", `${optLen} bytes, expected 1`);
      iface.units = tsUnitsFromResol(b[p + 4]!);
    } else if (code === OPT_IF_TSOFFSET) {
      if (optLen !== 8) return new ParseError("pcapng", "if_tsoffset", "bad-length", `${optLen} bytes, expected 8`);
      iface.offsetSec = i64(b, p + 4, le);
    }
    p += 4 + ((optLen + 3) & ~3);
  }
  return iface;
}

/**
 * Decodes an Enhanced Packet Block (§4.3) or an obsolete Packet Block (Appendix A), whose layouts
 * differ only in the width of the interface id. `scratch` avoids an allocation per timestamp.
 */
export function decodeTimestampedPacket(
  b: Uint8Array,
  off: number,
  len: number,
  le: boolean,
  obsolete: boolean,
  interfaces: readonly PcapngInterface[],
  scratch: SecNsec,
): CapturedPacket | ParseError {
  const interfaceId = obsolete ? u16(b, off + 8, le) : u32(b, off + 8, le);
  const iface = interfaces[interfaceId];
  if (iface === undefined) {
    return new ParseError("pcapng", "interface id", "bad-value", `interface ${interfaceId} of ${interfaces.length} described`);
  }
  const caplen = u32(b, off + 20, le);
  if (caplen > MAX_CAPLEN) {
    return new ParseError("pcapng", "captured packet length", "overlong", `${caplen} bytes, limit ${MAX_CAPLEN}`);
  }
  if (28 + caplen + 4 > len) {
    return new ParseError("pcapng", "captured packet length", "inconsistent", `${caplen} bytes in a block of ${len}`);
  }
  splitTicks(u32(b, off + 12, le), u32(b, off + 16, le), iface.units, scratch);
  const sec = scratch.sec + iface.offsetSec;
  return {
    tsSec: sec,
    tsNsec: scratch.nsec,
    time: sec + scratch.nsec / 1e9,
    linkType: iface.linkType,
    interfaceId,
    data: b.subarray(off + 28, off + 28 + caplen),
    origLen: u32(b, off + 24, le),
  };
}

/**
 * Decodes a Simple Packet Block (§4.4): no timestamp and no interface id; it belongs to the
 * section's first interface, and its captured length is the smaller of the original length,
 * that interface's snaplen and the room in the block.
 */
export function decodeSimplePacket(
  b: Uint8Array,
  off: number,
  len: number,
  le: boolean,
  interfaces: readonly PcapngInterface[],
): CapturedPacket | ParseError {
  const iface = interfaces[0];
  if (iface === undefined) {
    return new ParseError("pcapng", "interface id", "bad-value", "simple packet block before any interface description");
  }
  const origLen = u32(b, off + 8, le);
  let caplen = Math.min(origLen, len - 16);
  if (iface.snaplen !== 0 && caplen > iface.snaplen) caplen = iface.snaplen;
  return {
    tsSec: 0,
    tsNsec: 0,
    time: 0,
    linkType: iface.linkType,
    interfaceId: 0,
    data: b.subarray(off + 12, off + 12 + caplen),
    origLen,
  };
}

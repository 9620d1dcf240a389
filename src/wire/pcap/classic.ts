/**
 * Classic pcap (draft-ietf-opsawg-pcap): a 24-byte file header, then records of a 16-byte header
 * and the captured bytes. The magic number gives both the byte order and the resolution of the
 * fractional timestamp (microseconds for a1b2c3d4, nanoseconds for a1b23c4d).
 */

import { ParseError } from "../error.js";
import { u16, u32 } from "./byte-order.js";
import { MAX_CAPLEN } from "./packet.js";

export const CLASSIC_HEADER_LEN = 24;
export const CLASSIC_RECORD_HEADER_LEN = 16;

/** The magic numbers as read big-endian from the first four bytes. */
export const MAGIC_USEC = 0xa1b2c3d4;
export const MAGIC_NSEC = 0xa1b23c4d;
const MAGIC_USEC_SWAPPED = 0xd4c3b2a1;
const MAGIC_NSEC_SWAPPED = 0x4d3cb2a1;

export interface ClassicHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  snaplen: number;
  /** The LinkType field's low 16 bits; the upper bits carry FCS information (§4). */
  linkType: number;
}

/** True if the big-endian first word is a classic pcap magic number in either byte order. */
export function isClassicMagic(word: number): boolean {
  return word === MAGIC_USEC || word === MAGIC_NSEC || word === MAGIC_USEC_SWAPPED || word === MAGIC_NSEC_SWAPPED;
}

/** Parses the file header; `b` holds at least CLASSIC_HEADER_LEN bytes and a classic magic. */
export function parseClassicHeader(b: Uint8Array): ClassicHeader | ParseError {
  const magic = u32(b, 0, false);
  const littleEndian = magic === MAGIC_USEC_SWAPPED || magic === MAGIC_NSEC_SWAPPED;
  const nanosecond = magic === MAGIC_NSEC || magic === MAGIC_NSEC_SWAPPED;
  // §4: version 2.4 is current; 2.3 and 2.2 differ only in meanings no longer used.
  const major = u16(b, 4, littleEndian);
  if (major !== 2) return new ParseError("pcap", "major version", "unsupported", `version ${major}`);
  return { littleEndian, nanosecond, snaplen: u32(b, 16, littleEndian), linkType: u32(b, 20, littleEndian) & 0xffff };
}

/** Checks a record's CapLen before the reader waits for (or copies) that many bytes. */
export function checkClassicCaplen(caplen: number): ParseError | undefined {
  if (caplen > MAX_CAPLEN) {
    return new ParseError("pcap", "captured packet length", "overlong", `${caplen} bytes, limit ${MAX_CAPLEN}`);
  }
  return undefined;
}

/**
 * From a captured frame to the IP packet inside it, for the link types captures of TCP traffic
 * use. Only headers are stripped; the returned packet is a view into the frame.
 */

import { ParseError, truncated } from "../error.js";
import { readU16, readU32 } from "../bytes.js";
import { LinkType } from "./packet.js";

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard 0x9100 S-tag still seen on QinQ links. */
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;

/** BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS). */
const AF_INET = 2;
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

/** PPP protocol numbers (RFC 1332, RFC 5072). */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/**
 * The IPv4 or IPv6 packet carried by `frame`: a view into it, null when the frame carries
 * something else (ARP, LLDP, another family), or a ParseError if the link header is cut short or
 * the link type is not one this function knows.
 */
export function decodeLinkLayer(linkType: number, frame: Uint8Array): Uint8Array | null | ParseError {
  switch (linkType) {
    case LinkType.RAW:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14: {
      if (frame.length < 1) return truncated("raw", "version", 1, 0);
      const version = frame[0]! >>> 4;
      return version === 4 || version === 6 ? frame : null;
    }
    case LinkType.IPV4:
    case LinkType.IPV6:
      return frame.length < 1 ? truncated("raw", "version", 1, 0) : frame;
    case LinkType.ETHERNET:
      if (frame.length < 14) return truncated("ethernet", "ethertype", 14, frame.length);
      return byEtherType("ethernet", frame, 12);
    case LinkType.LINUX_SLL:
      if (frame.length < 16) return truncated("sll", "protocol type", 16, frame.length);
      return byEtherType("sll", frame, 14);
    case LinkType.LINUX_SLL2:
      if (frame.length < 20) return truncated("sll2", "protocol type", 20, frame.length);
      return byEtherType("sll2", frame, 0, 20);
    case LinkType.NULL:
    case LinkType.LOOP:
      return loopback(linkType, frame);
    case LinkType.PPP:
    case LinkType.PPP_HDLC:
      return ppp(frame);
    default:
      return new ParseError("link", "link type", "unsupported", `LINKTYPE ${linkType}`);
  }
}

/**
 * Dispatches on the EtherType at `typeOff`, the payload starting at `payloadOff` (right after the
 * EtherType unless given), stepping over any number of stacked VLAN tags (802.1Q, 802.1ad), each
 * four bytes: the tag control information and the next EtherType.
 */
function byEtherType(layer: string, frame: Uint8Array, typeOff: number, payloadOff = typeOff + 2): Uint8Array | null | ParseError {
  let type = readU16(frame, typeOff);
  let off = payloadOff;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (frame.length < off + 4) return truncated(layer, "vlan tag", off + 4, frame.length);
    type = readU16(frame, off + 2);
    off += 4;
  }
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return frame.subarray(off);
  return null;
}

function loopback(linkType: number, frame: Uint8Array): Uint8Array | null | ParseError {
  if (frame.length < 4) return truncated("loopback", "family", 4, frame.length);
  let family = readU32(frame, 0);
  // LINKTYPE_NULL stores the family in the capturing host's order. Families are small numbers,
  // so a value with its low 16 bits clear was written little-endian.
  if (linkType === LinkType.NULL && (family & 0xffff) === 0) family = (family >>> 24) | ((family >>> 8) & 0xff00);
  if (family === AF_INET || family === AF_INET6_BSD || family === AF_INET6_FREEBSD || family === AF_INET6_DARWIN) {
    return frame.subarray(4);
  }
  return null;
}

/**
 * PPP (RFC 1661 §2): optional HDLC-like address and control bytes 0xff 0x03 (RFC 1662 §3.1), then
 * a protocol field of two bytes, or one when compressed (odd first byte, RFC 1661 §6.5).
 */
function ppp(frame: Uint8Array): Uint8Array | null | ParseError {
  let off = 0;
  if (frame.length >= 2 && frame[0] === 0xff && frame[1] === 0x03) off = 2;
  if (frame.length < off + 1) return truncated("ppp", "protocol", off + 1, frame.length);
  let protocol: number;
  if ((frame[off]! & 1) === 1) {
    protocol = frame[off]!;
    off += 1;
  } else {
    if (frame.length < off + 2) return truncated("ppp", "protocol", off + 2, frame.length);
    protocol = readU16(frame, off);
    off += 2;
  }
  return protocol === PPP_IPV4 || protocol === PPP_IPV6 ? frame.subarray(off) : null;
}

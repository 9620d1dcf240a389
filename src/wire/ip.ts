/**
 * IP packets of either version: dispatch on the version nibble, and build a packet around an
 * upper-layer segment.
 */
import { ParseError, truncated } from "./error.js";
import { emitIpv4, emitIpv4HeaderInto, ipv4HeaderLength, parseIpv4 } from "./ipv4.js";
import type { Ipv4Header, Ipv4Repr } from "./ipv4.js";
import { emitIpv6, emitIpv6HeaderInto, ipv6HeaderLength, parseIpv6 } from "./ipv6.js";
import type { Ipv6Header, Ipv6Repr } from "./ipv6.js";

export { emitIpv4, emitIpv6 };

/** IP protocol number of TCP (both versions). */
export const IPPROTO_TCP = 6;

/**
 * Either repr. Both carry `version`, `src`, `dst`, `protocol` (the upper layer, after any IPv6
 * extension headers), `payload` (the upper-layer bytes) and `isFragment`.
 */
export type IpRepr = Ipv4Repr | Ipv6Repr;

/** Header fields for building a packet; the address length picks the version. */
export type IpHeader = Ipv4Header | Ipv6Header;

export interface IpParseOptions {
  /** Verify the IPv4 header checksum (IPv6 has none). */
  verifyChecksum?: boolean;
}

export function parseIpPacket(bytes: Uint8Array, opts?: IpParseOptions): IpRepr | ParseError {
  if (bytes.length === 0) return truncated("ip", "version", 1, 0);
  const version = bytes[0]! >>> 4;
  if (version === 4) return parseIpv4(bytes, opts);
  if (version === 6) return parseIpv6(bytes);
  return new ParseError("ip", "version", "unsupported", `version ${version}`);
}

/** Header length of the packet `emitIp` builds for `hdr`. */
export function ipHeaderLength(hdr: IpHeader): number {
  return hdr.src.length === 4 ? ipv4HeaderLength(hdr as Ipv4Header) : ipv6HeaderLength(hdr as Ipv6Header);
}

/**
 * Writes the IP header for `hdr` (IPv4 for 4-byte addresses, IPv6 for 16) at `buf[off]`, for
 * `payloadLength` bytes the caller places right after it; returns the header length.
 */
export function emitIpHeaderInto(buf: Uint8Array, off: number, hdr: IpHeader, payloadLength: number): number {
  return hdr.src.length === 4
    ? emitIpv4HeaderInto(buf, off, hdr as Ipv4Header, payloadLength)
    : emitIpv6HeaderInto(buf, off, hdr as Ipv6Header, payloadLength);
}

/** A new packet of the version `hdr`'s addresses imply, around a copy of `payload`. */
export function emitIp(hdr: IpHeader, payload: Uint8Array): Uint8Array {
  return hdr.src.length === 4 ? emitIpv4(hdr as Ipv4Header, payload) : emitIpv6(hdr as Ipv6Header, payload);
}

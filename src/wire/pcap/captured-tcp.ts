/**
 * The TCP segment inside a captured IP packet, also when the capture cut the frame short: a snap
 * length (tcpdump -s 96, editcap -s) is the usual way to record MPTCP headers without the data.
 * Shared by `mptcp dump` and `mptcp analyze`, so both see the same segments.
 *
 * A snapped packet's IP length field still gives the length on the wire (RFC 791 §3.1 total
 * length, RFC 8200 §3 payload length), but the bytes after the snap length are missing, so the
 * strict parsers (which require every byte the header claims) reject it. Here only the headers
 * must be whole; the segment's wire length comes from the IP header.
 */
import type { IpAddress } from "../address.js";
import { readU16 } from "../bytes.js";
import { isParseError, ParseError, truncated } from "../error.js";
import { IPPROTO_TCP, parseIpPacket, type IpRepr } from "../ip.js";
import { IPV6_HEADER_LEN, walkIpv6Extensions } from "../ipv6.js";
import { IPV4_MIN_HEADER_LEN } from "../ipv4.js";

export interface CapturedTcp {
  src: IpAddress;
  dst: IpAddress;
  /** The captured bytes of the segment: its header, then as much payload as the capture kept. */
  tcp: Uint8Array;
  /** The segment's length on the wire (header and payload), from the IP header. */
  wireLen: number;
}

/** A fragment that does not start at offset 0 holds no TCP header. */
function nonFirstFragment(pkt: IpRepr): boolean {
  if (!pkt.isFragment) return false;
  return pkt.version === 4 ? (pkt.fragmentOffset ?? 0) !== 0 : (pkt.fragment?.offset ?? 0) !== 0;
}

/**
 * The TCP segment of the IP packet `ip`. `snapped` says the capture kept fewer bytes than were
 * on the wire (caplen < original length): then the IP length fields may point past the end of
 * `ip`. Returns undefined for a packet that is not TCP or is a fragment after the first, and a
 * ParseError when the IP headers themselves do not decode (or were cut: no TCP byte is there).
 */
export function tcpOfIp(ip: Uint8Array, snapped: boolean): CapturedTcp | ParseError | undefined {
  if (!snapped) {
    const pkt = parseIpPacket(ip);
    if (isParseError(pkt)) return pkt;
    if (pkt.protocol !== IPPROTO_TCP || nonFirstFragment(pkt)) return undefined;
    return { src: pkt.src, dst: pkt.dst, tcp: pkt.payload, wireLen: pkt.payload.length };
  }
  if (ip.length === 0) return truncated("ip", "version", 1, 0);
  const version = ip[0]! >>> 4;
  if (version === 4) return snappedIpv4(ip);
  if (version === 6) return snappedIpv6(ip);
  return new ParseError("ip", "version", "unsupported", `version ${version}`);
}

/** IPv4 (RFC 791 §3.1) with options; only the header has to be captured. */
function snappedIpv4(ip: Uint8Array): CapturedTcp | ParseError | undefined {
  if (ip.length < IPV4_MIN_HEADER_LEN) return truncated("ipv4", "header", IPV4_MIN_HEADER_LEN, ip.length);
  const ihl = (ip[0]! & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER_LEN) return new ParseError("ipv4", "IHL", "bad-length", `IHL ${ihl / 4} below 5`);
  if (ip.length < ihl) return truncated("ipv4", "options", ihl, ip.length);
  // Fragment offset (the low 13 bits of the flags word) non-zero: the middle of a segment.
  if (ip[9] !== IPPROTO_TCP || (readU16(ip, 6) & 0x1fff) !== 0) return undefined;
  const total = readU16(ip, 2);
  if (total < ihl) return new ParseError("ipv4", "total length", "bad-length", `total length ${total} below header ${ihl}`);
  return { src: ip.subarray(12, 16), dst: ip.subarray(16, 20), tcp: ip.subarray(ihl, Math.min(ip.length, total)), wireLen: total - ihl };
}

/** IPv6 (RFC 8200 §3) and its extension headers (§4), which have to be captured whole. */
function snappedIpv6(ip: Uint8Array): CapturedTcp | ParseError | undefined {
  if (ip.length < IPV6_HEADER_LEN) return truncated("ipv6", "header", IPV6_HEADER_LEN, ip.length);
  const payloadLen = readU16(ip, 4);
  const captured = ip.subarray(IPV6_HEADER_LEN, Math.min(ip.length, IPV6_HEADER_LEN + payloadLen));
  const chain = walkIpv6Extensions(captured, ip[6]!);
  if (isParseError(chain)) return chain;
  if (chain.protocol !== IPPROTO_TCP || (chain.fragment?.offset ?? 0) !== 0) return undefined;
  return {
    src: ip.subarray(8, 24),
    dst: ip.subarray(24, 40),
    tcp: captured.subarray(chain.offset),
    wireLen: Math.max(0, payloadLen - chain.offset),
  };
}

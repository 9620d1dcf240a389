/**
 * What a capture reader hands out: one packet, with its timestamp normalised to whole seconds
 * plus nanoseconds whatever the file's resolution, and the link type needed to find the IP header.
 */

export interface CapturedPacket {
  /** Whole seconds since the Unix epoch (UTC), with the interface's if_tsoffset applied. */
  tsSec: number;
  /** Nanoseconds within the second, 0 to 999 999 999. */
  tsNsec: number;
  /** `tsSec + tsNsec / 1e9` as a float, for display and plots (a double keeps about 0.2 µs). */
  time: number;
  /** The LINKTYPE_ value of the capturing interface (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /** The interface's index within its pcapng section; always 0 for classic pcap. */
  interfaceId: number;
  /**
   * The captured bytes, possibly fewer than `origLen`. A view into the chunk that was pushed to
   * the parser (or into a private copy when the record straddled two chunks): it stays valid as
   * long as the caller does not overwrite the chunks it pushed.
   */
  data: Uint8Array;
  /** The packet's length on the wire. */
  origLen: number;
}

/** LINKTYPE_ values this package decodes (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  NULL: 0,
  ETHERNET: 1,
  /** PPP (RFC 1661), optionally with HDLC-like address and control bytes (RFC 1662). */
  PPP: 9,
  /** DLT_RAW as some BSDs number it; the file format maps both to LINKTYPE_RAW. */
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  PPP_HDLC: 50,
  /** Raw IP: the packet starts with the IPv4 or IPv6 header. */
  RAW: 101,
  /** OpenBSD loopback: like NULL but the family is in network byte order. */
  LOOP: 108,
  /** Linux "cooked" capture v1: a 16-byte header, protocol (EtherType) at offset 14. */
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  /** Linux "cooked" capture v2: a 20-byte header, protocol (EtherType) at offset 0. */
  LINUX_SLL2: 276,
} as const;

/**
 * The largest captured length accepted, as Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: beyond it a
 * length field is taken to be corrupt, so a bad record cannot make the reader allocate much.
 */
export const MAX_CAPLEN = 262144;

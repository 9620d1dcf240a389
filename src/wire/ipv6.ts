/**
 * IPv6 header (RFC 8200 §3) and its extension header chain (RFC 8200 §4, AH per RFC 4302 §2.2):
 * a checked zero-copy view and a plain repr with parse and emit.
 */
import { readU16, readU32, writeU16, writeU32 } from "./bytes.js";
import type { IpAddress } from "./address.js";
import { ParseError, truncated } from "./error.js";

const LAYER = "ipv6";
export const IPV6_HEADER_LEN = 40;

/** Next Header values the chain walk knows (IANA "Assigned Internet Protocol Numbers"). */
export const IPV6_NEXT_HEADER = {
  HOP_BY_HOP: 0,
  TCP: 6,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  NO_NEXT_HEADER: 59,
  DESTINATION_OPTIONS: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
} as const;

/**
 * At most this many extension headers are walked. Each header is at least 8 bytes so the walk
 * always ends, but a packet that needs more than this is not one a TCP endpoint should accept.
 */
export const IPV6_MAX_EXTENSION_HEADERS = 16;

/**
 * A checked view over an IPv6 packet. `check` guarantees the fixed header and `payloadLength`
 * bytes are in the buffer. The extension chain is walked on demand by `walkIpv6Extensions`.
 */
export class Ipv6Packet {
  private constructor(readonly buffer: Uint8Array) {}

  /**
   * Checks the version and the payload length. Bytes past the payload length (link-layer padding)
   * are ignored; a buffer shorter than it is truncated.
   */
  static check(bytes: Uint8Array): Ipv6Packet | ParseError {
    if (bytes.length < IPV6_HEADER_LEN) return truncated(LAYER, "header", IPV6_HEADER_LEN, bytes.length);
    const version = bytes[0]! >>> 4;
    if (version !== 6) return new ParseError(LAYER, "version", "bad-value", `version ${version}`);
    const payloadLen = readU16(bytes, 4);
    if (payloadLen === 0 && bytes[6] === IPV6_NEXT_HEADER.HOP_BY_HOP) {
      // RFC 2675 jumbograms carry their length in a hop-by-hop option; never on a TCP path we serve.
      return new ParseError(LAYER, "payload length", "unsupported", "jumbogram");
    }
    if (IPV6_HEADER_LEN + payloadLen > bytes.length) {
      return truncated(LAYER, "payload length", IPV6_HEADER_LEN + payloadLen, bytes.length);
    }
    return new Ipv6Packet(bytes);
  }

  get version(): number { return this.buffer[0]! >>> 4; }
  get trafficClass(): number { return ((this.buffer[0]! & 0x0f) << 4) | (this.buffer[1]! >>> 4); }
  get flowLabel(): number { return readU32(this.buffer, 0) & 0xfffff; }
  get payloadLength(): number { return readU16(this.buffer, 4); }
  /** The type of the first header after the fixed header (extension or upper layer). */
  get nextHeader(): number { return this.buffer[6]!; }
  get hopLimit(): number { return this.buffer[7]!; }
  get src(): IpAddress { return this.buffer.subarray(8, 24); }
  get dst(): IpAddress { return this.buffer.subarray(24, 40); }
  /** Everything after the fixed header, up to the payload length: extension headers and data. */
  get payload(): Uint8Array { return this.buffer.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + this.payloadLength); }
}

/**
 * One extension header, whole: `bytes` runs from its Next Header byte to its end. Emit writes it
 * as it is except for that first byte, which it sets from the chain.
 */
export interface Ipv6ExtensionHeader {
  type: number;
  bytes: Uint8Array;
}

/** The fields of a Fragment header (RFC 8200 §4.5). */
export interface Ipv6FragmentInfo {
  /** Offset of the data in the original packet, in bytes (the field counts 8-byte units). */
  offset: number;
  /** The M flag: more fragments follow. */
  more: boolean;
  identification: number;
}

/** The result of walking the chain over `payload` (the bytes after the fixed header). */
export interface Ipv6Chain {
  headers: Ipv6ExtensionHeader[];
  /**
   * The upper-layer protocol: the Next Header value after the last extension header. For ESP (50)
   * and No Next Header (59) the walk stops there; in a non-first fragment it is the protocol of
   * the fragmented packet.
   */
  protocol: number;
  /** Offset of the upper-layer data in `payload`. */
  offset: number;
  fragment?: Ipv6FragmentInfo;
  /** The packet is a fragment (non-zero offset or M set); an atomic fragment (RFC 6946) is not. */
  isFragment: boolean;
}

/** Walks the extension headers starting with type `first` over `payload`. */
export function walkIpv6Extensions(payload: Uint8Array, first: number): Ipv6Chain | ParseError {
  const headers: Ipv6ExtensionHeader[] = [];
  let type = first;
  let off = 0;
  let fragment: Ipv6FragmentInfo | undefined;
  let isFragment = false;
  for (;;) {
    // RFC 8200 §4.1: hop-by-hop options only immediately after the IPv6 header.
    if (type === IPV6_NEXT_HEADER.HOP_BY_HOP && headers.length !== 0) {
      return new ParseError(LAYER, "next header", "bad-value", "hop-by-hop not first");
    }
    let len: number;
    switch (type) {
      case IPV6_NEXT_HEADER.HOP_BY_HOP:
      case IPV6_NEXT_HEADER.ROUTING:
      case IPV6_NEXT_HEADER.DESTINATION_OPTIONS:
      case IPV6_NEXT_HEADER.MOBILITY:
      case IPV6_NEXT_HEADER.HIP:
      case IPV6_NEXT_HEADER.SHIM6:
        // RFC 8200 §4.3-§4.6 format (RFC 6564): Hdr Ext Len in 8-octet units, not counting the first 8.
        if (off + 2 > payload.length) return truncated(LAYER, `extension header ${type}`, off + 2, payload.length);
        len = (payload[off + 1]! + 1) * 8;
        break;
      case IPV6_NEXT_HEADER.FRAGMENT:
        len = 8;
        break;
      case IPV6_NEXT_HEADER.AH:
        // RFC 4302 §2.2: Payload Len in 32-bit words, minus 2.
        if (off + 2 > payload.length) return truncated(LAYER, "authentication header", off + 2, payload.length);
        len = (payload[off + 1]! + 2) * 4;
        break;
      default:
        // An upper-layer header, or ESP (RFC 4303: nothing after it is readable), or No Next Header.
        return fragment === undefined
          ? { headers, protocol: type, offset: off, isFragment }
          : { headers, protocol: type, offset: off, fragment, isFragment };
    }
    if (headers.length === IPV6_MAX_EXTENSION_HEADERS) {
      return new ParseError(LAYER, "extension headers", "overlong", `more than ${IPV6_MAX_EXTENSION_HEADERS}`);
    }
    if (off + len > payload.length) return truncated(LAYER, `extension header ${type}`, off + len, payload.length);
    const bytes = payload.subarray(off, off + len);
    headers.push({ type, bytes });
    off += len;
    if (type === IPV6_NEXT_HEADER.FRAGMENT) {
      const word = readU16(bytes, 2);
      fragment = { offset: word & 0xfff8, more: (word & 1) !== 0, identification: readU32(bytes, 4) };
      isFragment = fragment.offset !== 0 || fragment.more;
      // RFC 8200 §4.5: the data of a non-first fragment is the middle of the packet, not headers.
      if (fragment.offset !== 0) return { headers, protocol: bytes[0]!, offset: off, fragment, isFragment };
    }
    type = bytes[0]!;
  }
}

/**
 * The header fields a sender chooses; everything but the addresses and protocol has a default,
 * so building a packet around a segment is `emitIpv6({ src, dst, protocol: 6 }, segment)`.
 */
export interface Ipv6Header {
  src: IpAddress;
  dst: IpAddress;
  /** The upper-layer protocol (the Next Header of the last extension header). */
  protocol: number;
  /** Default 64. */
  hopLimit?: number;
  /** Default 0. */
  trafficClass?: number;
  /** Default 0. */
  flowLabel?: number;
  /** Emitted in order; each one's Next Header byte is set from the chain. Default none. */
  extensionHeaders?: Ipv6ExtensionHeader[];
}

/** A parsed IPv6 packet. */
export interface Ipv6Repr extends Required<Ipv6Header> {
  version: 6;
  /** The upper-layer data (after all extension headers), up to the payload length. */
  payload: Uint8Array;
  /** Present when the chain has a Fragment header. */
  fragment?: Ipv6FragmentInfo;
  /** A fragment proper (derived on parse; emit writes the headers as given). */
  isFragment: boolean;
}

export function parseIpv6(bytes: Uint8Array): Ipv6Repr | ParseError {
  const p = Ipv6Packet.check(bytes);
  if (p instanceof ParseError) return p;
  const payload = p.payload;
  const chain = walkIpv6Extensions(payload, p.nextHeader);
  if (chain instanceof ParseError) return chain;
  const repr: Ipv6Repr = {
    version: 6,
    src: p.src,
    dst: p.dst,
    protocol: chain.protocol,
    hopLimit: p.hopLimit,
    trafficClass: p.trafficClass,
    flowLabel: p.flowLabel,
    extensionHeaders: chain.headers,
    payload: payload.subarray(chain.offset),
    isFragment: chain.isFragment,
  };
  if (chain.fragment) repr.fragment = chain.fragment;
  return repr;
}

/** Fixed header plus extension headers. */
export function ipv6HeaderLength(hdr: Ipv6Header): number {
  let len = IPV6_HEADER_LEN;
  const ext = hdr.extensionHeaders;
  if (ext) for (let i = 0; i < ext.length; i++) len += ext[i]!.bytes.length;
  return len;
}

/**
 * Writes the fixed and extension headers at `buf[off]` for `payloadLength` bytes of upper-layer
 * data that the caller places right after them; returns the headers' length. Throws a
 * `RangeError` for a header that cannot be encoded (a programming error, not input).
 */
export function emitIpv6HeaderInto(buf: Uint8Array, off: number, hdr: Ipv6Header, payloadLength: number): number {
  const headerLen = ipv6HeaderLength(hdr);
  const ipPayloadLen = headerLen - IPV6_HEADER_LEN + payloadLength;
  if (ipPayloadLen > 0xffff) throw new RangeError(`IPv6 payload length ${ipPayloadLen}`);
  if (hdr.src.length !== 16 || hdr.dst.length !== 16) throw new RangeError("IPv6 header with a non-IPv6 address");
  const tc = (hdr.trafficClass ?? 0) & 0xff;
  writeU32(buf, off, ((0x60 | (tc >>> 4)) << 24 | ((tc & 0x0f) << 20) | ((hdr.flowLabel ?? 0) & 0xfffff)) >>> 0);
  writeU16(buf, off + 4, ipPayloadLen);
  const ext = hdr.extensionHeaders ?? [];
  buf[off + 6] = ext.length > 0 ? ext[0]!.type : hdr.protocol;
  buf[off + 7] = hdr.hopLimit ?? 64;
  buf.set(hdr.src, off + 8);
  buf.set(hdr.dst, off + 24);
  let pos = off + IPV6_HEADER_LEN;
  for (let i = 0; i < ext.length; i++) {
    const h = ext[i]!;
    if (h.bytes.length < 8) throw new RangeError(`IPv6 extension header of ${h.bytes.length} bytes`);
    buf.set(h.bytes, pos);
    buf[pos] = i + 1 < ext.length ? ext[i + 1]!.type : hdr.protocol;
    pos += h.bytes.length;
  }
  return headerLen;
}

/** A new packet: the headers of `hdr` followed by a copy of `payload`. */
export function emitIpv6(hdr: Ipv6Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ipv6HeaderLength(hdr) + payload.length);
  const headerLen = emitIpv6HeaderInto(out, 0, hdr, payload.length);
  out.set(payload, headerLen);
  return out;
}

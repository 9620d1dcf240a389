/**
 * IPv4 header (RFC 791 §3.1; DSCP/ECN per RFC 2474 and RFC 3168 §5): a checked zero-copy view and a
 * plain repr with parse and emit.
 */
import { readU16, writeU16 } from "./bytes.js";
import type { IpAddress } from "./address.js";
import { checksumAdd, checksumAddU16, checksumFinish, internetChecksum } from "./checksum.js";
import type { ChecksumAccumulator } from "./checksum.js";
import { ParseError, truncated } from "./error.js";

const LAYER = "ipv4";
/** Fixed part of the header (IHL 5). */
export const IPV4_MIN_HEADER_LEN = 20;
/** IHL is 4 bits of 32-bit words. */
export const IPV4_MAX_HEADER_LEN = 60;

const FLAG_RESERVED = 0x8000;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

/**
 * A checked view over an IPv4 packet. `check` guarantees that the header, its options and
 * `totalLength` bytes are inside the buffer, so every accessor is in bounds.
 */
export class Ipv4Packet {
  private constructor(readonly buffer: Uint8Array) {}

  /**
   * Checks the version, IHL and total length. Bytes beyond the total length (link-layer padding,
   * e.g. an Ethernet minimum frame) are ignored; a buffer shorter than it is truncated.
   */
  static check(bytes: Uint8Array): Ipv4Packet | ParseError {
    if (bytes.length < IPV4_MIN_HEADER_LEN) return truncated(LAYER, "header", IPV4_MIN_HEADER_LEN, bytes.length);
    const version = bytes[0]! >>> 4;
    if (version !== 4) return new ParseError(LAYER, "version", "bad-value", `version ${version}`);
    const headerLen = (bytes[0]! & 0x0f) * 4;
    if (headerLen < IPV4_MIN_HEADER_LEN) {
      return new ParseError(LAYER, "IHL", "bad-length", `IHL ${headerLen / 4} below 5`);
    }
    if (headerLen > bytes.length) return truncated(LAYER, "options", headerLen, bytes.length);
    const totalLen = readU16(bytes, 2);
    if (totalLen < headerLen) {
      return new ParseError(LAYER, "total length", "bad-length", `total length ${totalLen} below header ${headerLen}`);
    }
    if (totalLen > bytes.length) return truncated(LAYER, "total length", totalLen, bytes.length);
    return new Ipv4Packet(bytes);
  }

  get version(): number { return this.buffer[0]! >>> 4; }
  /** Header length in bytes (IHL × 4). */
  get headerLength(): number { return (this.buffer[0]! & 0x0f) * 4; }
  /** Differentiated Services Code Point: the upper 6 bits of the old TOS byte (RFC 2474 §3). */
  get dscp(): number { return this.buffer[1]! >>> 2; }
  /** ECN codepoint: the lower 2 bits of the old TOS byte (RFC 3168 §5). */
  get ecn(): number { return this.buffer[1]! & 0x03; }
  get totalLength(): number { return readU16(this.buffer, 2); }
  get identification(): number { return readU16(this.buffer, 4); }
  /** The reserved flag bit, which RFC 791 says must be zero. */
  get reservedFlag(): boolean { return (readU16(this.buffer, 6) & FLAG_RESERVED) !== 0; }
  get dontFragment(): boolean { return (readU16(this.buffer, 6) & FLAG_DF) !== 0; }
  get moreFragments(): boolean { return (readU16(this.buffer, 6) & FLAG_MF) !== 0; }
  /** Fragment offset in bytes (the field counts 8-byte units). */
  get fragmentOffset(): number { return (readU16(this.buffer, 6) & OFFSET_MASK) * 8; }
  /**
   * True for every fragment but an unfragmented packet: MF set or a non-zero offset (RFC 791
   * §3.2). The payload of a fragment is not a whole upper-layer segment.
   */
  get isFragment(): boolean { return (readU16(this.buffer, 6) & (FLAG_MF | OFFSET_MASK)) !== 0; }
  get ttl(): number { return this.buffer[8]!; }
  get protocol(): number { return this.buffer[9]!; }
  get checksum(): number { return readU16(this.buffer, 10); }
  get src(): IpAddress { return this.buffer.subarray(12, 16); }
  get dst(): IpAddress { return this.buffer.subarray(16, 20); }
  /** The raw option bytes between the fixed header and the payload. */
  get options(): Uint8Array { return this.buffer.subarray(IPV4_MIN_HEADER_LEN, this.headerLength); }
  /** The bytes after the header, up to the total length. */
  get payload(): Uint8Array { return this.buffer.subarray(this.headerLength, this.totalLength); }
  /** RFC 791 §3.1: the header checksum makes the header (options included) sum to zero. */
  verifyChecksum(): boolean { return internetChecksum(this.buffer, 0, this.headerLength) === 0; }

  /**
   * The sum of the upper-layer pseudo-header (RFC 9293 §3.1: source, destination, zero,
   * protocol, and the payload length), read in place, to start the payload's checksum from.
   */
  pseudoHeaderSum(): ChecksumAccumulator {
    const b = this.buffer;
    const addresses = checksumAdd(0, b, 12, 20);
    return checksumAddU16(checksumAddU16(addresses, b[9]!), readU16(b, 2) - (b[0]! & 0x0f) * 4);
  }
}

/**
 * The header fields a sender chooses. Everything but the addresses and protocol has a default, so
 * building a packet around a segment is `emitIpv4({ src, dst, protocol: 6 }, segment)`.
 */
export interface Ipv4Header {
  src: IpAddress;
  dst: IpAddress;
  protocol: number;
  /** Default 64. */
  ttl?: number;
  /** Default 0. */
  dscp?: number;
  /** Default 0 (Not-ECT). */
  ecn?: number;
  /** Default 0. */
  identification?: number;
  /** Default true: TCP relies on path MTU discovery (RFC 1191). */
  dontFragment?: boolean;
  /** Default false. */
  moreFragments?: boolean;
  /** In bytes, a multiple of 8. Default 0. */
  fragmentOffset?: number;
  /** The reserved flag bit, set only to re-emit a captured packet as it was. */
  reservedFlag?: boolean;
  /** Raw option bytes; emit pads them with zeros (End of Option List) to a 4-byte boundary. */
  options?: Uint8Array;
}

/** A parsed IPv4 packet: every header field, and views of the addresses, options and payload. */
export interface Ipv4Repr extends Required<Omit<Ipv4Header, "reservedFlag">> {
  version: 4;
  reservedFlag?: boolean;
  /** The header checksum as on the wire (emit computes its own). */
  checksum: number;
  /** The bytes after the header up to the total length. */
  payload: Uint8Array;
  /** MF set or non-zero offset (derived on parse; emit uses the fields above). */
  isFragment: boolean;
}

export interface Ipv4ParseOptions {
  /** Verify the header checksum, returning a `bad-checksum` error on mismatch. */
  verifyChecksum?: boolean;
}

export function parseIpv4(bytes: Uint8Array, opts?: Ipv4ParseOptions): Ipv4Repr | ParseError {
  const p = Ipv4Packet.check(bytes);
  if (p instanceof ParseError) return p;
  if (opts?.verifyChecksum && !p.verifyChecksum()) {
    return new ParseError(LAYER, "header checksum", "bad-checksum", `checksum 0x${p.checksum.toString(16)}`);
  }
  const repr: Ipv4Repr = {
    version: 4,
    src: p.src,
    dst: p.dst,
    protocol: p.protocol,
    ttl: p.ttl,
    dscp: p.dscp,
    ecn: p.ecn,
    identification: p.identification,
    dontFragment: p.dontFragment,
    moreFragments: p.moreFragments,
    fragmentOffset: p.fragmentOffset,
    options: p.options,
    checksum: p.checksum,
    payload: p.payload,
    isFragment: p.isFragment,
  };
  if (p.reservedFlag) repr.reservedFlag = true;
  return repr;
}

/** Header length emit will use: 20 plus the options padded to a 4-byte boundary. */
export function ipv4HeaderLength(hdr: Ipv4Header): number {
  const opts = hdr.options?.length ?? 0;
  return IPV4_MIN_HEADER_LEN + ((opts + 3) & ~3);
}

/**
 * Writes the header at `buf[off]` for a payload of `payloadLength` bytes that the caller places
 * (or has placed) right after it, computes the header checksum, and returns the header length.
 * Throws a `RangeError` for a header that cannot be encoded (a programming error, not input).
 */
export function emitIpv4HeaderInto(buf: Uint8Array, off: number, hdr: Ipv4Header, payloadLength: number): number {
  const headerLen = ipv4HeaderLength(hdr);
  const totalLen = headerLen + payloadLength;
  if (headerLen > IPV4_MAX_HEADER_LEN) throw new RangeError(`IPv4 options of ${hdr.options!.length} bytes`);
  if (totalLen > 0xffff) throw new RangeError(`IPv4 total length ${totalLen}`);
  if (notIpv4(hdr.src) || notIpv4(hdr.dst)) throw new RangeError("IPv4 header with a non-IPv4 address");
  const fragOffset = hdr.fragmentOffset ?? 0;
  if (fragOffset % 8 !== 0 || fragOffset / 8 > OFFSET_MASK) throw new RangeError(`fragment offset ${fragOffset}`);
  buf[off] = 0x40 | (headerLen >>> 2);
  buf[off + 1] = (((hdr.dscp ?? 0) & 0x3f) << 2) | ((hdr.ecn ?? 0) & 0x03);
  writeU16(buf, off + 2, totalLen);
  writeU16(buf, off + 4, hdr.identification ?? 0);
  const flags =
    (hdr.reservedFlag ? FLAG_RESERVED : 0) |
    ((hdr.dontFragment ?? true) ? FLAG_DF : 0) |
    (hdr.moreFragments ? FLAG_MF : 0);
  writeU16(buf, off + 6, flags | (fragOffset / 8));
  buf[off + 8] = hdr.ttl ?? 64;
  buf[off + 9] = hdr.protocol;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  // Four bytes each: a loop is cheaper than two `set` calls.
  const src = hdr.src, dst = hdr.dst;
  for (let i = 0; i < 4; i++) {
    buf[off + 12 + i] = src[i]!;
    buf[off + 16 + i] = dst[i]!;
  }
  const opts = hdr.options;
  if (opts) {
    buf.set(opts, off + IPV4_MIN_HEADER_LEN);
    buf.fill(0, off + IPV4_MIN_HEADER_LEN + opts.length, off + headerLen);
  }
  writeU16(buf, off + 10, internetChecksum(buf, off, off + headerLen));
  return headerLen;
}

/**
 * The header of `hdr` prepared once for a flow whose packets differ only in their total length
 * (a TCP connection: same addresses and fields on every segment). `emitInto` writes exactly what
 * `emitIpv4HeaderInto(buf, off, hdr, payloadLength)` writes, by copying the 20 bytes and adding
 * the total length to the checksum incrementally (RFC 1624 §3: the sum of the other words is
 * fixed), instead of reading every field of `hdr` and summing the header again per packet.
 */
export class Ipv4HeaderTemplate {
  private readonly bytes = new Uint8Array(IPV4_MIN_HEADER_LEN);
  /** The one's-complement sum of the header with zero total length and checksum. */
  private readonly sum: ChecksumAccumulator;

  /** Throws a `RangeError` for a header `emitIpv4HeaderInto` rejects, or one with options. */
  constructor(hdr: Ipv4Header) {
    if ((hdr.options?.length ?? 0) > 0) throw new RangeError("an IPv4 header template has no options");
    const b = this.bytes;
    emitIpv4HeaderInto(b, 0, hdr, 0);
    b[2] = b[3] = b[10] = b[11] = 0;
    this.sum = checksumAdd(0, b);
  }

  /** Writes the header at `buf[off]` for a payload of `payloadLength` bytes; returns 20. */
  emitInto(buf: Uint8Array, off: number, payloadLength: number): number {
    const totalLen = IPV4_MIN_HEADER_LEN + payloadLength;
    if (totalLen > 0xffff) throw new RangeError(`IPv4 total length ${totalLen}`);
    const b = this.bytes;
    for (let i = 0; i < IPV4_MIN_HEADER_LEN; i++) buf[off + i] = b[i]!;
    writeU16(buf, off + 2, totalLen);
    writeU16(buf, off + 10, checksumFinish(checksumAddU16(this.sum, totalLen)));
    return IPV4_MIN_HEADER_LEN;
  }
}

/** A new packet: the header of `hdr` followed by a copy of `payload`. */
export function emitIpv4(hdr: Ipv4Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ipv4HeaderLength(hdr) + payload.length);
  const headerLen = emitIpv4HeaderInto(out, 0, hdr, payload.length);
  out.set(payload, headerLen);
  return out;
}

function notIpv4(a: IpAddress): boolean {
  return a.length !== 4;
}

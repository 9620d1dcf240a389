/**
 * TCP header (RFC 9293 §3.1): a checked zero-copy view and the `TcpRepr` parse and emit.
 */
import { readU16, readU32, writeU16, writeU32 } from "./bytes.js";
import type { IpAddress } from "./address.js";
import { checksumAdd, checksumFinish, pseudoHeaderSum } from "./checksum.js";
import type { ChecksumAccumulator } from "./checksum.js";
import { ParseError, truncated } from "./error.js";
import { emitTcpOptions, parseTcpOptionsIn, tcpOptionsLength } from "./tcp-options.js";
import type { TcpRepr } from "./tcp-types.js";

const LAYER = "tcp";
const IPPROTO_TCP = 6;
export const TCP_MIN_HEADER_LEN = 20;
/** Data offset is 4 bits of 32-bit words. */
export const TCP_MAX_HEADER_LEN = 60;

/**
 * A checked view over a TCP segment. `check` guarantees that the header and the option area its
 * data offset claims are inside the buffer; the payload is everything after them.
 */
export class TcpPacket {
  private constructor(readonly buffer: Uint8Array) {}

  static check(bytes: Uint8Array): TcpPacket | ParseError {
    return headerError(bytes, 0, bytes.length) ?? new TcpPacket(bytes);
  }

  get srcPort(): number { return readU16(this.buffer, 0); }
  get dstPort(): number { return readU16(this.buffer, 2); }
  get seq(): number { return readU32(this.buffer, 4); }
  get ack(): number { return readU32(this.buffer, 8); }
  /** Header length in 32-bit words. */
  get dataOffset(): number { return this.buffer[12]! >>> 4; }
  /** Header length in bytes. */
  get headerLength(): number { return (this.buffer[12]! >>> 4) * 4; }
  /** The 3 reserved bits between data offset and NS (RFC 9293 §3.1: must be zero). */
  get reserved(): number { return (this.buffer[12]! >>> 1) & 0x07; }
  /** The 8 flag bits plus NS as bit 8, per `TCP_FLAG`. */
  get flags(): number { return ((this.buffer[12]! & 0x01) << 8) | this.buffer[13]!; }
  get window(): number { return readU16(this.buffer, 14); }
  get checksum(): number { return readU16(this.buffer, 16); }
  get urgentPointer(): number { return readU16(this.buffer, 18); }
  /** The bytes between the fixed header and the data. */
  get optionArea(): Uint8Array { return this.buffer.subarray(TCP_MIN_HEADER_LEN, this.headerLength); }
  get payload(): Uint8Array { return this.buffer.subarray(this.headerLength); }

  /** True when the segment, with the pseudo-header for `src` and `dst`, sums to zero. */
  verifyChecksum(src: IpAddress, dst: IpAddress): boolean {
    const b = this.buffer;
    return checksumFinish(checksumAdd(pseudoHeaderSum(src, dst, IPPROTO_TCP, b.length), b)) === 0;
  }
}

export interface TcpParseOptions {
  /** Verify the checksum against the pseudo-header of these addresses (`bad-checksum` on mismatch). */
  checksum?: { src: IpAddress; dst: IpAddress };
}

/** What is wrong with the header of the segment `buf[start, end)`, if anything. */
function headerError(buf: Uint8Array, start: number, end: number): ParseError | undefined {
  const length = end - start;
  if (length < TCP_MIN_HEADER_LEN) return truncated(LAYER, "header", TCP_MIN_HEADER_LEN, length);
  const headerLen = (buf[start + 12]! >>> 4) * 4;
  if (headerLen < TCP_MIN_HEADER_LEN) {
    return new ParseError(LAYER, "data offset", "bad-length", `data offset ${headerLen / 4} below 5`);
  }
  if (headerLen > length) return truncated(LAYER, "data offset", headerLen, length);
  return undefined;
}

/** Parses a whole segment (`bytes` ends where the IP payload ends). */
export function parseTcp(bytes: Uint8Array, opts?: TcpParseOptions): TcpRepr | ParseError {
  const c = opts?.checksum;
  return parseTcpIn(bytes, 0, bytes.length, c === undefined ? undefined : pseudoHeaderSum(c.src, c.dst, IPPROTO_TCP, bytes.length));
}

/**
 * `parseTcp` of the segment `buf[start, end)` (`end` is where the IP payload ends), read in place:
 * a receive path parses straight out of the datagram, and the repr's payload is a view of it.
 * With `pseudoHeader`, the sum of the pseudo-header (`pseudoHeaderSum`, or
 * `Ipv4Packet.pseudoHeaderSum`), the checksum is verified first.
 */
export function parseTcpIn(buf: Uint8Array, start: number, end: number, pseudoHeader?: ChecksumAccumulator): TcpRepr | ParseError {
  const error = headerError(buf, start, end);
  if (error !== undefined) return error;
  if (pseudoHeader !== undefined && checksumFinish(checksumAdd(pseudoHeader, buf, start, end)) !== 0) {
    return new ParseError(LAYER, "checksum", "bad-checksum", `checksum 0x${readU16(buf, start + 16).toString(16)}`);
  }
  const b12 = buf[start + 12]!;
  const headerEnd = start + (b12 >>> 4) * 4;
  const repr: TcpRepr = {
    srcPort: readU16(buf, start),
    dstPort: readU16(buf, start + 2),
    seq: readU32(buf, start + 4),
    ack: readU32(buf, start + 8),
    flags: ((b12 & 0x01) << 8) | buf[start + 13]!,
    window: readU16(buf, start + 14),
    checksum: readU16(buf, start + 16),
    urgentPointer: readU16(buf, start + 18),
    options: parseTcpOptionsIn(buf, start + TCP_MIN_HEADER_LEN, headerEnd),
    payload: payloadView(buf, headerEnd, end),
  };
  const reserved = (b12 >>> 1) & 0x07;
  if (reserved !== 0) repr.reserved = reserved;
  return repr;
}

/** The payload of a segment without one: shared, as nothing can be written into it. */
const NO_PAYLOAD = new Uint8Array(0);

/**
 * `buf[start, end)` as a view, without making one for the many segments that carry nothing (the
 * ACKs). (The `Uint8Array` constructor, faster than `subarray` elsewhere, is slower here: it
 * needs `buf.buffer`, a call into V8's runtime.)
 */
function payloadView(buf: Uint8Array, start: number, end: number): Uint8Array {
  return start === end ? NO_PAYLOAD : buf.subarray(start, end);
}

/** Header length emit will use: 20 plus the options padded with zeros to a 4-byte boundary. */
export function tcpHeaderLength(repr: TcpRepr): number {
  return TCP_MIN_HEADER_LEN + ((tcpOptionsLength(repr.options) + 3) & ~3);
}

/**
 * Writes the segment (header, options, payload) at `buf[off]`, computes the checksum with the
 * pseudo-header of `src` and `dst` (IPv4 or IPv6 by their length), and returns the bytes
 * written. Throws a `RangeError` if the options do not fit in 40 bytes or `buf` is too short.
 */
export function emitTcpInto(buf: Uint8Array, off: number, repr: TcpRepr, src: IpAddress, dst: IpAddress): number {
  return emitTcpSizedInto(buf, off, repr, tcpHeaderLength(repr), src, dst);
}

/**
 * `emitTcpInto` for a caller that already computed `headerLen = tcpHeaderLength(repr)` (to size
 * the datagram), so that the options are not measured twice per segment.
 */
export function emitTcpSizedInto(buf: Uint8Array, off: number, repr: TcpRepr, headerLen: number, src: IpAddress, dst: IpAddress): number {
  if (headerLen > TCP_MAX_HEADER_LEN) throw new RangeError(`TCP options of ${headerLen - TCP_MIN_HEADER_LEN} bytes (padded)`);
  const total = headerLen + repr.payload.length;
  if (off + total > buf.length) throw new RangeError(`TCP segment of ${total} bytes at ${off} in ${buf.length}`);
  writeU16(buf, off, repr.srcPort);
  writeU16(buf, off + 2, repr.dstPort);
  writeU32(buf, off + 4, repr.seq);
  writeU32(buf, off + 8, repr.ack);
  buf[off + 12] = ((headerLen >>> 2) << 4) | (((repr.reserved ?? 0) & 0x07) << 1) | ((repr.flags >>> 8) & 0x01);
  buf[off + 13] = repr.flags & 0xff;
  writeU16(buf, off + 14, repr.window);
  buf[off + 16] = 0;
  buf[off + 17] = 0;
  writeU16(buf, off + 18, repr.urgentPointer);
  const optEnd = off + TCP_MIN_HEADER_LEN + emitTcpOptions(repr.options, buf, off + TCP_MIN_HEADER_LEN);
  // RFC 9293 §3.1: the header is padded with zeros to a 32-bit boundary (at most 3 bytes, which
  // a loop writes faster than a `fill` call).
  for (let i = optEnd; i < off + headerLen; i++) buf[i] = 0;
  buf.set(repr.payload, off + headerLen);
  const sum = checksumAdd(pseudoHeaderSum(src, dst, IPPROTO_TCP, total), buf, off, off + total);
  writeU16(buf, off + 16, checksumFinish(sum));
  return total;
}

/** A new buffer holding the segment of `repr`, checksummed for `src` and `dst`. */
export function emitTcp(repr: TcpRepr, src: IpAddress, dst: IpAddress): Uint8Array {
  const out = new Uint8Array(tcpHeaderLength(repr) + repr.payload.length);
  emitTcpInto(out, 0, repr, src, dst);
  return out;
}

/**
 * A TCP segment inside an IPv4 or IPv6 datagram, as a middlebox edits it: a mutable view with the
 * offsets of the IP header, the TCP header, its options and the payload, and `seal`, which
 * recomputes the checksums after the edits. Boxes work on raw bytes rather than on parsed reprs so
 * that everything they do not mean to touch (IP options, extension headers, unknown TCP options,
 * reserved bits, padding) crosses them bit for bit, as through real hardware.
 */
import { IPPROTO_TCP } from "../../wire/ip.js";
import { Ipv4Packet } from "../../wire/ipv4.js";
import { IPV6_HEADER_LEN, Ipv6Packet, walkIpv6Extensions } from "../../wire/ipv6.js";
import { isParseError } from "../../wire/error.js";
import { readU16, readU32, toHex, writeU16, writeU32 } from "../../wire/bytes.js";
import { checksumAdd, checksumAddU16, checksumFinish, internetChecksum, pseudoHeaderSum } from "../../wire/checksum.js";
import { TCP_MIN_HEADER_LEN, TCP_MAX_HEADER_LEN } from "../../wire/tcp.js";
import type { IpAddress } from "../../wire/address.js";

/** Largest IPv4 total length and IPv6 payload length (16-bit fields). */
const MAX_IP_LENGTH = 0xffff;

export class TcpDatagram {
  private constructor(
    /** The datagram, exactly `end` bytes long (link-layer padding is dropped on parse). */
    readonly bytes: Uint8Array,
    readonly version: 4 | 6,
    /** Offset of the TCP header: after the IPv4 header with options, or after IPv6 extensions. */
    readonly tcpOffset: number,
  ) {}

  /**
   * The TCP segment of a datagram, or undefined when it is not one a middlebox can touch: not
   * IPv4/IPv6, malformed, not TCP, a fragment, or a TCP header that does not fit. The view shares
   * `packet`'s bytes; call `copy` before editing.
   */
  static parse(packet: Uint8Array): TcpDatagram | undefined {
    if (packet.length === 0) return undefined;
    let version: 4 | 6;
    let tcpOffset: number;
    let end: number;
    if (packet[0]! >>> 4 === 4) {
      const ip = Ipv4Packet.check(packet);
      if (isParseError(ip) || ip.protocol !== IPPROTO_TCP || ip.isFragment) return undefined;
      version = 4;
      tcpOffset = ip.headerLength;
      end = ip.totalLength;
    } else {
      const ip = Ipv6Packet.check(packet);
      if (isParseError(ip)) return undefined;
      version = 6;
      end = IPV6_HEADER_LEN + ip.payloadLength;
      if (ip.nextHeader === IPPROTO_TCP) tcpOffset = IPV6_HEADER_LEN;
      else {
        const chain = walkIpv6Extensions(ip.payload, ip.nextHeader);
        if (isParseError(chain) || chain.protocol !== IPPROTO_TCP || chain.isFragment) return undefined;
        tcpOffset = IPV6_HEADER_LEN + chain.offset;
      }
    }
    if (end - tcpOffset < TCP_MIN_HEADER_LEN) return undefined;
    const headerLen = (packet[tcpOffset + 12]! >>> 4) * 4;
    if (headerLen < TCP_MIN_HEADER_LEN || tcpOffset + headerLen > end) return undefined;
    return new TcpDatagram(end === packet.length ? packet : packet.subarray(0, end), version, tcpOffset);
  }

  /** An independent copy to edit. */
  copy(): TcpDatagram {
    return new TcpDatagram(this.bytes.slice(), this.version, this.tcpOffset);
  }

  /**
   * The addresses of the IP header; they are also the TCP pseudo-header's (an IPv6 routing header
   * would change the final destination, but simulated paths have none).
   */
  get src(): IpAddress { return this.version === 4 ? this.bytes.subarray(12, 16) : this.bytes.subarray(8, 24); }
  get dst(): IpAddress { return this.version === 4 ? this.bytes.subarray(16, 20) : this.bytes.subarray(24, 40); }
  setSrc(addr: IpAddress): void { this.bytes.set(addr, this.version === 4 ? 12 : 8); }
  setDst(addr: IpAddress): void { this.bytes.set(addr, this.version === 4 ? 16 : 24); }

  get srcPort(): number { return readU16(this.bytes, this.tcpOffset); }
  set srcPort(v: number) { writeU16(this.bytes, this.tcpOffset, v); }
  get dstPort(): number { return readU16(this.bytes, this.tcpOffset + 2); }
  set dstPort(v: number) { writeU16(this.bytes, this.tcpOffset + 2, v); }
  get seq(): number { return readU32(this.bytes, this.tcpOffset + 4); }
  set seq(v: number) { writeU32(this.bytes, this.tcpOffset + 4, v >>> 0); }
  get ack(): number { return readU32(this.bytes, this.tcpOffset + 8); }
  set ack(v: number) { writeU32(this.bytes, this.tcpOffset + 8, v >>> 0); }
  /** The 8 flag bits (`TCP_FLAG`, without NS). */
  get flags(): number { return this.bytes[this.tcpOffset + 13]!; }
  set flags(v: number) { this.bytes[this.tcpOffset + 13] = v & 0xff; }
  get window(): number { return readU16(this.bytes, this.tcpOffset + 14); }
  set window(v: number) { writeU16(this.bytes, this.tcpOffset + 14, v); }
  get checksum(): number { return readU16(this.bytes, this.tcpOffset + 16); }

  get tcpHeaderLength(): number { return (this.bytes[this.tcpOffset + 12]! >>> 4) * 4; }
  /** Absolute offsets of the option area in `bytes`. */
  get optionsStart(): number { return this.tcpOffset + TCP_MIN_HEADER_LEN; }
  get optionsEnd(): number { return this.tcpOffset + this.tcpHeaderLength; }
  get optionArea(): Uint8Array { return this.bytes.subarray(this.optionsStart, this.optionsEnd); }
  get payload(): Uint8Array { return this.bytes.subarray(this.optionsEnd); }
  get payloadLength(): number { return this.bytes.length - this.optionsEnd; }

  /** The IPv4 Identification field (IPv6 has none in its fixed header: 0). */
  get ipId(): number { return this.version === 4 ? readU16(this.bytes, 4) : 0; }
  set ipId(v: number) { if (this.version === 4) writeU16(this.bytes, 4, v & 0xffff); }

  /** Sender endpoint and receiver endpoint of this segment as one string: the key of its flow. */
  get flowKey(): string {
    return endpointKey(this.src, this.srcPort) + ">" + endpointKey(this.dst, this.dstPort);
  }
  /** The key of the opposite direction of the same connection. */
  get reverseFlowKey(): string {
    return endpointKey(this.dst, this.dstPort) + ">" + endpointKey(this.src, this.srcPort);
  }

  /**
   * A new datagram with this one's IP header and fixed TCP header, the option area `options`
   * (padded with zeros to a 4-byte boundary; RFC 9293 §3.1) and `payload`, with the IP length
   * fields and the TCP data offset set. Returns undefined if that cannot be encoded (options over
   * 40 bytes, or a datagram over 65535 bytes). Not sealed.
   */
  rebuild(options: Uint8Array, payload: Uint8Array): TcpDatagram | undefined {
    const optLen = (options.length + 3) & ~3;
    const tcpLen = TCP_MIN_HEADER_LEN + optLen + payload.length;
    if (TCP_MIN_HEADER_LEN + optLen > TCP_MAX_HEADER_LEN) return undefined;
    const ipLen = this.version === 4 ? this.tcpOffset + tcpLen : this.tcpOffset - 40 + tcpLen;
    if (ipLen > MAX_IP_LENGTH) return undefined;
    const out = new Uint8Array(this.tcpOffset + tcpLen);
    out.set(this.bytes.subarray(0, this.tcpOffset + TCP_MIN_HEADER_LEN));
    out.set(options, this.tcpOffset + TCP_MIN_HEADER_LEN);
    out.set(payload, this.tcpOffset + TCP_MIN_HEADER_LEN + optLen);
    writeU16(out, this.version === 4 ? 2 : 4, ipLen);
    const off12 = out[this.tcpOffset + 12]!;
    out[this.tcpOffset + 12] = (((TCP_MIN_HEADER_LEN + optLen) >>> 2) << 4) | (off12 & 0x0f);
    return new TcpDatagram(out, this.version, this.tcpOffset);
  }

  /**
   * True when the TCP checksum verifies. Boxes that rebuild segments check it first and leave a
   * corrupt segment as it is, so that rebuilding never launders corruption TCP should catch (GRO
   * does not merge such segments; conntrack marks them invalid and does not mangle them).
   */
  checksumValid(): boolean {
    const o = this.tcpOffset;
    const len = this.bytes.length - o;
    return checksumFinish(checksumAdd(pseudoHeaderSum(this.src, this.dst, IPPROTO_TCP, len), this.bytes, o)) === 0;
  }

  /**
   * For a datagram built by `rebuild` (or edited anywhere): recomputes the IPv4 header checksum
   * and, if `fixTcpChecksum`, the whole TCP checksum over the pseudo-header of the (possibly
   * rewritten) addresses; otherwise the TCP checksum keeps whatever value it had, as a box that
   * forgets to update it does. Returns the bytes.
   */
  seal(fixTcpChecksum = true): Uint8Array {
    this.sealIpv4();
    if (fixTcpChecksum) {
      const b = this.bytes;
      const o = this.tcpOffset;
      b[o + 16] = 0;
      b[o + 17] = 0;
      writeU16(b, o + 16, checksumFinish(checksumAdd(pseudoHeaderSum(this.src, this.dst, IPPROTO_TCP, b.length - o), b, o)));
    }
    return this.bytes;
  }

  /**
   * For a `copy` of `original` edited in place, at the same length, only in the addresses, the TCP
   * header and (if given) the payload byte at absolute offset `payloadByte`: updates the TCP
   * checksum incrementally from the old one (RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), summed over
   * the regions that may differ), as NATs and other header rewriters do. It costs a header, not
   * a payload, and a segment that arrived with a bad checksum leaves with a bad checksum instead
   * of being laundered. With `fixTcpChecksum` false the old checksum stays. Returns the bytes.
   */
  sealEdited(original: TcpDatagram, fixTcpChecksum = true, payloadByte?: number): Uint8Array {
    this.sealIpv4();
    if (fixTcpChecksum) {
      const before = original.editableSum(payloadByte);
      const after = this.editableSum(payloadByte);
      const sum = checksumAddU16(checksumAddU16(checksumAddU16(0, ~original.checksum), ~before), after);
      writeU16(this.bytes, this.tcpOffset + 16, checksumFinish(sum));
    }
    return this.bytes;
  }

  /** The sum of what `sealEdited` allows to change: pseudo-header, TCP header, one payload word. */
  private editableSum(payloadByte?: number): number {
    const o = this.tcpOffset;
    let acc = pseudoHeaderSum(this.src, this.dst, IPPROTO_TCP, this.bytes.length - o);
    acc = checksumAdd(acc, this.bytes, o, this.optionsEnd);
    if (payloadByte !== undefined) {
      // The 16-bit word of the segment holding that byte (words count from the TCP header).
      const word = o + ((payloadByte - o) & ~1);
      acc = checksumAdd(acc, this.bytes, word, Math.min(word + 2, this.bytes.length));
    }
    return acc;
  }

  private sealIpv4(): void {
    if (this.version !== 4) return;
    const b = this.bytes;
    b[10] = 0;
    b[11] = 0;
    writeU16(b, 10, internetChecksum(b, 0, this.tcpOffset));
  }
}

/** `address/port`, as a map key. */
export function endpointKey(addr: IpAddress, port: number): string {
  return toHex(addr) + "/" + port;
}

/** RFC 9293 §3.4 (RFC 1982 arithmetic): `a` is after `b` in sequence space. */
export function seqAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

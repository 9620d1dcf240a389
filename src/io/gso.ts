/**
 * Generic segmentation offload for a TUN device with IFF_VNET_HDR: consecutive TCP segments of
 * one flow, as the stack emits them, are joined into one "super-segment" of up to 64 KB that the
 * kernel takes in a single write (virtio-net GSO, vnet.ts). Delivered locally, the kernel never
 * cuts it up again: its TCP receives the whole range as one skb, as if its own GRO had merged
 * the segments, so the per-packet cost of the kernel's input path is paid once per 40 segments.
 *
 * Segments are joined only when the result means to the receiver exactly what the segments
 * meant, that is when GRO would have joined them (tcp_gro_receive(): same headers, contiguous
 * sequence numbers, identical TCP options, equal sizes but for a shorter last one):
 * - the IP headers are equal but for the length, the IPv4 identification and header checksum
 *   (IPv4 without options or fragmentation; IPv6 with TCP as the next header);
 * - ports, acknowledgment number, window and urgent pointer are equal, and each sequence number
 *   follows the previous segment's payload;
 * - the TCP options are byte for byte equal. For MPTCP this means the same DSS option: segments
 *   of one DSS mapping (RFC 8684 §3.3.1, which may span many segments) with the same Data ACK;
 *   a new mapping starts a new super-segment. Timestamps must match too (RFC 7323 §3);
 * - only ACK is set on all but the last, which may add PSH (as TSO puts PSH on the last piece);
 *   SYN, FIN, RST, URG, ECE and CWR segments go alone;
 * - every segment but the last carries exactly the first's payload length, the `gsoSize`.
 *
 * The super-segment's TCP checksum is left for the kernel to finish (NEEDS_CSUM, with the
 * pseudo-header sum in the checksum field, RFC 9293 §3.1); a datagram that goes alone is written
 * as the stack made it, checksum included, with a plain header.
 */
import { checksumAdd, checksumFinish, pseudoHeaderSum } from "../wire/checksum.js";
import { emitVnetHeader, PLAIN_VNET_HEADER, VNET_F_NEEDS_CSUM, VNET_GSO_TCPV4, VNET_GSO_TCPV6, VNET_HDR_LEN } from "./vnet.js";

/** The largest IP datagram, hence the largest super-segment. */
const MAX_IP = 65535;
const TCP = 6;
const ACK = 0x10;
const PSH = 0x08;

/** Counters of the joining: `segments / superSegments` is the mean number joined per write. */
export interface GsoStats {
  /** Writes that carried more than one segment. */
  superSegments: number;
  /** Segments carried by those writes. */
  segments: number;
}

/**
 * Builds one write at a time in its own buffer: `push` each datagram the stack sends; whenever
 * it returns bytes, write them (they stay valid until the next `push` or `flush`); at the end of
 * a burst, `flush` and write what it returns.
 */
export class GsoJoiner {
  readonly stats: GsoStats = { superSegments: 0, segments: 0 };
  /** Of the datagram `push` or `flush` returned last: the segments it carries and their bytes. */
  lastSegments = 0;
  lastBytes = 0;
  /**
   * The virtio-net header, then the datagram being built. Two buffers, used in turn, so that a
   * finished datagram stays intact while the next one starts.
   */
  private readonly bufs = [new Uint8Array(VNET_HDR_LEN + MAX_IP), new Uint8Array(VNET_HDR_LEN + MAX_IP)] as const;
  private buf: Uint8Array = this.bufs[0];
  /** Bytes of datagram in `buf` after the header; 0 when nothing is pending. */
  private length = 0;
  /** Whether the pending datagram may take more segments. */
  private open = false;
  private segments = 0;
  private ipLen = 0;
  /** IP plus TCP header (options included). */
  private headersLen = 0;
  private gsoSize = 0;
  private nextSeq = 0;
  /** Bytes of the pending segments as the stack sent them (each with its own headers). */
  private segmentBytes = 0;

  /**
   * Takes `packet` (copied; the caller may reuse it). Returns the previous pending datagram,
   * with its virtio-net header, when `packet` could not join it, else `undefined`.
   */
  push(packet: Uint8Array): Uint8Array | undefined {
    if (this.open && this.join(packet)) return undefined;
    const out = this.length > 0 ? this.finish() : undefined;
    this.buf = this.buf === this.bufs[0] ? this.bufs[1] : this.bufs[0];
    this.start(packet);
    return out;
  }

  /** Ends the pending datagram: the bytes to write (header included), or `undefined` if none. */
  flush(): Uint8Array | undefined {
    return this.length > 0 ? this.finish() : undefined;
  }

  private start(p: Uint8Array): void {
    this.buf.set(p, VNET_HDR_LEN);
    this.length = p.length;
    this.segmentBytes = p.length;
    this.segments = 1;
    this.open = false;
    const ipLen = tcpOffset(p);
    if (ipLen < 0) return;
    const tcpLen = (p[ipLen + 12]! >>> 4) * 4;
    const payload = p.length - ipLen - tcpLen;
    if (tcpLen < 20 || payload <= 0 || p[ipLen + 13] !== ACK) return;
    this.open = true;
    this.ipLen = ipLen;
    this.headersLen = ipLen + tcpLen;
    this.gsoSize = payload;
    this.nextSeq = (readU32(p, ipLen + 4) + payload) >>> 0;
  }

  private join(p: Uint8Array): boolean {
    const h = this.headersLen;
    const payload = p.length - h;
    if (payload <= 0 || payload > this.gsoSize || this.length + payload > MAX_IP) return false;
    const b = this.buf;
    const o = VNET_HDR_LEN;
    const ip = this.ipLen;
    if (p.length < h || (p[ip + 12]! >>> 4) * 4 !== h - ip) return false;
    if (ip === 20) {
      // IPv4 (RFC 791 §3.1): skip total length (2-3), identification (4-5), header checksum (10-11).
      if (p[0] !== b[o] || p[1] !== b[o + 1] || !equal(p, b, 6, o + 6, 4) || !equal(p, b, 12, o + 12, 8)) return false;
    } else {
      // IPv6 (RFC 8200 §3): skip payload length (4-5).
      if (!equal(p, b, 0, o, 4) || !equal(p, b, 6, o + 6, 34)) return false;
    }
    // TCP (RFC 9293 §3.1): ports, then the acknowledgment number, data offset, window, urgent
    // pointer and options; the sequence number and flags are checked apart, the checksum skipped.
    if (!equal(p, b, ip, o + ip, 4) || readU32(p, ip + 4) !== this.nextSeq) return false;
    if (!equal(p, b, ip + 8, o + ip + 8, 5) || !equal(p, b, ip + 14, o + ip + 14, 2) || !equal(p, b, ip + 18, o + ip + 18, h - ip - 18)) return false;
    const flags = p[ip + 13]!;
    if (flags !== ACK && flags !== (ACK | PSH)) return false;
    b.set(p.subarray(h), o + this.length);
    this.length += payload;
    this.segmentBytes += p.length;
    this.segments++;
    this.nextSeq = (this.nextSeq + payload) >>> 0;
    b[o + ip + 13] = flags;
    // A shorter segment or a push is the end of what TSO would have sent as one.
    if (payload < this.gsoSize || flags !== ACK) this.open = false;
    return true;
  }

  private finish(): Uint8Array {
    const b = this.buf;
    const o = VNET_HDR_LEN;
    const len = this.length;
    const out = b.subarray(0, o + len);
    this.length = 0;
    this.open = false;
    this.lastSegments = this.segments;
    this.lastBytes = this.segmentBytes;
    if (this.segments === 1) {
      emitVnetHeader(PLAIN_VNET_HEADER, b);
      return out;
    }
    const ip = this.ipLen;
    const v4 = ip === 20;
    if (v4) {
      b[o + 2] = len >>> 8;
      b[o + 3] = len & 0xff;
      b[o + 10] = 0;
      b[o + 11] = 0;
      const sum = checksumFinish(checksumAdd(0, b, o, o + 20));
      b[o + 10] = sum >>> 8;
      b[o + 11] = sum & 0xff;
    } else {
      b[o + 4] = (len - 40) >>> 8;
      b[o + 5] = (len - 40) & 0xff;
    }
    // CHECKSUM_PARTIAL: the field holds the pseudo-header sum, not complemented; whoever finishes
    // it adds the TCP header and data to it (RFC 9293 §3.1; virtio 1.x §5.1.6.2).
    const src = b.subarray(o + (v4 ? 12 : 8), o + (v4 ? 16 : 24));
    const dst = b.subarray(o + (v4 ? 16 : 24), o + (v4 ? 20 : 40));
    const pseudo = pseudoHeaderSum(src, dst, TCP, len - ip) & 0xffff;
    b[o + ip + 16] = pseudo >>> 8;
    b[o + ip + 17] = pseudo & 0xff;
    emitVnetHeader({
      flags: VNET_F_NEEDS_CSUM,
      gsoType: v4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6,
      hdrLen: this.headersLen,
      gsoSize: this.gsoSize,
      csumStart: ip,
      csumOffset: 16,
    }, b);
    this.stats.superSegments++;
    this.stats.segments += this.segments;
    return out;
  }
}

/**
 * Where the TCP header starts in `p`, if `p` is a TCP segment GSO can carry: IPv4 with a 20-byte
 * header and no fragmentation, or IPv6 whose next header is TCP; else -1.
 */
function tcpOffset(p: Uint8Array): number {
  const version = p[0]! >>> 4;
  if (version === 4) {
    // IHL 5, protocol TCP, MF clear and fragment offset 0 (DF may be set).
    if (p[0] !== 0x45 || p[9] !== TCP || (p[6]! & 0x3f) !== 0 || p[7] !== 0 || p.length < 40) return -1;
    return 20;
  }
  if (version === 6) return p[6] === TCP && p.length >= 60 ? 40 : -1;
  return -1;
}

function equal(a: Uint8Array, b: Uint8Array, ai: number, bi: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

function readU32(p: Uint8Array, i: number): number {
  return ((p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!) >>> 0;
}

/**
 * Finishes a checksum the kernel left partial (a datagram read with VNET_F_NEEDS_CSUM): the
 * field at `csumStart + csumOffset` holds the pseudo-header sum; sum from `csumStart` to the end,
 * complement, store (virtio 1.x §5.1.6.2.1). `packet` is the datagram without the vnet header.
 */
export function completeChecksum(packet: Uint8Array, csumStart: number, csumOffset: number): void {
  const at = csumStart + csumOffset;
  const sum = checksumFinish(checksumAdd(0, packet, csumStart, packet.length));
  packet[at] = sum >>> 8;
  packet[at + 1] = sum & 0xff;
}

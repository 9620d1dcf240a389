/**
 * The virtio-net header that prefixes every datagram read from or written to a TUN device opened
 * with IFF_VNET_HDR (linux/virtio_net.h `struct virtio_net_hdr`; the virtio 1.x specification,
 * §5.1.6 "Device Operation"). It carries what a NIC's offloads need: a checksum left for the other
 * side to finish (NEEDS_CSUM) and a TCP "super-segment" to be cut into `gsoSize` pieces (GSO).
 *
 * A TUN device uses the legacy layout of 10 bytes, its 16-bit fields in the host's byte order
 * (little-endian on every platform tun-libc.ts supports; TUNSETVNETBE would change it).
 */
import { ParseError, truncated } from "../wire/error.js";

export const VNET_HDR_LEN = 10;

/** `flags`: the checksum at `csumStart + csumOffset` holds only the pseudo-header sum. */
export const VNET_F_NEEDS_CSUM = 1;
/** `flags` (device to driver): the checksum was already verified. */
export const VNET_F_DATA_VALID = 2;

/** `gsoType`: not a super-segment. */
export const VNET_GSO_NONE = 0;
export const VNET_GSO_TCPV4 = 1;
export const VNET_GSO_UDP = 3;
export const VNET_GSO_TCPV6 = 4;
/** Or'd into `gsoType`: the segments carry ECN's CWR the way TSO_ECN devices handle it. */
export const VNET_GSO_ECN = 0x80;

export interface VnetHeader {
  flags: number;
  gsoType: number;
  /** Bytes of headers (IP + TCP) copied in front of every segment. */
  hdrLen: number;
  /** Payload bytes per segment (the MSS) when `gsoType` is not NONE. */
  gsoSize: number;
  /** Where the checksummed region starts (the TCP header), when NEEDS_CSUM. */
  csumStart: number;
  /** Where the checksum field is, from `csumStart` (16 for TCP, 6 for UDP). */
  csumOffset: number;
}

/** The header of an ordinary datagram: no offload asked for or done. */
export const PLAIN_VNET_HEADER: Readonly<VnetHeader> = { flags: 0, gsoType: VNET_GSO_NONE, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 };

/** Writes `h` at `out[offset, offset + 10)`. */
export function emitVnetHeader(h: VnetHeader, out: Uint8Array, offset = 0): void {
  const v = new DataView(out.buffer, out.byteOffset + offset, VNET_HDR_LEN);
  v.setUint8(0, h.flags);
  v.setUint8(1, h.gsoType);
  v.setUint16(2, h.hdrLen, true);
  v.setUint16(4, h.gsoSize, true);
  v.setUint16(6, h.csumStart, true);
  v.setUint16(8, h.csumOffset, true);
}

/** Reads the header at the front of `bytes`. */
export function parseVnetHeader(bytes: Uint8Array): VnetHeader | ParseError {
  if (bytes.length < VNET_HDR_LEN) return truncated("virtio-net", "header", VNET_HDR_LEN, bytes.length);
  const v = new DataView(bytes.buffer, bytes.byteOffset, VNET_HDR_LEN);
  const h: VnetHeader = {
    flags: v.getUint8(0),
    gsoType: v.getUint8(1),
    hdrLen: v.getUint16(2, true),
    gsoSize: v.getUint16(4, true),
    csumStart: v.getUint16(6, true),
    csumOffset: v.getUint16(8, true),
  };
  const gso = h.gsoType & ~VNET_GSO_ECN;
  if (gso !== VNET_GSO_NONE && gso !== VNET_GSO_TCPV4 && gso !== VNET_GSO_TCPV6 && gso !== VNET_GSO_UDP) {
    return new ParseError("virtio-net", "gso_type", "unsupported", `gso_type ${h.gsoType}`);
  }
  if ((h.flags & VNET_F_NEEDS_CSUM) !== 0 && h.csumStart + h.csumOffset + 2 > bytes.length - VNET_HDR_LEN) {
    return new ParseError("virtio-net", "csum_start", "inconsistent", `checksum at ${h.csumStart}+${h.csumOffset} beyond ${bytes.length - VNET_HDR_LEN} bytes`);
  }
  return h;
}

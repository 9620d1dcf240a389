/** Real IPv4/IPv6 packets for the driver tests, built with the wire emitters. */
import { checksumAdd, checksumFinish, pseudoHeaderSum } from "../../src/wire/checksum.js";
import { emitIp, parseIpPacket } from "../../src/wire/ip.js";
import type { IpRepr } from "../../src/wire/ip.js";
import { isParseError } from "../../src/wire/error.js";
import { emitTcp } from "../../src/wire/tcp.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { IpAddress } from "../../src/wire/address.js";

export const IPPROTO_UDP = 17;

/** A TCP data segment in an IP packet, with a payload of `n` bytes derived from `seed`. */
export function tcpPacket(src: IpAddress, dst: IpAddress, seed: number, n: number): Uint8Array {
  const payload = pattern(seed, n);
  const segment = emitTcp(
    {
      srcPort: 40000 + (seed & 0xfff), dstPort: 5201, seq: (seed * 7919) >>> 0, ack: 1,
      flags: TCP_FLAG.ACK | TCP_FLAG.PSH, window: 512, checksum: 0, urgentPointer: 0,
      options: [{ kind: "timestamps", tsVal: seed, tsEcr: 0 }, { kind: "nop" }, { kind: "nop" }],
      payload,
    },
    src,
    dst,
  );
  return emitIp({ src, dst, protocol: 6 }, segment);
}

/** A UDP datagram (RFC 768) in an IP packet, with its checksum over the pseudo-header. */
export function udpPacket(src: IpAddress, dst: IpAddress, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const udp = new Uint8Array(8 + payload.length);
  const view = new DataView(udp.buffer);
  view.setUint16(0, srcPort);
  view.setUint16(2, dstPort);
  view.setUint16(4, udp.length);
  udp.set(payload, 8);
  const sum = checksumFinish(checksumAdd(pseudoHeaderSum(src, dst, IPPROTO_UDP, udp.length), udp));
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum", forbidden in IPv6).
  view.setUint16(6, sum === 0 ? 0xffff : sum);
  return emitIp({ src, dst, protocol: IPPROTO_UDP }, udp);
}

export interface UdpView {
  ip: IpRepr;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  /** Whether the UDP checksum verifies (over the pseudo-header, RFC 768 / RFC 8200 §8.1). */
  checksumOk: boolean;
}

/** Parses an IP packet carrying UDP; undefined for anything else. */
export function parseUdpPacket(bytes: Uint8Array): UdpView | undefined {
  const ip = parseIpPacket(bytes, { verifyChecksum: true });
  if (isParseError(ip) || ip.protocol !== IPPROTO_UDP || ip.payload.length < 8) return undefined;
  const udp = ip.payload;
  const view = new DataView(udp.buffer, udp.byteOffset, udp.length);
  const sum = checksumFinish(checksumAdd(pseudoHeaderSum(ip.src, ip.dst, IPPROTO_UDP, udp.length), udp));
  return {
    ip,
    srcPort: view.getUint16(0),
    dstPort: view.getUint16(2),
    payload: udp.subarray(8, view.getUint16(4)),
    checksumOk: view.getUint16(6) === 0 || sum === 0,
  };
}

/** `n` bytes that depend on `seed`, so a reordering or a mix-up shows. */
export function pattern(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

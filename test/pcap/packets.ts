/** Hand-built IPv4 and IPv6 TCP segments with correct checksums, for files read by tshark. */
import { concat } from "./builders.js";

function sum16(b: Uint8Array, acc = 0): number {
  for (let i = 0; i < b.length; i += 2) acc += (b[i]! << 8) | (b[i + 1] ?? 0);
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return ~acc & 0xffff;
}

function tcpHeader(sport: number, dport: number, seq: number): Uint8Array {
  const t = new Uint8Array(20);
  const v = new DataView(t.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq);
  v.setUint32(8, 1);
  t[12] = 5 << 4;
  t[13] = 0x18; // PSH, ACK
  v.setUint16(14, 65535);
  return t;
}

/** An IPv4 TCP segment from `src` to `dst` (dotted quads as arrays) carrying `data`. */
export function ipv4Tcp(src: number[], dst: number[], sport: number, dport: number, seq: number, data: Uint8Array): Uint8Array {
  const tcp = concat(tcpHeader(sport, dport, seq), data);
  const pseudo = concat(Uint8Array.from(src), Uint8Array.from(dst), Uint8Array.of(0, 6, tcp.length >>> 8, tcp.length & 0xff));
  const tcpSum = fold(sum16(tcp, sum16(pseudo)));
  tcp[16] = tcpSum >>> 8;
  tcp[17] = tcpSum & 0xff;
  const ip = new Uint8Array(20);
  const v = new DataView(ip.buffer);
  ip[0] = 0x45;
  v.setUint16(2, 20 + tcp.length);
  ip[8] = 64;
  ip[9] = 6;
  ip.set(src, 12);
  ip.set(dst, 16);
  v.setUint16(10, fold(sum16(ip)));
  return concat(ip, tcp);
}

/** An IPv6 TCP segment; addresses are 16-byte arrays. */
export function ipv6Tcp(src: Uint8Array, dst: Uint8Array, sport: number, dport: number, seq: number, data: Uint8Array): Uint8Array {
  const tcp = concat(tcpHeader(sport, dport, seq), data);
  const len = tcp.length;
  const pseudo = concat(src, dst, Uint8Array.of(0, 0, len >>> 8, len & 0xff, 0, 0, 0, 6));
  const tcpSum = fold(sum16(tcp, sum16(pseudo)));
  tcp[16] = tcpSum >>> 8;
  tcp[17] = tcpSum & 0xff;
  const ip = new Uint8Array(40);
  ip[0] = 0x60;
  ip[4] = len >>> 8;
  ip[5] = len & 0xff;
  ip[6] = 6;
  ip[7] = 64;
  ip.set(src, 8);
  ip.set(dst, 24);
  return concat(ip, tcp);
}

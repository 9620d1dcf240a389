/**
 * The flow hash of equal-cost multipath routing (ECMP): which of several next hops a datagram
 * takes. Every datagram of a flow must take the same hop, or TCP sees reordering (RFC 2991 §2);
 * different flows should spread evenly. As Linux's `fib_multipath_hash_policy = 1`, the flow is
 * the 5-tuple (source and destination address, protocol, source and destination port) where the
 * ports are known, else the 3-tuple: fragments (only the first carries the ports, and all of a
 * datagram's fragments must go the same way), protocols without ports, datagrams cut short.
 *
 * The hash is seeded per router, as switches salt theirs: with one unsalted hash at every layer,
 * the flows an edge switch sent up one link all fall in the same part of the hash space at the
 * next switch too, which then uses only some of its links ("hash polarisation").
 *
 * It reads the header in place, allocates nothing and keeps no state: the hot path of a router.
 */
import { readU16, readU32 } from "../wire/bytes.js";

/** IP protocols whose first four bytes are the source and destination ports. */
const TCP = 6;
const UDP = 17;
const SCTP = 132;
const UDPLITE = 136;

/** IPv6 extension headers walked to reach the upper layer (RFC 8200 §4). */
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const DEST_OPTIONS = 60;
/** Extension headers followed before giving up on the ports (RFC 8200 §4.1 expects few). */
const MAX_EXTENSIONS = 8;

const hasPorts = (proto: number): boolean => proto === TCP || proto === UDP || proto === SCTP || proto === UDPLITE;

/**
 * The 32-bit flow hash of an IPv4 or IPv6 datagram under `seed`, or -1 if the datagram is too
 * short for its IP header or of another version. Direction matters: a flow's two directions
 * hash independently, as in routers (each direction is routed on its own).
 */
export function flowHash(packet: Uint8Array, seed: number): number {
  if (packet.length === 0) return -1;
  const version = packet[0]! >> 4;
  let h = seed | 0;
  if (version === 4) {
    if (packet.length < 20) return -1;
    const proto = packet[9]!;
    h = mix(h, readU32(packet, 12));
    h = mix(h, readU32(packet, 16));
    const ihl = (packet[0]! & 0x0f) * 4;
    // More-fragments flag or a fragment offset: a fragment (RFC 791 §3.1).
    const fragment = (readU16(packet, 6) & 0x3fff) !== 0;
    return finish(h, proto, !fragment && ihl >= 20 && hasPorts(proto) && packet.length >= ihl + 4 ? readU32(packet, ihl) : -1);
  }
  if (version === 6) {
    if (packet.length < 40) return -1;
    for (let off = 8; off < 40; off += 4) h = mix(h, readU32(packet, off));
    let next = packet[6]!;
    let off = 40;
    for (let i = 0; i < MAX_EXTENSIONS; i++) {
      if (next === FRAGMENT) {
        // Every fragment carries the same fragment header: the upper protocol, without ports.
        return finish(h, packet.length >= off + 1 ? packet[off]! : FRAGMENT, -1);
      }
      if (next !== HOP_BY_HOP && next !== ROUTING && next !== DEST_OPTIONS && next !== AUTH) break;
      if (packet.length < off + 2) return finish(h, next, -1);
      const len = next === AUTH ? (packet[off + 1]! + 2) * 4 : (packet[off + 1]! + 1) * 8;
      next = packet[off]!;
      off += len;
    }
    return finish(h, next, hasPorts(next) && packet.length >= off + 4 ? readU32(packet, off) : -1);
  }
  return -1;
}

/**
 * Hash-threshold selection (RFC 2992 §2): the hash space is cut into `n` equal regions, one per
 * next hop. Unlike `hash mod n` it uses the high bits, and adding a hop moves the fewest flows.
 */
export function hashThreshold(hash: number, n: number): number {
  return Math.floor((hash * n) / 4294967296);
}

/** Folds in the protocol and, where known, the ports word (`ports` -1: the 3-tuple). */
function finish(h: number, proto: number, ports: number): number {
  h = mix(h, ports < 0 ? proto : proto | 0x100);
  if (ports >= 0) h = mix(h, ports);
  return avalanche(h);
}

// MurmurHash3's 32-bit block mix and finaliser (Appleby): cheap integer steps whose output bits
// each depend on every input bit, so near-identical tuples (consecutive ports) spread evenly.
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

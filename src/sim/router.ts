/**
 * A router: forwards each datagram out of the interface of the longest matching static route for
 * its destination address, read straight from the IP header (version nibble; IPv4 destination at
 * offset 16, IPv6 destination at offset 24). Queueing and delay belong to the links, so the
 * router forwards instantly.
 *
 * It does not decrement the TTL / hop limit (nor update the IPv4 checksum): packets cross it
 * byte-for-byte unchanged, so captures on either side of a router are identical and compare
 * directly. Simulated topologies have no loops for a TTL to break.
 *
 * A route may name several interfaces: equal-cost multipath (ECMP). A flow's datagrams then all
 * leave by the one its hash picks (src/sim/ecmp.ts), salted by the router's `ecmpSeed`. The
 * longest prefix is chosen first, as in any router; the hash only chooses among that route's
 * interfaces.
 */
import { parseAddress, formatAddress, type IpAddress } from "../wire/address.js";
import { readU32 } from "../wire/bytes.js";
import type { SimNode, Transmit } from "./node.js";
import { Queue } from "../util/queue.js";
import { flowHash, hashThreshold } from "./ecmp.js";

export interface Route {
  /** The network address (4 or 16 bytes); bits beyond `prefixLength` are ignored. */
  prefix: IpAddress;
  prefixLength: number;
  /** The outgoing interface, or several for equal-cost multipath (one per flow, by hash). */
  iface: number | readonly number[];
}

export interface RouterOptions {
  /**
   * The salt of this router's ECMP flow hash (default 0). Give each router its own, as switches
   * are salted, or the layers of a tree split flows alike and leave links unused (polarisation).
   */
  ecmpSeed?: number;
}

export interface RouterCounters {
  forwarded: number;
  /** Datagrams with no matching route, dropped. */
  noRoute: number;
  /** Datagrams too short for their IP header, or of an IP version other than 4 and 6, dropped. */
  malformed: number;
}

export class Router implements SimNode {
  readonly counters: RouterCounters = { forwarded: 0, noRoute: 0, malformed: 0 };

  // Routes sorted by prefix length, longest first, so the first match is the longest.
  private readonly v4: { net: number; mask: number; prefixLength: number; hops: readonly number[] }[] = [];
  private readonly v6: { prefix: IpAddress; prefixLength: number; hops: readonly number[] }[] = [];
  private readonly ecmpSeed: number;
  private readonly outPackets = new Queue<Uint8Array>();
  private readonly outIfaces = new Queue<number>();
  private readonly transmit: Transmit = { packet: new Uint8Array(0), iface: 0 };

  /**
   * `routes` as CIDR text (`10.1.0.0/16`, `2001:db8::/32`, `0.0.0.0/0`) mapped to an interface,
   * or to a list of interfaces for ECMP.
   */
  constructor(routes: Record<string, number | readonly number[]> = {}, options: RouterOptions = {}) {
    const seed = options.ecmpSeed ?? 0;
    if (!Number.isInteger(seed)) throw new RangeError(`ecmpSeed ${seed}`);
    this.ecmpSeed = seed | 0;
    for (const [cidr, iface] of Object.entries(routes)) this.addRoute(cidr, iface);
  }

  /** Adds a route given as CIDR text or as a `Route`; throws on a malformed prefix or interface. */
  addRoute(route: string | Route, iface?: number | readonly number[]): void {
    const r = typeof route === "string" ? parseCidr(route, iface) : route;
    const hops = typeof r.iface === "number" ? [r.iface] : [...r.iface];
    if (hops.length === 0) throw new RangeError(`route ${formatAddress(r.prefix)}/${r.prefixLength} has no interface`);
    for (const h of hops) if (!Number.isInteger(h) || h < 0) throw new RangeError(`route iface ${h}`);
    const bits = r.prefix.length * 8;
    if (!(Number.isInteger(r.prefixLength) && r.prefixLength >= 0 && r.prefixLength <= bits)) {
      throw new RangeError(`prefix length ${r.prefixLength} for ${formatAddress(r.prefix)}`);
    }
    if (r.prefix.length === 4) {
      const mask = r.prefixLength === 0 ? 0 : (0xffffffff << (32 - r.prefixLength)) >>> 0;
      insertByLength(this.v4, { net: (readU32(r.prefix, 0) & mask) >>> 0, mask, prefixLength: r.prefixLength, hops });
    } else {
      insertByLength(this.v6, { prefix: r.prefix.slice(), prefixLength: r.prefixLength, hops });
    }
  }

  /** The outgoing interface for a datagram, -1 if no route matches, -2 if it is malformed. */
  lookup(packet: Uint8Array): number {
    if (packet.length === 0) return -2;
    const version = packet[0]! >> 4;
    if (version === 4) {
      if (packet.length < 20) return -2;
      const dst = readU32(packet, 16);
      for (const r of this.v4) if (((dst & r.mask) >>> 0) === r.net) return this.pick(r.hops, packet);
      return -1;
    }
    if (version === 6) {
      if (packet.length < 40) return -2;
      for (const r of this.v6) if (prefixMatches(packet, 24, r.prefix, r.prefixLength)) return this.pick(r.hops, packet);
      return -1;
    }
    return -2;
  }

  private pick(hops: readonly number[], packet: Uint8Array): number {
    // Only called once the IP header is known to be complete, so the hash is never -1.
    return hops.length === 1 ? hops[0]! : hops[hashThreshold(flowHash(packet, this.ecmpSeed), hops.length)]!;
  }

  receive(packet: Uint8Array, _iface: number, _now: number): void {
    const out = this.lookup(packet);
    if (out === -2) this.counters.malformed++;
    else if (out === -1) this.counters.noRoute++;
    else {
      this.counters.forwarded++;
      this.outPackets.push(packet);
      this.outIfaces.push(out);
    }
  }

  handleTimeout(_now: number): void {}

  /** The returned object is reused by the next call. */
  pollTransmit(_now: number): Transmit | undefined {
    const packet = this.outPackets.shift();
    if (packet === undefined) return undefined;
    this.transmit.packet = packet;
    this.transmit.iface = this.outIfaces.shift()!;
    return this.transmit;
  }

  pollTimeout(): number | undefined {
    return undefined;
  }
}

/** Parses `addr/len` (or a bare address, a host route). */
export function parseCidr(text: string, iface: number | readonly number[] = 0): Route {
  const slash = text.indexOf("/");
  const prefix = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (prefix === undefined) throw new RangeError(`not an address: ${text}`);
  const lenText = slash < 0 ? String(prefix.length * 8) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) throw new RangeError(`bad prefix length in ${text}`);
  return { prefix, prefixLength: Number(lenText), iface };
}

function prefixMatches(packet: Uint8Array, off: number, prefix: Uint8Array, length: number): boolean {
  const whole = length >> 3;
  for (let i = 0; i < whole; i++) if (packet[off + i] !== prefix[i]) return false;
  const rest = length & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((packet[off + whole]! ^ prefix[whole]!) & mask) === 0;
}

function insertByLength<R extends { prefixLength: number }>(list: R[], route: R): void {
  let i = list.length;
  // After any route of the same length: of two equal prefixes, the one added first wins.
  while (i > 0 && list[i - 1]!.prefixLength < route.prefixLength) i--;
  list.splice(i, 0, route);
}

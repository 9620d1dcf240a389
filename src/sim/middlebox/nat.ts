/**
 * A NAPT (RFC 3022; TCP behaviour per RFC 5382): interface 0 is the inside, interface 1 the
 * outside. Segments leaving the inside get the public address and a public port from a mapping
 * table; segments arriving for a mapped public port get the inside address and port back.
 *
 * Mappings are endpoint-independent (RFC 4787 REQ-1, RFC 5382 REQ-1): one inside address and port
 * maps to one public port whatever the destination. Filtering is address-and-port-dependent by
 * default (only remotes the inside endpoint has sent to may answer), which is what makes a NAT
 * stop server-initiated subflows; `filtering: "endpoint-independent"` lets anyone in.
 *
 * Only the IP and TCP headers are translated. An MPTCP ADD_ADDR announcing the inside address is
 * forwarded as it is, and its HMAC (RFC 8684 §3.4.1) protects it from a NAT that would try: the
 * peer learns an address it cannot reach. Mappings never expire by default (RFC 5382 REQ-5 asks
 * for at least 2 h 4 min idle; simulated runs are shorter); with `idleTimeout` a mapping no
 * datagram used for that long is gone, as in the carrier-grade NATs that time out idle TCP in
 * minutes: the inside endpoint's next datagram gets a new public port, so the remote sees a
 * segment of a connection it does not know and answers with a RST, and what arrives for the old
 * port is dropped. Expiry is checked when a datagram looks the mapping up (no timer). Datagrams of
 * the other IP family, and datagrams on the outside not addressed to the public address, cross
 * untouched.
 */
import { addressEquals, type IpAddress } from "../../wire/address.js";
import type { Rng } from "../../util/rng.js";
import { ConfigReader, readConfig } from "./config.js";
import { newCounters, type Direction, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { TcpDatagram, endpointKey } from "./segment.js";

export interface NatConfig {
  /** The outside address (IPv4 or IPv6 text). Default 203.0.113.1. */
  publicAddress?: string;
  /** Public ports to allocate from, inclusive. Default 20000 and 59999. */
  portMin?: number;
  portMax?: number;
  /** `random` (default, from the Rng), `sequential`, or `preserve` (the inside port if free). */
  portAllocation?: "random" | "sequential" | "preserve";
  /** Default `address-port-dependent`. */
  filtering?: "address-port-dependent" | "endpoint-independent";
  /** Default true. */
  fixTcpChecksum?: boolean;
  /** A mapping no datagram used for this long (µs) is gone. Default 0: mappings never expire. */
  idleTimeout?: number;
}

export interface ResolvedNatConfig {
  publicAddress: IpAddress;
  portMin: number;
  portMax: number;
  portAllocation: "random" | "sequential" | "preserve";
  filtering: "address-port-dependent" | "endpoint-independent";
  fixTcpChecksum: boolean;
  idleTimeout: number;
}

export function readNatConfig(r: ConfigReader): ResolvedNatConfig {
  const config = {
    publicAddress: r.address("publicAddress", "203.0.113.1"),
    portMin: r.int("portMin", 1, 65535, 20000),
    portMax: r.int("portMax", 1, 65535, 59999),
    portAllocation: r.oneOf("portAllocation", ["random", "sequential", "preserve"], "random"),
    filtering: r.oneOf("filtering", ["address-port-dependent", "endpoint-independent"], "address-port-dependent"),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
    idleTimeout: r.int("idleTimeout", 0, Number.MAX_SAFE_INTEGER, 0),
  };
  if (config.portMax < config.portMin) r.fail("portMax", "must not be below portMin");
  return config;
}

/** One mapping: an inside endpoint and its public port. */
export interface NatMapping {
  insideAddress: IpAddress;
  insidePort: number;
  publicPort: number;
  /** Remote endpoints (`endpointKey`) the inside endpoint has sent to. */
  remotes: Set<string>;
  /** When a datagram last crossed it, either way (µs). */
  lastUsed: number;
}

export interface NatCounters extends MiddleboxCounters {
  /** Mappings created. */
  mappings: number;
  /** Inbound datagrams for a public port with no mapping (dropped). */
  noMapping: number;
  /** Inbound datagrams from a remote the mapping does not admit (dropped). */
  filtered: number;
  /** Outbound datagrams of a new inside endpoint when no public port was free (dropped). */
  portsExhausted: number;
  /** Mappings gone after `idleTimeout` without a datagram. */
  expired: number;
}

export class Nat implements Middlebox {
  readonly kind = "mbox-nat";
  readonly counters: NatCounters = { ...newCounters(), mappings: 0, noMapping: 0, filtered: 0, portsExhausted: 0, expired: 0 };
  readonly config: ResolvedNatConfig;
  private readonly byInside = new Map<string, NatMapping>();
  private readonly byPublicPort = new Map<number, NatMapping>();
  private nextPort: number;

  /** `rng` draws public ports under `portAllocation: "random"` (the default). */
  constructor(config: NatConfig = {}, private readonly rng?: Rng) {
    this.config = readConfig(config, readNatConfig);
    if (this.config.portAllocation === "random" && rng === undefined) throw new RangeError("mbox-nat with random ports needs an Rng");
    this.nextPort = this.config.portMin;
  }

  /** The mapping of an inside endpoint, if any. */
  mappingOf(insideAddress: IpAddress, insidePort: number): NatMapping | undefined {
    return this.byInside.get(endpointKey(insideAddress, insidePort));
  }

  process(packet: Uint8Array, dir: Direction, now: number, emit: Emit): void {
    this.counters.seen++;
    const seg = TcpDatagram.parse(packet);
    if (seg === undefined || seg.src.length !== this.config.publicAddress.length) return emit(packet, dir);
    if (dir === "forward") this.outbound(seg, now, emit);
    else this.inbound(seg, packet, now, emit);
  }

  /** `m` unless it idled out by `now`, in which case it is gone. */
  private live(m: NatMapping | undefined, now: number): NatMapping | undefined {
    const idle = this.config.idleTimeout;
    if (m === undefined || idle === 0 || now - m.lastUsed < idle) return m;
    this.byInside.delete(endpointKey(m.insideAddress, m.insidePort));
    this.byPublicPort.delete(m.publicPort);
    this.counters.expired++;
    return undefined;
  }

  private outbound(seg: TcpDatagram, now: number, emit: Emit): void {
    const key = endpointKey(seg.src, seg.srcPort);
    let m = this.live(this.byInside.get(key), now);
    if (m === undefined) {
      const port = this.allocatePort(seg.srcPort);
      if (port === undefined) {
        this.counters.portsExhausted++;
        this.counters.dropped++;
        return;
      }
      m = { insideAddress: seg.src.slice(), insidePort: seg.srcPort, publicPort: port, remotes: new Set(), lastUsed: now };
      this.byInside.set(key, m);
      this.byPublicPort.set(port, m);
      this.counters.mappings++;
    }
    m.remotes.add(endpointKey(seg.dst, seg.dstPort));
    m.lastUsed = now;
    const out = seg.copy();
    out.setSrc(this.config.publicAddress);
    out.srcPort = m.publicPort;
    this.counters.modified++;
    emit(out.sealEdited(seg, this.config.fixTcpChecksum), "forward");
  }

  private inbound(seg: TcpDatagram, packet: Uint8Array, now: number, emit: Emit): void {
    if (!addressEquals(seg.dst, this.config.publicAddress)) return emit(packet, "reverse");
    const m = this.live(this.byPublicPort.get(seg.dstPort), now);
    if (m === undefined) {
      this.counters.noMapping++;
      this.counters.dropped++;
      return;
    }
    if (this.config.filtering === "address-port-dependent" && !m.remotes.has(endpointKey(seg.src, seg.srcPort))) {
      this.counters.filtered++;
      this.counters.dropped++;
      return;
    }
    m.lastUsed = now;
    const out = seg.copy();
    out.setDst(m.insideAddress);
    out.dstPort = m.insidePort;
    this.counters.modified++;
    emit(out.sealEdited(seg, this.config.fixTcpChecksum), "reverse");
  }

  private allocatePort(insidePort: number): number | undefined {
    const { portMin, portMax, portAllocation } = this.config;
    const span = portMax - portMin + 1;
    if (this.byPublicPort.size >= span) return undefined;
    const free = (p: number): boolean => !this.byPublicPort.has(p);
    if (portAllocation === "preserve" && insidePort >= portMin && insidePort <= portMax && free(insidePort)) return insidePort;
    if (portAllocation === "random") {
      // A few random tries, then the next free port after the last one: the table is never full here.
      for (let i = 0; i < 8; i++) {
        const p = portMin + this.rng!.nextBelow(span);
        if (free(p)) return p;
      }
    }
    while (!free(this.nextPort)) this.nextPort = this.nextPort === portMax ? portMin : this.nextPort + 1;
    const p = this.nextPort;
    this.nextPort = p === portMax ? portMin : p + 1;
    return p;
  }
}

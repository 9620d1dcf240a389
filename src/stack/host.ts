/**
 * The Host: one network node's TCP/IP stack as a sans-I/O state machine (DESIGN.md §2).
 *
 * Three kinds of input drive it:
 * - a datagram arrived on an interface: `receive(packet, iface, now)`;
 * - time passed: `handleTimeout(now)`, at (or after) the time `pollTimeout()` named;
 * - the application called `connect`, `listen`, `Listener.accept`, or a `Connection` method.
 *
 * After any input, drain `pollTransmit(now)` until it returns undefined (sending each datagram on
 * the interface it names), drain `pollEvent()`, and re-read `pollTimeout()`. The Host never reads
 * a clock or draws randomness on its own: times are integer microseconds passed in, randomness
 * comes from `config.random`. Its method shapes are the simulator's `SimNode`, so a Host is a
 * simulator node as it is; the runtime drives the same object with real time.
 *
 * Structure: received datagrams are parsed and checked here (IP, then TCP with its checksum),
 * demultiplexed by 4-tuple to a `Connection`, or to a `Listener`, or answered with a RST. Each
 * connection with something to send sits once in a round-robin ready list; each with a running
 * timer sits in a deadline heap. Both make the cost of an event independent of the number of idle
 * connections. The MPTCP layer will plug in through `config.tcpHook` (src/tcp/hook.ts).
 */
import { randomU32 } from "../crypto/random.js";
import { readU32 } from "../wire/bytes.js";
import type { TcpConfig } from "../tcp/config.js";
import { tcpConfig } from "../tcp/config.js";
import { TcpConnection } from "../tcp/connection.js";
import { resetFor } from "../tcp/rst.js";
import type { IpAddress } from "../wire/address.js";
import { formatAddress } from "../wire/address.js";
import { isParseError } from "../wire/error.js";
import { IPPROTO_TCP, emitIpHeaderInto, ipHeaderLength, parseIpPacket } from "../wire/ip.js";
import type { IpHeader } from "../wire/ip.js";
import type { Ipv4Header } from "../wire/ipv4.js";
import { Ipv4HeaderTemplate, Ipv4Packet } from "../wire/ipv4.js";
import { emitTcpSizedInto, parseTcp, parseTcpIn, tcpHeaderLength } from "../wire/tcp.js";
import type { TcpRepr } from "../wire/tcp-types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import type { HostConfig, HostRoute } from "./config.js";
import { DEFAULT_BACKLOG, DEFAULT_EPHEMERAL_PORTS, DEFAULT_MTU, DEFAULT_SYN_QUEUE, headerOverhead } from "./config.js";
import { ConnectionTable, sameAddress } from "./conn-table.js";
import { Connection } from "./connection.js";
import type { ConnectionOwner } from "./connection.js";
import type { HostCounters } from "./counters.js";
import { newHostCounters } from "./counters.js";
import { DeadlineHeap } from "./deadline-heap.js";
import type { HostEvent } from "./events.js";
import { IsnGenerator } from "./isn.js";
import { PacketSlab } from "./packet-slab.js";
import { Listener } from "./listener.js";
import type { ListenerOwner } from "./listener.js";
import { Queue } from "../util/queue.js";

/** A datagram leaving the Host (the simulator's `Transmit`). */
export interface HostTransmit {
  /** A complete IP datagram, owned by the caller from now on. */
  packet: Uint8Array;
  /** The interface to send it on. */
  iface: number;
}

export interface ConnectOptions {
  /** Source address; one of ours. Default: chosen by the routes (see `HostConfig.routes`). */
  local?: IpAddress;
  /** Source port. Default: an ephemeral port (RFC 6056 §3.3.1 random start). */
  localPort?: number;
}

export interface ListenOptions {
  /** Accept only on this local address (default: any of ours). */
  address?: IpAddress;
  /** Accept-queue length (default `HostConfig.backlog`). */
  backlog?: number;
  /** Most connections in SYN-RECEIVED (default `HostConfig.synQueue`). */
  synQueue?: number;
}

/** Misuse of the Host API (not a network condition): an unknown address, a port in use. */
export class HostError extends Error {
  override readonly name = "HostError";
}

interface Interface {
  addresses: IpAddress[];
  mtu: number;
}

const NO_PACKET = new Uint8Array(0);
/** Offsets of the source and destination addresses in an IPv4 header (RFC 791 §3.1). */
const IPV4_SRC = 12;
const IPV4_DST = 16;

export class Host implements ConnectionOwner, ListenerOwner {
  readonly counters: HostCounters = newHostCounters();

  private readonly interfaces: Interface[];
  /** Local address (as a key) → interface index. */
  private readonly owners = new Map<number | string, number>();
  private readonly routes: HostRoute[];
  private readonly random: HostConfig["random"];
  private readonly tcpOverrides: Partial<TcpConfig>;
  private readonly tcpConfigs = new Map<number, TcpConfig>();
  private readonly hookFor: HostConfig["tcpHook"];
  private readonly ports: [number, number];
  private readonly defaultBacklog: number;
  private readonly defaultSynQueue: number;
  private readonly isns: IsnGenerator;

  private readonly table = new ConnectionTable<Connection>();
  private readonly listeners = new Map<number, Listener>();
  private readonly timers = new DeadlineHeap<Connection>();
  private readonly ready = new Queue<Connection>();
  private readonly events = new Queue<HostEvent>();
  /** Datagrams the Host itself sends (RSTs for segments that matched nothing). */
  private readonly control = new Queue<HostTransmit>();
  private readonly out: HostTransmit = { packet: NO_PACKET, iface: 0 };
  private readonly due: Connection[] = [];
  private readonly slab = new PacketSlab();
  private nextId = 1;
  /** The key (`addressKey`) of the IPv4 address the last datagram received was for; -1: none. */
  private lastLocalIpv4 = -1;
  /** IPv4 header templates by local and remote address: one per address pair, not per connection. */
  private readonly ipv4Templates = new Map<string, Ipv4HeaderTemplate>();

  constructor(config: HostConfig) {
    this.interfaces = config.interfaces.map((i, index) => {
      const mtu = i.mtu ?? DEFAULT_MTU;
      if (!(Number.isInteger(mtu) && mtu >= 576 && mtu <= 65535)) throw new HostError(`interface ${index}: mtu ${mtu}`);
      for (const a of i.addresses) {
        if (a.length !== 4 && a.length !== 16) throw new HostError(`interface ${index}: address of ${a.length} bytes`);
        const key = addressKey(a);
        if (this.owners.has(key)) throw new HostError(`address ${formatAddress(a)} on two interfaces`);
        this.owners.set(key, index);
      }
      return { addresses: i.addresses.map((a) => a.slice()), mtu };
    });
    this.random = config.random;
    this.tcpOverrides = config.tcp ?? {};
    this.routes = [...(config.routes ?? [])].sort((a, b) => b.prefixLength - a.prefixLength);
    this.hookFor = config.tcpHook;
    this.ports = config.ephemeralPorts ?? DEFAULT_EPHEMERAL_PORTS;
    if (!(this.ports[0] >= 1 && this.ports[0] <= this.ports[1] && this.ports[1] <= 65535)) {
      throw new HostError(`ephemeral port range ${this.ports[0]}-${this.ports[1]}`);
    }
    this.defaultBacklog = config.backlog ?? DEFAULT_BACKLOG;
    this.defaultSynQueue = config.synQueue ?? DEFAULT_SYN_QUEUE;
    this.isns = new IsnGenerator(this.random);
  }

  /** Connections in the demultiplexing table (not yet CLOSED, TIME-WAIT included). */
  get connectionCount(): number {
    return this.table.size;
  }

  /** The connections in the table, in no particular order. */
  connections(): IterableIterator<Connection> {
    return this.table[Symbol.iterator]();
  }

  /** The addresses of interface `iface`. */
  addresses(iface: number): readonly IpAddress[] {
    return this.interfaces[iface]?.addresses ?? [];
  }

  // -----------------------------------------------------------------------------------------------
  // Application calls
  // -----------------------------------------------------------------------------------------------

  /**
   * Active open (RFC 9293 §3.10.1) to `remote:remotePort`. The SYN goes out on the next
   * `pollTransmit`; a "connected" event follows the handshake. Throws HostError when the local
   * address is not ours, no address of the remote's family exists, or the 4-tuple is in use.
   */
  connect(remote: IpAddress, remotePort: number, now: number, opts: ConnectOptions = {}): Connection {
    checkPort(remotePort, "remote port");
    const local = opts.local ?? this.sourceAddressFor(remote);
    const iface = this.owners.get(addressKey(local));
    if (iface === undefined) throw new HostError(`${formatAddress(local)} is not an address of this host`);
    if (local.length !== remote.length) throw new HostError("local and remote addresses of different families");
    let localPort: number;
    if (opts.localPort !== undefined) {
      checkPort(opts.localPort, "local port");
      if (this.table.find(local, opts.localPort, remote, remotePort) !== undefined) {
        throw new HostError(`${formatAddress(local)}:${opts.localPort} to ${formatAddress(remote)}:${remotePort} is in use`);
      }
      localPort = opts.localPort;
    } else {
      localPort = this.ephemeralPort(local, remote, remotePort);
    }
    const localCopy = local.slice();
    const remoteCopy = remote.slice();
    const isn = this.isns.isn(localCopy, localPort, remoteCopy, remotePort, now);
    const hook = this.hookFor?.({ local: localCopy, localPort, remote: remoteCopy, remotePort });
    const tcp = TcpConnection.connect(this.tcpConfigFor(iface, local.length), localPort, remotePort, isn, now, {
      tsOffset: randomU32(this.random),
      // Every segment is serialised as pollTransmit returns it (buildPacket).
      transientPayloads: true,
      ...(hook !== undefined ? { hook } : {}),
    });
    const conn = new Connection(this, this.nextId++, tcp, localCopy, remoteCopy, iface, undefined);
    conn.ipv4Template = this.ipv4TemplateFor(conn);
    this.table.add(conn);
    this.counters.activeOpens++;
    this.afterInput(conn);
    return conn;
  }

  /**
   * Passive open on `port`: SYNs to it create connections, announced with "incoming" once their
   * handshake completes and taken with `listener.accept()`. Throws HostError if the port
   * already has a listener.
   */
  listen(port: number, opts: ListenOptions = {}): Listener {
    checkPort(port, "port");
    if (this.listeners.has(port)) throw new HostError(`port ${port} already has a listener`);
    if (opts.address !== undefined && !this.owners.has(addressKey(opts.address))) {
      throw new HostError(`${formatAddress(opts.address)} is not an address of this host`);
    }
    const l = new Listener(this, port, opts.address?.slice(), opts.backlog ?? this.defaultBacklog, opts.synQueue ?? this.defaultSynQueue);
    this.listeners.set(port, l);
    return l;
  }

  /** @internal Listener.close(): connections it holds that the application never got are reset. */
  closeListener(listener: Listener): void {
    if (this.listeners.get(listener.port) === listener) this.listeners.delete(listener.port);
    for (let c = listener.acceptQueue.shift(); c !== undefined; c = listener.acceptQueue.shift()) {
      c.announced = false;
      c.abort();
    }
    for (const c of [...this.table]) if (c.listener === listener) c.abort();
  }

  /**
   * @internal A Connection method was called (`Connection.wake()` is the public form): the
   * connection joins the ready list, so the next `pollTransmit` asks it for segments and its
   * deadline is re-read. A removed (closed) connection is ignored.
   */
  touched(conn: Connection): void {
    if (conn.removed) return;
    this.afterInput(conn);
  }

  // -----------------------------------------------------------------------------------------------
  // Network input
  // -----------------------------------------------------------------------------------------------

  /**
   * A datagram arrived on interface `iface` at `now`. Call for every IP datagram received; then
   * drain `pollTransmit` and `pollEvent` and re-read `pollTimeout`. Datagrams that are malformed,
   * fail a checksum, are fragments, are not TCP or not for us are dropped and counted.
   */
  receive(packet: Uint8Array, _iface: number, now: number): void {
    const c = this.counters;
    c.ipIn++;
    c.ipInBytes += packet.length;
    if (packet.length > 0 && packet[0]! >>> 4 === 4) {
      this.receiveIpv4(packet, now);
      return;
    }
    const ip = parseIpPacket(packet, { verifyChecksum: true });
    if (isParseError(ip)) {
      if (ip.reason === "bad-checksum") c.dropIpChecksum++;
      else c.dropIpMalformed++;
      return;
    }
    if (ip.isFragment) {
      c.dropFragment++;
      return;
    }
    if (ip.protocol !== IPPROTO_TCP) {
      c.dropNotTcp++;
      return;
    }
    // A weak host model (RFC 1122 §3.3.4.2): any of our addresses on any interface.
    if (!this.owners.has(addressKey(ip.dst))) {
      c.dropNotLocal++;
      return;
    }
    const seg = parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } });
    if (isParseError(seg)) {
      if (seg.reason === "bad-checksum") c.dropTcpChecksum++;
      else c.dropTcpMalformed++;
      return;
    }
    const conn = this.table.find(ip.dst, seg.dstPort, ip.src, seg.srcPort);
    if (conn !== undefined) this.connectionArrived(conn, seg, now);
    else this.nothingArrived(ip.dst, ip.src, seg, now);
  }

  /**
   * `receive` of an IPv4 datagram, with the same checks in the same order, read in place through
   * the checked view: nothing is allocated per datagram but the TCP repr, and the addresses are
   * cut out of the datagram only for a segment no connection takes.
   */
  private receiveIpv4(packet: Uint8Array, now: number): void {
    const c = this.counters;
    const ip = Ipv4Packet.check(packet);
    if (isParseError(ip)) {
      c.dropIpMalformed++;
      return;
    }
    if (!ip.verifyChecksum()) {
      c.dropIpChecksum++;
      return;
    }
    if (ip.isFragment) {
      c.dropFragment++;
      return;
    }
    if (ip.protocol !== IPPROTO_TCP) {
      c.dropNotTcp++;
      return;
    }
    // Nearly every datagram is for the address the previous one was for: compare with that
    // before the map lookup (a hash-table probe per datagram, 2% of the receive path).
    const dst = readU32(packet, IPV4_DST);
    if (dst !== this.lastLocalIpv4) {
      if (!this.owners.has(dst)) {
        c.dropNotLocal++;
        return;
      }
      this.lastLocalIpv4 = dst;
    }
    const seg = parseTcpIn(packet, ip.headerLength, ip.totalLength, ip.pseudoHeaderSum());
    if (isParseError(seg)) {
      if (seg.reason === "bad-checksum") c.dropTcpChecksum++;
      else c.dropTcpMalformed++;
      return;
    }
    const conn = this.table.findIn(packet, IPV4_DST, IPV4_SRC, 4, seg.dstPort, seg.srcPort);
    if (conn !== undefined) this.connectionArrived(conn, seg, now);
    else this.nothingArrived(ip.dst, ip.src, seg, now);
  }

  private connectionArrived(conn: Connection, seg: TcpRepr, now: number): void {
    const l = conn.listener;
    if (l !== undefined && !conn.announced && l.acceptQueue.length >= l.backlog && isHandshakeAck(seg) && conn.state === "SYN-RECEIVED") {
      // Accept queue full: leave the connection in SYN-RECEIVED, as Linux does without
      // tcp_abort_on_overflow; the peer's retransmission or data retries the handshake.
      this.counters.dropAcceptOverflow++;
      return;
    }
    this.counters.tcpIn++;
    conn.tcp.handleSegment(seg, now);
    this.afterInput(conn);
  }

  /** A segment for no connection: a listener's, or answered with a RST. */
  private nothingArrived(local: IpAddress, remote: IpAddress, seg: TcpRepr, now: number): void {
    const listener = this.listeners.get(seg.dstPort);
    if (listener !== undefined && (listener.address === undefined || sameAddress(listener.address, local))) {
      this.listenArrived(listener, local, remote, seg, now);
      return;
    }
    this.resetForNothing(local, remote, seg);
  }

  /** RFC 9293 §3.10.7.2, for a segment to a listener that matches no connection. */
  private listenArrived(listener: Listener, local: IpAddress, remote: IpAddress, seg: TcpRepr, now: number): void {
    const f = seg.flags;
    // "First, check for a RST": ignore it.
    if (f & TCP_FLAG.RST) {
      this.counters.dropListen++;
      return;
    }
    // "Second, check for an ACK": <SEQ=SEG.ACK><CTL=RST>.
    if (f & TCP_FLAG.ACK) {
      this.resetForNothing(local, remote, seg);
      return;
    }
    // "Fourth, other text or control": drop.
    if ((f & TCP_FLAG.SYN) === 0) {
      this.counters.dropListen++;
      return;
    }
    // "Third, check for a SYN", after the listen-queue limits.
    if (listener.acceptQueue.length >= listener.backlog) {
      this.counters.dropBacklogFull++;
      return;
    }
    if (listener.synReceived >= listener.synQueueLimit) {
      this.counters.dropSynQueueFull++;
      return;
    }
    this.counters.tcpIn++;
    const iface = this.owners.get(addressKey(local))!;
    const localCopy = local.slice();
    const remoteCopy = remote.slice();
    const isn = this.isns.isn(localCopy, seg.dstPort, remoteCopy, seg.srcPort, now);
    const hook = this.hookFor?.({ local: localCopy, localPort: seg.dstPort, remote: remoteCopy, remotePort: seg.srcPort, syn: seg });
    const tcp = TcpConnection.accept(this.tcpConfigFor(iface, local.length), seg, isn, now, {
      tsOffset: randomU32(this.random),
      // Every segment is serialised as pollTransmit returns it (buildPacket).
      transientPayloads: true,
      ...(hook !== undefined ? { hook } : {}),
    });
    // The hook dropped the SYN (the connection stayed in LISTEN): nothing to keep.
    if (tcp.state === "LISTEN") return;
    const synReceived = tcp.state === "SYN-RECEIVED";
    const conn = new Connection(this, this.nextId++, tcp, localCopy, remoteCopy, iface, synReceived ? listener : undefined);
    conn.ipv4Template = this.ipv4TemplateFor(conn);
    // A connection the hook reset is never announced; it stays only to send its RST.
    if (!synReceived) conn.announced = false;
    else listener.synReceived++;
    this.table.add(conn);
    this.counters.passiveOpens++;
    this.afterInput(conn);
  }

  /** RFC 9293 §3.10.7.1: a segment for no connection and no listener gets a RST, unless it is one. */
  private resetForNothing(local: IpAddress, remote: IpAddress, seg: TcpRepr): void {
    const rst = resetFor(seg);
    if (rst === undefined) {
      this.counters.dropRstForNothing++;
      return;
    }
    this.counters.rstSent++;
    const header: IpHeader = { src: local, dst: remote, protocol: IPPROTO_TCP };
    this.control.push({ packet: buildPacket(this.slab, header, ipHeaderLength(header), rst), iface: this.owners.get(addressKey(local))! });
  }

  // -----------------------------------------------------------------------------------------------
  // Timers
  // -----------------------------------------------------------------------------------------------

  /**
   * Time reached `now`: runs the timers of every connection due by then (retransmissions, delayed
   * ACKs, probes, keepalives, TIME-WAIT expiry). Call when `pollTimeout()` says so; calling it
   * early or twice is harmless. Then drain `pollTransmit` and `pollEvent`.
   */
  handleTimeout(now: number): void {
    this.refreshDeadlines();
    const due = this.due;
    for (let c = this.timers.popDue(now); c !== undefined; c = this.timers.popDue(now)) due.push(c);
    for (let i = 0; i < due.length; i++) {
      const c = due[i]!;
      c.tcp.handleTimeout(now);
      this.afterInput(c);
    }
    due.length = 0;
  }

  /**
   * The earliest time at which `handleTimeout` must be called, or undefined when no timer runs.
   * Read it after draining `pollTransmit` (sending may start a retransmission timer).
   */
  pollTimeout(): number | undefined {
    this.refreshDeadlines();
    return this.timers.peek()?.deadline;
  }

  // -----------------------------------------------------------------------------------------------
  // Output
  // -----------------------------------------------------------------------------------------------

  /**
   * The next IP datagram to send and its interface, or undefined when nothing is left for now.
   * Call repeatedly after every input. Connections take turns segment by segment, so one bulk
   * transfer cannot starve the others. The returned object is reused by the next call; the
   * packet in it is a fresh buffer the caller owns.
   */
  pollTransmit(now: number): HostTransmit | undefined {
    const ctl = this.control.shift();
    if (ctl !== undefined) return this.sent(ctl.packet, ctl.iface);
    const ready = this.ready;
    while (ready.length > 0) {
      const conn = ready.peek()!;
      const seg = conn.tcp.pollTransmit(now);
      if (seg !== undefined) {
        if (ready.length > 1) ready.push(ready.shift()!);
        this.counters.tcpOut++;
        return this.sent(buildPacket(this.slab, conn.ipHeader, conn.ipHeaderLength, seg, conn.ipv4Template), conn.iface);
      }
      ready.shift();
      conn.ready = false;
      this.drainEvents(conn);
      if (conn.ready) continue;
      if (conn.tcp.state === "CLOSED") this.remove(conn);
      else this.updateDeadline(conn);
    }
    return undefined;
  }

  /** The next application event, or undefined. Drain after every input. */
  pollEvent(): HostEvent | undefined {
    return this.events.shift();
  }

  // -----------------------------------------------------------------------------------------------
  // Bookkeeping
  // -----------------------------------------------------------------------------------------------

  private sent(packet: Uint8Array, iface: number): HostTransmit {
    this.counters.ipOut++;
    this.counters.ipOutBytes += packet.length;
    this.out.packet = packet;
    this.out.iface = iface;
    return this.out;
  }

  /**
   * After any input to `conn`: its events, and its place in the ready list. Its timer is re-read
   * when it leaves that list, or before the deadline heap is next consulted (`refreshDeadlines`),
   * not after every input: a segment received and then read by the application is two inputs,
   * and each deadline read walks the connection's timers and moves it in the heap.
   */
  private afterInput(conn: Connection): void {
    this.drainEvents(conn);
    if (!conn.ready) {
      conn.ready = true;
      this.ready.push(conn);
    }
  }

  /** Brings the deadlines of connections in the ready list (changed by inputs) up to date. */
  private refreshDeadlines(): void {
    const ready = this.ready;
    for (let i = 0; i < ready.length; i++) this.updateDeadline(ready.at(i)!);
  }

  private updateDeadline(conn: Connection): void {
    if (!conn.removed) this.timers.set(conn, conn.tcp.pollTimeout());
  }

  private drainEvents(conn: Connection): void {
    for (let e = conn.tcp.pollEvent(); e !== undefined; e = conn.tcp.pollEvent()) {
      if (!conn.announced) {
        const l = conn.listener;
        if (e.type !== "connected" || l === undefined) continue;
        // The handshake of a passive open completed: from SYN queue to accept queue.
        conn.announced = true;
        conn.listener = undefined;
        l.synReceived--;
        if (!l.isOpen) {
          // The listener closed during the handshake: reset, and never tell the application.
          conn.announced = false;
          conn.tcp.abort();
          if (!conn.ready) {
            conn.ready = true;
            this.ready.push(conn);
          }
          continue;
        }
        l.acceptQueue.push(conn);
        this.events.push({ type: "incoming", listener: l });
        continue;
      }
      this.events.push({ type: e.type, connection: conn });
    }
  }

  private remove(conn: Connection): void {
    this.table.remove(conn);
    this.timers.remove(conn);
    conn.removed = true;
    if (conn.listener !== undefined) {
      conn.listener.synReceived--;
      conn.listener = undefined;
    }
    this.counters.connectionsClosed++;
  }

  private ipv4TemplateFor(conn: Connection): Ipv4HeaderTemplate | undefined {
    if (conn.local.length !== 4) return undefined;
    const key = `${addressKey(conn.local)}>${addressKey(conn.remote)}`;
    let t = this.ipv4Templates.get(key);
    if (t === undefined) {
      // Connections keep their own reference: forgetting the map's bounds what a server that
      // sees many peers holds.
      if (this.ipv4Templates.size >= 1024) this.ipv4Templates.clear();
      t = new Ipv4HeaderTemplate(conn.ipHeader as Ipv4Header);
      this.ipv4Templates.set(key, t);
    }
    return t;
  }

  /** The TCP configuration of connections on `iface`: the MSS follows its MTU. */
  private tcpConfigFor(iface: number, addressLength: number): TcpConfig {
    const mss = this.interfaces[iface]!.mtu - headerOverhead(addressLength);
    let cfg = this.tcpConfigs.get(mss);
    if (cfg === undefined) {
      cfg = tcpConfig({ ...this.tcpOverrides, mss: Math.min(mss, this.tcpOverrides.mss ?? mss) });
      this.tcpConfigs.set(mss, cfg);
    }
    return cfg;
  }

  /** Source address selection for an active open without one. */
  private sourceAddressFor(remote: IpAddress): IpAddress {
    for (const r of this.routes) {
      if (r.prefix.length === remote.length && commonPrefixLength(remote, r.prefix) >= r.prefixLength) {
        const a = this.interfaces[r.iface]?.addresses.find((x) => x.length === remote.length);
        if (a !== undefined) return a;
      }
    }
    // No route: the address sharing the longest prefix with the destination (RFC 6724 §5 rule
    // 8), the first on a tie, so that a host with an interface on the destination's subnet uses it,
    // as a connected route would make Linux do.
    let best: IpAddress | undefined;
    let bestLength = -1;
    for (const i of this.interfaces) {
      for (const a of i.addresses) {
        if (a.length !== remote.length) continue;
        const n = commonPrefixLength(a, remote);
        if (n > bestLength) {
          best = a;
          bestLength = n;
        }
      }
    }
    if (best !== undefined) return best;
    throw new HostError(`no IPv${remote.length === 4 ? 4 : 6} address to reach ${formatAddress(remote)}`);
  }

  /**
   * An ephemeral port for a new 4-tuple: RFC 6056 §3.3.1 (Algorithm 1), a random starting point
   * then the next free port, skipping ports with a listener.
   */
  private ephemeralPort(local: IpAddress, remote: IpAddress, remotePort: number): number {
    const [lo, hi] = this.ports;
    const n = hi - lo + 1;
    let port = lo + (randomU32(this.random) % n);
    for (let i = 0; i < n; i++) {
      if (!this.listeners.has(port) && this.table.find(local, port, remote, remotePort) === undefined) return port;
      port = port === hi ? lo : port + 1;
    }
    throw new HostError(`no free ephemeral port to ${formatAddress(remote)}:${remotePort}`);
  }
}

/**
 * A map key for an address: the number for IPv4 (as `readU32` reads it from a header), a
 * 16-character string for IPv6.
 */
function addressKey(a: IpAddress): number | string {
  if (a.length === 4) return readU32(a, 0);
  return String.fromCharCode(...a);
}

/** How many leading bits `a` and `b` (of one family) share. */
function commonPrefixLength(a: IpAddress, b: IpAddress): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return a.length * 8;
}

/** The ACK that would complete a passive handshake: ACK without SYN or RST. */
function isHandshakeAck(seg: TcpRepr): boolean {
  return (seg.flags & (TCP_FLAG.ACK | TCP_FLAG.SYN | TCP_FLAG.RST)) === TCP_FLAG.ACK;
}

function checkPort(port: number, what: string): void {
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new HostError(`${what} ${port}`);
}

/**
 * One datagram: `header` (of `headerLength` bytes, written from `template` when given) around
 * `seg`, both checksums computed.
 */
function buildPacket(slab: PacketSlab, header: IpHeader, headerLength: number, seg: TcpRepr, template?: Ipv4HeaderTemplate): Uint8Array {
  const tcpHeader = tcpHeaderLength(seg);
  const tcpLength = tcpHeader + seg.payload.length;
  const packet = slab.alloc(headerLength + tcpLength);
  if (template !== undefined) template.emitInto(packet, 0, tcpLength);
  else emitIpHeaderInto(packet, 0, header, tcpLength);
  emitTcpSizedInto(packet, headerLength, seg, tcpHeader, header.src, header.dst);
  return packet;
}

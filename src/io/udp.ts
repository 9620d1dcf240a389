/**
 * UDP encapsulation driver: each IP datagram travels as the payload of one UDP datagram between a
 * local and a remote UDP address, so two mptcp-ts processes can run MPTCP over several such
 * paths without root — between two machines, or over loopback.
 *
 * One driver is one path: a socket bound to the local address and connected to the remote one,
 * so the kernel accepts datagrams from that peer only. The IP addresses inside the datagrams are
 * the stacks' own (the path's "stack address"); the UDP addresses are only the tunnel's. See
 * docs/drivers.md for the `--udp` flag and a two-path example.
 */
import dgram from "node:dgram";
import { isIP } from "node:net";
import { checkIpDatagram, DriverError, emptyStats } from "./driver.js";
import type { DriverStats, PacketDriver, PacketHandler } from "./driver.js";

export interface UdpEndpoint {
  /** An IPv4 or IPv6 literal (no host names: the family and the address must be unambiguous). */
  host: string;
  /** 0 on the local side binds an ephemeral port (see `UdpDriver.localPort`). */
  port: number;
}

/** Outer IPv4 header plus UDP header (RFC 768): what encapsulation costs on an IPv4 path. */
export const UDP4_OVERHEAD = 28;
/** Outer IPv6 header plus UDP header. */
export const UDP6_OVERHEAD = 48;

export interface UdpOptions {
  local: UdpEndpoint;
  remote: UdpEndpoint;
  /**
   * The inner MTU, the largest datagram carried. Default: an Ethernet path's 1500 bytes less the
   * outer headers, 1472 over IPv4 and 1452 over IPv6, so the outer datagrams are not fragmented.
   * Over loopback anything up to 65507 (IPv4) or 65527 (IPv6) works.
   */
  mtu?: number;
  /**
   * Datagrams waiting in user space for the socket (when its kernel send buffer is full), at
   * most; past that `send` drops, as a full interface queue does. Default 512.
   */
  maxSendQueue?: number;
  /** SO_RCVBUF and SO_SNDBUF requests, in bytes (the kernel caps them at rmem_max/wmem_max). Default 4 MiB. */
  socketBufferBytes?: number;
}

/** Binds the local endpoint, connects to the remote one, and starts receiving. */
export async function openUdp(opts: UdpOptions): Promise<UdpDriver> {
  const family = isIP(opts.local.host);
  if (family === 0) throw new DriverError("invalid", `UDP local address "${opts.local.host}" is not an IP address`);
  if (isIP(opts.remote.host) !== family) {
    throw new DriverError("invalid", `UDP remote address "${opts.remote.host}" is not an IPv${family} address like the local one`);
  }
  checkPort(opts.local.port, true);
  checkPort(opts.remote.port, false);
  const maxMtu = family === 4 ? 65535 - UDP4_OVERHEAD : 65535 - 8;
  const mtu = opts.mtu ?? 1500 - (family === 4 ? UDP4_OVERHEAD : UDP6_OVERHEAD);
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > maxMtu) {
    throw new DriverError("invalid", `UDP driver MTU ${mtu} is outside 68..${maxMtu}`);
  }
  const maxSendQueue = opts.maxSendQueue ?? 512;
  const bufferBytes = opts.socketBufferBytes ?? 4 << 20;

  const socket = dgram.createSocket({ type: family === 4 ? "udp4" : "udp6", ipv6Only: family === 6 });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind({ address: opts.local.host, port: opts.local.port, exclusive: true }, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(opts.remote.port, opts.remote.host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.setRecvBufferSize(bufferBytes);
    socket.setSendBufferSize(bufferBytes);
  } catch (e) {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    throw socketError(e, opts);
  }
  return new UdpDriver(socket, opts.remote, mtu, maxSendQueue);
}

export class UdpDriver implements PacketDriver {
  readonly name: string;
  readonly stats: DriverStats = emptyStats();
  /** The bound local port (the kernel's choice when 0 was asked for). */
  readonly localPort: number;
  /**
   * ICMP port-unreachable reports for earlier datagrams (ECONNREFUSED): the peer is not (yet)
   * listening. Counted, not fatal — the peer may start later.
   */
  refused = 0;
  private handler: PacketHandler | undefined;
  private errorHandler: ((err: DriverError) => void) | undefined;
  private pending: Uint8Array[] = [];
  private flushScheduled: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;

  /** @internal Use `openUdp`. */
  constructor(
    private readonly socket: dgram.Socket,
    remote: UdpEndpoint,
    readonly mtu: number,
    private readonly maxSendQueue: number,
  ) {
    const local = socket.address();
    this.localPort = local.port;
    this.name = `udp:${endpointText(local.address, local.port)}=${endpointText(remote.host, remote.port)}`;
    socket.on("message", (msg) => this.onMessage(msg));
    socket.on("error", (e: NodeJS.ErrnoException) => this.onSocketError(e));
  }

  onPackets(handler: PacketHandler): void {
    this.handler = handler;
  }

  onError(handler: (err: DriverError) => void): void {
    this.errorHandler = handler;
  }

  send(packet: Uint8Array): void {
    const s = this.stats;
    if (this.closing || packet.length > this.mtu || this.socket.getSendQueueCount() >= this.maxSendQueue) {
      s.txErrors++;
      return;
    }
    // Without a callback Node tries the send synchronously and reports no error: a datagram the
    // kernel refuses is lost like any other, and the transport recovers.
    this.socket.send(packet);
    s.txPackets++;
    s.txBytes += packet.length;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.flushScheduled) clearImmediate(this.flushScheduled);
      this.stats.rxDropped += this.pending.length;
      this.pending = [];
      this.socket.close(() => resolve());
    });
    return this.closing;
  }

  private onMessage(msg: Buffer): void {
    if (this.closing) return;
    if (checkIpDatagram(msg) !== undefined) {
      this.stats.rxDropped++;
      this.stats.rxMalformed++;
      return;
    }
    // Node allocates a buffer per datagram, so a view is all the handler needs; a plain
    // Uint8Array keeps `slice` a copy, as everywhere else in the stack.
    this.pending.push(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
    // setImmediate runs after the I/O phase, so every datagram libuv read in this loop
    // iteration (up to 32 per readiness event) lands in one batch.
    this.flushScheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = undefined;
    const packets = this.pending;
    this.pending = [];
    const s = this.stats;
    if (!this.handler) {
      s.rxDropped += packets.length;
      return;
    }
    let bytes = 0;
    for (let i = 0; i < packets.length; i++) bytes += packets[i]!.length;
    s.rxPackets += packets.length;
    s.rxBytes += bytes;
    s.rxBatches++;
    this.handler(packets);
  }

  private onSocketError(e: NodeJS.ErrnoException): void {
    if (e.code === "ECONNREFUSED") {
      this.refused++;
      return;
    }
    if (this.closing) return;
    const err = new DriverError("io", `${this.name}: ${e.message}`, e.code);
    if (this.errorHandler) this.errorHandler(err);
    else throw err;
  }
}

/**
 * One path of the CLI's `--udp` flag: `[STACKADDR@]LOCALHOST:PORT=REMOTEHOST:PORT`, IPv6 hosts in
 * brackets (`[::1]:7001`). The stack address — the IP address the local stack uses on this path,
 * inside the tunnel — defaults to the local UDP address.
 */
export interface UdpPathSpec {
  stackAddress: string;
  local: UdpEndpoint;
  remote: UdpEndpoint;
}

/** Parses a `--udp` value; throws a `DriverError` (kind `invalid`) saying what is wrong. */
export function parseUdpPath(text: string): UdpPathSpec {
  const at = text.indexOf("@");
  const ends = (at >= 0 ? text.slice(at + 1) : text).split("=");
  if (ends.length !== 2) {
    throw new DriverError("invalid", `--udp "${text}": expected [STACKADDR@]LOCALHOST:PORT=REMOTEHOST:PORT`);
  }
  const local = parseEndpoint(ends[0]!, text);
  const remote = parseEndpoint(ends[1]!, text);
  const stackAddress = at >= 0 ? text.slice(0, at) : local.host;
  if (isIP(stackAddress) === 0) throw new DriverError("invalid", `--udp "${text}": stack address "${stackAddress}" is not an IP address`);
  return { stackAddress, local, remote };
}

function parseEndpoint(s: string, whole: string): UdpEndpoint {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  const host = m ? (m[1] ?? m[2]!) : "";
  if (!m || isIP(host) !== (m[1] !== undefined ? 6 : 4)) {
    throw new DriverError("invalid", `--udp "${whole}": "${s}" is not ADDR:PORT (IPv6 as [ADDR]:PORT)`);
  }
  const port = Number(m[3]);
  if (port > 65535) throw new DriverError("invalid", `--udp "${whole}": port ${port} is above 65535`);
  return { host, port };
}

function checkPort(port: number, local: boolean): void {
  if (!Number.isInteger(port) || port < (local ? 0 : 1) || port > 65535) {
    throw new DriverError("invalid", `UDP ${local ? "local" : "remote"} port ${port} is outside ${local ? 0 : 1}..65535`);
  }
}

function endpointText(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function socketError(e: unknown, opts: UdpOptions): DriverError {
  const err = e as NodeJS.ErrnoException;
  const where = endpointText(opts.local.host, opts.local.port);
  switch (err.code) {
    case "EADDRINUSE":
      return new DriverError("busy", `UDP address ${where} is already in use`, err.code);
    case "EADDRNOTAVAIL":
      return new DriverError("invalid", `UDP address ${opts.local.host} is not an address of this machine`, err.code);
    case "EACCES":
    case "EPERM":
      return new DriverError("permission", `binding UDP ${where} needs privileges (ports below 1024 need root)`, err.code);
    default:
      return new DriverError("io", `UDP ${where}: ${err.message}`, err.code);
  }
}

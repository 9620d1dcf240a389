/**
 * `createStack`: an MPTCP host on real packet drivers, with a Node-style API (DESIGN.md §7).
 *
 * ```ts
 * const udp = await openUdp({ local: { host: "127.0.0.1", port: 7001 }, remote: { host: "127.0.0.1", port: 7002 } });
 * const stack = createStack({ drivers: [{ driver: udp, address: "10.0.0.1" }] });
 * const socket = stack.connect(5201, "10.0.0.2", () => socket.end("hello"));
 * socket.on("subflow-up", (e) => console.log(e.subflow));
 * await stack.close();
 * ```
 *
 * Driver i is the host's interface i, with the addresses given for it. The stack owns its drivers:
 * `close()` closes them, and until then they keep the process alive, as open sockets do.
 */
import { EventEmitter } from "node:events";
import type { RandomSource } from "../crypto/random.js";
import type { PacketDriver } from "../io/driver.js";
import type { MptcpConnection } from "../mptcp/connection.js";
import type { HostRoute } from "../stack/config.js";
import { HostError } from "../stack/host.js";
import type { MptcpEvent } from "../stack/mptcp-events.js";
import type { MptcpListener, MptcpOptions } from "../stack/mptcp-host.js";
import { MptcpHost } from "../stack/mptcp-host.js";
import type { TcpConfig } from "../tcp/config.js";
import type { IpAddress } from "../wire/address.js";
import { formatAddress, parseAddress } from "../wire/address.js";
import type { Clock } from "./clock.js";
import { cryptoRandom, monotonicClock } from "./clock.js";
import { DriverLoop } from "./driver-loop.js";
import { socketError } from "./errors.js";
import type { ListenOptions, ServerOptions } from "./server.js";
import { MptcpServer } from "./server.js";
import type { MptcpSocketOptions } from "./socket.js";
import { MptcpSocket } from "./socket.js";

/** One interface of the stack: a driver and the stack's own address(es) on it. */
export interface StackPath {
  driver: PacketDriver;
  /** IPv4 or IPv6 literal(s): the source addresses of subflows on this path. */
  address: string | string[];
}

/** `TcpConfig.pacingSlack` of the runtime: one tick of Node's timers (`setTimeout` counts in ms). */
export const RUNTIME_PACING_SLACK_US = 1000;

export interface StackOptions {
  /** Interface i is `drivers[i]`. At least one. */
  drivers: StackPath[];
  /** MPTCP settings: enabled, checksums, buffers, limits, endpoints (see `MptcpOptions`). */
  mptcp?: MptcpOptions;
  /** TCP defaults for every subflow (`nagle`, buffers, ...); the MSS follows each driver's MTU. */
  tcp?: Partial<TcpConfig>;
  /** Routes for active opens without a local address (default: the first interface of the family). */
  routes?: { prefix: string; prefixLength: number; iface: number }[];
  /** Default: the operating system's CSPRNG. */
  random?: RandomSource;
  /** Default: `monotonicClock()`. */
  clock?: Clock;
}

export interface ConnectOptions extends MptcpSocketOptions {
  port: number;
  /** The peer's IP address (a literal: the stack resolves no names). */
  host: string;
  /** Source address, one of the stack's (default: by the routes). */
  localAddress?: string;
  /** Source port (default: ephemeral). */
  localPort?: number;
}

export interface CloseOptions {
  /**
   * How long connections that were ended gracefully may still take to exchange their last
   * DATA_FIN and ACKs before they are reset, in ms (default 2000).
   */
  lingerMs?: number;
}

/** Builds the host, wires the drivers, and starts the real-time loop. */
export function createStack(opts: StackOptions): Stack {
  return new Stack(opts);
}

export class Stack extends EventEmitter {
  /** The sans-I/O MPTCP host: endpoints, limits, counters (`stack.host.counters`). */
  readonly host: MptcpHost;
  /** The real-time driver of the host. */
  readonly loop: DriverLoop;
  private readonly sockets = new Map<MptcpConnection, MptcpSocket>();
  /** Connections whose socket ended gracefully and that are still closing. */
  private readonly lingering = new Set<MptcpConnection>();
  private readonly servers = new Map<MptcpListener, MptcpServer>();
  /** Sockets not yet told "established". */
  private readonly unestablished = new Set<MptcpSocket>();
  private lingerWaiter: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  /** @internal Use `createStack`. */
  constructor(opts: StackOptions) {
    super();
    if (opts.drivers.length === 0) throw new TypeError("createStack: at least one driver is needed");
    const interfaces = opts.drivers.map((p, i) => ({
      addresses: (Array.isArray(p.address) ? p.address : [p.address]).map((a) => addressOf(a, `drivers[${i}].address`)),
      mtu: p.driver.mtu,
    }));
    const routes: HostRoute[] | undefined = opts.routes?.map((r) => ({ prefix: addressOf(r.prefix, "routes[].prefix"), prefixLength: r.prefixLength, iface: r.iface }));
    this.host = new MptcpHost({
      interfaces,
      random: opts.random ?? cryptoRandom,
      // Node's timers fire to the millisecond: paced segments due within one leave together.
      tcp: { pacingSlack: RUNTIME_PACING_SLACK_US, ...opts.tcp },
      ...(routes !== undefined ? { routes } : {}),
      ...(opts.mptcp !== undefined ? { mptcp: opts.mptcp } : {}),
    });
    this.loop = new DriverLoop({
      host: this.host,
      drivers: opts.drivers.map((p) => p.driver),
      clock: opts.clock ?? monotonicClock(),
      onEvent: (e) => this.dispatch(e),
      afterDrain: () => {
        if (this.unestablished.size > 0) this.checkEstablished();
      },
      onDriverError: (err, iface) => {
        if (this.listenerCount("error") > 0) this.emit("error", err, iface);
        else throw err;
      },
    });
  }

  /**
   * Opens an MPTCP connection, like `net.connect`: `connect(options, cb?)` or
   * `connect(port, host, cb?)`; `cb` is a "connect" listener. A refusal (RST to the SYN) is an
   * "error" with code ECONNREFUSED, unanswered SYNs ETIMEDOUT. Throws (code EADDRNOTAVAIL, EINVAL)
   * when the stack has no usable source address or the arguments are not addresses.
   */
  connect(options: ConnectOptions | number, host?: string | (() => void), cb?: () => void): MptcpSocket {
    const o: ConnectOptions = typeof options === "number" ? { port: options, host: typeof host === "string" ? host : "" } : options;
    const done = typeof options === "number" ? cb : typeof host === "function" ? host : cb;
    this.checkOpen("connect");
    const remote = parseAddress(o.host);
    if (remote === undefined) throw socketError("EINVAL", "connect", o.host, o.port, "not an IP address; the stack resolves no names");
    let conn: MptcpConnection;
    try {
      conn = this.host.connect(remote, o.port, this.loop.now(), {
        ...(o.localAddress !== undefined ? { local: addressOf(o.localAddress, "localAddress") } : {}),
        ...(o.localPort !== undefined ? { localPort: o.localPort } : {}),
      });
    } catch (e) {
      if (e instanceof HostError || e instanceof RangeError) throw socketError("EADDRNOTAVAIL", "connect", o.host, o.port, e.message);
      throw e;
    }
    const socket = new MptcpSocket(this, conn, { address: formatAddress(remote), port: o.port }, true, o);
    this.adopt(conn, socket);
    if (done) socket.once("connect", done);
    this.loop.schedule();
    return socket;
  }

  /** Like `net.createServer`: `createServer(options?, connectionListener?)`; then `listen`. */
  createServer(options?: ServerOptions | ((socket: MptcpSocket) => void), connectionListener?: (socket: MptcpSocket) => void): MptcpServer {
    const opts = typeof options === "object" ? options : {};
    const listener = typeof options === "function" ? options : connectionListener;
    return new MptcpServer(this, opts, listener);
  }

  /**
   * Drains the host at the end of this tick. Sockets and servers call it themselves; call it
   * after using the sans-I/O objects directly (`socket.connection.openSubflow(...)`,
   * `stack.host.addEndpoint(...)`), so that what they queued is sent.
   */
  schedule(): void {
    this.loop.schedule();
  }

  /** Open sockets and connections still closing. */
  get connectionCount(): number {
    return this.sockets.size + this.lingering.size;
  }

  /**
   * Shuts the stack down: servers stop listening, open sockets are destroyed (MP_FASTCLOSE),
   * connections ended gracefully get `lingerMs` to finish, then the drivers are closed. Nothing
   * of the stack keeps the process alive once it resolves.
   */
  close(opts: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      for (const [l, s] of [...this.servers]) {
        s.close();
        this.servers.delete(l);
      }
      for (const s of [...this.sockets.values()]) s.destroy();
      if (this.lingering.size > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, opts.lingerMs ?? 2000);
          this.lingerWaiter = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.lingerWaiter = undefined;
        for (const c of this.lingering) c.abort();
        this.lingering.clear();
      }
      this.loop.drain();
      await this.loop.close();
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------
  // SocketOwner and ServerOwner
  // ---------------------------------------------------------------------------------------------

  /** @internal */
  socketDone(socket: MptcpSocket, linger: boolean): void {
    const conn = socket.connection;
    if (this.sockets.get(conn) !== socket) return;
    this.sockets.delete(conn);
    if (linger) this.lingering.add(conn);
    this.updateActive();
  }

  /** @internal */
  openListener(server: MptcpServer, opts: ListenOptions): MptcpListener {
    this.checkOpen("listen");
    const local = opts.host === undefined ? undefined : parseAddress(opts.host);
    if (opts.host !== undefined && local === undefined) throw socketError("EINVAL", "listen", opts.host, opts.port, "not an IP address");
    const listenOpts = { ...(local !== undefined ? { address: local } : {}), ...(opts.backlog !== undefined ? { backlog: opts.backlog } : {}) };
    const tryPort = (port: number): MptcpListener | undefined => {
      try {
        return this.host.listen(port, listenOpts);
      } catch (e) {
        if (!(e instanceof HostError || e instanceof RangeError)) throw e;
        if (opts.port !== undefined && opts.port !== 0) {
          const inUse = /listener/.test(e.message);
          throw socketError(inUse ? "EADDRINUSE" : "EADDRNOTAVAIL", "listen", opts.host ?? "::", opts.port, inUse ? undefined : e.message);
        }
        if (!/listener/.test(e.message)) throw socketError("EADDRNOTAVAIL", "listen", opts.host ?? "::", 0, e.message);
        return undefined;
      }
    };
    let l: MptcpListener | undefined;
    if (opts.port !== undefined && opts.port !== 0) l = tryPort(opts.port);
    else {
      // Port 0: a free port of the ephemeral range (RFC 6335 §6), from a random start.
      const span = 65535 - 49152 + 1;
      const b = new Uint8Array(2);
      cryptoRandom.fillBytes(b);
      const start = ((b[0]! << 8) | b[1]!) % span;
      for (let i = 0; i < span && l === undefined; i++) l = tryPort(49152 + ((start + i) % span));
      if (l === undefined) throw socketError("EADDRINUSE", "listen", opts.host ?? "::", 0, "no free port");
    }
    this.servers.set(l!, server);
    this.loop.schedule();
    return l!;
  }

  /** @internal */
  closeListener(_server: MptcpServer, listener: MptcpListener): void {
    this.servers.delete(listener);
    listener.close();
    this.loop.schedule();
  }

  // ---------------------------------------------------------------------------------------------
  // Events
  // ---------------------------------------------------------------------------------------------

  private dispatch(e: MptcpEvent): void {
    if (e.type === "incoming") {
      const server = this.servers.get(e.listener);
      for (let conn = e.listener.accept(); conn !== undefined; conn = e.listener.accept()) {
        const sub = conn.subflow;
        if (server === undefined || sub === undefined) {
          conn.abort();
          continue;
        }
        const socket = new MptcpSocket(this, conn, { address: formatAddress(sub.remote), port: sub.remotePort }, false, server.options);
        this.adopt(conn, socket);
        server.accepted(socket);
      }
      return;
    }
    const conn = e.connection;
    const socket = this.sockets.get(conn);
    if (socket !== undefined) socket.onConnectionEvent(e);
    else if (e.type === "closed" || e.type === "reset" || e.type === "timed-out") {
      if (this.lingering.delete(conn)) {
        this.updateActive();
        if (this.lingering.size === 0) this.lingerWaiter?.();
      }
    }
  }

  private adopt(conn: MptcpConnection, socket: MptcpSocket): void {
    this.sockets.set(conn, socket);
    this.unestablished.add(socket);
    socket.once("close", () => this.unestablished.delete(socket));
    this.updateActive();
  }

  /**
   * "established" once the connection is MPTCP and the peer has shown it holds both keys: a
   * Data ACK beyond the first byte or data of its own, which only a DSS carries (RFC 8684 §3.1:
   * the connection is then fully established). Joins opened earlier can reach a peer that does
   * not yet know the connection is fully established; Linux refuses them (MPJoinRejected).
   */
  private checkEstablished(): void {
    for (const s of this.unestablished) {
      const c = s.connection;
      if (c.mode === "fallback") this.unestablished.delete(s);
      if (c.mode !== "mptcp") continue;
      const d = c.dataLevel;
      // Relative DSNs start at 1 (the IDSN is 0, RFC 8684 §3.3.1).
      if (d.sndUna <= 1 && d.rcvNxt <= 1) continue;
      this.unestablished.delete(s);
      s.emit("established");
    }
  }

  private updateActive(): void {
    this.loop.setActive(this.connectionCount > 0);
  }

  private checkOpen(what: string): void {
    if (this.closing) throw Object.assign(new Error(`${what}: the stack is closed`), { code: "ERR_STACK_CLOSED" });
  }
}

function addressOf(text: string, what: string): IpAddress {
  const a = parseAddress(text);
  if (a === undefined) throw socketError("EINVAL", "createStack", text, undefined, `${what} is not an IP address`);
  return a;
}

/**
 * An MPTCP host: the sans-I/O `Host` (src/stack/) with MPTCP riding on its TCP connections
 * (DESIGN.md §1, §5). The same three inputs drive it as a Host (DESIGN.md §2):
 * - a datagram arrived: `receive(packet, iface, now)`;
 * - time passed: `handleTimeout(now)` at (or after) `pollTimeout()`;
 * - the application called `connect`, `listen`, `MptcpListener.accept` or an `MptcpConnection`
 *   method.
 * After any input, drain `pollTransmit(now)` until undefined, drain `pollEvent()`, and re-read
 * `pollTimeout()`. Its method shapes are the simulator's `SimNode`.
 *
 * Each TCP connection of the Host is a subflow: the Host asks `tcpHook` for a hook when it creates
 * one, and the hook belongs to the `MptcpConnection` the subflow carries. The application sees
 * only MPTCP connections and their events; the Host's own events are about subflows and are
 * handled here. Keys come from the injected random source through a per-host token table, so
 * tokens are unique on the host (RFC 8684 §3.1).
 *
 * Path management is Linux's in-kernel one: the host's endpoints and limits (`ip mptcp endpoint`,
 * `ip mptcp limits`; `MptcpOptions.endpoints`, `addEndpoint`, ...) drive, per connection, a
 * `KernelPathManager` that announces addresses (ADD_ADDR) and opens joins once the connection is
 * fully established, and acts on the peer's announcements. Each connection also takes the same
 * commands directly (`announce`, `removeAddress`, `openSubflow`, `closeSubflow`, `setBackup`), as
 * Linux's userspace path manager does.
 *
 * A mobile host can instead run a handover path manager (`MptcpOptions.pathManager` "full",
 * "backup" or "single-path", src/mptcp/pm/handover.ts) on the connections it opens: it opens and
 * withdraws subflows per interface as the device's link monitor reports interfaces going down and
 * coming back (`interfaceDown`, `interfaceUp`).
 */
import { generateUniqueKey } from "../crypto/keys.js";
import type { CongestionFloor, CongestionKind } from "../mptcp/cc/index.js";
import type { SchedulerName } from "../mptcp/sched/registry.js";
import type { HookContext, HostConfig } from "./config.js";
import type { Connection } from "./connection.js";
import type { ConnectOptions, HostTransmit, ListenOptions } from "./host.js";
import { Host } from "./host.js";
import type { Listener } from "./listener.js";
import { tcpConfig } from "../tcp/config.js";
import type { TcpHook } from "../tcp/hook.js";
import type { IpAddress } from "../wire/address.js";
import { randomU32 } from "../crypto/random.js";
import { TCPRST_REASON } from "../wire/mptcp/types.js";
import { MPTCP_VERSION, acceptableCapable, mptcpOptionsOf } from "../mptcp/capable.js";
import { DEFAULT_MAX_SUBFLOWS, DEFAULT_SYN_RETRANS_BEFORE_FALLBACK } from "../mptcp/connection-config.js";
import type { JoinSubflow } from "../mptcp/join.js";
import { joinOptionOf, refusingHook } from "../mptcp/join.js";
import type { MptcpConnectionConfig, MptcpConnectionOwner } from "../mptcp/connection.js";
import { MptcpConnection } from "../mptcp/connection.js";
import type { MptcpCounters } from "../mptcp/counters.js";
import { newMptcpCounters } from "../mptcp/counters.js";
import type { MptcpEvent } from "./mptcp-events.js";
import { TokenTable } from "../mptcp/tokens.js";
import { DEFAULT_ADD_ADDR_TIMEOUT_US } from "../mptcp/add-addr.js";
import { DEFAULT_CLOSE_TIMEOUT_US } from "../mptcp/close-timeout.js";
import type { Endpoint, EndpointSpec, PmConfigError, PmLimits } from "../mptcp/pm/endpoints.js";
import { EndpointTable, PM_ADDR_MAX, isPmConfigError } from "../mptcp/pm/endpoints.js";
import { parseEndpoint } from "../mptcp/pm/endpoint-spec.js";
import { addressEquals, formatAddress } from "../wire/address.js";
import type { HandoverMode } from "../mptcp/pm/handover.js";
import { HandoverManager } from "../mptcp/pm/handover-manager.js";

/**
 * Who opens and withdraws subflows: "kernel", the endpoints and limits (with `ndiffports`
 * beside them), or a handover policy for a mobile host (src/mptcp/pm/handover.ts).
 */
export type PathManagerName = "kernel" | HandoverMode;

/** `connect`'s options: the Host's, and this connection's own path manager. */
export interface MptcpConnectOptions extends ConnectOptions {
  pathManager?: PathManagerName;
}

export interface MptcpOptions {
  /** Offer and accept MPTCP (default true); false makes every connection plain TCP. */
  enabled?: boolean;
  /** Ask for DSS checksums (flag A; Linux `net.mptcp.checksum_enabled`, default false). */
  checksums?: boolean;
  /** Data-level receive buffer per connection (default: the TCP receive buffer size). */
  recvBufferSize?: number;
  /**
   * Receive-buffer autotuning (src/mptcp/rcv-space.ts, like Linux `mptcp_rcv_space_adjust`): the
   * connection-level window starts at 128 KB and grows each round trip, measured by the subflows'
   * receiver-side RTTs, to about twice what the application read in the last one, up to
   * `recvBufferSize`. Default false: measured, it still costs 0.7 Mbit/s on mptcp-two-paths,
   * where the 128 KB window at the start leaves the second subflow no room while the first one
   * repairs its slow-start loss (docs/multipath.md, "Receive-buffer autotuning"). MPTCP
   * connections only; a plain TCP connection of the stack keeps its fixed buffer.
   */
  autotune?: boolean;
  /** Data-level send buffer per connection (default: the TCP send buffer size). */
  sendBufferSize?: number;
  /** Most MPTCP connections (tokens) at once (RFC 7430); default unlimited. */
  maxConnections?: number;
  /**
   * Subflows per connection besides the initial one, joins we open and joins we accept alike
   * (Linux `ip mptcp limits set subflows N`; default 2). An alias of `limits.subflows`, which wins.
   */
  subflows?: number;
  /**
   * Joins in their handshake (MP_JOIN SYN answered, third ACK not yet in) across all connections
   * of the host (RFC 7430 §4: bound what unauthenticated SYNs can tie up; each connection is
   * bounded by its subflow limit too). A join SYN over it is refused with MP_TCPRST "lack of
   * resources" and counted as MPJoinRejected. Default 256.
   */
  maxHalfOpenJoins?: number;
  /**
   * The path manager's limits (Linux `ip mptcp limits set subflows N add_addr_accepted M`; default
   * subflows 2, add_addr_accepted 0: the peer's ADD_ADDRs are echoed but not joined).
   */
  limits?: Partial<PmLimits>;
  /**
   * Endpoints, as `ip mptcp endpoint add ADDR [id N] [port P] signal|subflow [backup] [fullmesh]`
   * (pm/endpoints.ts): `signal` addresses are announced to the peer with ADD_ADDR once a
   * connection is fully established, `subflow` ones open joins towards the peer. Also as text,
   * `"10.0.1.2 id 2 signal"` (`parseEndpoint`). Invalid entries throw at construction.
   */
  endpoints?: (EndpointSpec | string)[];
  /**
   * Time between ADD_ADDR transmissions until the peer echoes it, in µs (Linux
   * `net.mptcp.add_addr_timeout`, default 120 s); at most 3 retransmissions.
   */
  addAddrTimeout?: number;
  /**
   * How long a connection still open at the data level waits for a new subflow after losing its
   * last one, in µs (Linux `net.mptcp.close_timeout`, default 60 s): either end's path manager may
   * open one meanwhile (an interface back, the next network). 0 ends a connection with its last
   * subflow.
   */
  closeTimeout?: number;
  /**
   * Accept joins to the initial subflow's address and port (Linux
   * `net.mptcp.allow_join_initial_addr_port`, default true). False sends flag C (RFC 8684 §3.1).
   */
  allowJoinInitialAddrPort?: boolean;
  /**
   * MP_CAPABLE SYN retransmissions before the client's next SYN goes without MPTCP (Linux
   * `net.mptcp.syn_retrans_before_tcp_fallback`, default 2).
   */
  synRetransBeforeFallback?: number;
  /**
   * After a blackhole (MPTCP SYNs dropped where plain ones pass), how long active opens stay
   * plain TCP, in µs (Linux `net.mptcp.blackhole_timeout`, default 3600 s); doubled for each
   * blackhole in a row, up to 64 times. 0 never disables MPTCP.
   */
  blackholeTimeout?: number;
  /**
   * Congestion control of every connection's subflows (DESIGN.md §5, src/mptcp/cc/): "lia",
   * "olia", "balia" (coupled per connection), or "reno"/"cubic" uncoupled. Default: the TCP
   * configuration's controller on each subflow.
   */
  congestion?: CongestionKind;
  /**
   * OLIA's and BALIA's least ssthresh after a loss: "linux" (default), as the authors' Linux
   * modules keep it (OLIA 2 MSS, BALIA 1 MSS with more than one subflow), or "draft", as their
   * drafts' text does (OLIA 1 MSS with more than one subflow, BALIA 2 MSS). src/mptcp/cc/coupled.ts.
   */
  congestionFloor?: CongestionFloor;
  /** Which subflow carries each chunk (src/mptcp/sched/); default "lowest-rtt". */
  scheduler?: SchedulerName;
  /**
   * Opportunistic retransmission and penalisation when the send window blocks on a slow subflow
   * (Raiciu et al. NSDI'12 §4.2); default true. Off only to measure what they do.
   */
  opportunistic?: boolean;
  /**
   * The lowest-RTT scheduler's delay-aware rule (a slower subflow takes data only when it would
   * deliver it before the fastest could, without holding the window the fastest needs) and tail
   * reinjection (the fastest subflow, idle, carries again what a slower one would deliver later):
   * src/mptcp/sched/arrival.ts, reinject.ts; default true. Off only to measure what they do.
   */
  delayAware?: boolean;
  /**
   * When a subflow that holds data is stale (RFC 8684 §3.3.6): it takes no new data while another
   * can, and the data not yet data-acknowledged goes again on the others. A number is Linux's
   * `net.mptcp.stale_loss_cnt`: stale after more than that many expiries of a connection-level
   * retransmission timer with nothing heard on the subflow, the timer also sending the oldest
   * unacknowledged data again on an idle subflow at each expiry (src/mptcp/stale-loss.ts,
   * data-rtx.ts); 0 never marks a subflow stale. "first-timeout" (the default) marks it stale at
   * its first retransmission timeout and has no connection-level timer (src/mptcp/stall.ts).
   */
  staleLossCount?: number | "first-timeout";
  /**
   * Put the full DSS mapping and the Data ACK on every data segment, as Linux does (default
   * false). By default a mapping spanning several segments is declared on its first segment
   * only, the others carrying a Data ACK only when it has news (RFC 8684 §3.3.1), and where the
   * peer's window limits the sender, data is mapped ahead of the window so that mappings stay
   * long (src/mptcp/map-ahead.ts): 24-28 option bytes less per segment (docs/multipath.md).
   */
  dssEverySegment?: boolean;
  /**
   * The ndiffports path manager beside the endpoints: a client opens this many subflows in all
   * between the initial pair of addresses, differing only in source port (for ECMP networks,
   * RFC 8041 §3.4). The `subflows` limit still applies.
   */
  ndiffports?: number;
  /**
   * The path manager of the connections this host opens (default "kernel": the endpoints). A
   * handover policy works from the host's interfaces instead, the one the connection started on
   * ranked first, then the others in order: "full" (a regular subflow from every interface),
   * "backup" (the others as backup subflows, made regular with MP_PRIO when the active interface
   * goes), "single-path" (one subflow at a time; MP_JOIN on the next interface when the active
   * one goes). They act on `interfaceDown`/`interfaceUp`; the endpoints still apply beside them.
   * A connection can have its own (`connect`'s `pathManager`).
   */
  pathManager?: PathManagerName;
}

export interface MptcpHostConfig extends Omit<HostConfig, "tcpHook"> {
  mptcp?: MptcpOptions;
}

/** A listening port of an MptcpHost. */
export class MptcpListener {
  /** @internal Connections waiting for `accept`. */
  readonly queue: MptcpConnection[] = [];

  constructor(
    /** @internal The Host's listener. */
    readonly listener: Listener,
  ) {}

  get port(): number {
    return this.listener.port;
  }

  /** The oldest connection whose handshake completed, or undefined. Call after "incoming". */
  accept(): MptcpConnection | undefined {
    return this.queue.shift();
  }

  /** Stops listening; connections not yet accepted are reset. */
  close(): void {
    for (const c of this.queue.splice(0)) c.abort();
    this.listener.close();
  }
}

/** Joins in their handshake a host accepts at once, across its connections (RFC 7430 §4). */
export const DEFAULT_MAX_HALF_OPEN_JOINS = 256;

/** Linux's `net.mptcp.blackhole_timeout` default: 3600 s. */
export const DEFAULT_BLACKHOLE_TIMEOUT = 3_600_000_000;

function tupleKey(local: IpAddress, localPort: number, remote: IpAddress, remotePort: number): string {
  return `${local.join(".")}|${localPort}|${remote.join(".")}|${remotePort}`;
}

export class MptcpHost implements MptcpConnectionOwner {
  /** The TCP/IP stack underneath (subflows, their counters). */
  readonly host: Host;
  /** MPTcpExt counters of this host (src/mptcp/counters.ts). */
  readonly counters: MptcpCounters = newMptcpCounters();
  /**
   * The endpoints and limits the kernel-like path manager follows (`ip mptcp endpoint|limits`).
   * Read it freely; change it with `addEndpoint`, `deleteEndpoint`, `setBackupEndpoint`,
   * `setLimits`, so that connections and listeners follow.
   */
  readonly endpoints = new EndpointTable();
  /** MPTCP connections with a token (not fallen back, not closed). */
  private readonly live = new Set<MptcpConnection>();
  /** Listeners opened for port-based `signal` endpoints, by endpoint ID. */
  private readonly endpointListeners = new Map<number, Listener>();

  private readonly enabled: boolean;
  private connCfg: MptcpConnectionConfig;
  private readonly random: HostConfig["random"];
  private readonly tokens: TokenTable<MptcpConnection>;
  private readonly maxConnections: number;
  private readonly bySubflow = new Map<Connection, MptcpConnection>();
  /** Joined subflows by their TCP connection (§3.2). */
  private readonly joins = new Map<Connection, JoinSubflow>();
  private readonly maxHalfOpenJoins: number;
  /** Passive joins whose subflow the Host has not shown us yet. */
  private readonly unattachedJoins = new Map<string, JoinSubflow>();
  private pendingJoin: JoinSubflow | undefined;
  private readonly listeners = new Map<Listener, MptcpListener>();
  /** Passive connections whose subflow the Host has not shown us yet. */
  private readonly unattached = new Map<string, MptcpConnection>();
  private readonly dirty = new Set<MptcpConnection>();
  private readonly timed = new Set<MptcpConnection>();
  private readonly events: MptcpEvent[] = [];
  private eventHead = 0;
  private nextId = 1;
  private now = 0;
  private readonly blackholeTimeout: number;
  /** Active opens are plain TCP before this time (a blackhole was detected). */
  private activeDisabledUntil = 0;
  /** Blackholes in a row (Linux `active_disable_times`). */
  private blackholes = 0;
  /** The handover path managers of the connections that run one. */
  private readonly handover: HandoverManager;
  private readonly interfaceCount: number;

  constructor(config: MptcpHostConfig) {
    const m = config.mptcp ?? {};
    const tcp = tcpConfig(config.tcp ?? {});
    this.enabled = m.enabled ?? true;
    this.random = config.random;
    this.maxConnections = m.maxConnections ?? Number.POSITIVE_INFINITY;
    this.maxHalfOpenJoins = m.maxHalfOpenJoins ?? DEFAULT_MAX_HALF_OPEN_JOINS;
    this.tokens = new TokenTable(this.maxConnections);
    this.connCfg = {
      checksums: m.checksums ?? false,
      recvBufferSize: m.recvBufferSize ?? tcp.recvBufferSize,
      sendBufferSize: m.sendBufferSize ?? tcp.sendBufferSize,
      windowScaling: tcp.windowScaling,
      maxSubflows: m.limits?.subflows ?? m.subflows ?? DEFAULT_MAX_SUBFLOWS,
      synRetransBeforeFallback: m.synRetransBeforeFallback ?? DEFAULT_SYN_RETRANS_BEFORE_FALLBACK,
      ...(m.congestion !== undefined ? { congestion: m.congestion } : {}),
      ...(m.congestionFloor !== undefined ? { congestionFloor: m.congestionFloor } : {}),
      ...(m.scheduler !== undefined ? { scheduler: m.scheduler } : {}),
      ...(m.ndiffports !== undefined ? { ndiffports: m.ndiffports } : {}),
      ...(m.opportunistic !== undefined ? { opportunistic: m.opportunistic } : {}),
      ...(m.delayAware !== undefined ? { delayAware: m.delayAware } : {}),
      ...(m.staleLossCount !== undefined ? { staleLossCount: m.staleLossCount } : {}),
      ...(m.dssEverySegment !== undefined ? { dssEverySegment: m.dssEverySegment } : {}),
      autotune: m.autotune ?? false,
      addAddrTimeout: m.addAddrTimeout ?? DEFAULT_ADD_ADDR_TIMEOUT_US,
      closeTimeout: m.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_US,
      allowJoinInitialAddrPort: m.allowJoinInitialAddrPort ?? true,
    };
    this.blackholeTimeout = m.blackholeTimeout ?? DEFAULT_BLACKHOLE_TIMEOUT;
    this.host = new Host({ ...config, tcpHook: (ctx) => this.hookFor(ctx) });
    this.interfaceCount = config.interfaces.length;
    this.handover = new HandoverManager(m.pathManager ?? "kernel", config.interfaces.map((_, i) => this.host.addresses(i)));
    // The older `subflows` option had no upper bound: the path manager's copy is capped at Linux's
    // maximum, the connections' cap keeps the value given.
    const pmSubflows = m.limits?.subflows ?? Math.min(this.connCfg.maxSubflows, PM_ADDR_MAX);
    const limits = this.endpoints.setLimits({ subflows: pmSubflows, ...(m.limits?.addAddrAccepted !== undefined ? { addAddrAccepted: m.limits.addAddrAccepted } : {}) });
    if (isPmConfigError(limits)) throw new RangeError(`mptcp limits: ${limits.message}`);
    for (const e of m.endpoints ?? []) {
      const spec = typeof e === "string" ? parseEndpoint(e) : e;
      const r = isPmConfigError(spec) ? spec : this.addEndpoint(spec);
      if (isPmConfigError(r)) throw new RangeError(`mptcp endpoint ${typeof e === "string" ? e : formatAddress(e.addr)}: ${r.message}`);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Application calls
  // -----------------------------------------------------------------------------------------------

  /**
   * Active open: an MP_CAPABLE SYN to `remote:remotePort` (plain TCP when MPTCP is disabled or no
   * token could be allocated). "connected" follows the handshake, "fallback" if the peer does not
   * do MPTCP. `opts.pathManager` gives this connection its own path manager instead of
   * `MptcpOptions.pathManager`. Throws HostError as `Host.connect` does.
   */
  connect(remote: IpAddress, remotePort: number, now: number, opts: MptcpConnectOptions = {}): MptcpConnection {
    this.now = now;
    let conn: MptcpConnection | undefined;
    this.pendingActive = (c) => (conn = c);
    let sub: Connection;
    try {
      sub = this.host.connect(remote, remotePort, now, opts);
    } finally {
      this.pendingActive = undefined;
    }
    conn!.attach(sub);
    this.bySubflow.set(sub, conn!);
    if (opts.pathManager !== undefined) this.handover.choose(conn!, opts.pathManager);
    return conn!;
  }

  // -----------------------------------------------------------------------------------------------
  // Path manager configuration (Linux `ip mptcp endpoint` and `ip mptcp limits`)
  // -----------------------------------------------------------------------------------------------

  /**
   * `ip mptcp endpoint add`: the new endpoint, or why not (the kernel's errno and message). A
   * port-based `signal` endpoint gets a listener on that port for the joins it draws. Like Linux
   * (`mptcp_nl_add_subflow_or_signal_addr`), every fully established connection's path manager
   * looks at the endpoints again, within its limits: a `signal` endpoint is announced, a `subflow`
   * one opens subflows; connections established later use it from the start. Then drain
   * `pollTransmit`.
   */
  addEndpoint(spec: EndpointSpec): Endpoint | PmConfigError {
    const e = this.endpoints.add(spec);
    if (isPmConfigError(e)) return e;
    for (const c of this.live) c.endpointAdded();
    if (e.port !== 0) {
      try {
        this.endpointListeners.set(e.id, this.host.listen(e.port, { address: e.addr }));
      } catch {
        // The port has a listener already (the application's): joins reach it there too.
      }
    }
    return e;
  }

  /**
   * `ip mptcp endpoint delete id N`: every connection that announced the address, or has subflows
   * from it, sends REMOVE_ADDR (RFC 8684 §3.4.2) and closes those subflows; what it did with the
   * endpoint no longer counts against its path manager, so the endpoint added again is used again.
   */
  deleteEndpoint(id: number): Endpoint | PmConfigError {
    const e = this.endpoints.delete(id);
    if (isPmConfigError(e)) return e;
    for (const c of this.live) c.endpointDeleted(e.id);
    const l = this.endpointListeners.get(id);
    if (l !== undefined) {
      this.endpointListeners.delete(id);
      l.close();
    }
    this.removeAddress(e.addr);
    return e;
  }

  /**
   * The local address `addr` went away (or will no longer be used for MPTCP): each connection that
   * announced it or has subflows from it sends REMOVE_ADDR with its ID (RFC 8684 §3.4.2) and
   * closes those subflows, their data reinjected on the others; an endpoint for it is deleted.
   */
  removeAddress(addr: IpAddress): void {
    const e = this.endpoints.list().find((x) => addressEquals(x.addr, addr));
    if (e !== undefined) {
      this.deleteEndpoint(e.id);
      return;
    }
    for (const c of [...this.live]) c.removeLocalAddress(addr);
  }

  /**
   * `ip mptcp endpoint change id N [no]backup`: MP_PRIO (RFC 8684 §3.3.8) on every subflow from
   * the address.
   */
  setBackupEndpoint(id: number, backup: boolean): Endpoint | PmConfigError {
    const e = this.endpoints.change(id, { backup });
    if (isPmConfigError(e)) return e;
    for (const c of this.live) c.setBackupFrom(e.addr, backup);
    return e;
  }

  // -----------------------------------------------------------------------------------------------
  // Interface events (what a device's link monitor reports: netlink RTM_NEWLINK on Linux)
  // -----------------------------------------------------------------------------------------------

  /**
   * Interface `iface` lost its link (WiFi out of range, carrier lost): its addresses can no
   * longer carry anything. A handover path manager moves the connections it manages off it (see
   * `MptcpOptions.pathManager`). Under the kernel one, each connection with a subflow up elsewhere
   * withdraws the interface's addresses (REMOVE_ADDR, RFC 8684 §3.4.2; the endpoints stay), as a
   * network manager deleting the address makes happen; one with no other subflow keeps its
   * subflows, which time out unless the link returns first. Then drain `pollTransmit`.
   */
  interfaceDown(iface: number, now: number): void {
    if (!Number.isInteger(iface) || iface < 0 || iface >= this.interfaceCount) throw new RangeError(`interface ${iface}: no such interface`);
    this.now = now;
    this.handover.link(iface, false);
    const gone = this.host.addresses(iface);
    // A subflow up elsewhere, to carry the REMOVE_ADDR and the data: not a join still in its
    // handshake, which may never complete (withdrawing the only working subflow for one left the
    // connection without any, and the peer reset it).
    for (const c of [...this.live]) {
      if (!this.handover.manages(c) && c.hasLiveSubflowOff(gone)) for (const addr of gone) c.removeLocalAddress(addr);
    }
    this.service(now);
  }

  /**
   * Interface `iface` has its link again: a handover path manager opens subflows on it as its
   * policy says (the kernel one leaves it to new connections). Then drain `pollTransmit`.
   */
  interfaceUp(iface: number, now: number): void {
    if (!Number.isInteger(iface) || iface < 0 || iface >= this.interfaceCount) throw new RangeError(`interface ${iface}: no such interface`);
    this.now = now;
    this.handover.link(iface, true);
    this.service(now);
  }

  /** `ip mptcp limits set [subflows N] [add_addr_accepted M]`, for connections from now on. */
  setLimits(limits: Partial<PmLimits>): Readonly<PmLimits> | PmConfigError {
    const r = this.endpoints.setLimits(limits);
    if (!isPmConfigError(r)) this.connCfg = { ...this.connCfg, maxSubflows: r.subflows };
    return r;
  }

  /** Passive open on `port`; connections are announced with "incoming". */
  listen(port: number, opts: ListenOptions = {}): MptcpListener {
    const l = new MptcpListener(this.host.listen(port, opts));
    this.listeners.set(l.listener, l);
    return l;
  }

  // -----------------------------------------------------------------------------------------------
  // Inputs and outputs (DESIGN.md §2)
  // -----------------------------------------------------------------------------------------------

  /** A datagram arrived on interface `iface`. Then drain `pollTransmit` and `pollEvent`. */
  receive(packet: Uint8Array, iface: number, now: number): void {
    this.now = now;
    this.host.receive(packet, iface, now);
    this.service(now);
  }

  /** Time reached `now`: the Host's timers and the connections' own (DATA_FIN retransmission). */
  handleTimeout(now: number): void {
    this.now = now;
    this.host.handleTimeout(now);
    for (const c of [...this.timed]) {
      const t = c.timeout;
      if (t === undefined) this.timed.delete(c);
      else if (t <= now) {
        c.onTimer(now);
        this.dirty.add(c);
      }
    }
    this.service(now);
  }

  /** The next datagram to send, or undefined. Call repeatedly after every input. */
  pollTransmit(now: number): HostTransmit | undefined {
    this.now = now;
    this.service(now);
    for (;;) {
      const t = this.host.pollTransmit(now);
      if (t !== undefined) return t;
      if (!this.service(now)) return undefined;
    }
  }

  /** The earliest time `handleTimeout` must be called, or undefined. */
  pollTimeout(): number | undefined {
    let t = this.host.pollTimeout();
    for (const c of this.timed) {
      const ct = c.timeout;
      if (ct === undefined) this.timed.delete(c);
      else if (t === undefined || ct < t) t = ct;
    }
    return t;
  }

  /** The next application event, or undefined. Drain after every input. */
  pollEvent(): MptcpEvent | undefined {
    this.service(this.now);
    if (this.eventHead >= this.events.length) return undefined;
    const e = this.events[this.eventHead]!;
    this.events[this.eventHead++] = undefined as unknown as MptcpEvent;
    if (this.eventHead > 64 && this.eventHead * 2 > this.events.length) {
      this.events.splice(0, this.eventHead);
      this.eventHead = 0;
    }
    return e;
  }

  // -----------------------------------------------------------------------------------------------
  // MptcpConnectionOwner
  // -----------------------------------------------------------------------------------------------

  /** @internal */
  emit(event: MptcpEvent): void {
    if (event.type !== "incoming") this.handover.observe(event);
    this.events.push(event);
  }

  /** @internal */
  changed(conn: MptcpConnection): void {
    this.dirty.add(conn);
  }

  /** @internal */
  touchSubflow(subflow: Connection): void {
    this.host.touched(subflow);
  }

  /** @internal */
  joinNonce(): number {
    return randomU32(this.random);
  }

  /** @internal */
  connectJoin(_conn: MptcpConnection, join: JoinSubflow, local: IpAddress | undefined, remote: IpAddress, remotePort: number): Connection {
    this.pendingJoin = join;
    let sub: Connection;
    try {
      sub = this.host.connect(remote, remotePort, this.now, local === undefined ? {} : { local });
    } finally {
      this.pendingJoin = undefined;
    }
    this.joins.set(sub, join);
    return sub;
  }

  /**
   * @internal Linux `mptcp_active_disable` / `mptcp_active_enable` (net/mptcp/ctrl.c): a
   * blackhole turns MPTCP off for active opens for `blackholeTimeout` << (blackholes in a row - 1);
   * an MPTCP handshake that works once that time has passed clears the count.
   */
  activeOpenResult(_conn: MptcpConnection, blackhole: boolean): void {
    if (!blackhole) {
      if (this.now >= this.activeDisabledUntil) this.blackholes = 0;
      return;
    }
    this.counters.Blackhole++;
    if (this.blackholeTimeout <= 0) return;
    this.blackholes++;
    this.activeDisabledUntil = this.now + this.blackholeTimeout * 2 ** Math.min(this.blackholes - 1, 6);
  }

  /** @internal */
  released(conn: MptcpConnection): void {
    this.live.delete(conn);
    const k = conn.localKey;
    if (k !== undefined && this.tokens.lookup(k.token) === conn) this.tokens.remove(k.token);
  }

  // -----------------------------------------------------------------------------------------------
  // Internals
  // -----------------------------------------------------------------------------------------------

  private pendingActive: ((c: MptcpConnection) => void) | undefined;

  /** `HostConfig.tcpHook`: every subflow gets the hook of its MPTCP connection. */
  private hookFor(ctx: HookContext): TcpHook | undefined {
    if (ctx.syn === undefined && this.pendingJoin !== undefined) return this.pendingJoin.hook;
    const join = ctx.syn !== undefined && this.enabled ? joinOptionOf(ctx.syn.options) : undefined;
    if (join?.form === "syn") return this.joinHookFor(ctx, join);
    const id = this.nextId++;
    let conn: MptcpConnection;
    if (ctx.syn === undefined) {
      conn = this.newConnection(id, "client", this.enabled);
      this.pendingActive?.(conn);
    } else {
      const mpc = this.enabled ? mptcpOptionsOf(ctx.syn.options).capable : undefined;
      const offered = mpc !== undefined && acceptableCapable(mpc, true);
      const why = !this.enabled ? "MPTCP disabled" : mpc === undefined ? "SYN without MP_CAPABLE" : "unacceptable MP_CAPABLE on the SYN";
      conn = offered ? this.newConnection(id, "server", true) : new MptcpConnection(this, id, "server", this.connCfg, undefined, why);
      if (offered && conn.localKey !== undefined) conn.acceptOffer(mpc);
      this.unattached.set(tupleKey(ctx.local, ctx.localPort, ctx.remote, ctx.remotePort), conn);
    }
    return conn.hook;
  }

  /**
   * An MP_JOIN SYN at one of our listeners (§3.2): the connection its token names answers it, or
   * a RST with MP_TCPRST refuses it: "MPTCP-specific error" for an unknown token (Linux
   * MPJoinNoTokenFound), "administratively prohibited" over the subflow limit.
   */
  private joinHookFor(ctx: HookContext, syn: Extract<ReturnType<typeof joinOptionOf>, { form: "syn" }>): TcpHook {
    const count = (name: keyof MptcpCounters): void => {
      this.counters[name]++;
    };
    count("MPJoinSynRx");
    if (syn.backup) count("MPJoinSynBackupRx");
    const conn = this.tokens.lookup(syn.token);
    if (conn === undefined) {
      count("MPJoinNoTokenFound");
      return refusingHook(TCPRST_REASON.MPTCP_SPECIFIC, count);
    }
    if (this.halfOpenJoins() >= this.maxHalfOpenJoins) {
      count("MPJoinRejected");
      return refusingHook(TCPRST_REASON.LACK_OF_RESOURCES, count);
    }
    const answer = conn.acceptJoin(syn, ctx.local, ctx.localPort);
    if (typeof answer === "number") return refusingHook(answer, count);
    this.unattachedJoins.set(tupleKey(ctx.local, ctx.localPort, ctx.remote, ctx.remotePort), answer);
    return answer.hook;
  }

  /** Passive joins whose handshake has not completed (RFC 7430 §4). */
  private halfOpenJoins(): number {
    let n = this.unattachedJoins.size;
    for (const j of this.joins.values()) if (j.role === "responder" && !j.established && j.state !== "closed") n++;
    return n;
  }

  private newConnection(id: number, role: "client" | "server", mptcp: boolean): MptcpConnection {
    if (!mptcp) return new MptcpConnection(this, id, role, this.connCfg, undefined, "MPTCP disabled");
    if (role === "client" && this.now < this.activeDisabledUntil) {
      this.counters.MPCapableSYNTXDisabled++;
      return new MptcpConnection(this, id, role, this.connCfg, undefined, "MPTCP disabled after a blackhole");
    }
    // §3.1: a key whose token no other connection of this host uses, reserved at once.
    const key = this.tokens.size < this.maxConnections ? generateUniqueKey(this.random, MPTCP_VERSION, (t) => this.tokens.has(t)) : undefined;
    if (key === undefined) {
      this.counters.MPFallbackTokenInit++;
      return new MptcpConnection(this, id, role, this.connCfg, undefined, "no token available");
    }
    const conn = new MptcpConnection(this, id, role, this.connCfg, key);
    this.tokens.register(key.token, conn);
    this.live.add(conn);
    return conn;
  }

  /**
   * Hands the Host's events to the connections, attaches new passive subflows, and lets dirty
   * connections move data. Returns whether a subflow got something new to send.
   */
  private service(now: number): boolean {
    if (this.unattached.size > 0 || this.unattachedJoins.size > 0) this.attachPassive();
    for (let e = this.host.pollEvent(); e !== undefined; e = this.host.pollEvent()) {
      if (e.type === "incoming") {
        const l = this.listeners.get(e.listener);
        for (let sub = e.listener.accept(); sub !== undefined; sub = e.listener.accept()) {
          // A joined subflow belongs to its connection already; the application never sees it.
          if (this.joins.has(sub)) continue;
          const conn = this.bySubflow.get(sub);
          if (conn === undefined || l === undefined || conn.mode === "handshake") {
            sub.abort();
            continue;
          }
          l.queue.push(conn);
          this.emit({ type: "incoming", listener: l });
          // What happened before the application could see it follows "incoming".
          conn.reveal();
          this.dirty.add(conn);
        }
        continue;
      }
      const join = this.joins.get(e.connection);
      if (join !== undefined) {
        join.onSubflowEvent(e.type);
        if (e.type === "closed") this.joins.delete(e.connection);
        continue;
      }
      const conn = this.bySubflow.get(e.connection);
      if (conn === undefined) continue;
      conn.onSubflowEvent(e.type);
      if (e.type === "closed") this.bySubflow.delete(e.connection);
    }
    let acted = this.handover.service();
    while (this.dirty.size > 0) {
      const batch = [...this.dirty];
      this.dirty.clear();
      for (const c of batch) {
        if (c.service(now)) acted = true;
        if (c.timeout !== undefined) this.timed.add(c);
      }
      if (!acted) break;
    }
    return acted;
  }

  /** Finds the subflows the Host created for passive connections (by 4-tuple). */
  private attachPassive(): void {
    for (const sub of this.host.connections()) {
      const key = tupleKey(sub.local, sub.localPort, sub.remote, sub.remotePort);
      const join = this.unattachedJoins.get(key);
      if (join !== undefined) {
        this.unattachedJoins.delete(key);
        join.subflow = sub;
        this.joins.set(sub, join);
        continue;
      }
      const conn = this.unattached.get(key);
      if (conn === undefined) continue;
      this.unattached.delete(key);
      conn.attach(sub);
      this.bySubflow.set(sub, conn);
      this.dirty.add(conn);
    }
    // Hooks whose SYN the Host then refused never got a subflow.
    for (const conn of this.unattached.values()) this.released(conn);
    this.unattached.clear();
    for (const join of this.unattachedJoins.values()) join.close("failed");
    this.unattachedJoins.clear();
  }
}

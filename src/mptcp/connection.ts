/**
 * One MPTCP connection (RFC 8684) as the application sees it, and the data-level state behind it:
 * keys and IDSNs, the send queue and the reassembly in DSN space, the Data ACK, the shared receive
 * window, DATA_FIN and the fallback to plain TCP (DESIGN.md §5). It rides on its subflow through
 * the TCP hook (src/tcp/hook.ts): the hook supplies MP_CAPABLE and DSS options for outgoing
 * segments and consumes the MPTCP options and payload of incoming ones.
 *
 * The initial subflow carries the MP_CAPABLE handshake (§3.1), DSS mappings and Data ACKs (§3.3),
 * DATA_FIN (§3.3.3), MP_FASTCLOSE on abort (§3.5), MP_TCPRST (§3.6), and fallback to TCP (§3.7),
 * including MP_FAIL and the infinite mapping after a DSS checksum failure. Further subflows join
 * with MP_JOIN (§3.2, `openSubflow` and `JoinedSubflows`); they carry Data ACKs, DATA_FINs and the
 * peer's data.
 *
 * Inputs come from the MptcpHost that owns the connection: the hook calls made by the subflow's
 * TCP, the subflow's events (`onSubflowEvent`), timers (`onTimer`), and the application calls
 * below. After an application call, poll the MptcpHost (`pollTransmit` until undefined).
 *
 * How data moves. Sending: `write` puts bytes in the data-level queue (DSNs from 1); `pump` moves
 * chunks of it into the subflow's TCP send buffer, each chunk one mapping recorded in
 * `SendMappings`, so TCP's own retransmissions carry the same mapping again. Receiving: every
 * segment's payload is taken by the hook ("consume"), mapped to DSNs by `ReceiveMappings` and put
 * in order by `DataReassembly`, which the application reads. After a fallback the same paths are
 * used with the identity mapping (subflow offset k is DSN k + 1), so the application never sees
 * the difference.
 */
import type { KeyMaterial } from "../crypto/keys.js";
import { keyDerive } from "../crypto/keys.js";
import { opportunisticRetransmit } from "./sched/opportunistic.js";
import { tailReinjection } from "./sched/reinject.js";
import { slowerHoldsWindow } from "./sched/arrival.js";
import { DEFAULT_INITIAL_RCV_SPACE, DEFAULT_RCV_MSS, DataRttSamples, RcvSpace } from "./rcv-space.js";
import { congestionFactory } from "./cc/index.js";
import { schedulerByName } from "./sched/registry.js";
import type { CongestionFactory } from "../tcp/congestion/controller.js";
import { StallWatch } from "./stall.js";
import { StaleLoss } from "./stale-loss.js";
import type { RtxSubflow } from "./data-rtx.js";
import { DataAckWatch, DataRetransmitTimer, dataRtxInterval, onRtxExpiry } from "./data-rtx.js";
import type { OrderChunk } from "./ofo-count.js";
import { DataOrder, SubflowOrder } from "./ofo-count.js";
import type { Subflow } from "./subflow.js";
import type { MptcpStats, SubflowStats } from "./stats.js";
import { subflowStats } from "./stats.js";
import type { IpAddress } from "../wire/address.js";
import type { ConnectionEventType } from "../tcp/events.js";
import type { IncomingContext, IncomingVerdict, OutgoingContext, Reservation, ReserveContext, TcpHook } from "../tcp/hook.js";
import { MAX_OPTION_BYTES } from "../tcp/options.js";
import type { TcpOption, TcpRepr } from "../wire/tcp-types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import type { Dss, MpCapable, MptcpOption } from "../wire/mptcp/types.js";
import { TCPRST_REASON } from "../wire/mptcp/types.js";
import { acceptableCapable, capableFlags, mapsData, MPTCP_VERSION, mptcpOptionsOf, padOption, padOptions, paddedLengths, reservationOf, wantsChecksums } from "./capable.js";
import type { SegmentMptcp } from "./capable.js";
import type { MptcpCounterName } from "./counters.js";
import { DataAckWidth, DsnSpace } from "./dsn.js";
import { SubflowlessWait, type SubflowlessEnd } from "./close-timeout.js";
import type { MptcpConnectionEventType } from "./events.js";
import type { MappingAnnouncement, MappingError, SegmentResult } from "./mapping.js";
import { ReceiveMappings, readMapping } from "./mapping.js";
import { DataReassembly } from "./reassembly.js";
import { SegmentSizes } from "./segment-sizes.js";
import { AHEAD_BYTES, AheadRun } from "./map-ahead.js";
import { DataAckRecord, SendMappings, carriesMapping, dataFinDss, declaringShape, declaresMapping, mappingDss, withDataAck } from "./send-mapping.js";
import { SentInfiniteMapping, infiniteMappingDss } from "./infinite-mapping.js";
import type { DataAckState, SegmentShape, SentMapping } from "./send-mapping.js";
import type { JoinSubflow } from "./join.js";
import type { DataLevel } from "./joined-paths.js";
import { JoinedSubflows } from "./joined-paths.js";
import type { MpJoinSyn } from "../wire/mptcp/types.js";
import type { SendPath } from "./joined-paths.js";
import { aloneRoom, segmentPayload, subflowRoom, wholeSegments } from "./joined-paths.js";
import type { Scheduler } from "./sched/scheduler.js";
import { DataSendQueue } from "./send-queue.js";
import type { AnnouncedAddress } from "./add-addr.js";
import type { PathState } from "./path-control.js";
import { InitialPath, PathControl } from "./path-control.js";
import { MPC_FLAG } from "../wire/mptcp/types.js";
import { addressEquals } from "../wire/address.js";
import { ADD_ADDR_RETRANS_MAX } from "./add-addr.js";
import type { MptcpConnectionConfig, MptcpConnectionOwner, MptcpMode } from "./connection-config.js";
import { DATA_FIN_RTO, DATA_FIN_RTO_MAX, DATA_SWS_BYTES, MAX_MAPPING_BYTES, WINDOW_SLACK } from "./connection-config.js";

export type { MptcpConnectionConfig, MptcpConnectionOwner, MptcpMode } from "./connection-config.js";
export { MAX_MAPPING_BYTES } from "./connection-config.js";

/** A TCP state in which a subflow still exchanges segments in both directions. */
function isOpen(sub: Subflow): boolean {
  const st = sub.state;
  return st === "ESTABLISHED" || st === "CLOSE-WAIT";
}

/** A join that can carry segments now: fully established, its subflow open. */
function isLiveJoin(j: JoinSubflow): j is JoinSubflow & { subflow: Subflow } {
  return j.established && j.subflow !== undefined && isOpen(j.subflow);
}

export class MptcpConnection {
  readonly role: "client" | "server";
  /** The host-unique number of the connection (for logs and maps). */
  readonly id: number;
  /** Our key, token and IDSN; undefined for a connection that never offered MPTCP. */
  readonly localKey: KeyMaterial | undefined;
  private remote: KeyMaterial | undefined;
  private modeValue: MptcpMode;
  private reason: string | undefined;
  private csum = false;

  /** @internal The hook the subflow's TCP calls. */
  readonly hook: TcpHook;
  private sub: Subflow | undefined;

  private readonly sendQueue: DataSendQueue;
  private readonly reasm: DataReassembly;
  private readonly ackWidth = new DataAckWidth();
  /** The Data ACK last sent on the initial subflow. */
  private readonly initialAcks = new DataAckRecord();
  /** How much of our subflow stream the peer has acknowledged on the initial subflow. */
  private peerAckedOffset = 0;
  /** Segments without MPTCP options in a row that acknowledged new data of ours (§3.7). */
  private bareAdvances = 0;
  private localSpace: DsnSpace | undefined;
  private peerSpace: DsnSpace | undefined;
  private txMap: SendMappings | undefined;
  private rxMap: ReceiveMappings | undefined;
  /** The peer's window shift (RFC 7323), to read windows relative to the Data ACK (§3.3.4). */
  private sndShift = 0;
  /** Bytes written into the subflow's TCP stream. */
  private written = 0;

  /** Client: the third ACK carried MP_CAPABLE with both keys; data may follow. */
  private thirdAckSent = false;
  /** Client: a DSS from the server arrived, so it has our keys (§3.1); no more MP_CAPABLE. */
  private fullyEstablished = false;
  /** DSN minus subflow offset of the peer's latest mapping: the identity after a fallback. */
  private rxDelta = 1;
  /** The peer offered MP_CAPABLE on its SYN (server). */
  private peerOffered = false;
  /** Client: SYNs sent with MP_CAPABLE, the first one included. */
  private capableSyns = 0;
  /** Client: SYNs with MP_CAPABLE went unanswered and the SYN went out plain (a blackhole?). */
  private mpcDropped = false;

  /** DSN of our DATA_FIN when it goes alone on ACKs (§3.3.3), until data-acknowledged. */
  private bareDataFin: number | undefined;
  /**
   * The DSN of a DATA_FIN to send alone on ACKs with its retransmission timer once fully
   * established: the client's, kept out of the mapping that rides on MP_CAPABLE (§3.1), or one
   * whose data was acknowledged without a Data ACK (`incoming`).
   */
  private deferredDataFin: number | undefined;
  private dataFinTimeout: number | undefined;
  private dataFinBackoff = 0;
  /** MP_TCPRST reason for the RST we are about to send (§3.6). */
  private rstReason: number | undefined;
  /** The DSN of a failed DSS checksum, for MP_FAIL on that RST (§3.7). */
  private rstFailDsn: number | undefined;
  /** The application aborted: the RST carries MP_FASTCLOSE (§3.5). */
  private fastClose = false;
  /** The Host's endpoints changed since the last service (`endpointAdded`). */
  private endpointsChanged = false;
  /** Receiver: a DSS checksum failed; MP_FAIL with this DSN until the infinite mapping (§3.7). */
  private mpFailDsn: number | undefined;
  /**
   * Receiver: MP_FAIL goes on the next segment that has room for it: after a checksum failure,
   * and again whenever the peer shows it has not received one (`incomingMptcp`).
   */
  private mpFailDue = false;
  /** Sender: the peer sent MP_FAIL; the next segment carries the infinite mapping (§3.7). */
  private infinitePending = false;
  /** Sender, after the fallback: the infinite mapping, for the copies of its segment (infinite-mapping.ts). */
  private infiniteSent: SentInfiniteMapping | undefined;
  /**
   * A join has been up: the initial subflow's bytes no longer map linearly onto the data stream
   * (the join carried some, and what it lost came back on the initial subflow), so the connection
   * may never continue as TCP, even once the joins are gone (§3.7; Linux clears
   * `allow_infinite_fallback` for good when a join completes).
   */
  private joinedOnce = false;
  /**
   * Joins opened before the peer showed it has our key (not yet fully established, §3.1): their
   * SYN may reach the peer before the MP_CAPABLE ACK that carries the key, and the peer, unable
   * to check the HMAC, refuses it (Linux does; its own path manager never opens one that early).
   */
  private readonly earlyJoins = new WeakSet<JoinSubflow>();
  /** Early joins the peer refused, opened again once fully established (`service`). */
  private retryJoins: { local: IpAddress; remote: IpAddress; remotePort: number; backup: boolean }[] = [];

  private ackWanted = false;
  private wantWritable = false;
  private readSinceUpdate = 0;
  /**
   * Since the last Data ACK, the send window stopped a subflow with room while a slower one held
   * data in it (sched/scheduler.ts, arrival.ts `slowerHoldsWindow`).
   */
  private windowBlocked = false;
  /** Receive-buffer autotuning (rcv-space.ts), when `autotune` is on. */
  private readonly rcvSpace: RcvSpace | undefined;
  /** The subflows' receiver-side RTT samples autotuning measures its rounds by. */
  private readonly dataRtt = new DataRttSamples();
  private peerClosedSent = false;
  private closedSent = false;
  private established = false;
  private shutdownDone = false;
  private announcedValue: boolean;

  /** The subflows that joined with MP_JOIN (§3.2). */
  private readonly joins: JoinedSubflows;
  /** Our address IDs by local address (§3.2); the initial subflow's address is ID 0. */
  private readonly localAddrIds = new Map<string, number>();
  private nextAddrId = 1;
  private readonly scheduler: Scheduler;
  /** Congestion controllers of this connection's subflows (one coupled group), if not TCP's own. */
  private readonly ccFactory: CongestionFactory | undefined;
  /** The initial subflow failed while joined ones carry on (§3.3.6). */
  private initialDown = false;
  /** Stall detection on the initial subflow (§3.3.6, stall.ts). */
  private readonly initialWatch = new StallWatch();
  /** Linux's stale state of the initial subflow (stale-loss.ts), when `staleLossCount` is a number. */
  private readonly initialLoss = new StaleLoss();
  /** Linux's connection-level retransmission timer (data-rtx.ts), when `staleLossCount` is a number. */
  private readonly dataRtx = new DataRetransmitTimer();
  /** The default stall rule's wait for a lost Data ACK (data-rtx.ts `DataAckWatch`). */
  private readonly ackWatch = new DataAckWatch();
  /** The Data ACK advanced since the last `service` (restarts `dataRtx`). */
  private dataAcked = false;
  /** Linux's order of the data reaching the data level, for MPTcpExt OFOQueue (ofo-count.ts). */
  private readonly dataOrder = new DataOrder();
  private readonly initialOrder = new SubflowOrder();
  private readonly moveData = (c: OrderChunk): void => {
    if (this.dataOrder.move(c)) this.count("OFOQueue");
  };
  /** When each subflow was last penalised (opportunistic retransmission). */
  private readonly penalisedAt = new WeakMap<Subflow, number>();
  /** Payloads of the initial subflow's full data segments, as last planned (for `subflowRoom`). */
  private readonly sizes = new SegmentSizes();
  /** Data handed to one subflow beyond the window's right edge (map-ahead.ts). */
  private aheadRun: AheadRun<Subflow> | undefined;
  /** The subflow of the latest incoming segment: connection-level ACKs go there. */
  private lastRx: Subflow | undefined;
  /** Address signals, MP_PRIO, the path manager and the subflow events (path-control.ts). */
  private readonly paths: PathControl;
  /** The initial subflow's priority and address IDs. */
  private readonly initialPath = new InitialPath();
  /** The peer reset the connection with MP_FASTCLOSE (§3.5): every subflow gets a RST. */
  private peerFastClose = false;
  /** The segment being processed on the initial subflow is a RST. */
  private rstIn = false;
  /** The initial subflow was taken out of service (its address removed, or closed by command). */
  private initialRemoved = false;
  /** "subflow-up" was reported for the initial subflow. */
  private initialUp = false;
  /** The last subflow went: the wait for a new one (close-timeout.ts). */
  private readonly noSubflow = new SubflowlessWait();

  /** @internal Use MptcpHost.connect and MptcpListener.accept. */
  constructor(
    private readonly owner: MptcpConnectionOwner,
    id: number,
    role: "client" | "server",
    private readonly cfg: MptcpConnectionConfig,
    localKey: KeyMaterial | undefined,
    /** Why a connection without a key is plain TCP from the start. */
    plainReason?: string,
  ) {
    this.id = id;
    this.role = role;
    this.localKey = localKey;
    this.modeValue = localKey === undefined ? "fallback" : "handshake";
    this.reason = localKey === undefined ? plainReason : undefined;
    this.announcedValue = role === "client";
    this.sendQueue = new DataSendQueue({ capacity: cfg.sendBufferSize, initialWindow: 0 });
    this.reasm = new DataReassembly({ capacity: cfg.recvBufferSize + WINDOW_SLACK });
    this.rcvSpace = cfg.autotune === true ? new RcvSpace({ initial: DEFAULT_INITIAL_RCV_SPACE, max: cfg.recvBufferSize, mss: DEFAULT_RCV_MSS }) : undefined;
    if (localKey === undefined) {
      this.sendQueue.onWindow(1, Number.MAX_SAFE_INTEGER / 2);
      if (this.announcedValue && plainReason !== undefined) owner.emit({ type: "fallback", connection: this, reason: plainReason });
    }
    // DESIGN.md §5: the scheduler and the congestion controllers are per connection; a coupled
    // factory holds this connection's group (cc/), so every subflow gets one from it.
    this.scheduler = schedulerByName(cfg.scheduler ?? "lowest-rtt", { delayAware: cfg.delayAware !== false });
    this.ccFactory = cfg.congestion === undefined ? undefined : congestionFactory(cfg.congestion, cfg.congestionFloor);
    this.joins = new JoinedSubflows(this.joinedDataLevel(), cfg.maxSubflows);
    this.paths = this.newPathControl();
    this.hook = {
      reserve: (ctx) => this.reserve(ctx),
      options: (ctx) => this.options(ctx),
      incoming: (ctx) => this.incoming(ctx),
      // §3.3.4: the window of every subflow is the connection's receive window.
      receiveSpace: () => this.receiveSpace(),
      sendLimit: () => (this.sub === undefined ? undefined : this.sendLimit(this.sub)),
      // RFC 8985 §7.3 probes with new data or the last segment, neither of which carries the
      // client's MP_CAPABLE: until the server has acknowledged that first data (§3.1), a probe
      // reaching it before the MP_CAPABLE segment would make it fall back, as Linux's
      // subflow_syn_recv_sock does. The RTO resends the MP_CAPABLE segment instead.
      lossProbesAllowed: () => this.modeValue !== "mptcp" || this.role !== "client" || this.fullyEstablished,
      ...(this.ccFactory !== undefined ? { congestion: this.ccFactory } : {}),
    };
  }

  // -----------------------------------------------------------------------------------------------
  // Application interface
  // -----------------------------------------------------------------------------------------------

  get mode(): MptcpMode {
    return this.modeValue;
  }

  /** Why the connection fell back to TCP, if it did. */
  get fallbackReason(): string | undefined {
    return this.reason;
  }

  /** DSS checksums are in use (§3.1: either side set flag A). */
  get checksums(): boolean {
    return this.csum;
  }

  /** The peer's key, once known. */
  get remoteKey(): KeyMaterial | undefined {
    return this.remote;
  }

  /** The initial subflow (the Host's TCP connection). */
  get subflow(): Subflow | undefined {
    return this.sub;
  }

  /** The subflows that joined (§3.2), established or not, in order of creation. */
  get joinedSubflows(): readonly JoinSubflow[] {
    return this.joins.all;
  }

  /**
   * Whether the connection has lost its last subflow and waits for a new one, up to the host's
   * `closeTimeout` (close-timeout.ts): data written meanwhile waits for it.
   */
  get awaitingSubflow(): boolean {
    return this.noSubflow.waiting;
  }

  /**
   * Bytes written into the initial subflow's TCP stream (retransmissions by TCP not counted,
   * reinjections counted); `JoinSubflow.bytesSent` is the same for a joined one.
   */
  get bytesSent(): number {
    return this.written;
  }

  /**
   * Bytes of the stream the peer has acknowledged: its Data ACKs (RFC 8684 §3.3.2), or after a
   * fallback its TCP ACKs (§3.7). Unlike what the application wrote, nothing of it is still here.
   */
  get bytesAcked(): number {
    return this.sendQueue.acked;
  }

  /** A snapshot for applications and results: mode, fallback reason, per-subflow figures. */
  stats(): MptcpStats {
    const subflows: SubflowStats[] = [];
    const initial = this.initialPath;
    if (this.sub !== undefined) subflows.push(subflowStats(this.sub, "initial", initial.backup || initial.peerBackup));
    for (const j of this.joins.all) {
      if (j.subflow !== undefined && !this.paths.isDown(j)) subflows.push(subflowStats(j.subflow, "join", j.backup || j.peerBackup));
    }
    // Subflows that went down recently, at most CLOSED_SUBFLOWS_KEPT, with state CLOSED.
    subflows.push(...this.paths.closedSubflows);
    return { mode: this.modeValue, fallback: this.reason ?? false, checksums: this.csum, subflows };
  }

  // -----------------------------------------------------------------------------------------------
  // Path management (like the kernel's userspace path manager; the Host's endpoints drive the
  // same calls through the kernel-like one, pm/kernel.ts)
  // -----------------------------------------------------------------------------------------------

  /** Addresses the peer announced with ADD_ADDR and has not removed (§3.4.1), by address ID. */
  get peerAddresses(): ReadonlyMap<number, AnnouncedAddress> {
    return this.paths.signals.peer;
  }

  /**
   * Where a new subflow can go to reach the peer: the initial subflow's remote address and port,
   * unless the peer withdrew it (REMOVE_ADDR with ID 0, §3.4.2); then the first address it
   * announced of the same family (with its port, if it gave one); undefined when none is left.
   */
  joinTarget(): { addr: IpAddress; port: number } | undefined {
    const initial = this.sub;
    if (initial === undefined) return undefined;
    if (!this.paths.signals.peerInitialRemoved) return { addr: initial.remote, port: initial.remotePort };
    for (const a of this.paths.signals.peer.values()) {
      if (a.addr.length === initial.remote.length) return { addr: a.addr, port: a.port ?? initial.remotePort };
    }
    return undefined;
  }

  /**
   * Announces our address `addr` (and `port`, when joins should go to that port) to the peer with
   * ADD_ADDR (RFC 8684 §3.4.1): HMAC-signed, on a pure ACK, retransmitted every `addAddrTimeout`
   * until the peer echoes it. `id` is the address ID (default: the Host's endpoint ID for `addr`,
   * else a fresh one). Returns the ID, or undefined when the connection is not MPTCP. The Host
   * must own `addr` and, with a port, listen on it, for the peer's joins to arrive.
   */
  announce(addr: IpAddress, port?: number, id?: number): number | undefined {
    if (this.modeValue !== "mptcp" || this.closedSent) return undefined;
    const addrId = id ?? this.paths.signals.idOf(addr, port) ?? this.addrIdFor(addr);
    this.localAddrIds.set(addr.join("."), addrId);
    this.paths.announce(port !== undefined ? { addrId, addr, port } : { addrId, addr });
    return addrId;
  }

  /**
   * Withdraws our address ID `id` (RFC 8684 §3.4.2): REMOVE_ADDR on a pure ACK, and our subflows
   * from that address are closed with a RST (the address is gone: nothing on them can be
   * acknowledged any more), what they carried reinjected on the others (§3.3.6). ID 0 is the
   * initial subflow's address. Returns how many subflows were closed.
   */
  removeAddress(id: number): number {
    if (this.modeValue !== "mptcp" || this.closedSent) return 0;
    return this.paths.removeLocal(id);
  }

  /**
   * @internal The Host added an endpoint: at the next service the path manager looks at the
   * endpoints again, as Linux's `mptcp_nl_add_subflow_or_signal_addr` revisits every fully
   * established connection (a new `signal` endpoint is announced, a `subflow` one opens subflows).
   */
  endpointAdded(): void {
    if (this.modeValue !== "mptcp" || this.closedSent) return;
    this.endpointsChanged = true;
    this.owner.changed(this);
  }

  /** @internal The Host deleted endpoint `id`; `removeLocalAddress` withdraws its address. */
  endpointDeleted(id: number): void {
    this.paths.endpointDeleted(id);
  }

  /**
   * @internal Whether a subflow that can carry segments both ways now (the initial one in
   * service, a join fully established, neither closed by the peer) goes from an address other
   * than `addrs`. One the peer closed (CLOSE-WAIT: a single-path peer moving off it) still
   * carries ours, but no more of the peer's data: withdrawing the others for it left a peer with
   * no subflow to send on (found by the random scenarios).
   */
  hasLiveSubflowOff(addrs: readonly IpAddress[]): boolean {
    return this.livePaths().some((p) => p.subflow !== undefined && p.subflow.state === "ESTABLISHED" && !addrs.some((a) => addressEquals(a, p.subflow!.local)));
  }

  /**
   * @internal Our address `addr` is gone (Host `removeAddress`, an endpoint deleted, an interface
   * down): REMOVE_ADDR for each ID it was announced or used under (§3.4.2), its subflows closed.
   */
  removeLocalAddress(addr: IpAddress): void {
    if (this.modeValue !== "mptcp" || this.closedSent) return;
    // The address's ID on our subflows, and those it was announced under (by the path manager
    // from a `signal` endpoint, or by `announce`).
    const ids = new Set(this.paths.signals.idsAnnouncing(addr));
    const own = this.localAddrIds.get(addr.join("."));
    if (own !== undefined && this.allPaths().some((p) => p.addrId === own)) ids.add(own);
    for (const id of ids) this.paths.removeLocal(id);
  }

  /**
   * Closes one subflow (initial or joined) with a FIN, as the kernel's `MPTCP_PM_CMD_SUBFLOW_DESTROY`
   * does; its unacknowledged data goes again on the others (§3.3.6). The last subflow cannot be
   * closed this way: use `close` or `abort`. Returns whether a subflow was closed.
   */
  closeSubflow(subflow: Subflow | JoinSubflow): boolean {
    const path = this.pathOf(subflow);
    if (path === undefined || this.closedSent || this.livePaths().length < 2) return false;
    this.dropPath(path, "closed", false);
    return true;
  }

  /**
   * Marks a subflow (initial or joined) as backup or not for the peer: MP_PRIO on that subflow's
   * next ACK (RFC 8684 §3.3.8). The peer's scheduler, like ours, sends on a backup subflow only
   * when no regular one is usable. Returns false for an unknown or closed subflow.
   */
  setBackup(subflow: Subflow | JoinSubflow, backup: boolean): boolean {
    const path = this.pathOf(subflow);
    if (path === undefined || this.modeValue !== "mptcp") return false;
    this.paths.setBackup(path, backup);
    return true;
  }

  /** @internal An endpoint's backup flag changed: MP_PRIO on every subflow from `addr`. */
  setBackupFrom(addr: IpAddress, backup: boolean): void {
    if (this.modeValue !== "mptcp" || this.closedSent) return;
    for (const p of this.livePaths()) if (p.subflow !== undefined && addressEquals(p.subflow.local, addr)) this.paths.setBackup(p, backup);
  }

  /** The live path of a subflow handle (the initial `Subflow`, a `JoinSubflow` or its `Subflow`). */
  private pathOf(subflow: Subflow | JoinSubflow): PathState | undefined {
    return this.livePaths().find((p) => p === subflow || p.subflow === subflow);
  }

  /** Opens again, once, the early joins the peer refused (`earlyJoins`), now that it has our key. */
  private reopenRefusedJoins(): boolean {
    let opened = false;
    for (const r of this.retryJoins.splice(0)) {
      try {
        opened = this.openSubflow(r.local, r.remote, r.remotePort, { backup: r.backup }) !== undefined || opened;
      } catch {
        // The address went away or the 4-tuple is taken: nothing to retry (counted by openSubflow).
      }
    }
    return opened;
  }

  /**
   * Takes a subflow out of service (§3.3.6, §3.4.2): it carries no more data, what it carried and
   * the peer has not data-acknowledged is reinjected, "subflow-down" says why; then it is closed,
   * with a RST (`abort`) or a FIN.
   */
  private dropPath(path: PathState, reason: string, abort: boolean): void {
    const sub = path.subflow;
    if (path === this.initialPath) {
      if (sub === undefined || this.initialRemoved) return;
      const only = !this.joins.all.some((j) => j.established);
      if (only && !this.mayAwaitSubflow()) {
        // The only subflow: without it the connection cannot go on.
        sub.abort();
        this.finish("reset");
        return;
      }
      this.initialRemoved = true;
      this.initialDown = true;
      if (this.txMap !== undefined) this.sendQueue.reinject(this.txMap.unacked());
      this.paths.down(path, reason);
      if (abort) sub.abort();
      else sub.close();
      this.owner.touchSubflow(sub);
      // The only subflow: the connection waits for a new one (a join in its handshake may be it).
      if (this.joins.all.length === 0) this.awaitSubflow("reset");
    } else {
      this.joins.remove(path as JoinSubflow, reason, abort);
    }
    this.owner.changed(this);
  }

  /**
   * Opens one more subflow with MP_JOIN (RFC 8684 §3.2) from our address `local` (undefined: the
   * Host's routing picks it) to `remote:remotePort` (default: the initial subflow's peer address
   * and port), as the kernel's `MPTCP_PM_CMD_SUBFLOW_CREATE` does. Its address ID is the Host's
   * endpoint ID for `local`, else one of this connection's own. `backup` sets
   * the B flag (§3.3.8). Returns undefined when the connection is not (yet) MPTCP or the subflow
   * limit is reached; throws HostError as `MptcpHost.connect` does for a bad address or a 4-tuple
   * in use. The initiator sends no data on the subflow before the fourth ACK (§3.2).
   */
  openSubflow(local: IpAddress | undefined, remote?: IpAddress, remotePort?: number, opts: { backup?: boolean } = {}): JoinSubflow | undefined {
    const sub = this.sub;
    if (this.modeValue !== "mptcp" || sub === undefined || this.closedSent || this.joinsRefused) return undefined;
    const join = this.joins.initiate(local === undefined ? 0 : this.addrIdFor(local), opts.backup ?? false, this.owner.joinNonce());
    if (join === undefined) return undefined;
    try {
      join.subflow = this.owner.connectJoin(this, join, local, remote ?? sub.remote, remotePort ?? sub.remotePort);
      // The Host's routing picked the address: its ID goes in the SYN, built when polled.
      if (local === undefined) join.addrId = this.addrIdFor(join.subflow.local);
      if (!this.fullyEstablished) this.earlyJoins.add(join);
    } catch (e) {
      this.count("MPJoinSynTxConnectErr");
      join.close("failed");
      throw e;
    }
    return join;
  }

  /**
   * @internal An MP_JOIN SYN names this connection (the host found its token): the join that
   * answers it, or the MP_TCPRST reason to refuse it with (§3.2, §3.6).
   */
  acceptJoin(syn: MpJoinSyn, local: IpAddress, localPort?: number): JoinSubflow | number {
    if (this.modeValue !== "mptcp" || this.closedSent) return TCPRST_REASON.MPTCP_SPECIFIC;
    if (this.joinsRefused) {
      this.count("MPJoinRejected");
      return TCPRST_REASON.ADMINISTRATIVELY_PROHIBITED;
    }
    const sub = this.sub;
    if (!this.cfg.allowJoinInitialAddrPort && sub !== undefined && addressEquals(local, sub.local) && localPort === sub.localPort) {
      // §3.1 flag C, which we sent: no subflows to our initial address and port (Linux
      // `allow_join_initial_addr_port` 0).
      this.count("MPJoinRejected");
      return TCPRST_REASON.ADMINISTRATIVELY_PROHIBITED;
    }
    return this.joins.respond(syn, this.addrIdFor(local), this.owner.joinNonce());
  }

  /** Bytes `write` would take now. */
  get writable(): number {
    return this.sendQueue.writable;
  }

  /** Bytes `read` would return now. */
  get readable(): number {
    return this.reasm.readable;
  }

  /** The data-level SND.UNA and RCV.NXT (relative DSNs), for tests and statistics. */
  get dataLevel(): { sndUna: number; sndNxt: number; rcvNxt: number } {
    return { sndUna: this.sendQueue.sndUna, sndNxt: this.sendQueue.sndNxt, rcvNxt: this.reasm.rcvNxt };
  }

  /**
   * Queues `data` and returns how many bytes were taken; offer the rest again after "writable".
   * Data written before the handshake completes is sent after it.
   */
  write(data: Uint8Array): number {
    const n = this.sendQueue.write(data);
    if (n < data.length) this.wantWritable = true;
    if (n > 0) this.owner.changed(this);
    return n;
  }

  /** Takes up to `max` in-order bytes, or undefined when none is buffered. */
  read(max?: number): Uint8Array | undefined {
    const out = this.reasm.read(max);
    if (out === undefined) return undefined;
    // The shared window reopens as the application reads: tell the peer once it is worth it
    // (receiver-side SWS avoidance, RFC 9293 §3.8.6.2.2, at the data level).
    this.readSinceUpdate += out.length;
    const grew = this.rcvSpace?.onRead(out.length, this.paths.now, this.autotuneRtt()) === true;
    if (grew || this.readSinceUpdate >= (this.rcvSpace?.buffer ?? this.cfg.recvBufferSize) / 4) {
      this.readSinceUpdate = 0;
      this.ackWanted = true;
      this.owner.changed(this);
    }
    return out;
  }

  /** No more writes: a DATA_FIN follows the data (§3.3.3); reading continues. */
  shutdown(): void {
    if (this.sendQueue.dataFinDsn !== undefined) return;
    this.sendQueue.close();
    this.owner.changed(this);
  }

  /** No more writes nor reads wanted: a DATA_FIN follows the data; the connection then closes. */
  close(): void {
    this.shutdown();
  }

  /** Resets the connection at once: a RST with MP_FASTCLOSE (RFC 8684 §3.5) on the subflow. */
  abort(): void {
    if (this.closedSent) return;
    this.fastClose = this.modeValue === "mptcp";
    this.sub?.abort();
    this.finish("closed");
  }

  // -----------------------------------------------------------------------------------------------
  // MptcpHost interface
  // -----------------------------------------------------------------------------------------------

  /** @internal Whether the application may see this connection's events. */
  get announced(): boolean {
    return this.announcedValue;
  }

  /** @internal The subflow carrying the connection. */
  attach(subflow: Subflow): void {
    this.sub = subflow;
    this.initialPath.subflow = subflow;
    this.localAddrIds.set(subflow.local.join("."), 0);
  }

  /** @internal A passive connection was handed to the application. */
  reveal(): void {
    this.announcedValue = true;
    this.initialSubflowUp();
    if (this.reason !== undefined) this.owner.emit({ type: "fallback", connection: this, reason: this.reason });
    if (this.reasm.readable > 0) this.emit("readable");
    if (this.reasm.finReceived) this.emitPeerClosed();
  }

  /** @internal The earliest time `onTimer` must run, if any. */
  get timeout(): number | undefined {
    let t: number | undefined;
    // Address signals ride on MPTCP options: none after a fallback, so no retransmission is due.
    const signals = this.closedSent || this.modeValue !== "mptcp" ? undefined : this.paths.timeout;
    for (const x of [this.joins.timeout, this.dataFinTimeout, signals, this.dataRtx.deadline, this.ackWatch.deadline, this.noSubflow.deadline]) {
      if (x !== undefined && (t === undefined || x < t)) t = x;
    }
    return t;
  }

  /** @internal A timer of this connection expired. */
  onTimer(now: number): void {
    if (this.noSubflow.expired(now)) {
      // No subflow came back in time (close-timeout.ts).
      this.finish(this.noSubflow.end);
      return;
    }
    this.joins.onTimer(now);
    if (!this.closedSent && this.modeValue === "mptcp") this.paths.onTimer(now);
    // Without a subflow the data-level timers have nothing to act on: the data waits for the
    // next subflow, which sends what is not data-acknowledged again (§3.3.6).
    const idle = this.noSubflow.waiting;
    if (this.dataRtx.fire(now) && !idle) this.onDataRtx(now);
    if (this.ackWatch.fire(now) && !idle) this.onDataAckLost();
    if (this.dataFinTimeout === undefined || now < this.dataFinTimeout) return;
    this.dataFinTimeout = undefined;
    if (this.bareDataFin === undefined || this.sendQueue.finAcked) return;
    // §3.7: the DATA_FIN went again and still no Data ACK, and the last word on the subflow was a
    // bare acknowledgment of our data: the peer fell back (a box stripped the options of our
    // data, DATA_FIN included), and with nothing more of ours to acknowledge, the second bare
    // ACK that `incoming` waits for will never come. Plain TCP: our FIN ends the stream.
    if (this.modeValue === "mptcp" && this.dataFinBackoff >= 1 && this.bareAdvances >= 1 && this.canFallBack()) {
      this.fallBack("no Data ACK for the DATA_FIN, our data acknowledged bare", "DssFallback");
      return;
    }
    // §3.3.3: the DATA_FIN is retransmitted until data-acknowledged.
    this.ackWanted = true;
    this.dataFinBackoff++;
    this.armDataFin(now);
  }

  /** @internal Something happened on the subflow (the Host's event for it). */
  onSubflowEvent(type: ConnectionEventType): void {
    switch (type) {
      case "connected":
        if (this.role !== "client") break;
        // The plain SYN after the dropped MPTCP ones got through: the path drops MPTCP SYNs.
        if (this.mpcDropped) this.owner.activeOpenResult(this, true);
        this.emit("connected");
        this.initialSubflowUp();
        break;
      case "peer-closed":
        // §3.7: a FIN with no DATA_FIN after our MP_FAIL: the peer went plain TCP and its infinite
        // mapping was lost or overtaken (a late copy below RCV.NXT is never read). As for plain
        // data after MP_FAIL (`canFallBack`), this end falls back too.
        if (this.modeValue === "mptcp" && this.mpFailDsn !== undefined && !this.reasm.finReceived) {
          this.fallBack("FIN after MP_FAIL: the peer's infinite mapping was lost");
        }
        // Plain TCP: the FIN is the end of the stream. With MPTCP only a DATA_FIN is (§3.3.3).
        if (this.modeValue === "fallback") {
          this.reasm.onDataFin(this.reasm.rcvNxt);
          this.emitPeerClosed();
        }
        break;
      case "reset":
      case "timed-out":
        if (this.survivesInitialLoss(type)) {
          if (this.initialUp) this.paths.down(this.initialPath, type);
          break;
        }
        this.finish(type);
        break;
      case "closed":
        if (this.initialDown) break;
        // Plain TCP closed in order (our FIN acknowledged): so was every byte, which the data
        // level learns here, as service() no longer runs once the connection is closed.
        if (this.modeValue === "fallback" && this.rstReason === undefined && !this.closedSent && this.sub !== undefined) this.fallbackAcks(this.sub);
        // A subflow we reset for a protocol error (rstReason set) takes the connection with it.
        this.finish(this.rstReason !== undefined ? "reset" : "closed");
        break;
      default:
        break;
    }
    this.owner.changed(this);
  }

  /**
   * @internal Moves queued data into the subflow, requests the ACKs wanted, checks for the end of
   * the connection. Returns whether the subflow was given something to send.
   */
  service(now: number): boolean {
    const sub = this.sub;
    if (sub === undefined || this.closedSent) return false;
    let acted = false;
    for (const s of this.joins.service(now)) {
      this.owner.touchSubflow(s);
      acted = true;
    }
    if (this.retryJoins.length > 0 && this.fullyEstablished) acted = this.reopenRefusedJoins() || acted;
    this.paths.now = now;
    this.noSubflow.arm(now, this.cfg.closeTimeout);
    this.startPathManager();
    if (this.endpointsChanged) {
      this.endpointsChanged = false;
      this.paths.progress();
    }
    // Signals wait for a pure ACK on the subflow that carries them.
    for (const s of this.paths.service(now)) {
      s.tcp.requestAck();
      this.owner.touchSubflow(s);
      acted = true;
    }
    if (this.modeValue === "fallback") this.fallbackAcks(sub);
    else if (this.txMap !== undefined) this.txMap.onSubflowAck(this.written - sub.tcp.sendQueued);
    if (this.modeValue === "mptcp") this.checkStalls(sub);
    if (this.pump(sub, now)) acted = true;
    if (this.modeValue === "mptcp") {
      if (this.staleLossCount !== undefined) this.armDataRtx(sub, now);
      else this.watchDataAcks(sub, now);
    }
    if (this.deferredDataFin !== undefined && this.fullyEstablished && this.modeValue === "mptcp") {
      this.bareDataFin = this.deferredDataFin;
      this.deferredDataFin = undefined;
      this.ackWanted = true;
      this.armDataFin(now);
    }
    if (this.ackWanted) {
      const ackSub = this.ackSubflow(sub);
      this.ackWanted = false;
      if (ackSub !== undefined) {
        ackSub.tcp.requestAck();
        this.owner.touchSubflow(ackSub);
        acted = true;
      }
    }
    if (this.wantWritable && this.sendQueue.writable > 0) {
      this.wantWritable = false;
      this.emit("writable");
    }
    this.checkClosed(sub);
    return acted;
  }

  /**
   * The subflow for a connection-level ACK (Data ACK, DATA_FIN): the one the peer's latest
   * segment came on (it works), else the initial one while it lives, else any joined one; one
   * that can still send (not one we closed, whose ACKs carry no DSS: a DATA_FIN asked for there
   * went out bare at every expiry of its timer, for ever), unless none can.
   */
  private ackSubflow(sub: Subflow): Subflow | undefined {
    return this.ackSubflowWhere(sub, isOpen) ?? this.ackSubflowWhere(sub, (s) => s.state !== "CLOSED");
  }

  private ackSubflowWhere(sub: Subflow, ok: (s: Subflow) => boolean): Subflow | undefined {
    const last = this.lastRx;
    if (last !== undefined && ok(last) && (last !== sub || !this.initialDown)) return last;
    if (!this.initialDown && ok(sub)) return sub;
    for (const j of this.joins.all) if (j.established && j.subflow !== undefined && ok(j.subflow)) return j.subflow;
    return undefined;
  }

  private canSend(sub: Subflow): boolean {
    const st = sub.state;
    if (st !== "ESTABLISHED" && st !== "CLOSE-WAIT") return false;
    if (this.modeValue === "handshake") return false;
    // The third ACK goes alone first, as Linux sends it, then the data with MP_CAPABLE.
    return !(this.modeValue === "mptcp" && this.role === "client" && !this.thirdAckSent);
  }

  /**
   * §3.3.6: a subflow whose retransmission timer fired is stale (stall.ts): what it carried and
   * the peer has not data-acknowledged goes again on the subflows that are not, and it takes no
   * new data until it acknowledges some.
   */
  private checkStalls(sub: Subflow): void {
    // Linux's rule decides at the expiries of the connection-level timer instead (`onDataRtx`).
    if (this.staleLossCount !== undefined) return;
    const reinject = (ranges: Array<[number, number]>): void => {
      this.sendQueue.reinject(ranges);
      this.owner.changed(this);
    };
    const initialUsable = !this.initialDown && this.canSend(sub);
    const freshJoins = this.joins.checkStalls(initialUsable && !this.initialWatch.stale, reinject);
    if (!initialUsable) return;
    const v = this.initialWatch.update(sub.tcp, this.written);
    if (v === "stalled") {
      this.count("SubflowStale");
      if (freshJoins > 0 && this.txMap !== undefined) reinject(this.txMap.unacked());
    } else if (v === "recovered") this.count("SubflowRecover");
  }

  /**
   * The subflows that can take data now, each offered its congestion-window room
   * (`subflowRoom`), so that no data is committed to a subflow long before it can send it and a
   * join, when one comes, gets its share; the only subflow is given a mapping's worth at a time
   * (`aloneRoom`). Stale subflows are left out while another can take data (§3.3.6).
   */
  private sendPaths(sub: Subflow, all = false): SendPath[] {
    const paths: SendPath[] = [];
    if (this.modeValue === "mptcp") this.joins.sendPaths(paths);
    if (!this.initialDown && this.canSend(sub)) {
      const txMap = () => this.txMap;
      paths.push({
        sub,
        stale: this.initialWatch.stale,
        loss: this.initialLoss,
        id: 0,
        get cwnd() {
          return sub.tcp.congestion.window();
        },
        get inFlight() {
          return sub.tcp.sendQueued;
        },
        mss: segmentPayload(sub, this.sizes),
        fit: (bytes) => wholeSegments(sub, this.sizes, bytes),
        room: this.joins.all.length === 0 ? aloneRoom(sub, this.sizes) : subflowRoom(sub, this.sizes),
        outstanding: () => this.txMap?.unacked() ?? [],
        get srtt() {
          return sub.tcp.srtt;
        },
        backup: this.initialPath.backup || this.initialPath.peerBackup,
        get streamEnd() {
          return txMap()?.nextOffset ?? 0;
        },
        write: (dsn, data, dataFin) => {
          // §3.1: the mapping of the client's first data may ride on MP_CAPABLE, which has no
          // DATA_FIN flag, and the DSS that carries the same mapping later must be identical (a
          // receiver resets on a mismatch, Linux's DSSNotMatching). So that mapping never holds
          // the DATA_FIN: it goes on its own once the server has shown it has our key.
          const ridesOnCapable = this.modeValue === "mptcp" && this.role === "client" && !this.fullyEstablished && this.written === 0;
          if (dataFin && ridesOnCapable) this.deferredDataFin = dsn + data.length;
          this.txMap?.append(dsn, data, dataFin && !ridesOnCapable);
          sub.write(data);
          this.written += data.length;
        },
      });
    }
    if (this.staleLossCount !== undefined) this.linuxStale(paths);
    if (!all && paths.length > 1 && paths.some((p) => p.stale === true)) {
      const fresh = paths.filter((p) => p.stale !== true);
      if (fresh.length > 0) return fresh;
    }
    return paths;
  }

  /** Linux's `net.mptcp.stale_loss_cnt` (stale-loss.ts); undefined under the "first-timeout" rule. */
  private get staleLossCount(): number | undefined {
    const n = this.cfg.staleLossCount ?? "first-timeout";
    return n === "first-timeout" ? undefined : n;
  }

  /**
   * Linux `mptcp_subflow_active`: a stale subflow heard from since it stopped making progress
   * takes data again (MPTcpExt SubflowRecover); the others stay out while another can take data.
   */
  private linuxStale(paths: SendPath[]): void {
    for (const p of paths) {
      if (!p.loss.stale) continue;
      if (p.loss.recover(p.sub.stats().segmentsReceived)) this.count("SubflowRecover");
      p.stale = p.loss.stale;
    }
  }

  /** The usable subflows as Linux's connection-level timer sees them (data-rtx.ts). */
  private rtxSubflows(paths: SendPath[]): Array<RtxSubflow & { path: SendPath }> {
    return paths.map((path) => ({
      path,
      holdsData: path.sub.tcp.sendQueued > 0,
      backup: path.backup,
      loss: path.loss,
      get rto() {
        return path.sub.stats().rto;
      },
      get heard() {
        return path.sub.stats().segmentsReceived;
      },
    }));
  }

  /**
   * Runs Linux's connection-level retransmission timer (data-rtx.ts): restarted when the Data ACK
   * advanced, started when data is outstanding and it is idle.
   */
  private armDataRtx(sub: Subflow, now: number): void {
    if (this.staleLossCount === undefined) return;
    const outstanding = this.sendQueue.inFlight > 0;
    if (this.dataAcked) {
      this.dataAcked = false;
      this.dataRtx.onAcked(now, outstanding, dataRtxInterval(this.rtxSubflows(this.sendPaths(sub, true))));
    } else if (outstanding && this.dataRtx.deadline === undefined) {
      this.dataRtx.onSent(now, dataRtxInterval(this.rtxSubflows(this.sendPaths(sub, true))));
    }
  }

  /**
   * Runs the default rule's wait for a lost Data ACK (`DataAckWatch`): while data is outstanding
   * at the data level and no usable subflow holds any at the TCP level. (In a transfer the initial
   * subflow nearly always holds data, so the check ends at its first step.)
   */
  private watchDataAcks(sub: Subflow, now: number): void {
    if (this.dataAcked) {
      this.dataAcked = false;
      this.ackWatch.acked();
    }
    const q = this.sendQueue;
    // After a bare acknowledgment of our data (no MPTCP option at all) the expiry decides on a
    // fallback instead of sending a copy (`bareAckedExpiry`).
    let waiting = q.inFlight > 0 && !this.closedSent && q.pendingReinjection.length === 0;
    let usable = 0;
    if (waiting && !this.initialDown && this.canSend(sub)) {
      usable++;
      if (sub.tcp.sendQueued > 0) waiting = false;
    }
    if (waiting) {
      for (const j of this.joins.all) {
        if (!isLiveJoin(j)) continue;
        usable++;
        if (j.subflow.tcp.sendQueued > 0) waiting = false;
      }
    }
    if (!waiting || usable === 0) {
      this.ackWatch.stop();
    } else if (this.ackWatch.deadline === undefined) {
      let rto = 0;
      for (const p of this.sendPaths(sub, true)) rto = Math.max(rto, p.sub.stats().rto);
      this.ackWatch.start(now, rto);
    }
  }

  /**
   * No Data ACK came for data every subflow has acknowledged (`DataAckWatch`): the oldest of it
   * goes again, on the subflow the scheduler would give it, and the peer's answer carries its
   * Data ACK (RFC 8684 §3.3.6).
   */
  private onDataAckLost(): void {
    const sub = this.sub;
    const q = this.sendQueue;
    if (sub === undefined || this.modeValue !== "mptcp" || this.closedSent || q.inFlight === 0) return;
    if (this.bareAckedExpiry()) return;
    const end = Math.min(q.sndNxt, q.dataFinDsn ?? q.sndNxt, q.sndUna + MAX_MAPPING_BYTES);
    // Sent again through the scheduler, counted as any reinjection (MPTCPRetrans).
    if (end > q.sndUna) q.reinject([[q.sndUna, end]]);
    this.owner.changed(this);
  }

  /**
   * An expiry of Linux's connection-level retransmission timer (data-rtx.ts, `__mptcp_retrans`):
   * the subflows holding data count an interval without progress and may become stale (then all
   * data not data-acknowledged goes again, as `__mptcp_retransmit_pending_data` sends it), and an
   * idle subflow carries the oldest unacknowledged data again.
   */
  private onDataRtx(now: number): void {
    const sub = this.sub;
    const q = this.sendQueue;
    if (sub === undefined || this.modeValue !== "mptcp" || this.closedSent || q.inFlight === 0) return;
    const subs = this.rtxSubflows(this.sendPaths(sub, true));
    // Not after a bare acknowledgment of our data: a copy of old data may be new bytes to the peer
    // (`bareAckedExpiry`). Where the connection cannot fall back, the timer runs on, and counts
    // intervals again once an MPTCP option comes.
    if (this.bareAckedExpiry()) {
      if (this.modeValue === "mptcp") this.dataRtx.onSent(now, dataRtxInterval(subs));
      return;
    }
    const d = onRtxExpiry(subs, this.staleLossCount ?? 0);
    this.count("SubflowRecover", d.recovered.length);
    this.count("SubflowStale", d.stale.length);
    if (d.stale.length > 0) q.reinject([[q.sndUna, q.sndNxt]]);
    if (d.resendOn !== undefined) {
      const on = d.resendOn.path;
      const end = Math.min(q.sndNxt, q.dataFinDsn ?? q.sndNxt, q.sndUna + MAX_MAPPING_BYTES);
      q.reinject([[q.sndUna, end]]);
      if (this.writeAgain(on, end) && on.sub !== sub) this.owner.touchSubflow(on.sub);
    }
    this.dataRtx.onSent(now, dataRtxInterval(subs));
    this.owner.changed(this);
  }

  /**
   * §3.7: a data-level timer expired (`DataAckWatch`, Linux's retransmission timer) after the peer
   * acknowledged our data bare (no MPTCP option) and sent no Data ACK since. The peer fell back (a
   * box stripped our DSS): a copy of old data would be new bytes to it (a 1 KB upload arrived as 2
   * KB), and with everything acknowledged and the send buffer full, nothing more of ours draws the
   * second bare ACK `incoming` waits for. So the connection continues as TCP where it may (as
   * after an unanswered DATA_FIN, `onTimer`). Returns whether the expiry was bare-acknowledged.
   */
  private bareAckedExpiry(): boolean {
    if (this.bareAdvances === 0) return false;
    if (this.canFallBack()) this.fallBack("no Data ACK, our data acknowledged bare", "DssFallback");
    return true;
  }

  /**
   * Writes the ranges queued for reinjection straight onto `on`, below DSN `end`, while it has
   * room (not through the scheduler, which could hand them to a slower subflow). Returns whether
   * something was written.
   */
  private writeAgain(on: SendPath, end: number): boolean {
    const q = this.sendQueue;
    let acted = false;
    for (;;) {
      const first = q.pendingReinjection[0];
      if (on.room <= 0 || first === undefined || first[0] >= end) break;
      const chunk = q.next(Math.min(on.room, MAX_MAPPING_BYTES, end - first[0]));
      if (chunk === undefined || chunk.data.length === 0) break;
      this.count("MPTCPRetrans");
      on.write(chunk.dsn, chunk.data, chunk.dataFin);
      on.room -= chunk.data.length;
      acted = true;
    }
    return acted;
  }

  private pump(sub: Subflow, now: number): boolean {
    const paths = this.sendPaths(sub);
    let acted = this.fill(sub, paths, now);
    // Raiciu et al. NSDI'12 §4.2: the window is full of data a slow subflow holds; send its
    // head again on a faster one (and penalise the slow one), then fill again.
    if (this.modeValue === "mptcp" && paths.length > 1 && this.cfg.opportunistic !== false && this.opportunistic(paths, now)) {
      if (this.fill(sub, paths, now)) acted = true;
    }
    // Nothing new may go and the fastest subflow has room: it takes the tail a slower one holds.
    if (this.modeValue === "mptcp" && paths.length > 1 && this.cfg.delayAware !== false && this.tail(sub, paths)) acted = true;
    // Plain TCP: the FIN follows the data once the DATA_FIN has been handed out, whether before
    // or after the fallback.
    const fin = this.sendQueue.dataFinDsn;
    if (this.modeValue === "fallback" && !this.shutdownDone && fin !== undefined && this.sendQueue.sndNxt > fin) {
      this.shutdownDone = true;
      sub.shutdown();
      acted = true;
    }
    return acted;
  }

  /** Hands chunks to the subflows the scheduler picks while they have room and data waits. */
  private fill(sub: Subflow, paths: SendPath[], now: number): boolean {
    let acted = false;
    for (;;) {
      // §3.3.8 and DESIGN.md §5: the scheduler picks the subflow of each chunk.
      const q = this.sendQueue;
      const path = paths.length === 1 ? paths[0]! : this.scheduler.pick(paths, { sendWindow: q.sendWindowEdge - q.sndNxt, unsent: q.buffered - q.inFlight, window: q.sendWindowEdge - q.sndUna });
      if (path === undefined || path.room <= 0) break;
      const ahead = this.aheadAllowance(path);
      if (ahead === 0 && this.windowLimitedRunt()) {
        if (slowerHoldsWindow(path, paths)) this.windowBlocked = true;
        break;
      }
      const at = path.streamEnd;
      let want = Math.min(this.scheduler.chunkFor?.(path, paths) ?? path.room, MAX_MAPPING_BYTES);
      if (this.checksums) {
        // With checksums every chunk is a mapping of its own (its sum covers it as written), whose
        // segments end at its end: it fills whole segments, or its last one is a runt. What is
        // left of the room after whole segments waits for the next round, unless it is the tail.
        const whole = path.fit(want);
        if (whole === 0 && q.buffered - q.inFlight > want) break;
        if (whole > 0) want = whole;
      }
      const chunk = this.sendQueue.next(want, ahead);
      if (chunk === undefined) {
        if (q.buffered - q.inFlight > 0 && slowerHoldsWindow(path, paths)) this.windowBlocked = true;
        break;
      }
      if (chunk.data.length === 0) {
        // A DATA_FIN with no data left to ride on (after a fallback, the FIN below is it).
        if (this.modeValue === "mptcp") {
          this.bareDataFin = chunk.dsn;
          this.ackWanted = true;
          this.armDataFin(now);
        }
        break;
      }
      if (chunk.reinjection) this.count("MPTCPRetrans");
      path.write(chunk.dsn, chunk.data, chunk.dataFin);
      path.room -= chunk.data.length;
      if (!chunk.reinjection) this.notedAhead(path.sub, at, chunk.dsn, chunk.dsn + chunk.data.length);
      if (path.sub !== sub) this.owner.touchSubflow(path.sub);
      acted = true;
    }
    return acted;
  }

  /**
   * How far beyond the window's right edge `path` may be handed new data now (map-ahead.ts): one
   * mapping's worth, with the DSS once per mapping and no checksums (a DSS checksum needs the
   * whole mapping at hand), to a usable subflow while no other subflow holds data; else 0.
   */
  private aheadAllowance(path: SendPath): number {
    if (this.modeValue !== "mptcp" || this.checksums || path.stale === true || path.backup) return 0;
    if (path.sub === this.sub ? this.declaresEverySegment : this.everySegment) return 0;
    if (this.sendQueue.pendingReinjection.length > 0) return 0;
    const run = this.aheadRun;
    if (run !== undefined && run.sub !== path.sub && run.limit(this.sendQueue.sendWindowEdge) !== undefined) return 0;
    if (this.sub !== undefined && this.sub !== path.sub && !this.initialDown && this.sub.tcp.sendQueued > 0) return 0;
    if (this.joins.holdData(path.sub)) return 0;
    return AHEAD_BYTES;
  }

  /** New data `[dsn, end)` went onto `sub` at stream offset `offset`: notes what lies beyond the edge. */
  private notedAhead(sub: Subflow, offset: number, dsn: number, end: number): void {
    const edge = this.sendQueue.sendWindowEdge;
    if (end <= edge) return;
    const run = this.aheadRun;
    if (run !== undefined && run.sub === sub && run.limit(edge) !== undefined) {
      run.end = Math.max(run.end, end);
      return;
    }
    const from = Math.max(dsn, edge);
    this.aheadRun = new AheadRun(sub, offset + (from - dsn), from, end);
  }

  /** TcpHook.sendLimit of `sub`: the stream offset its new data stops at while the window holds it. */
  private sendLimit(sub: Subflow): number | undefined {
    const run = this.aheadRun;
    if (run === undefined || run.sub !== sub) return undefined;
    const limit = run.limit(this.sendQueue.sendWindowEdge);
    if (limit === undefined) this.aheadRun = undefined;
    return limit;
  }

  /**
   * Opportunistic retransmission and penalisation (sched/opportunistic.ts): when the send window
   * blocks on data outstanding on a slower subflow, queue the window's head for reinjection (the
   * scheduler gives it to the fastest subflow with room) and halve the slow subflow's window, at
   * most once per its RTT. Returns whether something was queued.
   */
  private opportunistic(paths: SendPath[], now: number): boolean {
    const q = this.sendQueue;
    const unsent = q.buffered - q.inFlight;
    if (unsent <= 0 || q.pendingReinjection.length > 0) return false;
    if (q.sendWindowEdge - q.sndNxt >= Math.min(unsent, DATA_SWS_BYTES)) return false;
    const candidates = paths.map((p) => ({
      room: p.room,
      srtt: p.srtt,
      backup: p.backup,
      mss: this.sizes.any,
      outstanding: (p.outstanding?.() ?? []).sort((a, b) => a[0] - b[0]),
      penalisedAt: this.penalisedAt.get(p.sub),
      path: p,
    }));
    const d = opportunisticRetransmit({ dataUna: q.sndUna, sndNxt: q.sndNxt, windowEdge: q.sendWindowEdge, unsent }, candidates, now);
    if (d === undefined) return false;
    q.reinject(d.reinject);
    if (d.penalise !== undefined) {
      d.penalise.path.sub.tcp.congestion.penalise?.(now);
      this.penalisedAt.set(d.penalise.path.sub, now);
    }
    return q.pendingReinjection.length > 0;
  }

  /**
   * Tail reinjection (sched/reinject.ts): when no new data may be sent (none waits, or the window
   * is closed) and the fastest subflow has room, it carries again the bytes a slower subflow holds
   * and would deliver later. Written straight onto that subflow, not through the scheduler, which
   * could hand them back to a slow one. Returns whether something was sent.
   */
  private tail(sub: Subflow, paths: SendPath[]): boolean {
    const q = this.sendQueue;
    if (q.pendingReinjection.length > 0) return false;
    if (q.buffered - q.inFlight > 0 && q.sndNxt < q.sendWindowEdge) return false;
    const d = tailReinjection(paths.map((p) => ({ room: p.room, srtt: p.srtt, backup: p.backup, cwnd: p.cwnd, inFlight: p.inFlight, outstanding: p.outstanding?.() ?? [], path: p })));
    if (d === undefined) return false;
    const on = d.on.path;
    q.reinject(d.reinject);
    const acted = this.writeAgain(on, Number.POSITIVE_INFINITY);
    if (acted && on.sub !== sub) this.owner.touchSubflow(on.sub);
    return acted;
  }

  /**
   * Sender-side SWS avoidance at the data level (RFC 9293 §3.8.6.2.1 applied to §3.3.5): while
   * data is in flight, a window with room for less than a segment's worth of the data waiting is
   * not filled with a tiny mapping; the next Data ACK opens it further.
   */
  private windowLimitedRunt(): boolean {
    const q = this.sendQueue;
    if (this.modeValue !== "mptcp" || q.inFlight === 0 || q.pendingReinjection.length > 0) return false;
    const room = q.sendWindowEdge - q.sndNxt;
    const unsent = q.buffered - q.inFlight;
    return room < Math.min(unsent, DATA_SWS_BYTES);
  }

  private armDataFin(now: number): void {
    this.dataFinTimeout = now + Math.min(DATA_FIN_RTO_MAX, DATA_FIN_RTO * 2 ** this.dataFinBackoff);
  }

  /** Plain TCP: what the subflow acknowledged is data-acknowledged. */
  private fallbackAcks(sub: Subflow): void {
    const acked = this.written - sub.tcp.sendQueued;
    this.sendQueue.onDataAck(Math.min(this.sendQueue.sndNxt, 1 + acked));
    if (this.infiniteSent?.outstanding(acked) === false) this.infiniteSent = undefined;
  }

  /** The end of the connection (§3.3.3): both DATA_FINs acknowledged, or the plain TCP close. */
  private checkClosed(sub: Subflow): void {
    if (this.modeValue === "mptcp") {
      if (!this.sendQueue.finAcked || !this.reasm.finReceived) return;
      // Both directions are closed at the data level: close the subflow, whose FIN carries the
      // last Data ACK again. Whatever the peer still sends on it (a retransmission of data
      // delivered through another subflow) is acknowledged and dropped, so that the peer's side
      // closes with a FIN rather than a reset.
      this.dataFinTimeout = undefined;
      sub.close(true);
      this.owner.touchSubflow(sub);
      this.finish("closed");
      return;
    }
    if (this.modeValue === "fallback" && this.shutdownDone && this.reasm.finReceived) {
      const st = sub.state;
      if (st === "TIME-WAIT" || st === "CLOSED") this.finish("closed");
    }
  }

  private finish(type: "closed" | "reset" | "timed-out"): void {
    if (this.closedSent) return;
    if (type !== "closed") this.emit(type);
    // Every subflow still up goes down with the connection, before "closed".
    if (this.initialUp && !this.initialDown) this.paths.down(this.initialPath, type);
    for (const j of this.joins.all) if (j.established) this.paths.down(j, type);
    this.closedSent = true;
    this.joins.closeAll(type !== "closed" || this.fastClose || this.peerFastClose);
    this.dataFinTimeout = undefined;
    this.noSubflow.stop();
    if (this.established) {
      this.established = false;
      this.count("MPCurrEstab", -1);
    }
    this.emit("closed");
    this.owner.released(this);
  }

  private emit(type: MptcpConnectionEventType): void {
    if (this.announcedValue) this.owner.emit({ type, connection: this });
  }

  private emitPeerClosed(): void {
    if (this.peerClosedSent) return;
    this.peerClosedSent = true;
    this.emit("peer-closed");
  }

  private count(name: MptcpCounterName, by = 1): void {
    this.owner.counters[name] += by;
  }

  /**
   * The initial subflow was reset or timed out. With a joined subflow the connection lives on
   * (§3.3.6): what the initial subflow carried and the peer has not data-acknowledged is
   * reinjected on the others. Without one, it may wait for a new subflow (`awaitSubflow`).
   */
  private survivesInitialLoss(why: SubflowlessEnd): boolean {
    // Taken out of service already (removed, or reset by us while joins carry on).
    if (this.initialDown && !this.closedSent) return true;
    if (this.modeValue !== "mptcp" || this.closedSent || this.rstReason !== undefined) return false;
    // A join still in its handshake may yet carry the connection; if it fails, the last subflow
    // is gone (`subflowChanged`).
    if (this.joins.all.length === 0 && !this.awaitSubflow(why)) return false;
    if (!this.initialDown) {
      this.initialDown = true;
      this.sendQueue.reinject(this.txMap!.unacked());
      this.owner.changed(this);
    }
    return true;
  }

  /**
   * The last subflow is gone: a connection still open at the data level waits up to
   * `closeTimeout` for a new one (close-timeout.ts) instead of ending. Returns whether it waits.
   */
  private awaitSubflow(why: SubflowlessEnd): boolean {
    if (this.noSubflow.waiting) return true;
    if (!this.mayAwaitSubflow()) return false;
    this.noSubflow.begin(why);
    this.owner.changed(this);
    return true;
  }

  /**
   * Whether a new subflow could carry the connection on: MPTCP still, joins allowed (no MP_FAIL),
   * no fatal error or MP_FASTCLOSE, and, for a passive connection, accepted (Linux too ends one
   * still in the accept queue). A client waits even before the server's first DSS showed that it
   * has our key (§3.1), as Linux does: the server may well have it (the third ACK, our first
   * data), and a join it answers proves it (§3.2); if it has not, the join is refused. Unlike
   * Linux, which waits only while no DATA_FIN went either way (`TCP_ESTABLISHED`), a connection
   * half closed waits too: the data written before the DATA_FIN, and the DATA_FIN itself, are
   * not delivered until data-acknowledged, and a new subflow can still deliver them.
   */
  private mayAwaitSubflow(): boolean {
    if (this.cfg.closeTimeout <= 0 || this.modeValue !== "mptcp" || this.closedSent || !this.announcedValue) return false;
    return !this.joinsRefused && this.rstReason === undefined && !this.peerFastClose && !this.fastClose;
  }

  /**
   * Our address ID for `local` (§3.2): 0 for the initial subflow's, the Host's endpoint ID for an
   * endpoint's address (as Linux), else the next ID used by neither.
   */
  private addrIdFor(local: IpAddress): number {
    const k = local.join(".");
    let id = this.localAddrIds.get(k);
    if (id === undefined) {
      id = this.owner.endpoints.lookup(local)?.id;
      if (id === undefined) {
        const used = new Set(this.localAddrIds.values());
        while (used.has(this.nextAddrId) || this.owner.endpoints.byId(this.nextAddrId) !== undefined) this.nextAddrId++;
        id = this.nextAddrId++;
      }
      this.localAddrIds.set(k, id);
    }
    return id;
  }

  /**
   * The shared receive window every subflow advertises, relative to the Data ACK (§3.3.4). It
   * counts what Linux's data level (the msk) would hold: data in order and data out of order at
   * the data level, but not what waits beyond a hole in its own subflow, which Linux keeps in that
   * subflow's TCP out-of-order queue until the hole is filled (ofo-count.ts tracks it). Counting
   * that too closed the window during every loss recovery on a subflow.
   */
  private receiveSpace(): number {
    const held = (this.initialDown ? 0 : this.initialOrder.heldBytes) + this.joins.heldBytes();
    const free = this.reasm.window(held) - WINDOW_SLACK;
    if (this.rcvSpace === undefined) return Math.max(0, free);
    // Autotuned: the buffer offered so far, less what it holds at the data level.
    const holds = this.reasm.readable + Math.max(0, this.reasm.outOfOrderBytes - held);
    return Math.max(0, Math.min(free, this.rcvSpace.window(this.reasm.rcvNxt, holds)));
  }

  /** The round autotuning measures over: the subflows' receiver-side RTTs (rcv-space.ts). */
  private autotuneRtt(): number | undefined {
    if (this.sub !== undefined) this.dataRtt.offer(this.sub.tcp.rcvRtt);
    for (const j of this.joins.all) if (j.subflow !== undefined) this.dataRtt.offer(j.subflow.tcp.rcvRtt);
    return this.dataRtt.rtt;
  }

  /** The data level as the joined subflows see it. */
  private joinedDataLevel(): DataLevel {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const c = this;
    return {
      receiveSpace: () => this.receiveSpace(),
      sendLimit: (sub) => this.sendLimit(sub),
      congestion: this.ccFactory,
      get localKey() {
        return c.localKey;
      },
      get remoteKey() {
        return c.remote;
      },
      get localSpace() {
        return c.localSpace;
      },
      get peerSpace() {
        return c.peerSpace;
      },
      get checksums() {
        return c.csum;
      },
      get rcvNxt() {
        return c.reasm.rcvNxt;
      },
      recvBufferSize: this.cfg.recvBufferSize,
      windowScaling: this.cfg.windowScaling,
      count: (name) => this.count(name),
      changed: () => this.owner.changed(this),
      withDataAck: (dss) => withDataAck(dss, this.reasm.rcvNxt, this.peerSpace!, this.ackWidth.width),
      dataAckDue: (record, received) => this.mpFailDsn !== undefined || record.due(this.dataAckState(received)),
      dataAckSent: (record, options, received) => this.noteDataAckSent(record, options, received),
      dssEverySegment: this.everySegment,
      get unsent() {
        return c.sendQueue.buffered - c.sendQueue.inFlight;
      },
      fastest: (sub) => this.fastestSubflow(sub),
      bareDataFin: () => (this.bareDataFin !== undefined && !this.sendQueue.finAcked ? dataFinDss(this.bareDataFin, this.localSpace!, this.csum) : undefined),
      onDataAck: (dss, seg, shift) => this.onDataAck(dss, seg, shift),
      onPeerMapping: (dsn64) => this.ackWidth.onPeerMapping(dsn64),
      deliver: (dsn, data) => this.deliver(dsn, data),
      moveData: this.moveData,
      onDataFin: (dsn) => this.onDataFin(dsn),
      subflowChanged: (join, up, reason, wasUp = true) => {
        if (!this.closedSent) {
          if (up) {
            this.noSubflow.stop();
            // §3.2: the peer's SYN/ACK HMAC is keyed with our key, so the peer has it (§3.1), as
            // its first DSS would show: what an initial subflow lost before that cannot show.
            this.fullyEstablished = true;
            this.joinedOnce = true;
            this.paths.up(join);
            this.paths.progress();
          } else {
            if (wasUp) {
              this.paths.down(join, reason ?? "closed");
              this.paths.joinGone();
            } else if (reason === "reset" && this.earlyJoins.has(join) && join.subflow !== undefined) {
              // Refused, most likely for arriving before our key: once more when it has it.
              const sf = join.subflow;
              this.retryJoins.push({ local: sf.local, remote: sf.remote, remotePort: sf.remotePort, backup: join.backup });
            }
            // The last subflow went: nothing carries the connection any more, unless a new
            // subflow may yet come (close-timeout.ts).
            const why = reason === "timed-out" ? "timed-out" : "reset";
            if (this.initialDown && this.joins.all.length === 0 && !this.awaitSubflow(why)) this.finish(why);
          }
        }
        this.owner.changed(this);
      },
      decorate: (join, kind, retransmission, plan) => this.paths.decorate(join, kind, retransmission, plan),
      sent: (join, options) => {
        if (this.paths.sent(join, options)) this.ackWanted = true;
      },
      signalsIn: (join, seg) => this.paths.incoming(join, seg.options),
      fastCloseKey: () => (this.fastClose ? this.remote?.key : undefined),
      receivedOn: (sub) => {
        this.lastRx = sub;
      },
      reinject: (ranges) => {
        if (this.modeValue === "mptcp") this.sendQueue.reinject(ranges);
      },
    };
  }

  /** The path layer's view of this connection. */
  private newPathControl(): PathControl {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const c = this;
    return new PathControl(
      {
        connection: this,
        counters: this.owner.counters,
        endpoints: this.owner.endpoints,
        keys: () => (c.localKey !== undefined && c.remote !== undefined ? { local: c.localKey.key, remote: c.remote.key } : undefined),
        emit: (e) => {
          if (c.announcedValue && !c.closedSent) c.owner.emit(e);
        },
        changed: () => c.owner.changed(c),
        live: () => c.livePaths(),
        all: () => c.allPaths(),
        openJoin: (local, remote, remotePort, backup) => c.openSubflow(local, remote, remotePort, { backup }),
        removeSubflow: (path) => c.dropPath(path, "removed", true),
        fastClosed: () => c.onFastClose(),
        ndiffports: this.cfg.ndiffports ?? 0,
        role: this.role,
      },
      { timeoutUs: this.cfg.addAddrTimeout, maxRetransmissions: ADD_ADDR_RETRANS_MAX },
    );
  }

  /**
   * The subflows that can carry a segment with the path manager's signals: the initial one while
   * in service, established joins. Not the initial one once MP_FAIL went out or the infinite
   * mapping is due (§3.7): its segments carry the DSS and MP_FAIL only (`plan`), so a signal
   * waiting for it would ask for ACK after ACK at one instant and never go.
   */
  private livePaths(): PathState[] {
    const out: PathState[] = [];
    const sub = this.sub;
    if (sub !== undefined && !this.initialDown && this.modeValue === "mptcp" && !this.joinsRefused && isOpen(sub)) out.push(this.initialPath);
    for (const j of this.joins.all) if (isLiveJoin(j)) out.push(j);
    return out;
  }

  /** The path manager starts once the connection is fully established (§3.1). */
  private startPathManager(): void {
    const sub = this.sub;
    if (sub !== undefined && this.modeValue === "mptcp" && (this.role === "server" || this.fullyEstablished)) this.paths.start(sub);
  }

  /** Our MP_CAPABLE flags: H, A for checksums, C when joins to our initial address are refused. */
  private ourCapableFlags(checksums: boolean): number {
    return capableFlags(checksums) | (this.cfg.allowJoinInitialAddrPort ? 0 : MPC_FLAG.C);
  }

  /** "subflow-up" for the initial subflow, once (the client's handshake, the server's accept). */
  private initialSubflowUp(): void {
    if (this.initialUp || this.sub === undefined || this.closedSent) return;
    this.initialUp = true;
    this.initialPath.subflow = this.sub;
    this.paths.up(this.initialPath);
  }

  /** Every subflow not closed: the initial one while in service, and every join. */
  private allPaths(): PathState[] {
    const out: PathState[] = [];
    if (this.sub !== undefined && !this.initialDown && this.sub.state !== "CLOSED") out.push(this.initialPath);
    out.push(...this.joins.all);
    return out;
  }

  /**
   * §3.5: the peer's MP_FASTCLOSE carried our key: the connection is reset at once, every subflow
   * with a RST carrying MP_TCPRST (Linux answers with `mp_reset 0` on each, mptcp-facts.md §4).
   */
  private onFastClose(): void {
    if (this.closedSent) return;
    this.peerFastClose = true;
    this.rstReason ??= TCPRST_REASON.UNSPECIFIED;
    // A RST is never answered (RFC 9293 §3.10.7.1): the subflow it came on just goes.
    if (!this.rstIn) this.sub?.abort();
    this.finish("reset");
  }

  // -----------------------------------------------------------------------------------------------
  // Handshake (RFC 8684 §3.1)
  // -----------------------------------------------------------------------------------------------

  /** @internal Server: the SYN offered MP_CAPABLE (validated by the host). */
  acceptOffer(mpc: MpCapable): void {
    this.peerOffered = true;
    this.paths.remoteDenyJoinId0 = (mpc.flags & MPC_FLAG.C) !== 0;
    this.csum = this.cfg.checksums || wantsChecksums(mpc);
    this.count("MPCapableSYNRX");
  }

  /** Both keys known: the connection is MPTCP from now on. */
  private enterMptcp(remoteKey: bigint): void {
    const local = this.localKey!;
    this.remote = keyDerive(remoteKey, MPTCP_VERSION);
    this.localSpace = new DsnSpace(local.idsn);
    this.peerSpace = new DsnSpace(this.remote.idsn);
    this.txMap = new SendMappings({ checksums: this.csum, space: this.localSpace });
    // §3.3.1 allows holding a window of unmapped data while its mapping is on the way.
    this.rxMap = new ReceiveMappings({ checksums: this.csum, space: this.peerSpace, maxUnmappedBytes: this.cfg.recvBufferSize });
    this.modeValue = "mptcp";
    this.established = true;
    this.count("MPCurrEstab");
  }

  /** §3.7: continue as plain TCP. Nothing was mapped otherwise than linearly on one subflow. */
  private fallBack(reason: string, counter?: MptcpCounterName): void {
    if (this.modeValue === "fallback") return;
    if (counter !== undefined) this.count(counter);
    if (this.established) {
      this.established = false;
      this.count("MPCurrEstab", -1);
    }
    this.modeValue = "fallback";
    this.reason = reason;
    // Joins still in their handshake cannot follow a connection that is plain TCP now.
    this.joins.closeAll(true);
    // What the subflow holds for want of a mapping or a complete checksum is linear data now.
    for (const c of this.rxMap?.takeHeld(this.rxDelta) ?? []) this.deliver(c.dsn, c.data);
    this.txMap = undefined;
    this.rxMap = undefined;
    this.mpFailDsn = undefined;
    this.mpFailDue = false;
    this.infinitePending = false;
    this.bareDataFin = undefined;
    this.deferredDataFin = undefined;
    this.dataFinTimeout = undefined;
    // The subflow's own flow control is the only one now.
    this.sendQueue.onWindow(this.sendQueue.sndUna, Number.MAX_SAFE_INTEGER / 2);
    this.owner.released(this);
    if (this.announcedValue) this.owner.emit({ type: "fallback", connection: this, reason });
    this.owner.changed(this);
  }

  /** The peer's window shift, from its SYN or SYN/ACK (RFC 7323 §2.2). */
  private learnShift(seg: TcpRepr): void {
    if (!this.cfg.windowScaling) return;
    for (const o of seg.options) if (o.kind === "wscale") this.sndShift = Math.min(o.shift, 14);
  }

  /** Client: the SYN/ACK (§3.1). */
  private onSynAck(seg: TcpRepr, opts: SegmentMptcp): void {
    if (this.modeValue !== "handshake") return;
    const mpc = opts.capable;
    if (mpc === undefined || !acceptableCapable(mpc, false) || mpc.sendKey === undefined) {
      // No MP_CAPABLE, a v0 one, or flag B: the server does not speak our MPTCP (§3.1, §3.7).
      this.fallBack(mpc === undefined ? "SYN/ACK without MP_CAPABLE" : "unacceptable MP_CAPABLE on the SYN/ACK", "MPCapableFallbackSYNACK");
      return;
    }
    this.count("MPCapableSYNACKRX");
    this.paths.remoteDenyJoinId0 = (mpc.flags & MPC_FLAG.C) !== 0;
    this.owner.activeOpenResult(this, false);
    this.csum = this.cfg.checksums || wantsChecksums(mpc);
    this.learnShift(seg);
    this.enterMptcp(mpc.sendKey);
    // The window of a SYN/ACK is never scaled (RFC 7323 §2.2).
    this.sendQueue.onWindow(1, seg.window);
  }

  /**
   * Server: the segment that completes the handshake, the third ACK or the client's first data
   * when the third ACK was lost, must carry MP_CAPABLE with both keys (§3.1).
   */
  private onHandshakeAck(seg: TcpRepr, opts: SegmentMptcp): "ok" | "reset" {
    if (this.modeValue !== "handshake") return "ok";
    const mpc = opts.capable;
    if (mpc === undefined || mpc.sendKey === undefined || mpc.recvKey === undefined || !acceptableCapable(mpc, false)) {
      this.fallBack("handshake ACK without MP_CAPABLE", "MPCapableFallbackACK");
      return "ok";
    }
    // The echo of our key proves the client saw our SYN/ACK.
    if (mpc.recvKey !== this.localKey!.key) {
      this.rstReason = TCPRST_REASON.MPTCP_SPECIFIC;
      return "reset";
    }
    this.count("MPCapableACKRX");
    this.enterMptcp(mpc.sendKey);
    this.sendQueue.onWindow(1, seg.window * 2 ** this.sndShift);
    return "ok";
  }

  // -----------------------------------------------------------------------------------------------
  // The hook: outgoing segments
  // -----------------------------------------------------------------------------------------------

  private reserve(ctx: ReserveContext): Reservation {
    if (ctx.kind === "rst") return { bytes: paddedLengths(this.rstOptions()) };
    this.initialPath.optionSpace = ctx.optionSpace;
    if (ctx.kind === "syn") this.onSynOut();
    // A retransmission may be a timeout's: look for a stall (checkStalls) when there are joins.
    if (ctx.retransmission && ctx.kind === "data" && this.joins.all.length > 0) this.owner.changed(this);
    const plan = this.plan(ctx.kind, ctx.offset, ctx.retransmission);
    const res = reservationOf(plan);
    // A segment that may carry no payload (no mapping for its bytes) says nothing of the sizes.
    if (ctx.kind === "data" && plan !== undefined && res.maxPayload !== 0) this.sizes.note(ctx.maxPayload - res.bytes, declaresMapping(plan.options));
    return res;
  }

  private options(ctx: OutgoingContext): TcpOption[] {
    if (ctx.kind === "rst") {
      const opts = this.rstOptions();
      for (const o of opts) this.count(o.subtype === "MP_FASTCLOSE" ? "MPFastcloseTx" : o.subtype === "MP_FAIL" ? "MPFailTx" : "MPRstTx");
      return opts.flatMap(padOption);
    }
    const plan = this.plan(ctx.kind, ctx.offset, ctx.retransmission);
    if (plan === undefined) return [];
    // After the fallback: a copy of the infinite mapping's segment, nothing to count.
    if (this.modeValue === "fallback") return padOptions(plan.options);
    if (this.modeValue === "mptcp" && this.paths.sent(this.initialPath, plan.options)) this.ackWanted = true;
    this.noteDataAckSent(this.initialAcks, plan.options, this.rxMap?.receivedInOrder ?? 0);
    for (const o of plan.options) {
      if (o.subtype === "DSS" && o.ssn !== undefined && o.dataLen !== 0) this.txMap?.declaredSsn(o.ssn);
      else if (o.subtype === "MP_CAPABLE" && o.dataLen !== undefined) this.txMap?.declared(0);
    }
    for (const o of plan.options) {
      if (o.subtype === "MP_CAPABLE") {
        if (ctx.kind === "syn" && !ctx.retransmission) this.count("MPCapableSYNTX");
        if (this.role === "client" && o.recvKey !== undefined && ctx.payload.length === 0) {
          this.thirdAckSent = true;
          this.owner.changed(this);
        }
      } else if (o.subtype === "MP_FAIL") {
        this.count("MPFailTx");
        this.mpFailDue = false;
      } else if (o.subtype === "DSS" && o.dataLen === 0) {
        // §3.7: the infinite mapping is out; from here on this side sends plain TCP, but for the
        // copies of this segment, which declare it again (infinite-mapping.ts).
        this.count("InfiniteMapTx");
        this.fallBack("MP_FAIL from the peer: infinite mapping sent");
        if (ctx.kind === "data" && ctx.payload.length > 0) this.infiniteSent = new SentInfiniteMapping(ctx.offset, plan.options);
      }
    }
    return padOptions(plan.options);
  }

  /**
   * Client, before each SYN (reserve runs once per SYN sent): after the first SYN and
   * `synRetransBeforeFallback` retransmissions with MP_CAPABLE went unanswered, the next one goes
   * plain and the connection falls back (Linux `mptcp_active_detect_blackhole`, counted as
   * MPCapableSYNTXDrop): a middlebox may be dropping SYNs with unknown options (RFC 8684 §3.7,
   * RFC 8041 §3.1). A SYN/ACK with MP_CAPABLE to an earlier SYN is then ignored: our third ACK goes
   * without MP_CAPABLE, so the server falls back too.
   */
  private onSynOut(): void {
    if (this.role !== "client" || this.modeValue !== "handshake") return;
    if (this.capableSyns > this.cfg.synRetransBeforeFallback) {
      this.mpcDropped = true;
      this.fallBack("MP_CAPABLE SYNs unanswered: retried as plain TCP", "MPCapableSYNTXDrop");
      return;
    }
    this.capableSyns++;
  }

  /**
   * The options of a RST: MP_FASTCLOSE with the peer's key when the application aborted an MPTCP
   * connection (§3.5), and MP_TCPRST with the reason (§3.6), as Linux sends them: on every RST of
   * a subflow that has not fallen back, whatever made TCP send it (a join's RST always has it too).
   */
  private rstOptions(): MptcpOption[] {
    const out: MptcpOption[] = [];
    if (this.fastClose && this.remote !== undefined) out.push({ subtype: "MP_FASTCLOSE", key: this.remote.key });
    if (this.rstFailDsn !== undefined && this.peerSpace !== undefined) out.push({ subtype: "MP_FAIL", dsn: this.peerSpace.toWire64(this.rstFailDsn) });
    const mptcp = this.modeValue === "mptcp" && this.remote !== undefined;
    if (mptcp || this.rstReason !== undefined || out.length > 0) out.push({ subtype: "MP_TCPRST", flags: 0, reason: this.rstReason ?? TCPRST_REASON.UNSPECIFIED });
    return out;
  }

  /**
   * The segment payloads a mapping starting at `offset` is cut to (SendMappings.payloadLimit),
   * when its declaring segment is being planned: a full segment less the DSS it carries first.
   */
  private segmentShape(m: SentMapping, offset: number): SegmentShape | undefined {
    if (this.sub === undefined || this.everySegment) return undefined;
    const full = this.sub.tcp.stats().mss - (MAX_OPTION_BYTES - this.initialPath.optionSpace);
    const a = this.dataAckState();
    const declaring = withDataAck(mappingDss(m, this.localSpace!), a.ack, this.peerSpace!, a.width);
    const mayGrow = this.sendQueue.buffered - this.sendQueue.inFlight > 0 && this.fastestSubflow(this.sub);
    return declaringShape(m, offset, full, declaring, mayGrow, this.declaresEverySegment);
  }

  /**
   * The whole DSS on every data segment, as Linux sends it (MptcpOptions.dssEverySegment); by
   * default the DSS goes once per mapping (send-mapping.ts).
   */
  private get everySegment(): boolean {
    return this.cfg.dssEverySegment === true;
  }

  /**
   * Every segment of the initial subflow declares its mapping: by choice (`everySegment`), or
   * because the server has not yet shown it has our key (§3.1: the segment that started the
   * mapping carried MP_CAPABLE and may be the copy that was lost).
   */
  private get declaresEverySegment(): boolean {
    return this.everySegment || (this.role === "client" && !this.fullyEstablished);
  }

  /**
   * Whether `sub` has the lowest smoothed RTT of the established subflows. Only there is a short
   * tail held back for the next chunk (SegmentShape.mayGrow): TCP releases it at the latest when
   * everything in flight is acknowledged, one RTT of that subflow, and on a slower subflow the
   * DSNs held would block the data-level window for that long.
   */
  private fastestSubflow(sub: Subflow): boolean {
    const own = sub.tcp.srtt;
    if (own === undefined) return this.joins.all.length === 0;
    const init = this.initialDown ? undefined : this.sub?.tcp.srtt;
    if (init !== undefined && init < own) return false;
    for (const j of this.joins.all) {
      const r = j.established ? j.subflow?.tcp.srtt : undefined;
      if (r !== undefined && r < own) return false;
    }
    return true;
  }

  /** The Data ACK this end sends now, its width, and the right edge of the window it offers. */
  private dataAckState(received = 0): DataAckState {
    const ack = this.reasm.rcvNxt;
    return { ack, width: this.ackWidth.width, edge: ack + this.receiveSpace(), received };
  }

  /** Records the Data ACK among `options`, if any, as sent on the subflow of `record`. */
  private noteDataAckSent(record: DataAckRecord, options: readonly MptcpOption[], received: number): void {
    if (options.some((o) => o.subtype === "DSS" && o.dataAck !== undefined)) record.sent(this.dataAckState(received));
  }

  /** The MPTCP options of the segment of `kind` at subflow offset `offset`, and its payload limit. */
  private plan(kind: ReserveContext["kind"], offset: number, retransmission = false): { options: MptcpOption[]; maxPayload?: number } | undefined {
    const local = this.localKey;
    if (local === undefined) return undefined;
    switch (kind) {
      case "syn":
        return this.modeValue === "handshake" ? { options: [{ subtype: "MP_CAPABLE", version: MPTCP_VERSION, flags: this.ourCapableFlags(this.cfg.checksums) }] } : undefined;
      case "syn-ack":
        if (this.modeValue !== "handshake" || !this.peerOffered) return undefined;
        return { options: [{ subtype: "MP_CAPABLE", version: MPTCP_VERSION, flags: this.ourCapableFlags(this.csum), sendKey: local.key }] };
      default:
        break;
    }
    // §3.7: after the fallback, only a copy of the segment that carried the infinite mapping has
    // an option (the mapping again), and one before it a payload limit.
    if (this.modeValue === "fallback") return kind === "data" ? this.infiniteSent?.plan(offset) : undefined;
    if (this.modeValue !== "mptcp") return undefined;
    const tx = this.txMap!;
    const mapped = kind === "data" ? tx.at(offset) : undefined;
    if (this.role === "client" && !this.fullyEstablished && offset === 0 && this.bareDataFin === undefined) {
      // §3.1: until the server shows it has our key (a DSS), the segment at relative SSN 1 carries
      // MP_CAPABLE with both keys; with data, also the data-level length (DSN IDSN+1 implied).
      // A DATA_FIN needs a DSS (Linux too leaves MP_CAPABLE off once one is pending).
      const mpc: MpCapable = { subtype: "MP_CAPABLE", version: MPTCP_VERSION, flags: this.ourCapableFlags(this.csum), sendKey: local.key, recvKey: this.remote!.key };
      if (mapped === undefined) return { options: [mpc] };
      mpc.dataLen = mapped.length + (mapped.dataFin ? 1 : 0);
      if (mapped.checksum !== undefined) mpc.checksum = mapped.checksum;
      return { options: [mpc], maxPayload: tx.payloadLimit(offset) };
    }
    let dss: Dss | undefined;
    let maxPayload: number | undefined;
    if (this.infinitePending && (kind === "data" || kind === "ack")) {
      // §3.7: the peer sent MP_FAIL on our only subflow: the infinite mapping (data-level length
      // 0) from this segment's first byte, whose DSN is its offset + 1 on this linear subflow.
      dss = infiniteMappingDss(offset, this.localSpace!, this.csum);
    } else if (mapped !== undefined) {
      // §3.1: until the server has shown it has our key, every segment declares its mapping, as
      // the one that started it carried MP_CAPABLE and may be the copy that was lost.
      maxPayload = tx.payloadLimit(offset, this.segmentShape(mapped, offset));
      if (carriesMapping(mapped, offset, this.declaresEverySegment)) dss = mappingDss(mapped, this.localSpace!);
    } else if (kind === "data") {
      // No mapping for these bytes (cannot happen: every byte written is mapped); send nothing.
      maxPayload = 0;
    } else if (this.bareDataFin !== undefined && !this.sendQueue.finAcked) {
      dss = dataFinDss(this.bareDataFin, this.localSpace!, this.csum);
    }
    // A data segment inside a mapping carries a Data ACK only with news (DataAckRecord).
    const ack = this.dataAckState(this.rxMap!.receivedInOrder);
    const withAck = dss !== undefined || mapped === undefined || this.mpFailDsn !== undefined || this.everySegment || this.initialAcks.due(ack);
    const options: MptcpOption[] = withAck ? [withDataAck(dss, ack.ack, this.peerSpace!, ack.width)] : [];
    // §3.7: MP_FAIL, when due (`mpFailDue`), until the peer's infinite mapping arrives; on segments
    // without a mapping, where it fits beside the Data ACK.
    if (this.mpFailDsn !== undefined && this.mpFailDue && dss === undefined) options.push({ subtype: "MP_FAIL", dsn: this.peerSpace!.toWire64(this.mpFailDsn) });
    const out = maxPayload === undefined ? { options } : { options, maxPayload };
    // No signals beside MP_FAIL or the infinite mapping, nor on a subflow out of service (the
    // path manager does not count it among the live ones, `livePaths`).
    if (this.joinsRefused || this.initialDown) return out;
    return this.paths.decorate(this.initialPath, kind, retransmission, out);
  }

  // -----------------------------------------------------------------------------------------------
  // The hook: incoming segments
  // -----------------------------------------------------------------------------------------------

  private incoming(ctx: IncomingContext): IncomingVerdict {
    const seg = ctx.seg;
    const opts = mptcpOptionsOf(seg.options);
    switch (ctx.state) {
      case "LISTEN":
        this.learnShift(seg);
        return "accept";
      case "SYN-SENT":
        if (seg.flags & TCP_FLAG.SYN) this.onSynAck(seg, opts);
        return "accept";
      case "SYN-RECEIVED":
        if (this.localKey !== undefined && this.onHandshakeAck(seg, opts) === "reset") return "reset";
        break;
      default:
        break;
    }
    if (this.modeValue === "handshake") return "accept";
    this.lastRx = this.sub;
    // The segment may acknowledge subflow data, freeing send-buffer space to pump into.
    this.owner.changed(this);
    if (this.modeValue === "fallback") return this.incomingPlain(ctx);
    return this.incomingMptcp(ctx, opts);
  }

  /** Plain TCP: the stream continues linearly from the last mapping (offset k is DSN k + 1). */
  private incomingPlain(ctx: IncomingContext): IncomingVerdict {
    if (ctx.payload.length === 0) return "accept";
    this.deliver(ctx.offset + this.rxDelta, ctx.payload);
    return "consume";
  }

  private incomingMptcp(ctx: IncomingContext, opts: SegmentMptcp): IncomingVerdict {
    const seg = ctx.seg;
    const dss = opts.dss;
    // §3.1: a DSS, or any option but MP_CAPABLE (an ADD_ADDR's HMAC needs our key), shows the
    // server has our key.
    if (dss !== undefined || (opts.any && opts.capable === undefined)) this.fullyEstablished = true;
    // A segment inside a mapping declared earlier may carry no option (§3.3.1): what counts is
    // data in subflow order that no mapping covers, and the first data acknowledged without a
    // Data ACK (§3.7; Linux: subflow.c `get_mapping_status`, options.c `check_fully_established`).
    const unmappedData = !opts.any && this.rxMap!.unmappedInOrder(ctx.offset, ctx.payload.length);
    // After a DSS came, one bare segment acknowledging new data proves nothing: the segment
    // before it that carried the Data ACK may have been lost (send-mapping.ts `DataAckRecord`).
    // Two in a row do: our peer puts a Data ACK on every segment acknowledging new data, Linux
    // on every segment; a peer that fell back (a middlebox merged segments across a mapping's
    // end, RFC 8041 §3.1) on none.
    const newlyAcked = ctx.ackOffset !== undefined && ctx.ackOffset > this.peerAckedOffset;
    if (newlyAcked) this.peerAckedOffset = ctx.ackOffset!;
    // An older segment with options, overtaken by a bare one (reordering), is no answer to it.
    if (opts.any) {
      if (ctx.ackOffset === undefined || ctx.ackOffset >= this.peerAckedOffset) this.bareAdvances = 0;
    } else if (newlyAcked) this.bareAdvances++;
    const dataAckedBare = !opts.any && this.acksData(seg) && (!this.fullyEstablished || this.bareAdvances >= 2);
    // Our DATA_FIN rode on data that is now acknowledged bare: if it was the last of ours, no
    // second bare ACK will come to show that the peer fell back. The DATA_FIN goes again alone on
    // a timer (§3.3.3), whose unanswered retransmission shows it (`onTimer`). Neither our peer nor
    // Linux ever acknowledges new data bare once fully established, so this costs nothing else.
    const fin = this.sendQueue.dataFinDsn;
    if (!opts.any && newlyAcked && this.fullyEstablished && fin !== undefined && this.sendQueue.sndNxt > fin && this.bareDataFin === undefined && !this.sendQueue.finAcked) this.deferredDataFin ??= fin;
    if ((unmappedData || dataAckedBare) && this.canFallBack()) {
      // §3.7: data, or the acknowledgment of ours, without any MPTCP option: a middlebox strips
      // them (or the peer fell back), and on the only subflow the stream is still linear, so
      // continue as TCP.
      if (this.role === "client" && !this.fullyEstablished) this.fallBack("data acknowledged without MPTCP options", "MPCapableDataFallback");
      else this.fallBack("MPTCP options missing after the handshake", "DssFallback");
      return this.incomingPlain(ctx);
    }
    // §3.7: data with no MPTCP option where this end may not fall back (a DSS checksum was
    // verified, or other subflows exist): the peer fell back or options are being stripped, and
    // no mapping will come.
    if (unmappedData && this.fullyEstablished) return this.unmappedReset();
    if (this.mpFailDsn !== undefined && mapsData(opts)) {
      // §3.7: after our MP_FAIL the peer, having received it, sends the infinite mapping and then
      // no option. A segment that maps data shows it had not when it sent that segment: MP_FAIL
      // goes again on the ACK, in case ours was lost. Segments without an option say nothing
      // (inside a mapping the peer sends none either), so MP_FAIL is not repeated on every ACK:
      // in order, such data falls back by itself (`canFallBack`), and out of order it waits for
      // the copy of the segment that carried the infinite mapping (infinite-mapping.ts).
      this.mpFailDue = true;
      if (ctx.payload.length === 0) this.ackWanted = true;
    }
    if (dss?.dataAck !== undefined) this.onDataAck(dss, seg);
    // §3.3.8, §3.4, §3.5: MP_PRIO, ADD_ADDR, REMOVE_ADDR, MP_FASTCLOSE.
    this.startPathManager();
    this.rstIn = (seg.flags & TCP_FLAG.RST) !== 0;
    if (opts.any && !this.paths.incoming(this.initialPath, seg.options)) return "accept";
    // (On a RST, MP_FAIL only says why that subflow goes: the others carry on. MPFailRx is
    // counted by the path control, on every subflow.)
    if (opts.fail !== undefined && !this.infinitePending && !this.rstIn && !this.joinedOnce) {
      // §3.7: the peer found a DSS checksum failure on our only subflow: answer with the infinite
      // mapping on the next segment, then continue as TCP. With joins, the infinite mapping is no
      // longer possible (the other subflows' bytes could not be placed); MP_FAIL then comes on the
      // RST of the failed subflow, and one outside a RST is ignored, as Linux does
      // (allow_infinite_fallback).
      this.infinitePending = true;
      this.abandonPendingJoins();
      this.ackWanted = true;
    }

    let announced: MappingAnnouncement | undefined;
    const mpc = opts.capable;
    if (this.role === "server" && mpc?.dataLen !== undefined && mpc.dataLen > 0) {
      // §3.1: the MP_CAPABLE of the client's first data maps it: DSN IDSN+1, SSN 1.
      const mapping = { dsn: 1, offset: 0, length: mpc.dataLen, dataFin: false, ...(mpc.checksum !== undefined ? { checksum: mpc.checksum } : {}) };
      announced = { kind: "map", mapping };
      this.ackWidth.onPeerMapping(true);
    } else if (dss !== undefined) {
      announced = readMapping(dss, this.peerSpace!, this.reasm.rcvNxt, ctx.offset);
      if (announced !== undefined && announced.kind !== "infinite") this.ackWidth.onPeerMapping(dss.dsn64);
    }
    if (announced?.kind === "map") this.rxDelta = announced.mapping.dsn - announced.mapping.offset;
    if (announced?.kind === "infinite") this.count("InfiniteMapRx");
    if (announced === undefined && ctx.payload.length === 0) return "accept";

    const inOrderBefore = this.rxMap!.receivedInOrder;
    return this.received(ctx, this.rxMap!.onSegment(ctx.offset, ctx.payload, announced), inOrderBefore);
  }

  /**
   * What the receive mappings made of a segment; `inOrderBefore` is the subflow's in-order point
   * before it (for OFOQueue, ofo-count.ts).
   */
  private received(ctx: IncomingContext, res: SegmentResult, inOrderBefore: number): IncomingVerdict {
    if (res.error !== undefined) {
      // §3.7: with another subflow up, or about to be (`infiniteFallbackAllowed`), there is no
      // infinite mapping: the subflow is reset instead (with MP_FAIL on the RST), and the
      // connection goes on there.
      if (res.error.kind !== "checksum" || res.error.mapping === undefined || !this.infiniteFallbackAllowed()) return this.mappingError(res.error);
      this.checksumFailed(res.error.dsn);
      // The segment's bytes after the failed mapping, if any, are still to be placed.
      return this.received(ctx, this.rxMap!.onSegment(ctx.offset, ctx.payload), inOrderBefore);
    }
    // §3.7: in-order bytes no mapping covers where this end may not fall back. This segment's
    // mapped bytes are not delivered either: a middlebox changed the segment (mapping.ts).
    if (res.stranded > 0 && !this.canFallBack()) return this.unmappedReset();
    for (const c of res.chunks) this.deliver(c.dsn, c.data);
    this.initialOrder.arrived(ctx.offset, ctx.offset + ctx.payload.length, res.chunks, inOrderBefore, this.rxMap!.receivedInOrder, this.moveData);
    if (res.infinite === true) {
      // §3.7: the peer's infinite mapping (its answer to our MP_FAIL, or its own decision): the
      // rest of the stream is plain TCP, linear from the mapping's point.
      const inf = this.rxMap!.infinite!;
      this.rxDelta = inf.dsn - inf.offset;
      this.fallBack("infinite mapping received");
      return this.incomingPlain(ctx);
    }
    if (res.stranded > 0) {
      // §3.7: data without a mapping on the only subflow (Linux DssFallback). Bytes beyond the
      // mapping of their own segment are what Linux's validate_mapping() counts first. (Unmapped
      // bytes out of subflow order wait for the segment that declares their mapping.)
      if (res.overrun > 0) this.count("DSSNoMatchTCP");
      this.fallBack("data without a DSS mapping", "DssFallback");
      return this.incomingPlain(ctx);
    }
    if (res.dataFin !== undefined) this.onDataFin(res.dataFin);
    return ctx.payload.length > 0 ? "consume" : "accept";
  }

  /**
   * Subflow data in order that no mapping covers, where the connection may not fall back (§3.7):
   * the subflow is reset (Linux: MAPPING_INVALID, MPTCP_RST_EMPTCP) rather than holding its bytes
   * for a mapping that never arrives, and what it carried goes again on another subflow (§3.3.6).
   */
  private unmappedReset(): IncomingVerdict {
    this.count("DSSNoMatchTCP");
    this.rstReason = TCPRST_REASON.MPTCP_SPECIFIC;
    this.survivesInitialReset();
    return "reset";
  }

  /**
   * A complete mapping failed its DSS checksum (§3.7). On the only subflow the connection
   * survives: its bytes are delivered as they arrived (a middlebox changed them and stays in the
   * path; Linux does the same), MP_FAIL asks the peer for the infinite mapping, and both ends
   * continue as TCP.
   */
  private checksumFailed(dsn: number): void {
    this.count("DataCsumErr");
    for (const c of this.rxMap!.failedData) this.deliver(c.dsn, c.data);
    // Committed to plain TCP: no subflow may join from now on (`joinsRefused`; there is none:
    // `received`).
    this.mpFailDsn ??= dsn;
    this.mpFailDue = true;
    this.abandonPendingJoins();
    this.ackWanted = true;
    this.owner.changed(this);
  }

  /**
   * Whether the connection may still fall back to TCP (§3.7, Linux `subflow_can_fallback`): on
   * the only subflow, unless a DSS checksum has already been verified, or once MP_FAIL was sent
   * (the peer's infinite mapping may have been lost: what follows is plain data).
   */
  private canFallBack(): boolean {
    // §3.7: only a connection that has only ever carried data on one subflow can continue as
    // TCP. A join still in its handshake carries no data yet: the fallback resets it.
    if (this.joinedOnce) return false;
    if (this.mpFailDsn !== undefined) return true;
    return !(this.csum && this.rxMap!.validChecksumSeen);
  }

  /**
   * §3.7: MP_FAIL went out, or the infinite mapping is about to: the connection is becoming plain
   * TCP on its only subflow, so no other subflow may join it any more (Linux clears
   * `allow_subflows` in `mptcp_subflow_fail`). MP_JOIN SYNs are refused and none is opened. (Once
   * it is plain TCP, its mode refuses them.)
   */
  private get joinsRefused(): boolean {
    return this.mpFailDsn !== undefined || this.infinitePending;
  }

  /**
   * §3.7 (Linux `allow_infinite_fallback`): whether a DSS checksum failure on the initial subflow
   * may end in MP_FAIL and the infinite mapping rather than a reset of the subflow. Not once a
   * join has been up (`joinedOnce`), nor beside a join the peer has answered or opened (our third
   * ACK sent, or its SYN answered): the connection goes on there, its bytes intact, where the
   * fallback would deliver what the middlebox made of them (Linux falls back beside a join whose
   * third ACK it has not received yet). A join whose SYN has had no answer is no reason to reset
   * the only working subflow: it may never complete (a firewall, no listener at the address), so
   * the connection falls back and abandons it (`abandonPendingJoins`), as Linux does. Once MP_FAIL
   * went out the connection is committed: joins are refused from then on, and later failures
   * before the peer's infinite mapping arrives take the same course rather than resetting the
   * only subflow.
   */
  private infiniteFallbackAllowed(): boolean {
    if (this.mpFailDsn !== undefined) return true;
    if (this.joinedOnce) return false;
    for (const j of this.joins.all) if (j.state !== "syn-sent" && j.state !== "closed") return false;
    return true;
  }

  /**
   * §3.7: the connection is committed to plain TCP on its only subflow (MP_FAIL sent, or the
   * infinite mapping about to be): the joins still in their handshake go, with a RST (Linux resets
   * a join that completes once `allow_subflows` is cleared). None carried data.
   */
  private abandonPendingJoins(): void {
    for (const j of [...this.joins.all]) if (!j.established) this.joins.remove(j, "fallback", true);
  }

  /** Whether `seg` acknowledges subflow data we sent (beyond the SYN). */
  private acksData(seg: TcpRepr): boolean {
    const sub = this.sub;
    if (sub === undefined || (seg.flags & TCP_FLAG.ACK) === 0) return false;
    const acked = (seg.ack - sub.tcp.iss - 1) >>> 0;
    return acked > 0 && acked < 2 ** 31;
  }

  /** §3.3.2: a Data ACK, cumulative; with it the window the segment offers (§3.3.4). */
  private onDataAck(dss: Dss, seg: TcpRepr, shift = this.sndShift): void {
    const ack = this.localSpace!.fromWire(dss.dataAck!, dss.dataAck64 ? 64 : 32, this.sendQueue.sndUna);
    if (ack === undefined) return;
    const verdict = this.sendQueue.onDataAck(ack);
    if (verdict === "beyond" || verdict === "stale") return;
    this.sendQueue.onWindow(ack, seg.window * 2 ** shift);
    // The edge may have moved over data handed ahead to a subflow: it may send more now.
    if (this.aheadRun !== undefined) this.owner.touchSubflow(this.aheadRun.sub);
    if (verdict === "advanced") {
      this.dataAcked = true;
      this.txMap?.onDataAck(ack);
      this.joins.onDataAck(ack);
      // sched/scheduler.ts step 4: BLEST and the delay-aware default learn from window blocking.
      this.scheduler.onDataAck?.(this.windowBlocked);
      this.windowBlocked = false;
    }
    this.owner.changed(this);
  }

  private onDataFin(dsn: number): void {
    const verdict = this.reasm.onDataFin(dsn);
    if (verdict === "ok" || verdict === "duplicate") this.ackWanted = true;
    if (this.reasm.finReceived) this.emitPeerClosed();
    this.owner.changed(this);
  }

  private deliver(dsn: number, data: Uint8Array): void {
    const before = this.reasm.readable;
    const r = this.reasm.insert(dsn, data);
    if (r.duplicate > 0) this.count("DuplicateData");
    if (r.outOfWindow > 0) this.count("NoDSSInWindow");
    if (before === 0 && this.reasm.readable > 0) this.emit("readable");
    if (this.reasm.finReceived) this.emitPeerClosed();
  }

  /**
   * A mapping the subflow cannot honour. With one subflow and no MP_FAIL support yet, the subflow
   * is reset with MP_TCPRST (§3.6), which ends the connection.
   */
  private mappingError(err: MappingError): IncomingVerdict {
    let reason: number = TCPRST_REASON.MPTCP_SPECIFIC;
    switch (err.kind) {
      case "dss-not-matching":
        this.count("DSSNotMatching");
        break;
      case "dss-no-match-tcp":
        this.count("DSSNoMatchTCP");
        break;
      case "checksum":
        this.count("DataCsumErr");
        reason = TCPRST_REASON.MIDDLEBOX_INTERFERENCE;
        break;
      case "unmapped-overflow":
      case "too-many-mappings":
        reason = TCPRST_REASON.LACK_OF_RESOURCES;
        break;
      default:
        break;
    }
    this.rstReason = reason;
    // Linux puts MP_FAIL beside MP_TCPRST on the RST of a subflow whose checksum failed.
    if (err.kind === "checksum") this.rstFailDsn = err.dsn;
    this.survivesInitialReset();
    return "reset";
  }

  /**
   * The initial subflow is being reset for a protocol error (§3.6, §3.7). With a joined subflow
   * (up, or in its handshake) the connection goes on there, as Linux resets only the subflow: what
   * the initial one carried and the peer has not data-acknowledged is reinjected (§3.3.6).
   */
  private survivesInitialReset(): void {
    if (this.modeValue !== "mptcp" || this.initialDown || this.joins.all.length === 0) return;
    this.initialDown = true;
    this.sendQueue.reinject(this.txMap!.unacked());
    if (this.initialUp) this.paths.down(this.initialPath, "reset");
    this.owner.changed(this);
  }
}

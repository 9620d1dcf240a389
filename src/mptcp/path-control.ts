/**
 * Address management and subflow lifecycle of one connection (RFC 8684 §3.3.8, §3.4, §3.5): the
 * address signals (ADD_ADDR, its echo, REMOVE_ADDR) and MP_PRIO on the connection's segments, what
 * the peer signals, the path manager's decisions carried out, and the subflow events.
 *
 * The connection keeps the data path; this keeps the paths. It reaches the connection through
 * `PathContext`, and each subflow through its `PathState` (a `JoinSubflow`, or the initial
 * subflow's `InitialPath`).
 *
 * Which segments carry what (Linux's habits, mptcp-facts.md §0): every signal goes on a pure ACK.
 * The connection-level ones (ADD_ADDR, echoes, REMOVE_ADDR) on one established subflow, the
 * `carrier`; MP_PRIO on the subflow it is about (§3.3.8: in v1 it applies to the subflow that
 * carries it). While a signal waits, the subflow that will carry it sends no new data: a data
 * segment with timestamps and a full DSS has no option space left, and the ACK that TCP would
 * otherwise fold into the next data segment must go out bare.
 */
import type { IpAddress } from "../wire/address.js";
import { formatAddress } from "../wire/address.js";
import type { TcpOption } from "../wire/tcp-types.js";
import type { MptcpOption } from "../wire/mptcp/types.js";
import type { ReserveContext } from "../tcp/hook.js";
import type { AddAddrSenderConfig, AnnouncedAddress } from "./add-addr.js";
import type { MptcpConnection } from "./connection.js";
import type { MptcpCounterName, MptcpCounters } from "./counters.js";
import type { MptcpConnectionEvent } from "./events.js";
import type { JoinSubflow } from "./join.js";
import type { Endpoint, EndpointTable } from "./pm/endpoints.js";
import type { PmAction } from "./pm/kernel.js";
import { KernelPathManager } from "./pm/kernel.js";
import { AddressSignals } from "./signals.js";
import { paddedLength, paddedLengths } from "./capable.js";
import type { SubflowStats } from "./stats.js";
import { subflowStats } from "./stats.js";
import type { Subflow } from "./subflow.js";

/** Closed subflows `stats()` keeps listing (the most recent), so that memory stays bounded. */
export const CLOSED_SUBFLOWS_KEPT = 8;

/** What the path layer knows of one subflow; a `JoinSubflow` is one. */
export interface PathState {
  /** Our address ID for the subflow's local address (0: the initial subflow's, §3.2). */
  addrId: number;
  /** The peer's address ID for the subflow's remote address. */
  remoteAddrId: number | undefined;
  /** We asked that the subflow be a backup (§3.3.8). */
  backup: boolean;
  /** The peer asked that the subflow be a backup. */
  peerBackup: boolean;
  /** Our `backup` changed and MP_PRIO has not gone yet. */
  prioPending: boolean;
  /**
   * Option bytes free for MPTCP on the segment being built, as its `reserve` was told; its
   * `options` builds the same segment right after, so both phases decide alike.
   */
  optionSpace: number;
  readonly subflow: Subflow | undefined;
}

/** The initial subflow's `PathState` (address IDs 0 on both sides, §3.4.1). */
export class InitialPath implements PathState {
  addrId = 0;
  remoteAddrId: number | undefined = 0;
  backup = false;
  peerBackup = false;
  prioPending = false;
  optionSpace = 40;
  subflow: Subflow | undefined;
}

/** What the path layer needs of its connection. */
export interface PathContext {
  readonly connection: MptcpConnection;
  readonly counters: MptcpCounters;
  readonly endpoints: EndpointTable;
  keys(): { local: bigint; remote: bigint } | undefined;
  /** Queues an application event (dropped while the connection is not yet accepted). */
  emit(event: MptcpConnectionEvent): void;
  /** The connection has work for its `service`. */
  changed(): void;
  /** The subflows that can carry a segment now, initial first. */
  live(): PathState[];
  /** Every subflow not yet closed, joins still in their handshake included. */
  all(): PathState[];
  /** Opens an MP_JOIN subflow (`local` undefined: the Host's routing picks, with `addrId`). */
  openJoin(local: IpAddress | undefined, remote: IpAddress, remotePort: number, backup: boolean): JoinSubflow | undefined;
  /** Closes a subflow that lost its address (§3.4.2), its data reinjected on the others. */
  removeSubflow(path: PathState): void;
  /** The peer reset the connection with MP_FASTCLOSE (§3.5). */
  fastClosed(): void;
  /**
   * "ndiffports" (the out-of-tree Linux path manager): this many subflows in all between the
   * initial pair of addresses, differing in source port, opened by the client. 0 or 1: none.
   */
  readonly ndiffports: number;
  readonly role: "client" | "server";
}

/** The options of one planned segment and its payload limit (see MptcpConnection `plan`). */
export interface SegmentPlan {
  options: MptcpOption[];
  maxPayload?: number;
}

export class PathControl {
  readonly signals: AddressSignals;
  private pm: KernelPathManager | undefined;
  private pmStarted = false;
  /** The subflow asked to carry the connection-level signals, while some wait. */
  private carrier: Subflow | undefined;
  /** The ADD_ADDR due did not fit in the carrier's ACK, options and all (see `service`). */
  private unfit = false;
  /** The time of the latest input (the connection's `service` and timers set it). */
  now = 0;
  private readonly closed: SubflowStats[] = [];
  /** Subflows reported down (their later close says nothing more). */
  private readonly gone = new WeakSet<PathState>();
  /** The peer set flag C (§3.1): no subflows to its initial address. */
  remoteDenyJoinId0 = false;

  constructor(
    private readonly ctx: PathContext,
    addAddr: AddAddrSenderConfig,
  ) {
    this.signals = new AddressSignals({ keys: () => ctx.keys(), counters: ctx.counters }, addAddr);
  }

  /** Subflows closed recently, newest last (at most `CLOSED_SUBFLOWS_KEPT`). */
  get closedSubflows(): readonly SubflowStats[] {
    return this.closed;
  }

  /** The earliest time `onTimer` must run. */
  get timeout(): number | undefined {
    return this.signals.timeout(this.canCarry);
  }

  /** An ADD_ADDR waits while no subflow can carry it (a join coming up calls `changed`). */
  private readonly canCarry = (): boolean => this.ctx.live().length > 0;

  onTimer(now: number): void {
    this.now = now;
    // An announcement given up after its retransmissions: the path manager moves on.
    if (this.signals.onTimer(now).length > 0) this.progress();
    if (this.signals.pending(now)) this.ctx.changed();
  }

  // -----------------------------------------------------------------------------------------------
  // Path manager
  // -----------------------------------------------------------------------------------------------

  /**
   * The connection is fully established (§3.1; Linux `mptcp_pm_fully_established`): the kernel-like
   * path manager starts announcing and opening subflows from the Host's endpoints.
   */
  start(initial: Subflow): void {
    if (this.pmStarted) return;
    this.pmStarted = true;
    this.pm = new KernelPathManager(this.ctx.endpoints, {
      local: initial.local,
      remote: initial.remote,
      remotePort: initial.remotePort,
      remoteDenyJoinId0: this.remoteDenyJoinId0,
    });
    this.apply(this.pm.onFullyEstablished());
    // ndiffports (Raiciu et al. SIGCOMM'11, RFC 8041 §3.4): ECMP spreads subflows that differ
    // only in their source port over different paths.
    if (this.ctx.role === "client") {
      for (let i = 1; i < this.ctx.ndiffports; i++) {
        try {
          if (this.ctx.openJoin(initial.local, initial.remote, initial.remotePort, false) === undefined) break;
        } catch {
          break;
        }
      }
    }
  }

  private apply(actions: readonly PmAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case "announce":
          this.announce(endpointAddress(a.endpoint));
          break;
        case "connect":
          // A failed open (no route, no address) leaves the path manager's count as Linux's
          // `__mptcp_subflow_connect` failure does: the subflow is simply not there.
          try {
            if (this.ctx.openJoin(a.local?.addr, a.remote.addr, a.remote.port, a.backup) === undefined) this.pm?.onSubflowClosed();
          } catch {
            this.pm?.onSubflowClosed();
          }
          break;
        case "prio": {
          const initial = this.ctx.live()[0];
          if (initial instanceof InitialPath) this.setBackup(initial, a.backup);
          break;
        }
        case "echo":
          // Queued by `AddressSignals.receiveAddAddr` already.
          break;
      }
    }
  }

  /** A joined subflow is up or an announcement completed: the path manager continues. */
  progress(): void {
    if (this.pm !== undefined) this.apply(this.pm.onProgress());
  }

  /** The Host deleted endpoint `id` (its address withdrawn separately, `removeLocal`). */
  endpointDeleted(id: number): void {
    this.pm?.onEndpointDeleted(id);
  }

  // -----------------------------------------------------------------------------------------------
  // Commands (the connection's public path-manager API)
  // -----------------------------------------------------------------------------------------------

  /** Announces our `address` with ADD_ADDR (§3.4.1), retransmitted until echoed. */
  announce(address: AnnouncedAddress): void {
    this.signals.announce(address, this.now);
    this.ctx.changed();
  }

  /**
   * Withdraws our address `id` (§3.4.2): REMOVE_ADDR on the next pure ACK, and the subflows from
   * it closed. Returns how many subflows were closed.
   */
  removeLocal(id: number): number {
    this.signals.remove(id);
    let n = 0;
    for (const p of this.ctx.all()) {
      if (p.addrId !== id) continue;
      this.ctx.removeSubflow(p);
      this.count("RmSubflow");
      n++;
    }
    this.ctx.changed();
    return n;
  }

  /** Sets our backup flag on a subflow: MP_PRIO on its next ACK (§3.3.8) if it changed. */
  setBackup(path: PathState, backup: boolean): void {
    if (path.backup === backup && !path.prioPending) return;
    path.backup = backup;
    path.prioPending = true;
    this.ctx.changed();
  }

  // -----------------------------------------------------------------------------------------------
  // Outgoing segments
  // -----------------------------------------------------------------------------------------------

  /**
   * Called by the connection's `service`: picks the subflow that carries the connection-level
   * signals due now, and returns the subflows that need an ACK (that one, and those with MP_PRIO
   * to send).
   */
  service(now: number): Subflow[] {
    this.now = now;
    if (this.unfit) {
      this.unfit = false;
      if (this.signals.dropDue(now) !== undefined) this.progress();
    }
    const out: Subflow[] = [];
    const live = this.ctx.live();
    if (this.signals.pending(now) && this.ctx.keys() !== undefined) {
      const current = this.carrier;
      const usable = live.find((p) => p.subflow === current) ?? live[0];
      this.carrier = usable?.subflow;
      if (this.carrier !== undefined) out.push(this.carrier);
    } else {
      this.carrier = undefined;
    }
    for (const p of live) if (p.prioPending && p.subflow !== undefined && !out.includes(p.subflow)) out.push(p.subflow);
    return out;
  }

  /**
   * Adds the signals to a segment of `path` planned with `plan` (the DSS and Data ACK first). On a
   * pure ACK: the connection-level signal if `path` carries them, and MP_PRIO if its own is
   * pending. On a new data segment of a subflow with a signal waiting: no payload, so that the
   * pure ACK goes first.
   */
  decorate(path: PathState, kind: ReserveContext["kind"], retransmission: boolean, plan: SegmentPlan): SegmentPlan {
    const sub = path.subflow;
    if (sub === undefined) return plan;
    const carries = sub === this.carrier && this.signals.pending(this.now);
    if (kind === "data" && !retransmission && (carries || path.prioPending)) return { options: plan.options, maxPayload: 0 };
    if (kind !== "ack") return plan;
    let options = plan.options;
    const space = path.optionSpace;
    if (carries) {
      const sig = this.signals.next(this.now);
      // Linux: an ADD_ADDR (or its echo) on a pure ACK goes without the DSS; one that does not
      // fit even alone is given up (`unfit`), an echo waits. A REMOVE_ADDR goes beside the DSS,
      // or alone where the DSS is long (a DATA_FIN's mapping, a checksum): this ACK is asked for
      // it, and an ACK that never carried it would be asked for again at once, for ever.
      if (sig?.subtype === "ADD_ADDR") {
        if (paddedLength(sig) <= space) options = [sig];
        else if (!sig.echo) this.unfit = true;
      } else if (sig !== undefined) {
        options = besideOrAlone(options, sig, space);
      }
    }
    // MP_PRIO likewise, beside what the ACK carries, or alone unless a signal took the ACK (then
    // on the next one, as the signal is sent).
    if (path.prioPending) {
      const prio: MptcpOption = { subtype: "MP_PRIO", backup: path.backup };
      if (!options.some(isSignal)) options = besideOrAlone(options, prio, space);
      else if (paddedLengths(options) + paddedLength(prio) <= space) options = [...options, prio];
    }
    return options === plan.options ? plan : { options };
  }

  /**
   * `options` went out on a segment of `path`. Returns true when a signal displaced the DSS (a
   * pure ACK carried it alone), so the Data ACK must follow on another ACK.
   */
  sent(path: PathState, options: readonly MptcpOption[]): boolean {
    let signal = false;
    let dss = false;
    for (const o of options) {
      if (o.subtype === "ADD_ADDR" || o.subtype === "REMOVE_ADDR") {
        this.signals.sent(o, this.now);
        signal = true;
      } else if (o.subtype === "MP_PRIO") {
        path.prioPending = false;
        this.count("MPPrioTx");
        signal = true;
      } else if (o.subtype === "DSS") {
        dss = true;
      }
    }
    const displaced = signal && !dss;
    if (displaced || this.signals.pending(this.now)) this.ctx.changed();
    return displaced;
  }

  // -----------------------------------------------------------------------------------------------
  // Incoming segments
  // -----------------------------------------------------------------------------------------------

  /**
   * The signalling options of a segment that arrived on `path` (after its checks passed). Returns
   * false when the connection is gone (MP_FASTCLOSE with our key, §3.5).
   */
  incoming(path: PathState, options: readonly TcpOption[]): boolean {
    for (const o of options) {
      if (o.kind !== "mptcp") continue;
      const m = o.option;
      switch (m.subtype) {
        case "ADD_ADDR":
          this.onAddAddr(m);
          break;
        case "REMOVE_ADDR":
          this.onRemoveAddr(m.addrIds);
          break;
        case "MP_PRIO":
          this.onPrio(path, m.backup);
          break;
        case "MP_FASTCLOSE": {
          // §3.5: only our own key proves the peer sent it; anything else is ignored.
          const keys = this.ctx.keys();
          if (keys === undefined || m.key !== keys.local) break;
          this.count("MPFastcloseRx");
          // Linux sends MP_TCPRST beside it on the RST, after it; counted as any MP_TCPRST is.
          if (options.some((x) => x.kind === "mptcp" && x.option.subtype === "MP_TCPRST")) this.count("MPRstRx");
          this.ctx.fastClosed();
          return false;
        }
        case "MP_TCPRST":
          this.count("MPRstRx");
          break;
        case "MP_FAIL":
          // §3.7: counted wherever it comes (a RST, a joined subflow), as Linux does; whether it
          // asks for the infinite mapping is the connection's decision.
          this.count("MPFailRx");
          break;
        default:
          break;
      }
    }
    return true;
  }

  private onAddAddr(opt: Extract<MptcpOption, { subtype: "ADD_ADDR" }>): void {
    const r = this.signals.receiveAddAddr(opt);
    if (r.kind === "echo") {
      this.progress();
      return;
    }
    if (r.kind !== "announce") return;
    const a = r.address;
    this.ctx.emit({ type: "address-announced", connection: this.ctx.connection, id: a.addrId, address: formatAddress(a.addr), ...(a.port !== undefined ? { port: a.port } : {}) });
    if (this.pm !== undefined) this.apply(this.pm.onAddAddr(a));
    this.ctx.changed();
  }

  /** §3.4.2: the peer's addresses went away: so do our subflows to them. */
  private onRemoveAddr(ids: readonly number[]): void {
    for (const id of this.signals.receiveRemoveAddr({ subtype: "REMOVE_ADDR", addrIds: [...ids] })) {
      let n = 0;
      for (const p of this.ctx.all()) {
        if (p.remoteAddrId !== id) continue;
        this.ctx.removeSubflow(p);
        this.count("RmSubflow");
        n++;
      }
      this.pm?.onRemoteAddressRemoved(id, n);
      this.ctx.emit({ type: "address-removed", connection: this.ctx.connection, id });
    }
    this.ctx.changed();
  }

  /** §3.3.8: the peer's priority for the subflow the option came on. */
  private onPrio(path: PathState, backup: boolean): void {
    this.count("MPPrioRx");
    if (path.peerBackup === backup) return;
    path.peerBackup = backup;
    if (path.subflow !== undefined) this.ctx.emit({ type: "priority-changed", connection: this.ctx.connection, subflow: this.stats(path, kindOf(path)) });
    this.ctx.changed();
  }

  // -----------------------------------------------------------------------------------------------
  // Lifecycle
  // -----------------------------------------------------------------------------------------------

  /** A subflow can carry data: "subflow-up". */
  up(path: PathState): void {
    if (path.subflow === undefined) return;
    this.ctx.emit({ type: "subflow-up", connection: this.ctx.connection, subflow: this.stats(path, kindOf(path)) });
  }

  /** A subflow that was up went away: "subflow-down" (once), and it joins the closed list. */
  down(path: PathState, reason: string): void {
    if (path.subflow === undefined || this.gone.has(path)) return;
    this.gone.add(path);
    const kind = kindOf(path);
    const s = this.stats(path, kind);
    s.state = "CLOSED";
    // The initial subflow stays in `stats()` as the connection's own (its state CLOSED by then).
    if (kind === "join") {
      this.closed.push(s);
      if (this.closed.length > CLOSED_SUBFLOWS_KEPT) this.closed.shift();
    }
    if (this.carrier === path.subflow) this.carrier = undefined;
    this.ctx.emit({ type: "subflow-down", connection: this.ctx.connection, subflow: s, reason });
  }

  /** Whether "subflow-down" was reported for `path`. */
  isDown(path: PathState): boolean {
    return this.gone.has(path);
  }

  /** A joined subflow closed: the path manager may open another (Linux `subflows` accounting). */
  joinGone(): void {
    this.pm?.onSubflowClosed();
  }

  stats(path: PathState, kind: SubflowStats["kind"]): SubflowStats {
    return subflowStats(path.subflow!, kind, path.backup || path.peerBackup);
  }

  private count(name: MptcpCounterName): void {
    this.ctx.counters[name]++;
  }
}

/** `signal` after `options` where it fits, else alone in their place (it always fits alone). */
function besideOrAlone(options: MptcpOption[], signal: MptcpOption, space: number): MptcpOption[] {
  if (paddedLengths(options) + paddedLength(signal) <= space) return [...options, signal];
  return paddedLength(signal) <= space ? [signal] : options;
}

function isSignal(o: MptcpOption): boolean {
  return o.subtype === "ADD_ADDR" || o.subtype === "REMOVE_ADDR";
}

function kindOf(path: PathState): SubflowStats["kind"] {
  return path instanceof InitialPath ? "initial" : "join";
}

/** The announcement of a `signal` endpoint: its ID, address and port (if it has one). */
export function endpointAddress(e: Endpoint): AnnouncedAddress {
  return e.port !== 0 ? { addrId: e.id, addr: e.addr, port: e.port } : { addrId: e.id, addr: e.addr };
}

/**
 * The joined subflows of one MPTCP connection (RFC 8684 §3.2) and their share of the data path:
 * per subflow, the receive mappings (§3.3.1: a mapping is relative to its own subflow's sequence
 * space), the send mappings, and the DSS each of its segments carries. Data ACKs, delivered data
 * and DATA_FINs go to the connection, whose data level is common to all subflows (§3.3.2–3.3.3).
 *
 * Limits (RFC 7430, Linux `ip mptcp limits`): at most `maxSubflows` subflows besides the initial
 * one, half-open joins included; one over that is refused with MP_TCPRST "administratively
 * prohibited" (0x03, mptcp-facts.md §2) and counted as MPJoinRejected.
 */
import type { CongestionFactory } from "../tcp/congestion/controller.js";
import type { KeyMaterial } from "../crypto/keys.js";
import type { Subflow } from "./subflow.js";
import type { SegmentSizes } from "./segment-sizes.js";
import type { IncomingContext, IncomingVerdict, ReserveContext } from "../tcp/hook.js";
import type { TcpRepr } from "../wire/tcp-types.js";
import type { Dss, MpJoinSyn, MptcpOption } from "../wire/mptcp/types.js";
import { TCPRST_REASON } from "../wire/mptcp/types.js";
import { MAX_MAPPING_BYTES } from "./connection-config.js";
import { mptcpOptionsOf } from "./capable.js";
import type { MptcpCounterName } from "./counters.js";
import type { DsnSpace } from "./dsn.js";
import type { JoinedPath } from "./join.js";
import { JoinSubflow } from "./join.js";
import { ReceiveMappings, readMapping } from "./mapping.js";
import { DataAckRecord, SendMappings, carriesMapping, declaringShape, mappingDss } from "./send-mapping.js";
import type { SegmentShape, SentMapping } from "./send-mapping.js";
import { MAX_OPTION_BYTES } from "../tcp/options.js";
import type { SchedulerPath } from "./sched/scheduler.js";
import { StaleLoss } from "./stale-loss.js";
import type { OrderChunk } from "./ofo-count.js";
import { SubflowOrder } from "./ofo-count.js";

/** What the joined subflows need of the connection's data level. */
export interface DataLevel {
  readonly localKey: KeyMaterial | undefined;
  readonly remoteKey: KeyMaterial | undefined;
  readonly localSpace: DsnSpace | undefined;
  readonly peerSpace: DsnSpace | undefined;
  readonly checksums: boolean;
  readonly recvBufferSize: number;
  readonly windowScaling: boolean;
  count(name: MptcpCounterName): void;
  changed(): void;
  /** `dss` (or a bare DSS) with the connection's current Data ACK (§3.3.2). */
  withDataAck(dss: Dss | undefined): Dss;
  /**
   * Whether the current Data ACK has news for the subflow whose last one is `record` and which
   * has `received` bytes in order.
   */
  dataAckDue(record: DataAckRecord, received: number): boolean;
  /** `options` went out on the subflow of `record`: notes the Data ACK among them. */
  dataAckSent(record: DataAckRecord, options: readonly MptcpOption[], received: number): void;
  /** The full DSS mapping on every data segment (MptcpOptions.dssEverySegment). */
  readonly dssEverySegment: boolean;
  /** Data-level bytes written by the application and not yet given to a subflow. */
  readonly unsent: number;
  /** Whether `sub` has the lowest smoothed RTT of the established subflows. */
  fastest(sub: Subflow): boolean;
  /** The DSS of our DATA_FIN while it goes alone on ACKs and is not acknowledged (§3.3.3). */
  bareDataFin(): Dss | undefined;
  /** A Data ACK arrived on a subflow whose window shift is `shift` (§3.3.4). */
  onDataAck(dss: Dss, seg: TcpRepr, shift: number): void;
  /** The peer's mapping width, for the width of our Data ACKs. */
  onPeerMapping(dsn64: boolean): void;
  /** The data level's next expected DSN, to expand 32-bit DSNs (§3.3.1). */
  readonly rcvNxt: number;
  deliver(dsn: number, data: Uint8Array): void;
  /** Data reaching the data level in its subflow's order, for MPTcpExt OFOQueue (ofo-count.ts). */
  moveData(c: OrderChunk): void;
  onDataFin(dsn: number): void;
  /**
   * A joined subflow became usable, or went away (`reason` says why; `wasUp` false for a join
   * that failed in its handshake).
   */
  subflowChanged(join: JoinSubflow, up: boolean, reason?: string, wasUp?: boolean): void;
  /** The signals (ADD_ADDR, REMOVE_ADDR, MP_PRIO) added to a planned segment of `join`. */
  decorate(join: JoinSubflow, kind: ReserveContext["kind"], retransmission: boolean, plan: { options: MptcpOption[]; maxPayload?: number }): { options: MptcpOption[]; maxPayload?: number };
  /** Options of ours that went out on `join` (signals are sent). */
  sent(join: JoinSubflow, options: readonly MptcpOption[]): void;
  /** The signalling options of a segment that arrived on `join`; false: the connection is gone. */
  signalsIn(join: JoinSubflow, seg: TcpRepr): boolean;
  /** The peer's key for MP_FASTCLOSE while the connection is being aborted (§3.5). */
  fastCloseKey(): bigint | undefined;
  /** A segment arrived on `sub`: connection-level ACKs go back the way data comes. */
  receivedOn(sub: Subflow): void;
  /** The connection's receive window to advertise, relative to the Data ACK (§3.3.4). */
  receiveSpace(): number;
  /** Where `sub`'s TCP must stop sending new data for now (map-ahead.ts), if anywhere. */
  sendLimit(sub: Subflow): number | undefined;
  /** Congestion controllers for its subflows (a coupled group's), if not TCP's own. */
  readonly congestion: CongestionFactory | undefined;
  /** §3.3.6: DSN ranges sent on a failed subflow and not data-acknowledged, to send again. */
  reinject(ranges: ReadonlyArray<readonly [number, number]>): void;
}

/** A usable subflow as the connection's pump sees it (src/mptcp/sched/). */
export interface SendPath extends SchedulerPath {
  readonly sub: Subflow;
  room: number;
  /** Stalled (stall.ts, stale-loss.ts): takes no new data while another subflow can. */
  stale?: boolean;
  /** Its intervals without progress under Linux's rule (stale-loss.ts). */
  readonly loss: StaleLoss;
  /** DSN ranges sent on it and not data-acknowledged, ascending (for opportunistic retransmission). */
  outstanding?: () => Array<[number, number]>;
  /** Maps and writes one chunk into the subflow. */
  write(dsn: number, data: Uint8Array, dataFin: boolean): void;
  /** Subflow stream offset where the next chunk `write` maps goes. */
  readonly streamEnd: number;
  /**
   * The longest chunk of at most `bytes` that, as a mapping of its own, fills whole segments
   * (`wholeSegments`); 0 when not even one segment fits.
   */
  fit(bytes: number): number;
}

/**
 * Option bytes a data segment of ours may carry beside its payload, before one was planned:
 * timestamps (12, RFC 7323) and a DSS with a 64-bit Data ACK and a 64-bit mapping, padded (28).
 */
const DATA_SEGMENT_OPTIONS = 40;

/**
 * Bytes a subflow may be given now: twice its congestion window less what it holds
 * unacknowledged (as Linux sizes a subflow's send buffer), so that data is not committed to a
 * subflow long before it can send it and a later join, or a reinjection, can still take it. In
 * whole segments, because a segment never crosses the end of a mapping (§3.3.1): a mapping of a
 * few bytes more than a segment makes a runt segment, which Nagle then holds back. Its send buffer
 * bounds it too.
 */
export function subflowRoom(sub: Subflow, sizes: SegmentSizes): number {
  const tcp = sub.tcp;
  const room = 2 * tcp.congestion.window() - tcp.sendQueued;
  return Math.min(tcp.sendCapacity, wholeSegments(sub, sizes, room));
}

/** The payload a full data segment on `sub` is assumed to carry before one was planned. */
function unplannedPayload(sub: Subflow): number {
  return sub.tcp.stats().mss - DATA_SEGMENT_OPTIONS;
}

/**
 * The payload of a full data segment on `sub`, as the scheduler's `mss`: what TCP last planned,
 * or before its first data segment the MSS less the most options a data segment carries (the
 * assumption `subflowRoom` makes too). Never unknown: a scheduler that hands a subflow one
 * segment at a time (`slowChunk`) would otherwise hand it one byte at a time, a mapping each
 * with DSS checksums.
 */
export function segmentPayload(sub: Subflow, sizes: SegmentSizes): number {
  return sizes.any ?? unplannedPayload(sub);
}

/** `SegmentSizes.fit` on `sub` (before its first data segment, with `unplannedPayload`). */
export function wholeSegments(sub: Subflow, sizes: SegmentSizes, bytes: number): number {
  return sizes.fit(bytes, unplannedPayload(sub));
}

/**
 * Bytes the only subflow of a connection may be given now: a mapping's worth at a time (whole
 * segments), once what it has not sent yet drops below a congestion window. Alone it needs no
 * finer share, and large mappings mean few mapping boundaries: each costs option space, and a
 * segment-coalescing middlebox that merges across one leaves the merged tail unmapped (RFC 8041
 * §3.1), which makes the connection fall back.
 */
export function aloneRoom(sub: Subflow, sizes: SegmentSizes): number {
  const tcp = sub.tcp;
  if (tcp.sendUnsent >= tcp.congestion.window()) return 0;
  const batch = wholeSegments(sub, sizes, MAX_MAPPING_BYTES);
  return Math.min(tcp.sendCapacity, Math.max(subflowRoom(sub, sizes), batch));
}

/** Per joined subflow: its mappings and what was written into its TCP stream. */
interface PathData {
  rx: ReceiveMappings;
  tx: SendMappings;
  /** The Data ACK last sent on it. */
  acks: DataAckRecord;
  /** Bytes written into the subflow's TCP send buffer. */
  written: number;
  /** Linux's stale state (stale-loss.ts), when `staleLossCount` is a number. */
  loss: StaleLoss;
  /** What arrived beyond its in-order point, for MPTcpExt OFOQueue (ofo-count.ts). */
  order: SubflowOrder;
}

export class JoinedSubflows implements JoinedPath {
  private readonly list: JoinSubflow[] = [];
  private readonly data = new Map<JoinSubflow, PathData>();

  constructor(
    private readonly level: DataLevel,
    /** Subflows allowed besides the initial one (Linux `ip mptcp limits subflows`, default 2). */
    private readonly maxSubflows: number,
  ) {}

  get localKey(): KeyMaterial | undefined {
    return this.level.localKey;
  }

  get remoteKey(): KeyMaterial | undefined {
    return this.level.remoteKey;
  }

  pathSendLimit(join: JoinSubflow): number | undefined {
    return join.subflow === undefined ? undefined : this.level.sendLimit(join.subflow);
  }

  receiveSpace(): number {
    return this.level.receiveSpace();
  }

  private congestionParam(): { congestion?: CongestionFactory } {
    const c = this.level.congestion;
    return c === undefined ? {} : { congestion: c };
  }

  /** The joined subflows not yet closed, in order of creation. */
  get all(): readonly JoinSubflow[] {
    return this.list;
  }

  /** Whether one more subflow is within the limit. */
  get canAdd(): boolean {
    return this.list.length < this.maxSubflows;
  }

  /** The earliest timer of any join. */
  get timeout(): number | undefined {
    let t: number | undefined;
    for (const j of this.list) {
      const jt = j.timeout;
      if (jt !== undefined && (t === undefined || jt < t)) t = jt;
    }
    return t;
  }

  /** Initiator: a join about to be sent; undefined over the limit. */
  initiate(addrId: number, backup: boolean, nonce: number): JoinSubflow | undefined {
    if (!this.canAdd) return undefined;
    const j = new JoinSubflow(this, { role: "initiator", addrId, backup, nonce, windowScaling: this.level.windowScaling, ...this.congestionParam() });
    this.list.push(j);
    return j;
  }

  /**
   * Responder: the connection's answer to an MP_JOIN SYN (§3.2): a join, or the MP_TCPRST reason
   * to refuse it with.
   */
  respond(syn: MpJoinSyn, addrId: number, nonce: number): JoinSubflow | number {
    if (!this.canAdd) {
      this.level.count("MPJoinRejected");
      return TCPRST_REASON.ADMINISTRATIVELY_PROHIBITED;
    }
    const j = new JoinSubflow(this, { role: "responder", addrId, backup: false, nonce, syn, windowScaling: this.level.windowScaling, ...this.congestionParam() });
    this.list.push(j);
    return j;
  }

  /**
   * The connection is over: every joined subflow goes. A graceful close keeps each join until its
   * subflow is closed, because its FIN and last ACKs still carry the Data ACK (§3.3.3: once the
   * DATA_FIN is acknowledged, the subflows close with FIN exchanges). That includes a join whose
   * fourth ACK has not come (pre-established): the peer may hold it established and retransmit
   * its DATA_FIN there, and the peer's answer to our FIN completes the join, so that our ACKs on
   * it then carry the Data ACK. Only joins still in their SYN exchange are reset.
   */
  closeAll(abort: boolean): void {
    for (const j of [...this.list]) {
      const sub = j.subflow;
      if (abort || sub === undefined || !(j.established || j.state === "pre-established")) {
        sub?.abort();
        j.close("closed");
      } else {
        // Every byte was delivered: late copies on it are acknowledged and dropped (as above).
        sub.close(true);
      }
    }
  }

  /**
   * Takes `join` out of service (its address went away, §3.4.2, or by command): the data it
   * carried goes again on the others, then its subflow is closed with a RST or a FIN.
   */
  remove(join: JoinSubflow, reason: string, abort: boolean): void {
    const sub = join.subflow;
    const graceful = !abort && join.established;
    join.close(reason);
    if (sub === undefined) return;
    if (graceful) sub.close();
    else sub.abort();
  }

  /** Runs the joins' timers. */
  onTimer(now: number): void {
    for (const j of [...this.list]) j.onTimer(now);
  }

  /**
   * Sends the ACKs the joins want (third ACK again, fourth ACK) and arms their timers. Returns
   * the subflows given something to send.
   */
  service(now: number): Subflow[] {
    const out: Subflow[] = [];
    for (const j of [...this.list]) {
      const sub = j.subflow;
      if (sub === undefined) continue;
      if (sub.state === "CLOSED") {
        // The Host reports no events for a passive subflow never announced (a join whose third
        // ACK never came): its end is seen here.
        j.close("closed");
        continue;
      }
      if (j.takeAckWanted()) {
        sub.tcp.requestAck();
        out.push(sub);
      }
      j.armAckTimer(now);
      const d = this.data.get(j);
      if (d !== undefined) d.tx.onSubflowAck(d.written - sub.tcp.sendQueued);
    }
    return out;
  }

  /** Data-acknowledged up to `ack`: every subflow's send mappings can drop what is below. */
  onDataAck(ack: number): void {
    for (const d of this.data.values()) d.tx.onDataAck(ack);
  }

  // -----------------------------------------------------------------------------------------------
  // JoinedPath
  // -----------------------------------------------------------------------------------------------

  count(name: MptcpCounterName): void {
    this.level.count(name);
  }

  changed(): void {
    this.level.changed();
  }

  joinEstablished(join: JoinSubflow): void {
    const local = this.level.localSpace!;
    const peer = this.level.peerSpace!;
    const csum = this.level.checksums;
    this.data.set(join, {
      rx: new ReceiveMappings({ checksums: csum, space: peer, maxUnmappedBytes: this.level.recvBufferSize }),
      tx: new SendMappings({ checksums: csum, space: local }),
      acks: new DataAckRecord(),
      written: 0,
      loss: new StaleLoss(),
      order: new SubflowOrder(),
    });
    this.level.subflowChanged(join, true);
    this.level.changed();
  }

  /** Bytes the joins hold beyond their in-order points (ofo-count.ts). */
  heldBytes(): number {
    let n = 0;
    for (const d of this.data.values()) n += d.order.heldBytes;
    return n;
  }

  joinClosed(join: JoinSubflow, reason: string): void {
    const i = this.list.indexOf(join);
    if (i >= 0) this.list.splice(i, 1);
    const d = this.data.get(join);
    this.data.delete(join);
    if (d !== undefined) {
      // §3.3.6: what this subflow carried and the peer has not data-acknowledged goes again on
      // another subflow.
      this.level.reinject(d.tx.unacked());
      this.level.subflowChanged(join, false, reason);
    } else {
      this.level.subflowChanged(join, false, reason, false);
    }
    this.level.changed();
  }

  pathPlan(join: JoinSubflow, kind: ReserveContext["kind"], offset: number, retransmission = false): { options: MptcpOption[]; maxPayload?: number } | undefined {
    const plan = this.dataPlan(join, kind, offset);
    return plan === undefined ? undefined : this.level.decorate(join, kind, retransmission, plan);
  }

  pathSent(join: JoinSubflow, options: readonly MptcpOption[]): void {
    const d = this.data.get(join);
    if (d !== undefined) {
      this.level.dataAckSent(d.acks, options, d.rx.receivedInOrder);
      for (const o of options) if (o.subtype === "DSS" && o.ssn !== undefined && o.dataLen !== 0) d.tx.declaredSsn(o.ssn);
    }
    this.level.sent(join, options);
  }

  fastCloseKey(): bigint | undefined {
    return this.level.fastCloseKey();
  }

  pathReset(join: JoinSubflow, seg: TcpRepr): void {
    // The subflow is gone (TCP resets it on return): nothing must answer this RST on it.
    join.close("reset");
    this.level.signalsIn(join, seg);
  }

  private dataPlan(join: JoinSubflow, kind: ReserveContext["kind"], offset: number): { options: MptcpOption[]; maxPayload?: number } | undefined {
    const d = this.data.get(join);
    if (d === undefined) return undefined;
    if (kind === "syn" || kind === "syn-ack") return undefined;
    const mapped = kind === "data" ? d.tx.at(offset) : undefined;
    if (mapped === undefined) {
      // No mapping for these bytes cannot happen (every byte written is mapped): send nothing.
      if (kind === "data") return { options: [this.level.withDataAck(undefined)], maxPayload: 0 };
      // §3.3.3: a DATA_FIN may go on any subflow; alone, it rides on the ACKs.
      return { options: [this.level.withDataAck(this.level.bareDataFin())] };
    }
    const maxPayload = d.tx.payloadLimit(offset, this.segmentShape(join, mapped, offset));
    if (carriesMapping(mapped, offset, this.level.dssEverySegment)) return { options: [this.level.withDataAck(mappingDss(mapped, this.level.localSpace!))], maxPayload };
    // Inside a mapping: a Data ACK only with news (send-mapping.ts `DataAckRecord`).
    return { options: this.level.dataAckDue(d.acks, d.rx.receivedInOrder) ? [this.level.withDataAck(undefined)] : [], maxPayload };
  }

  /** As the connection's `segmentShape`, for a joined subflow. */
  private segmentShape(join: JoinSubflow, m: SentMapping, offset: number): SegmentShape | undefined {
    const sub = join.subflow;
    if (sub === undefined || this.level.dssEverySegment) return undefined;
    const full = sub.tcp.stats().mss - (MAX_OPTION_BYTES - join.optionSpace);
    const declaring = this.level.withDataAck(mappingDss(m, this.level.localSpace!));
    return declaringShape(m, offset, full, declaring, this.level.unsent > 0 && this.level.fastest(sub), false);
  }

  /**
   * A segment of an established joined subflow: its Data ACK and its mapped data (§3.3). A
   * joined subflow never falls back (§3.7): data without a mapping, or a mapping it cannot
   * honour, resets it with MP_TCPRST.
   */
  pathIncoming(join: JoinSubflow, ctx: IncomingContext): IncomingVerdict {
    const d = this.data.get(join);
    if (d === undefined) return "drop";
    if (join.subflow !== undefined) this.level.receivedOn(join.subflow);
    const opts = mptcpOptionsOf(ctx.seg.options);
    const dss = opts.dss;
    if (dss?.dataAck !== undefined) this.level.onDataAck(dss, ctx.seg, join.sndShift);
    if (opts.any && !this.level.signalsIn(join, ctx.seg)) return "accept";
    let announced;
    if (dss !== undefined) {
      announced = readMapping(dss, this.level.peerSpace!, this.level.rcvNxt, ctx.offset);
      if (announced !== undefined && announced.kind !== "infinite") this.level.onPeerMapping(dss.dsn64);
    }
    this.level.changed();
    if (announced === undefined && ctx.payload.length === 0) return "accept";
    if (announced?.kind === "infinite") return this.fail(join, TCPRST_REASON.MPTCP_SPECIFIC);
    const inOrderBefore = d.rx.receivedInOrder;
    const res = d.rx.onSegment(ctx.offset, ctx.payload, announced);
    if (res.error !== undefined) {
      if (res.error.kind === "checksum") this.level.count("DataCsumErr");
      return this.fail(join, res.error.kind === "checksum" ? TCPRST_REASON.MIDDLEBOX_INTERFERENCE : TCPRST_REASON.MPTCP_SPECIFIC);
    }
    // §3.7: in-order data no mapping covers: options stripped, or bytes a middlebox added past the
    // segment's mapping (mapping.ts). Nothing of the segment is delivered; the reset subflow's
    // data goes again on another (§3.3.6).
    if (res.stranded > 0) {
      this.level.count("DSSNoMatchTCP");
      return this.fail(join, TCPRST_REASON.MPTCP_SPECIFIC);
    }
    for (const c of res.chunks) this.level.deliver(c.dsn, c.data);
    d.order.arrived(ctx.offset, ctx.offset + ctx.payload.length, res.chunks, inOrderBefore, d.rx.receivedInOrder, this.level.moveData);
    // §3.3.3: a DATA_FIN may arrive on any subflow.
    if (res.dataFin !== undefined) this.level.onDataFin(res.dataFin);
    return ctx.payload.length > 0 ? "consume" : "accept";
  }

  /**
   * §3.3.6: looks at every established join for a stall or a recovery (stall.ts); `reinject`
   * gets the DSN ranges of each join that stalled. `others` says whether any subflow besides the
   * joins can take data. Returns how many joins are usable and not stale.
   */
  checkStalls(others: boolean, reinject: (ranges: Array<[number, number]>) => void): number {
    let fresh = 0;
    for (const [j, d] of this.data) {
      const sub = j.subflow;
      if (sub === undefined || !j.established || sub.state === "CLOSED") continue;
      const v = j.watch.update(sub.tcp, d.written);
      if (v === "stalled") {
        this.level.count("SubflowStale");
        // Moving its data only helps when another subflow can carry it.
        if (others || this.data.size > 1) reinject(d.tx.unacked());
      } else if (v === "recovered") this.level.count("SubflowRecover");
      if (!j.watch.stale) fresh++;
    }
    return fresh;
  }

  /** Whether a subflow other than `except` holds data it has not had acknowledged (map-ahead.ts). */
  holdData(except: Subflow): boolean {
    for (const j of this.data.keys()) {
      const sub = j.subflow;
      if (sub !== undefined && sub !== except && sub.tcp.sendQueued > 0) return true;
    }
    return false;
  }

  /** The established joins that can take data, for the scheduler. */
  sendPaths(out: SendPath[]): void {
    for (const [j, d] of this.data) {
      const sub = j.subflow;
      if (sub === undefined || !j.established) continue;
      const st = sub.state;
      if (st !== "ESTABLISHED" && st !== "CLOSE-WAIT") continue;
      out.push({
        stale: j.watch.stale,
        loss: d.loss,
        outstanding: () => d.tx.unacked(),
        id: sub.localPort * 65536 + sub.remotePort,
        get cwnd() {
          return sub.tcp.congestion.window();
        },
        get inFlight() {
          return sub.tcp.sendQueued;
        },
        mss: segmentPayload(sub, j.sizes),
        fit: (bytes) => wholeSegments(sub, j.sizes, bytes),
        sub,
        room: subflowRoom(sub, j.sizes),
        get srtt() {
          return sub.tcp.srtt;
        },
        backup: j.backup || j.peerBackup,
        get streamEnd() {
          return d.tx.nextOffset;
        },
        write: (dsn, data, dataFin) => {
          d.tx.append(dsn, data, dataFin);
          sub.write(data);
          d.written += data.length;
          j.bytesSent += data.length;
        },
      });
    }
  }


  private fail(join: JoinSubflow, reason: number): IncomingVerdict {
    join.resetWith(reason);
    return "reset";
  }
}

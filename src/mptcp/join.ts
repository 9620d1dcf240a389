/**
 * One additional subflow of an MPTCP connection: the MP_JOIN handshake (RFC 8684 §3.2) from
 * either side, then the subflow as a carrier of the connection's data.
 *
 * Initiator A:  SYN + MP_JOIN(token-B, R-A, addr ID, B)
 *               SYN/ACK + MP_JOIN(HMAC64, R-B)  ← checked: HMAC(Key-B‖Key-A, R-B‖R-A)
 *               ACK + MP_JOIN(HMAC160)          = HMAC(Key-A‖Key-B, R-A‖R-B)
 *               ... the "fourth ACK" from B; only then may A send data on the subflow (§3.2),
 *               and until it arrives the third ACK is sent again (Linux: `subflow->
 *               fully_established` stays false and the MPJ ACK is retransmitted).
 * Responder B mirrors it: the SYN's token was looked up by the MptcpHost, the SYN/ACK carries
 * B's truncated HMAC and nonce, the third ACK's HMAC is checked, and a plain ACK answers it,
 * and answers it again each time it comes again (the fourth ACK was lost).
 *
 * A failed check resets the subflow with MP_TCPRST (§3.6), never the connection: the reason is
 * "MPTCP-specific error" (0x01), as Linux sends for a bad SYN/ACK HMAC, and for a bad third-ACK
 * HMAC since the 2026 stable fix (mptcp-facts.md §2; 6.18 before it sent 0x03).
 *
 * Once both sides are established, the segments of the subflow are the connection's business:
 * `JoinedPath` (implemented by MptcpConnection) supplies their options and takes their input.
 */
import { StallWatch } from "./stall.js";
import { SegmentSizes } from "./segment-sizes.js";
import { declaresMapping } from "./send-mapping.js";
import { joinHmacAck, joinHmacSynAck } from "../crypto/join.js";
import { hmacEqual } from "../crypto/hmac.js";
import type { CongestionFactory } from "../tcp/congestion/controller.js";
import type { KeyMaterial } from "../crypto/keys.js";
import type { Subflow } from "./subflow.js";
import type { ConnectionEventType } from "../tcp/events.js";
import type { IncomingContext, IncomingVerdict, OutgoingContext, Reservation, ReserveContext, TcpHook } from "../tcp/hook.js";
import type { TcpOption, TcpRepr } from "../wire/tcp-types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import type { MpJoin, MptcpOption } from "../wire/mptcp/types.js";
import { TCPRST_REASON } from "../wire/mptcp/types.js";
import { MPTCP_VERSION, padOption, padOptions, paddedLength, reservationOf } from "./capable.js";
import type { MptcpCounterName } from "./counters.js";

/** First wait for the fourth ACK before the third ACK goes again; doubled per retry. */
export const JOIN_ACK_RTO = 200_000;
/** Third-ACK retransmissions before the join is given up (the subflow is reset). */
export const JOIN_ACK_RETRIES = 6;

/** Where a joined subflow is in its life. */
export type JoinState =
  /** Initiator: SYN sent. */
  | "syn-sent"
  /** Responder: SYN/ACK sent, waiting for the third ACK. */
  | "syn-received"
  /** Initiator: third ACK sent, waiting for the fourth ACK (§3.2); no data yet. */
  | "pre-established"
  /** Both sides established: the subflow carries data. */
  | "established"
  /** Reset, timed out or closed. */
  | "closed";

/** What a joined subflow needs of its MPTCP connection. */
export interface JoinedPath {
  readonly localKey: KeyMaterial | undefined;
  readonly remoteKey: KeyMaterial | undefined;
  count(name: MptcpCounterName): void;
  /** The connection's receive window, which every subflow advertises (RFC 8684 §3.3.4). */
  receiveSpace(): number;
  /** Where the subflow's TCP must stop sending new data for now (TcpHook.sendLimit). */
  pathSendLimit(join: JoinSubflow): number | undefined;
  /** The join completed (both sides): the subflow is up. */
  joinEstablished(join: JoinSubflow): void;
  /** The subflow is gone; `reason` says why ("reset", "timed-out", "closed", "failed", ...). */
  joinClosed(join: JoinSubflow, reason: string): void;
  /** The options of an established joined subflow's segment (DSS and Data ACK). */
  pathPlan(join: JoinSubflow, kind: ReserveContext["kind"], offset: number, retransmission: boolean): { options: MptcpOption[]; maxPayload?: number } | undefined;
  /** An established joined subflow's incoming segment. */
  pathIncoming(join: JoinSubflow, ctx: IncomingContext): IncomingVerdict;
  /** The peer's key for MP_FASTCLOSE when the connection is being aborted (§3.5), else undefined. */
  fastCloseKey(): bigint | undefined;
  /** A RST that takes effect arrived on the subflow: its MP_TCPRST and MP_FASTCLOSE (§3.5, §3.6). */
  pathReset(join: JoinSubflow, seg: TcpRepr): void;
  /** The options of `pathPlan` went out on a segment of the subflow (signals are now sent). */
  pathSent(join: JoinSubflow, options: readonly MptcpOption[]): void;
  /** Something for `service` to do (an ACK to send, a timer to arm). */
  changed(): void;
}

export interface JoinParams {
  role: "initiator" | "responder";
  /** Our address ID for the subflow's local address (§3.2). */
  addrId: number;
  /** Our B flag: the subflow is a backup for us (§3.3.8). */
  backup: boolean;
  /** Our nonce: R-A for the initiator, R-B for the responder. */
  nonce: number;
  /** Responder: the initiator's MP_JOIN SYN. */
  syn?: Extract<MpJoin, { form: "syn" }>;
  /** Our TCP offers window scaling, so the peer's shift applies to its windows (RFC 7323). */
  windowScaling: boolean;
  /** The connection's congestion controllers (coupled ones share a group), if not TCP's own. */
  congestion?: CongestionFactory;
}

export class JoinSubflow {
  readonly role: "initiator" | "responder";
  /** Our address ID for the subflow's local address (§3.2); set before the SYN goes. */
  addrId: number;
  /** The peer's address ID for the subflow's remote address. */
  remoteAddrId: number | undefined;
  /** We asked the peer to use this subflow only as a backup (§3.3.8: MP_JOIN B, then MP_PRIO). */
  backup: boolean;
  /** The peer marked the subflow as backup (its MP_JOIN B flag, then MP_PRIO). */
  peerBackup = false;
  /** @internal Stall detection (§3.3.6, stall.ts). */
  readonly watch = new StallWatch();
  /** @internal `backup` changed: the subflow's next ACK carries MP_PRIO (§3.3.8). */
  prioPending = false;
  /** @internal Option bytes free for the hook on the segment being built (its `reserve`). */
  optionSpace = 40;
  /** @internal The hook the subflow's TCP calls. */
  readonly hook: TcpHook;
  /** The Host's TCP connection; set by the MptcpHost as soon as it exists. */
  subflow: Subflow | undefined;
  /** The peer's window shift on this subflow (RFC 7323 §2.2), to read its windows. */
  sndShift = 0;
  /** Bytes the connection wrote into this subflow's TCP stream (reinjections included). */
  bytesSent = 0;
  /** Payloads of full data segments, as last planned (TCP's MSS less all options). */
  readonly sizes = new SegmentSizes();

  private stateValue: JoinState;
  private readonly localNonce: number;
  private remoteNonce: number | undefined;
  private rstReason: number | undefined;
  private ackTimeout: number | undefined;
  private ackRetries = 0;
  /** An ACK must go now: the third ACK again (initiator) or the fourth ACK (responder). */
  private ackWanted = false;
  private readonly windowScaling: boolean;

  constructor(
    private readonly path: JoinedPath,
    params: JoinParams,
  ) {
    this.role = params.role;
    this.addrId = params.addrId;
    this.backup = params.backup;
    this.localNonce = params.nonce >>> 0;
    this.windowScaling = params.windowScaling;
    this.stateValue = params.role === "initiator" ? "syn-sent" : "syn-received";
    if (params.syn !== undefined) {
      this.remoteNonce = params.syn.nonce;
      this.remoteAddrId = params.syn.addrId;
      this.peerBackup = params.syn.backup;
    }
    this.hook = {
      reserve: (ctx) => this.reserve(ctx),
      options: (ctx) => this.options(ctx),
      incoming: (ctx) => this.incoming(ctx),
      // §3.3.4: a joined subflow advertises the connection's window too, relative to the Data
      // ACK; its own TCP buffer would offer what the other subflows have already filled.
      receiveSpace: () => this.path.receiveSpace(),
      sendLimit: () => this.path.pathSendLimit(this),
      ...(params.congestion !== undefined ? { congestion: params.congestion } : {}),
    };
  }

  get state(): JoinState {
    return this.stateValue;
  }

  /** Data may be sent on the subflow (§3.2: after the fourth ACK for the initiator). */
  get established(): boolean {
    return this.stateValue === "established";
  }

  /** @internal The earliest time `onTimer` must run, if any. */
  get timeout(): number | undefined {
    return this.ackTimeout;
  }

  /** @internal Whether an ACK must be sent now (consumed by the connection's service). */
  takeAckWanted(): boolean {
    const w = this.ackWanted;
    this.ackWanted = false;
    return w;
  }

  /** @internal Arms the fourth-ACK wait once the third ACK is out. */
  armAckTimer(now: number): void {
    if (this.stateValue === "pre-established" && this.ackTimeout === undefined) {
      this.ackTimeout = now + JOIN_ACK_RTO * 2 ** this.ackRetries;
    }
  }

  /** @internal A timer expired: the third ACK again, or give up the join. */
  onTimer(now: number): void {
    if (this.ackTimeout === undefined || now < this.ackTimeout) return;
    this.ackTimeout = undefined;
    if (this.stateValue !== "pre-established") return;
    if (this.ackRetries >= JOIN_ACK_RETRIES) {
      this.rstReason = TCPRST_REASON.MPTCP_SPECIFIC;
      this.subflow?.abort();
      this.close("failed");
      return;
    }
    this.ackRetries++;
    this.ackWanted = true;
    this.armAckTimer(now);
    this.path.changed();
  }

  /** @internal The Host's event for the subflow. */
  onSubflowEvent(type: ConnectionEventType): void {
    if (type === "reset" || type === "timed-out" || type === "closed") this.close(type);
  }

  /** @internal The next RST of the subflow carries MP_TCPRST with `reason` (§3.6). */
  resetWith(reason: number): void {
    this.rstReason = reason;
  }

  /** @internal The subflow is gone or taken out of service; `reason` as for "subflow-down". */
  close(reason: ConnectionEventType | "failed" | (string & {})): void {
    if (this.stateValue === "closed") return;
    this.stateValue = "closed";
    this.ackTimeout = undefined;
    this.path.joinClosed(this, reason);
  }

  // -----------------------------------------------------------------------------------------------
  // Outgoing segments
  // -----------------------------------------------------------------------------------------------

  private reserve(ctx: ReserveContext): Reservation {
    this.optionSpace = ctx.optionSpace;
    // A retransmission may be a timeout's: let the connection look for a stall (stall.ts).
    if (ctx.retransmission && ctx.kind === "data" && this.established) this.path.changed();
    const plan = this.plan(ctx.kind, ctx.offset, ctx.retransmission);
    const res = reservationOf(plan);
    // A segment that may carry no payload (no mapping for its bytes) says nothing of the sizes.
    if (ctx.kind === "data" && plan !== undefined && res.maxPayload !== 0) this.sizes.note(ctx.maxPayload - res.bytes, declaresMapping(plan.options));
    return res;
  }

  private options(ctx: OutgoingContext): TcpOption[] {
    const plan = this.plan(ctx.kind, ctx.offset, ctx.retransmission);
    if (plan === undefined) return [];
    for (const o of plan.options) {
      if (o.subtype === "MP_JOIN" && o.form === "syn" && !ctx.retransmission) this.path.count("MPJoinSynTx");
      else if (o.subtype === "MP_TCPRST") this.path.count("MPRstTx");
      else if (o.subtype === "MP_FASTCLOSE") this.path.count("MPFastcloseTx");
    }
    if (this.stateValue === "established") this.path.pathSent(this, plan.options);
    return padOptions(plan.options);
  }

  private plan(kind: ReserveContext["kind"], offset: number, retransmission: boolean): { options: MptcpOption[]; maxPayload?: number } | undefined {
    const local = this.path.localKey;
    const remote = this.path.remoteKey;
    if (local === undefined || remote === undefined) return undefined;
    if (kind === "rst") {
      const rst: MptcpOption = { subtype: "MP_TCPRST", flags: 0, reason: this.rstReason ?? TCPRST_REASON.UNSPECIFIED };
      // §3.5: an abort resets every subflow with MP_FASTCLOSE beside MP_TCPRST, as Linux does.
      const fastClose = this.path.fastCloseKey();
      return { options: fastClose === undefined ? [rst] : [{ subtype: "MP_FASTCLOSE", key: fastClose }, rst] };
    }
    switch (this.stateValue) {
      case "syn-sent":
        if (kind !== "syn") return undefined;
        return { options: [{ subtype: "MP_JOIN", form: "syn", backup: this.backup, addrId: this.addrId, token: remote.token, nonce: this.localNonce }] };
      case "syn-received": {
        if (kind !== "syn-ack") return undefined;
        const hmac = joinHmacSynAck(local.key, remote.key, this.localNonce, this.remoteNonce!, MPTCP_VERSION);
        return { options: [{ subtype: "MP_JOIN", form: "synack", backup: this.backup, addrId: this.addrId, hmac, nonce: this.localNonce }] };
      }
      case "pre-established":
        // §3.2: the third ACK (and its retransmissions) carry A's 160-bit HMAC; no data yet.
        if (kind === "data") return { options: [], maxPayload: 0 };
        return { options: [{ subtype: "MP_JOIN", form: "ack", hmac: joinHmacAck(local.key, remote.key, this.localNonce, this.remoteNonce!, MPTCP_VERSION) }] };
      case "established":
        return this.path.pathPlan(this, kind, offset, retransmission);
      default:
        return undefined;
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Incoming segments
  // -----------------------------------------------------------------------------------------------

  private incoming(ctx: IncomingContext): IncomingVerdict {
    // A RST is TCP's business (its "reset" event closes the join); it is not the fourth ACK. Its
    // MP_TCPRST and MP_FASTCLOSE are the connection's (§3.5, §3.6).
    if (ctx.seg.flags & TCP_FLAG.RST) {
      this.path.pathReset(this, ctx.seg);
      return "accept";
    }
    const join = joinOptionOf(ctx.seg.options);
    if (this.windowScaling && (ctx.seg.flags & TCP_FLAG.SYN) !== 0) {
      for (const o of ctx.seg.options) if (o.kind === "wscale") this.sndShift = Math.min(o.shift, 14);
    }
    switch (this.stateValue) {
      case "syn-sent":
        if ((ctx.seg.flags & TCP_FLAG.SYN) === 0) return "accept";
        return this.onSynAck(join);
      case "syn-received":
        if (ctx.state === "LISTEN") return "accept";
        return this.onThirdAck(join, ctx);
      case "pre-established":
        if (ctx.seg.flags & TCP_FLAG.SYN) {
          // B sent its SYN/ACK again: our third ACK was lost.
          this.ackWanted = true;
          this.path.changed();
          return "accept";
        }
        // §3.2: any other segment from B after the third ACK shows B has it: the fourth ACK.
        this.ackTimeout = undefined;
        this.stateValue = "established";
        this.path.joinEstablished(this);
        return this.path.pathIncoming(this, ctx);
      case "established":
        if (this.role === "responder" && join?.form === "ack") {
          // §3.2: A sends its third ACK again until it sees the fourth: ours was lost. A pure ACK
          // would not be answered by TCP, and without it A never sends on the subflow.
          this.ackWanted = true;
          this.path.changed();
        }
        return this.path.pathIncoming(this, ctx);
      default:
        // Closed by us while its TCP finishes (a FIN after `closeSubflow`): the ACKs and the FIN
        // complete the close; data is not taken (the peer sends it again elsewhere).
        return ctx.payload.length === 0 ? "accept" : "drop";
    }
  }

  /** Initiator: B's SYN/ACK must carry MP_JOIN with the HMAC only a holder of Key-B can make. */
  private onSynAck(join: MpJoin | undefined): IncomingVerdict {
    if (join?.form !== "synack") {
      // A joined subflow cannot fall back to TCP (§3.7): without MP_JOIN it is reset.
      this.rstReason = TCPRST_REASON.MPTCP_SPECIFIC;
      this.close("failed");
      return "reset";
    }
    this.path.count("MPJoinSynAckRx");
    if (join.backup) this.path.count("MPJoinSynAckBackupRx");
    const expected = joinHmacSynAck(this.path.remoteKey!.key, this.path.localKey!.key, join.nonce, this.localNonce, MPTCP_VERSION);
    if (!hmacEqual(join.hmac, expected)) {
      this.path.count("MPJoinSynAckHMacFailure");
      this.rstReason = TCPRST_REASON.MPTCP_SPECIFIC;
      this.close("failed");
      return "reset";
    }
    this.remoteNonce = join.nonce;
    this.remoteAddrId = join.addrId;
    this.peerBackup = join.backup;
    this.stateValue = "pre-established";
    this.path.changed();
    return "accept";
  }

  /** Responder: A's third ACK must carry the 160-bit HMAC over both nonces. */
  private onThirdAck(join: MpJoin | undefined, ctx: IncomingContext): IncomingVerdict {
    const local = this.path.localKey!;
    const remote = this.path.remoteKey!;
    const ok = join?.form === "ack" && hmacEqual(join.hmac, joinHmacAck(remote.key, local.key, this.remoteNonce!, this.localNonce, MPTCP_VERSION));
    if (!ok) {
      if (join?.form === "ack") this.path.count("MPJoinAckHMacFailure");
      this.rstReason = TCPRST_REASON.MPTCP_SPECIFIC;
      this.close("failed");
      return "reset";
    }
    this.path.count("MPJoinAckRx");
    this.stateValue = "established";
    // §3.2: the fourth ACK, which lets A send data.
    this.ackWanted = true;
    this.path.joinEstablished(this);
    return ctx.payload.length > 0 ? this.path.pathIncoming(this, ctx) : "accept";
  }
}

/** The first MP_JOIN option of a segment. */
export function joinOptionOf(options: readonly TcpOption[]): MpJoin | undefined {
  for (const o of options) if (o.kind === "mptcp" && o.option.subtype === "MP_JOIN") return o.option;
  return undefined;
}

/**
 * A hook that refuses an MP_JOIN SYN: RST with MP_TCPRST carrying `reason` (§3.6): unknown token
 * (0x01, packetdrill `mp_join_server_bad_token.pkt`) or a subflow over the limit (0x03).
 */
export function refusingHook(reason: number, count: (name: MptcpCounterName) => void): TcpHook {
  const rst: MptcpOption = { subtype: "MP_TCPRST", flags: 0, reason };
  return {
    reserve: (ctx) => ({ bytes: ctx.kind === "rst" ? paddedLength(rst) : 0 }),
    options: (ctx) => {
      if (ctx.kind !== "rst") return [];
      count("MPRstTx");
      return padOption(rst);
    },
    incoming: () => "reset",
  };
}

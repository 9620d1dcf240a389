/**
 * The streaming analyzer of one capture: segments go in one at a time (`push`), connections and
 * subflows are rebuilt as they go, and nothing is kept per segment. Memory follows the number of
 * connections and subflows and the data in flight, not the length of the trace.
 *
 * Connections are found by their MP_CAPABLE SYN and keys (RFC 8684 §3.1), subflows attached to
 * them by the token in their MP_JOIN SYN (§3.2; a join seen before its token is held until the
 * token is known, pending-joins.ts), and each subflow's payload placed in the data sequence space
 * by its DSS mappings (§3.3).
 */
import { addAddrHmac } from "../crypto/add-addr.js";
import { hmacEqual } from "../crypto/hmac.js";
import { joinHmacAck, joinHmacSynAck } from "../crypto/join.js";
import type { AddAddr, Dss, MpCapable, MptcpOption } from "../wire/mptcp/types.js";
import { MPC_FLAG, TCPRST_FLAG } from "../wire/mptcp/types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import { formatAddress } from "../wire/address.js";
import { Connection, DEFAULT_OPTIONS, type AnalyzeOptions } from "./connection.js";
import { startChecksum, type MappedPiece, type Mapping } from "./mapping.js";
import { PendingJoins, type HeldJoin } from "./pending-joins.js";
import { subflowBit } from "./range-mask.js";
import { dsnOffset64 } from "./seq.js";
import type { Segment } from "./segment.js";
import { MinMaxSeries } from "./series.js";
import { Subflow, type SubflowDir } from "./subflow.js";
import type { AnomalyType, Dir, SignalType } from "./types.js";

/** What `onSegment` receives for every TCP segment of an MPTCP connection. */
export interface SegmentRow {
  capture: number;
  frame: number;
  t: number;
  dir: Dir;
  /** Relative, widened subflow sequence number of the first payload byte. */
  seq: number;
  /** Raw sequence and acknowledgment numbers from the wire. */
  rawSeq: number;
  rawAck: number;
  /** Raw window, TCP timestamp value, first SACK block's right edge: with the Data ACK, what tells pure ACKs apart. */
  window: number;
  tsVal: number | undefined;
  sackRight: number | undefined;
  len: number;
  /** Relative DSN of the first payload byte, when mapped. */
  dsn: number | undefined;
  /** Relative Data ACK carried, if any. */
  dataAck: number | undefined;
  /** Payload bytes already sent on this subflow (a subflow-level retransmission). */
  retransmitted: number;
  /** Payload bytes already sent on another subflow (a reinjection). */
  reinjected: number;
  /** Payload bytes new at the data level. */
  fresh: number;
}

export interface TraceHooks {
  onSegment?: (row: SegmentRow, conn: Connection, sub: Subflow) => void;
}

/** MP_TCPRST reason codes (RFC 8684 §3.6). */
const RST_REASONS: Record<number, string> = {
  0: "unspecified",
  1: "MPTCP-specific error",
  2: "lack of resources",
  3: "administratively prohibited",
  4: "too much outstanding data",
  5: "unacceptable performance",
  6: "middlebox interference",
};

/** One orientation of a 4-tuple: the subflow (null for plain TCP) and whether it is the SYN's. */
interface FlowEntry {
  sub: Subflow | null;
  conn: Connection | null;
  forward: boolean;
  /** ISN of the SYN that opened a plain TCP flow, to tell a new connection on the same 4-tuple. */
  synIsn?: number;
  /** A join whose token is not known yet: its segments are held (`sub` and `conn` are null meanwhile). */
  held?: HeldJoin;
}

function addrKey(a: Uint8Array): string {
  return a.length === 4 ? `${a[0]}.${a[1]}.${a[2]}.${a[3]}` : a.join(",");
}

function other(d: Dir): Dir {
  return d === "c2s" ? "s2c" : "c2s";
}

export class Trace {
  private readonly flows = new Map<string, FlowEntry>();
  private readonly tokens = new Map<number, Connection>();
  readonly connections: Connection[] = [];
  private nextStream = 0;
  plainTcpStreams = 0;
  /** Subflows of unknown connections found at once (joins given up are counted by `joins`). */
  private orphans = 0;
  private readonly joins = new PendingJoins();
  /** Held joins whose token the segment being processed revealed: replayed after it. */
  private resolved: Array<{ join: HeldJoin; conn: Connection }> = [];
  tcpSegments = 0;
  firstT: number | undefined;
  lastT: number | undefined;
  private readonly pieces: MappedPiece[] = [];
  /** Per subflow direction, data segments captured before the segment declaring their mapping. */
  private readonly awaiting = new Map<SubflowDir, Awaiting[]>();

  constructor(
    readonly capture = 0,
    readonly opts: AnalyzeOptions = DEFAULT_OPTIONS,
    private readonly hooks: TraceHooks = {},
  ) {}

  /** MPTCP subflows of connections not in the capture (a join to an unknown token, or no SYN). */
  get orphanSubflows(): number {
    return this.orphans + this.joins.givenUp;
  }

  push(seg: Segment): void {
    this.tcpSegments++;
    this.firstT ??= seg.t;
    this.lastT = seg.t;
    const key = `${addrKey(seg.src)}/${seg.sport}/${addrKey(seg.dst)}/${seg.dport}`;
    let entry = this.flows.get(key);
    const syn = (seg.flags & TCP_FLAG.SYN) !== 0;
    const ack = (seg.flags & TCP_FLAG.ACK) !== 0;
    if (entry !== undefined && syn && !ack && entry.forward) {
      // A new connection on a used 4-tuple: a SYN with another ISN (the same ISN is a retransmission).
      const old = entry.sub;
      if (old === null ? entry.synIsn !== seg.seq : old.fwd.isn !== undefined && old.fwd.isn !== seg.seq) entry = undefined;
    }
    if (entry === undefined) entry = this.newFlow(seg, key);
    if (entry.held !== undefined) {
      this.joins.add(entry.held, seg, entry.forward);
      return;
    }
    if (entry.sub === null || entry.conn === null) return;
    this.onSubflowSegment(seg, entry.conn, entry.sub, entry.forward);
    if (this.resolved.length > 0) this.replayJoins();
  }

  private register(seg: Segment, key: string, sub: Subflow | null, conn: Connection | null, forward: boolean, held?: HeldJoin): FlowEntry {
    const entry: FlowEntry = { sub, conn, forward };
    if (sub === null && (seg.flags & TCP_FLAG.SYN) !== 0) entry.synIsn = seg.seq;
    const reverse: FlowEntry = { sub, conn, forward: !forward };
    if (held !== undefined) entry.held = reverse.held = held;
    this.flows.set(key, entry);
    this.flows.set(`${addrKey(seg.dst)}/${seg.dport}/${addrKey(seg.src)}/${seg.sport}`, reverse);
    return entry;
  }

  /** Makes `sub`, opened by a join SYN with `token`, a subflow of `conn`. */
  private attach(sub: Subflow, conn: Connection, token: number): void {
    sub.synIsC2s = token === conn.serverToken;
    sub.index = conn.subflows.length;
    conn.subflows.push(sub);
  }

  /**
   * Joins whose token just became known: attached to their connection, their flows pointed at
   * it, and the segments they held processed in their order, as if they had come after the token.
   */
  private replayJoins(): void {
    const list = this.resolved;
    this.resolved = [];
    for (const { join, conn } of list) {
      const sub = join.sub;
      this.attach(sub, conn, join.token);
      const fwd = `${addrKey(sub.src)}/${sub.sport}/${addrKey(sub.dst)}/${sub.dport}`;
      const rev = `${addrKey(sub.dst)}/${sub.dport}/${addrKey(sub.src)}/${sub.sport}`;
      for (const k of [fwd, rev]) {
        const e = this.flows.get(k);
        // Unless a new connection has taken the 4-tuple since.
        if (e?.held !== join) continue;
        e.held = undefined;
        e.sub = sub;
        e.conn = conn;
      }
      for (const h of join.segments) this.onSubflowSegment(h.seg, conn, sub, h.forward);
    }
    // A held segment may itself reveal a token that other joins wait for.
    if (this.resolved.length > 0) this.replayJoins();
  }

  private newFlow(seg: Segment, key: string): FlowEntry {
    const stream = this.nextStream++;
    const syn = (seg.flags & TCP_FLAG.SYN) !== 0;
    const ack = (seg.flags & TCP_FLAG.ACK) !== 0;
    const mpc = seg.mptcp.find((o) => o.subtype === "MP_CAPABLE") as MpCapable | undefined;
    const join = seg.mptcp.find((o) => o.subtype === "MP_JOIN");
    if (syn && mpc !== undefined) {
      // The MP_CAPABLE SYN (or, if the SYN was not captured, the SYN/ACK) opens a connection.
      const forward = !ack;
      const sub = forward
        ? new Subflow(stream, seg.src, seg.sport, seg.dst, seg.dport, seg.t)
        : new Subflow(stream, seg.dst, seg.dport, seg.src, seg.sport, seg.t);
      const conn = new Connection(this.connections.length, this.capture, seg.t, this.opts);
      conn.version = mpc.version === 0 ? 0 : 1;
      this.connections.push(conn);
      conn.subflows.push(sub);
      return this.register(seg, key, sub, conn, forward);
    }
    if (syn && !ack && join !== undefined && join.form === "syn") {
      const sub = new Subflow(stream, seg.src, seg.sport, seg.dst, seg.dport, seg.t);
      sub.join = true;
      sub.joinToken = join.token;
      const conn = this.tokens.get(join.token);
      // A token not known yet: the segment that reveals it may come later in the capture.
      if (conn === undefined) return this.register(seg, key, null, null, true, this.joins.hold(join.token, sub));
      this.attach(sub, conn, join.token);
      return this.register(seg, key, sub, conn, true);
    }
    if (seg.mptcp.length > 0 && !syn) this.orphans++;
    else this.plainTcpStreams++;
    return this.register(seg, key, null, null, true);
  }

  private onSubflowSegment(seg: Segment, conn: Connection, sub: Subflow, forward: boolean): void {
    const t = seg.t;
    const d = sub.dir(forward);
    const o = sub.dir(!forward);
    const cd = sub.connDir(forward);
    sub.lastT = t;
    // Held segments of a join are replayed after the one that revealed its token (replayJoins).
    if (t > conn.lastT) conn.lastT = t;
    d.segments++;
    const flags = seg.flags;
    const syn = (flags & TCP_FLAG.SYN) !== 0;
    const ackFlag = (flags & TCP_FLAG.ACK) !== 0;
    if (syn) {
      d.isn = seg.seq;
      sub.handshakeSegments++;
      if (!ackFlag) sub.synT ??= t;
      else sub.synAckT ??= t;
    } else if (forward && ackFlag && sub.synAckT !== undefined && sub.handshakeRtt === undefined && sub.synT !== undefined) {
      // SYN to the ACK of the SYN/ACK: a whole round trip wherever the capture was taken. Karn's
      // rule (RFC 6298 §3): no sample when the SYN or SYN/ACK was sent again.
      if (sub.handshakeSegments === 2) sub.handshakeRtt = t - sub.synT;
      else sub.handshakeRtt = NaN;
    }
    if (d.isn === undefined && !syn) {
      const map = seg.mptcp.find((x) => x.subtype === "DSS" && x.dsn !== undefined) as Dss | undefined;
      d.isn = map !== undefined && seg.payloadLen > 0 ? (seg.seq - map.ssn!) >>> 0 : (seg.seq - 1) >>> 0;
    }
    let tcprstReason: string | undefined;
    let dataAck: number | undefined;
    const ctx: OptionContext = { seg, conn, sub, d, cd, forward };
    for (const opt of seg.mptcp) {
      switch (opt.subtype) {
        case "MP_CAPABLE":
          if (syn) this.onCapableSyn(ctx, opt, ackFlag);
          else this.onCapableAck(ctx, opt);
          break;
        case "MP_JOIN":
          this.onJoin(ctx, opt);
          break;
        case "DSS": {
          const a = this.onDss(ctx, opt);
          if (a !== undefined) dataAck = a;
          break;
        }
        case "ADD_ADDR":
          this.onAddAddr(ctx, opt);
          break;
        case "REMOVE_ADDR":
          this.signal(ctx, "REMOVE_ADDR", `ids ${opt.addrIds.join(",")}`);
          break;
        case "MP_PRIO":
          sub.backup = opt.backup;
          this.signal(ctx, "MP_PRIO", `backup=${opt.backup ? 1 : 0}${opt.addrId !== undefined ? ` id ${opt.addrId}` : ""}`);
          break;
        case "MP_FAIL": {
          // §3.7: the DSN is in the space of the data the MP_FAIL's sender received; shown
          // relative, like every DSN of the report, once that space's IDSN is known.
          const base = conn.dirs[other(cd)].base;
          this.signal(ctx, "MP_FAIL", base === undefined ? `DSN ${opt.dsn} (absolute)` : `DSN ${dsnOffset64(opt.dsn, base)}`);
          break;
        }
        case "MP_FASTCLOSE": {
          const expected = conn.receiverKey(cd);
          const ok = expected === undefined ? undefined : expected === opt.key;
          this.signal(ctx, "MP_FASTCLOSE", ok === false ? "wrong key" : "");
          if (ok === false) this.anomaly(ctx, "fastclose-wrong-key", `key ${opt.key}, receiver's key ${expected}`);
          break;
        }
        case "MP_TCPRST":
          tcprstReason = `${RST_REASONS[opt.reason] ?? `reason ${opt.reason}`}${opt.flags & TCPRST_FLAG.T ? " (transient)" : ""}`;
          this.signal(ctx, "MP_TCPRST", tcprstReason);
          break;
        default:
          break;
      }
    }
    if (syn && ackFlag) this.onSynAckWithout(ctx);
    if (seg.mptcpMalformed > 0) this.anomaly(ctx, "malformed-option", `${seg.mptcpMalformed} MPTCP option(s) do not decode`);
    if (flags & TCP_FLAG.FIN) {
      if (forward) sub.finFwd = true;
      else sub.finRev = true;
    }
    if (flags & TCP_FLAG.RST) {
      if (sub.reset === null) {
        const reason = tcprstReason ?? "no MP_TCPRST";
        sub.reset = { t, by: cd, reason };
        this.signal(ctx, "RST", reason);
        this.anomaly(ctx, "subflow-reset", `reset by the ${cd === "c2s" ? "client" : "server"}: ${reason}`);
      }
    }
    if (ackFlag && !syn) {
      const ackRel = o.relAck(seg.ack);
      if (ackRel !== undefined) {
        const sample = o.acked(ackRel, t);
        if (sample !== undefined) {
          o.rttSeries ??= new MinMaxSeries(conn.firstT, this.opts.maxPlotPoints);
          o.rttSeries.add(t, sample * 1000);
        }
      }
    }
    if (!sub.mptcp) return;
    const row: SegmentRow | undefined = this.hooks.onSegment
      ? { capture: this.capture, frame: seg.frame, t, dir: cd, seq: 0, rawSeq: seg.seq, rawAck: seg.ack, window: seg.window, tsVal: seg.tsVal, sackRight: seg.sackRight, len: seg.payloadLen, dsn: undefined, dataAck, retransmitted: 0, reinjected: 0, fresh: 0 }
      : undefined;
    if (seg.payloadLen > 0 && !syn) this.onPayload(ctx, row);
    if (row !== undefined) this.hooks.onSegment!(row, conn, sub);
  }

  private onCapableSyn(ctx: OptionContext, opt: MpCapable, ackFlag: boolean): void {
    const { conn, sub } = ctx;
    if (sub.index !== 0) return;
    if (opt.flags & MPC_FLAG.A) conn.checksums = true;
    if (!ackFlag) {
      // v0 SYNs carry the client's key (RFC 6824 §3.1).
      if (opt.sendKey !== undefined && conn.clientKey === undefined) this.learnKey(conn, "c2s", opt.sendKey);
      return;
    }
    // The SYN/ACK's version is the one the connection uses (§3.1).
    const version = opt.version === 0 ? 0 : 1;
    if (version !== conn.version) {
      conn.version = version;
      if (conn.clientKey !== undefined) this.learnKey(conn, "c2s", conn.clientKey);
    }
    if (opt.sendKey !== undefined) this.learnKey(conn, "s2c", opt.sendKey);
  }

  /** A SYN/ACK that does not carry on the MPTCP handshake the SYN began. */
  private onSynAckWithout(ctx: OptionContext): void {
    const { conn, sub, seg } = ctx;
    if (sub.join) {
      if (!seg.mptcp.some((o) => o.subtype === "MP_JOIN") && sub.mptcp) {
        // §3.2: a join answered without MP_JOIN is a plain TCP connection, not a subflow.
        sub.mptcp = false;
        this.signal(ctx, "MP_JOIN", "SYN/ACK without MP_JOIN: not a subflow");
      }
      return;
    }
    if (sub.index === 0 && !seg.mptcp.some((o) => o.subtype === "MP_CAPABLE") && conn.fallback === false) {
      conn.fallback = "SYN/ACK without MP_CAPABLE (RFC 8684 §3.1)";
    }
  }

  private onCapableAck(ctx: OptionContext, opt: MpCapable): void {
    const { conn, sub, cd } = ctx;
    if (sub.index !== 0) return;
    conn.established = true;
    if (opt.sendKey !== undefined) {
      const mine = conn.senderKey(cd);
      if (mine === undefined) this.learnKey(conn, cd, opt.sendKey);
      else if (mine !== opt.sendKey) this.anomaly(ctx, "echoed-key-mismatch", `sender key ${opt.sendKey}, earlier ${mine}`);
    }
    if (opt.recvKey !== undefined) {
      const theirs = conn.receiverKey(cd);
      if (theirs === undefined) this.learnKey(conn, other(cd), opt.recvKey);
      else if (theirs !== opt.recvKey) this.anomaly(ctx, "echoed-key-mismatch", `echoed key ${opt.recvKey}, peer's key ${theirs}`);
    }
    if (opt.dataLen !== undefined) {
      // MP_CAPABLE with data (v1 §3.1): it maps the first data, DSN IDSN+1, SSN 1.
      const cdir = conn.dirs[cd];
      if (cdir.idsn === undefined) return;
      const wireDsn = BigInt.asUintN(64, cdir.idsn + 1n);
      const m: Mapping = { ssn: ctx.d.widen(1), len: opt.dataLen, dsn: cdir.relDsn(wireDsn, true), fin: false, frame: ctx.seg.frame };
      cdir.dssSeen = true;
      this.addMapping(ctx, m, wireDsn, 1, opt.checksum);
    }
  }

  private onJoin(ctx: OptionContext, opt: MptcpOption & { subtype: "MP_JOIN" }): void {
    const { conn, sub } = ctx;
    if (!sub.join) return;
    const ver = conn.version;
    switch (opt.form) {
      case "syn":
        sub.nonceA ??= opt.nonce;
        sub.backup ||= opt.backup;
        sub.localAddrId ??= opt.addrId;
        if (sub.synT === ctx.seg.t) this.signal(ctx, "MP_JOIN", `token ${opt.token} addr id ${opt.addrId}${opt.backup ? " backup" : ""}`);
        break;
      case "synack": {
        sub.nonceB ??= opt.nonce;
        sub.remoteAddrId ??= opt.addrId;
        sub.backup ||= opt.backup;
        const keys = this.joinKeys(conn, sub);
        if (keys !== undefined && sub.nonceA !== undefined) {
          const expected = joinHmacSynAck(keys.listener, keys.initiator, opt.nonce, sub.nonceA, ver);
          this.joinVerdict(ctx, hmacEqual(opt.hmac, expected), "SYN/ACK");
        }
        break;
      }
      case "ack": {
        const keys = this.joinKeys(conn, sub);
        if (keys !== undefined && sub.nonceA !== undefined && sub.nonceB !== undefined) {
          const expected = joinHmacAck(keys.initiator, keys.listener, sub.nonceA, sub.nonceB, ver);
          this.joinVerdict(ctx, hmacEqual(opt.hmac, expected), "third ACK");
        }
        break;
      }
    }
  }

  private joinKeys(conn: Connection, sub: Subflow): { initiator: bigint; listener: bigint } | undefined {
    const listener = sub.synIsC2s ? conn.serverKey : conn.clientKey;
    const initiator = sub.synIsC2s ? conn.clientKey : conn.serverKey;
    return listener === undefined || initiator === undefined ? undefined : { initiator, listener };
  }

  private joinVerdict(ctx: OptionContext, ok: boolean, which: string): void {
    const sub = ctx.sub;
    if (ok) sub.hmacOk ??= true;
    else {
      sub.hmacOk = false;
      this.anomaly(ctx, "bad-join-hmac", `MP_JOIN ${which} HMAC does not verify`);
    }
  }

  /** A DSS option (§3.3): Data ACK, mapping, DATA_FIN. Returns the relative Data ACK. */
  private onDss(ctx: OptionContext, opt: Dss): number | undefined {
    const { conn, d, cd, seg } = ctx;
    let rel: number | undefined;
    if (opt.dataAck !== undefined) {
      const peer = conn.dirs[other(cd)];
      rel = peer.relAck(opt.dataAck, opt.dataAck64);
      if (rel !== undefined) {
        if (peer.dataAck === undefined || rel > peer.dataAck) peer.dataAck = rel;
        peer.reorder.acked(rel, seg.t);
        peer.ackSeries ??= new MinMaxSeries(conn.firstT, this.opts.maxPlotPoints);
        peer.ackSeries.add(seg.t, rel);
      }
    }
    if (opt.dsn === undefined) return rel;
    conn.established = true;
    const cdir = conn.dirs[cd];
    cdir.dssSeen = true;
    const dsnRel = cdir.relDsn(opt.dsn, opt.dsn64);
    const len = opt.dataLen ?? 0;
    if (len === 0) {
      // The infinite mapping (§3.3.1): the rest of the subflow maps linearly; MPTCP falls back (§3.7).
      // A retransmission of its segment declares it again: the same fallback, reported once, as a
      // repeated mapping is.
      const ssn = d.widen(opt.ssn ?? 0);
      const prev = d.mappings.infinite;
      if (prev?.ssn === ssn && prev.dsn === dsnRel) return rel;
      this.anomaly(ctx, "infinite-mapping", `from DSN ${dsnRel}, SSN ${opt.ssn}`);
      if (conn.fallback === false) conn.fallback = "infinite mapping (RFC 8684 §3.7)";
      d.mappings.add({ ssn, len: 0, dsn: dsnRel, fin: false, frame: seg.frame });
      return rel;
    }
    const m: Mapping = { ssn: d.widen(opt.ssn ?? 0), len, dsn: dsnRel, fin: opt.fin, frame: seg.frame };
    const wireDsn = opt.dsn64 || cdir.base === undefined ? opt.dsn : BigInt.asUintN(64, cdir.base + BigInt(dsnRel));
    this.addMapping(ctx, m, wireDsn, opt.ssn ?? 0, opt.checksum);
    if (opt.fin) cdir.reorder.arrive(dsnRel + len - 1, dsnRel + len, seg.t, false);
    if (opt.fin && !cdir.dataFin) {
      cdir.dataFin = true;
      this.signal(ctx, "DATA_FIN", `DSN ${dsnRel + len - 1}`);
    }
    return rel;
  }

  private addMapping(ctx: OptionContext, m: Mapping, wireDsn: bigint, ssn32: number, checksum: number | undefined): void {
    const { conn, d } = ctx;
    if (conn.checksums && checksum !== undefined) {
      startChecksum(m, wireDsn, ssn32, checksum);
      d.mappings.countChecksum(m);
      if (m.csum!.state === "bad") this.anomaly(ctx, "dss-checksum-failure", `mapping DSN ${m.dsn} length ${m.len}`);
    } else if (conn.checksums && m.len > 0) {
      // §3.3.1: with checksums negotiated every mapping carries one; the receiver resets the subflow.
      this.anomaly(ctx, "missing-dss-checksum", `mapping DSN ${m.dsn} length ${m.len} has no checksum`);
    }
    if (m.len - (m.fin ? 1 : 0) <= 0) return;
    const conflict = d.mappings.add(m);
    if (conflict !== undefined) {
      const e = conflict.existing;
      this.anomaly(ctx, "mapping-mismatch", `SSN ${m.ssn} maps to DSN ${m.dsn} (length ${m.len}); frame ${e.frame} mapped SSN ${e.ssn} to DSN ${e.dsn} (length ${e.len})`);
    }
  }

  private onAddAddr(ctx: OptionContext, opt: AddAddr): void {
    const { conn, cd } = ctx;
    const where = `id ${opt.addrId} ${formatAddress(opt.addr)}${opt.port !== undefined ? ` port ${opt.port}` : ""}`;
    let verdict = "";
    if (opt.version === 1 && !opt.echo && opt.hmac !== undefined) {
      const sk = conn.senderKey(cd);
      const rk = conn.receiverKey(cd);
      if (sk !== undefined && rk !== undefined) {
        const ok = hmacEqual(opt.hmac, addAddrHmac(sk, rk, opt.addrId, opt.addr, opt.port));
        verdict = ok ? ", HMAC ok" : ", HMAC BAD";
        if (!ok) this.anomaly(ctx, "bad-add-addr-hmac", `ADD_ADDR ${where}`);
      }
    }
    this.signal(ctx, "ADD_ADDR", `${opt.echo ? "echo " : ""}${where}${verdict}`);
  }

  /** Payload: subflow accounting, then placement in the data sequence space. */
  private onPayload(ctx: OptionContext, row: SegmentRow | undefined): void {
    const { seg, conn, sub, d, cd } = ctx;
    const len = seg.payloadLen;
    const start = d.rel(seg.seq);
    const again = d.sent(start, start + len, seg.t);
    if (row !== undefined) {
      row.seq = start;
      row.retransmitted = again;
    }
    const cdir = conn.dirs[cd];
    if (conn.fallback === false && !cdir.dssSeen && sub.index === 0 && d.mappings.size === 0 && d.mappings.infinite === undefined) {
      // Data with no DSS on the initial subflow: the peers fell back to TCP (§3.7).
      conn.fallback = "data without a DSS mapping on the initial subflow (RFC 8684 §3.7)";
    }
    if (conn.fallback !== false && sub.index === 0 && d.mappings.infinite === undefined) {
      // After a fallback the subflow's bytes are the data stream itself.
      const next = cdir.reorder.next ?? 1;
      d.mappings.infinite = { ssn: d.mappings.size === 0 ? 1 : start, len: 0, dsn: d.mappings.size === 0 ? 1 : next, fin: false, frame: seg.frame };
    }
    if (conn.checksums && d.mappings.size > 0) {
      for (const m of d.mappings.checksum(start, seg.payload)) {
        this.anomaly(ctx, "dss-checksum-failure", `mapping DSN ${m.dsn} SSN ${m.ssn} length ${m.len} (frame ${m.frame})`);
      }
    }
    const pieces = this.pieces;
    const unmapped = d.mappings.map(start, len, pieces);
    if (unmapped === len && conn.fallback === false && d.mappings.size > 0) {
      // §3.3.1: a mapping may cover several segments and is declared on the first only; when that
      // one was captured later (lost before the capture point, sent again), these bytes wait for it.
      this.awaitMapping(ctx, start);
      return;
    }
    if (unmapped > 0) {
      d.unmappedBytes += unmapped;
      this.anomaly(ctx, "data-without-mapping", `${unmapped} of ${len} bytes at SSN ${start}`);
    }
    // Data that waited for this segment's mapping arrived before it: it goes first, so that the
    // reordering delay runs from its own arrival.
    if (this.awaiting.get(d)?.length) this.resolveAwaiting(d);
    const placed = this.place(ctx, pieces);
    if (row !== undefined) {
      row.dsn = pieces.length > 0 ? pieces[0]!.dsn : undefined;
      row.reinjected = placed.reinjected;
      row.fresh = placed.fresh;
    }
  }

  /** Places mapped pieces of `ctx`'s segment in the data sequence space. */
  private place(ctx: OptionContext, pieces: readonly MappedPiece[]): { fresh: number; reinjected: number } {
    const { seg, conn, sub, d, cd } = ctx;
    const cdir = conn.dirs[cd];
    const bit = subflowBit(sub.index);
    let reinjected = 0;
    let fresh = 0;
    for (const p of pieces) {
      const ds = p.dsn;
      const de = ds + p.length;
      const res = cdir.carried.cover(ds, de, bit);
      reinjected += res.byOthers;
      fresh += res.fresh;
      cdir.reorder.arrive(ds, de, seg.t);
      conn.dsnSeriesOf(sub.index, cd).add(seg.t, de);
    }
    if (fresh > 0) {
      cdir.uniqueBytes += fresh;
      d.freshBytes += fresh;
      conn.goodputBins(sub.index, cd).add(seg.t, fresh);
    }
    if (reinjected > 0) {
      cdir.reinjectedBytes += reinjected;
      cdir.reinjectedSegments++;
      d.reinjectedBytes += reinjected;
    }
    cdir.prune();
    return { fresh, reinjected };
  }

  private awaitMapping(ctx: OptionContext, start: number): void {
    let list = this.awaiting.get(ctx.d);
    if (list === undefined) this.awaiting.set(ctx.d, (list = []));
    list.push({ ctx, start });
    if (list.length > MAX_AWAITING) this.unmappedAnomaly(list.shift()!);
  }

  /** Places the waiting segments a mapping now covers, in subflow order. */
  private resolveAwaiting(d: SubflowDir): void {
    const list = this.awaiting.get(d)!;
    list.sort((a, b) => a.start - b.start);
    const pieces: MappedPiece[] = [];
    const keep: Awaiting[] = [];
    for (const w of list) {
      const payload = w.ctx.seg.payload;
      if (d.mappings.map(w.start, w.ctx.seg.payloadLen, pieces) > 0) {
        keep.push(w);
        continue;
      }
      if (w.ctx.conn.checksums) {
        for (const m of d.mappings.checksum(w.start, payload)) {
          this.anomaly(w.ctx, "dss-checksum-failure", `mapping DSN ${m.dsn} SSN ${m.ssn} length ${m.len} (frame ${m.frame})`);
        }
      }
      this.place(w.ctx, pieces);
    }
    this.awaiting.set(d, keep);
  }

  private unmappedAnomaly(w: Awaiting): void {
    const len = w.ctx.seg.payloadLen;
    w.ctx.d.unmappedBytes += len;
    this.anomaly(w.ctx, "data-without-mapping", `${len} of ${len} bytes at SSN ${w.start}`);
  }

  /** The end of the capture: data still waiting for a mapping never got one. */
  finish(): void {
    for (const list of this.awaiting.values()) for (const w of list) this.unmappedAnomaly(w);
    this.awaiting.clear();
    // Joins whose token never appeared are subflows of connections not in the capture.
    this.joins.finish();
  }

  private learnKey(conn: Connection, side: Dir, key: bigint): void {
    const token = conn.setKey(side, key);
    this.tokens.set(token, conn);
    for (const join of this.joins.take(token)) this.resolved.push({ join, conn });
  }

  private anomaly(ctx: OptionContext, type: AnomalyType, detail: string): void {
    ctx.conn.anomaly({ type, t: ctx.seg.t, frame: ctx.seg.frame, capture: this.capture, subflow: ctx.sub.index, dir: ctx.cd, detail });
  }

  private signal(ctx: OptionContext, type: SignalType, detail: string): void {
    ctx.conn.signal({ t: ctx.seg.t, frame: ctx.seg.frame, capture: this.capture, subflow: ctx.sub.index, dir: ctx.cd, type, detail });
  }
}

/** Segments kept waiting for their mapping per subflow direction; beyond, the oldest is unmapped. */
const MAX_AWAITING = 1024;

interface Awaiting {
  ctx: OptionContext;
  /** Relative subflow sequence number of the payload. */
  start: number;
}

interface OptionContext {
  seg: Segment;
  conn: Connection;
  sub: Subflow;
  d: SubflowDir;
  cd: Dir;
  forward: boolean;
}

/**
 * The output half of a connection: which segment to send next and how it is built (options,
 * payload size, the hook's two phases), RFC 9293 §3.7 and §3.8, RFC 5681, RFC 6582, RFC 6675.
 */
import type { TcpOption, TcpRepr } from "../wire/tcp-types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import { tcpOptionsLength } from "../wire/tcp-options.js";
import type { SegmentKind } from "./hook.js";
import { MAX_OPTION_BYTES, TS_OPTION_BYTES, padded, sackOptionBytes, synOptions } from "./options.js";
import { canTransmit } from "./state.js";
import { Tcb } from "./tcb.js";
import { probeTimeout } from "./tlp.js";

const EMPTY = new Uint8Array(0);
/** One shared NOP for every option list we build (option objects are never mutated). */
const NOP: TcpOption = Object.freeze({ kind: "nop" });

/** A hook that asks for more option space than is free breaks the contract (hook.ts). */
function checkReservation(bytes: number, free: number): void {
  if (bytes > free) throw new RangeError(`hook reserved ${bytes} option bytes, ${free} free`);
}

/** A segment being built. */
interface SegmentPlan {
  kind: SegmentKind;
  /** Send offset of the first sequence number the segment occupies. */
  start: number;
  /** Payload length. */
  len: number;
  syn: boolean;
  fin: boolean;
  retransmission: boolean;
}

/**
 * The sizes of one segment's options and the payload that fits beside them. The option list
 * itself is built (`ownOptions`) only once the segment is sent: a poll that ends without one
 * (the window is a runt, Nagle holds) sized it for nothing.
 */
interface OptionPlan {
  maxPayload: number;
  hookBytes: number;
  /** Our SACK option, when the receive side has blocks to report. */
  sack: TcpOption | undefined;
}

export class TcpOutput extends Tcb {
  /**
   * The next segment to send, or undefined. Call it after every input until it returns
   * undefined. Order: a pending RST, the SYN or SYN-ACK, a tail loss probe, retransmissions and
   * new data (with the FIN), a window or keepalive probe, then a bare ACK when one is owed.
   */
  pollTransmit(now: number): TcpRepr | undefined {
    this.clock = now;
    if (this.pendingRst !== undefined) {
      const r = this.pendingRst;
      this.pendingRst = undefined;
      return this.emitRst(r.seq, r.ack, r.flags, r.port ?? this.remotePortValue);
    }
    switch (this.st) {
      case "CLOSED":
      case "LISTEN":
        return undefined;
      case "SYN-SENT":
        return this.synPending ? this.emitSyn(now) : undefined;
      case "SYN-RECEIVED":
        if (this.synPending) return this.emitSyn(now);
        break;
      default: {
        if (this.tlp.pending) {
          this.tlp.pending = false;
          const probe = this.transmitLossProbe(now);
          if (probe !== undefined) return probe;
        }
        const seg = this.transmitData(now);
        if (seg !== undefined) return seg;
      }
    }
    if (this.probePending) {
      this.probePending = false;
      const seg = this.transmitData(now, true);
      if (seg !== undefined) return seg;
      // RFC 9293 §3.8.6.1 zero-window probe. Like Linux, an already acknowledged sequence
      // number with no data: the peer must answer with an ACK carrying its window.
      return this.emitControl("probe", this.sndUna - 1);
    }
    if (this.keepalivePending) {
      this.keepalivePending = false;
      // RFC 9293 §3.8.4: SEG.SEQ = SND.NXT - 1, no data.
      return this.emitControl("probe", this.sndMax - 1);
    }
    if (this.ackNow) return this.emitControl("ack", this.sndMax);
    return undefined;
  }

  protected emitSyn(now: number): TcpRepr {
    this.synPending = false;
    const synAck = this.st === "SYN-RECEIVED";
    const retransmission = this.sndMax > 0;
    // A SYN offers what the configuration allows; a SYN-ACK only answers what the SYN offered
    // (RFC 7323 §2.2, §3.2; RFC 2018 §2).
    const ts = (synAck ? this.tsOk : this.cfg.timestamps) ? this.tsPair(now) : undefined;
    const sack = synAck ? this.sackOk : this.cfg.sack;
    const ws = (synAck ? this.wsOk : this.cfg.windowScaling) ? this.ourShift : undefined;
    const options = synOptions(this.cfg.mss, ws, sack, ts);
    const kind = synAck ? "syn-ack" : "syn";
    const plan: SegmentPlan = { kind, start: 0, len: 0, syn: true, fin: false, retransmission };
    // RFC 7323 §2.2: the window of a SYN or SYN-ACK is not scaled.
    const window = Math.min(this.freeSpace(), 0xffff);
    const hookOpts = this.hookOptions(plan, MAX_OPTION_BYTES - tcpOptionsLength(options), window);
    if (synAck) {
      this.rcvAdvRight = this.rcvNxt + window;
      this.lastAckSent = this.rcvNxt;
      this.ackNow = false;
    }
    const seg = this.repr(
      this.issValue,
      synAck ? this.rcvSeq(this.rcvNxt) : 0,
      TCP_FLAG.SYN | (synAck ? TCP_FLAG.ACK : 0),
      window,
      withHookOptions(options, hookOpts),
      EMPTY,
    );
    if (retransmission) this.counters.retransmissions++;
    else this.timed = { end: 1, at: now };
    this.sndNxt = 1;
    this.sndMax = Math.max(this.sndMax, 1);
    this.timers.setIfIdle("retransmit", now + this.rtt.rto);
    return seg;
  }

  /**
   * Picks and builds the next data-bearing segment: NewReno/SACK retransmissions first
   * (RFC 6582, RFC 6675 NextSeg), then going back N after a timeout, then new data and the FIN.
   * `force` overrides Nagle and sender-side SWS avoidance (a persist-timer probe).
   */
  protected transmitData(now: number, force = false): TcpRepr | undefined {
    if (!canTransmit(this.st)) return undefined;
    const dataEnd = 1 + this.sendBuf.end;
    const seqEnd = this.finQueued ? dataEnd + 1 : dataEnd;

    // Fast retransmit (RFC 5681 §3.2 step 2, RFC 6582 step 5, RFC 6675 §5 step 4.3): the first
    // unacknowledged segment, regardless of the window.
    if (this.retransmitHead) {
      if (this.paced(now)) return undefined;
      this.retransmitHead = false;
      const range = this.fastRetransmitRange();
      if (range !== undefined) {
        const seg = this.buildRange(now, range[0], range[1], seqEnd, false);
        if (this.sackOk) this.board.highRxt = Math.max(this.board.highRxt, this.lastPlanEnd);
        return seg;
      }
    }

    // RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, send NextSeg().
    if (this.inRecovery && this.sackOk) {
      const pipe = this.board.pipe(this.sndUna, this.sndMax, this.dataMss());
      if (this.cc.window() - pipe < this.dataMss()) return undefined;
      const hole = this.board.nextLost(this.sndUna, this.dataMss());
      if (hole !== undefined) {
        if (this.paced(now)) return undefined;
        const seg = this.buildRange(now, hole[0], hole[1], seqEnd, false);
        this.board.highRxt = Math.max(this.board.highRxt, this.lastPlanEnd);
        return seg;
      }
      // Rule 2: new data, within the receiver's window.
      if (this.sndNxt < this.sndMax) this.sndNxt = this.sndMax;
      return this.sendNew(now, dataEnd, seqEnd, this.sndUna + this.sndWnd, force);
    }

    const wndEdge = this.afterTimeout() ? this.edgeAfterTimeout() : this.sndUna + Math.min(this.sndWnd, this.effectiveCwnd());
    // Going back N after a timeout (RFC 6298 §5.4 and RFC 5681 §3.1), skipping SACKed data.
    if (this.sndNxt < this.sndMax) {
      const start = this.board.sacked.nextUncovered(this.sndNxt);
      if (start < this.sndMax) {
        // The first unacknowledged segment goes out even beyond the window (at least one octet
        // or the FIN), so that a timeout still probes a closed window (RFC 9293 §3.8.6.1).
        const head = start === this.sndUna;
        if (start >= wndEdge && !head && !force) return undefined;
        const edge = head ? Math.max(wndEdge, start + 1) : wndEdge;
        const limit = force ? this.sndMax : Math.min(this.sndMax, edge);
        if (!force && this.paced(now)) return undefined;
        return this.buildRange(now, start, limit, seqEnd, true);
      }
      this.sndNxt = this.sndMax;
    }
    return this.sendNew(now, dataEnd, seqEnd, wndEdge, force);
  }

  /**
   * Where fast retransmit starts, as `[start, limit)`: with RACK the first octets deemed lost,
   * wherever they are (RFC 6675 §5 step 4.3 sends NextSeg()); otherwise the first unacknowledged
   * octets at the head (with SACK, not SACKed ones).
   */
  private fastRetransmitRange(): [number, number] | undefined {
    if (this.sndUna >= this.sndMax) return undefined;
    if (this.rack !== undefined) return this.board.nextLost(this.sndUna, this.dataMss());
    const start = this.sackOk ? this.board.sacked.nextUncovered(this.sndUna) : this.sndUna;
    return start < this.sndMax ? [start, this.sndMax] : undefined;
  }

  /**
   * Slow start after a timeout with SACK, until the data outstanding at the timeout is
   * acknowledged (RFC 6675 §5.1: the sender "SHOULD use this SACK information when determining
   * what data should be sent in each segment of the slow start").
   */
  protected afterTimeout(): boolean {
    return this.sackOk && !this.inRecovery && this.sndUna < this.recoverPoint;
  }

  /**
   * The right edge of what may be sent after a timeout with SACK: the congestion window counts
   * the octets in flight, those sent again since the timeout and not SACKed (every other octet
   * not SACKed is deemed lost), rather than the sequence space from SND.UNA, most of which the
   * peer may hold already (Linux `tcp_packets_in_flight` after `tcp_enter_loss`). Measured from
   * SND.UNA, each round trip would fill one hole however far the window has grown. Never past
   * the receiver's window.
   */
  private edgeAfterTimeout(): number {
    const una = this.sndUna;
    const resent = Math.min(this.sndNxt, this.sndMax);
    const inFlight = resent - una - this.board.sacked.coveredIn(una, resent);
    // Whole segments, as Linux counts packets: a sliver of window sends no runt.
    const free = this.cc.window() - inFlight;
    const room = free >= this.dataMss() ? free : 0;
    const from = this.sndNxt < this.sndMax ? this.board.sacked.nextUncovered(this.sndNxt) : this.sndMax;
    return Math.min(una + this.sndWnd, from + room);
  }

  /**
   * RFC 8985 §7.3 TLP_send_probe(): the lowest unsent segment if there is one and the receive
   * window allows it, even beyond cwnd (§7.3 leaves cwnd unchanged; Linux's probe too ignores
   * it); otherwise the highest segment sent so far again, unless a retransmitted probe is still
   * unanswered (at most one per episode). Then the RTO, not the PTO, is armed: a probe that goes
   * unanswered leaves the rest to the retransmission timer.
   */
  protected transmitLossProbe(now: number): TcpRepr | undefined {
    if (!canTransmit(this.st) || this.sndUna >= this.sndMax) return undefined;
    const dataEnd = 1 + this.sendBuf.end;
    const seqEnd = this.finQueued ? dataEnd + 1 : dataEnd;
    let seg = this.sendNew(now, dataEnd, seqEnd, this.sndUna + this.sndWnd, true);
    const retransmission = seg === undefined;
    if (seg === undefined) {
      if (this.tlp.endSeq !== undefined) return undefined;
      // The segment as it was first sent, so that it ends where the lost tail ends.
      seg = this.buildRange(now, this.sent.newestStart(this.sndUna), this.sndMax, seqEnd, false);
    }
    this.tlp.sent(this.sndMax, retransmission, this.sent.newest() ?? now);
    this.counters.lossProbes++;
    this.timers.clear("lossProbe");
    this.timers.set("retransmit", now + this.rtt.rto);
    return seg;
  }

  /**
   * RFC 8985 §7.2: (re)starts the PTO after new data went out or an ACK acknowledged new data,
   * when a probe can help: SACK agreed (the probe's ACK must be able to show a hole), data in
   * flight, no recovery, fast or after a timeout (their own mechanisms repair losses then), and
   * nothing SACKed (a hole is already known). Otherwise the PTO stops and the RTO alone runs.
   * The PTO never ends after the RTO would expire (§7.2 TLP_calc_PTO()).
   */
  protected armLossProbe(now: number): void {
    const rtoAt = this.timers.get("retransmit");
    if (rtoAt === undefined || !this.lossProbeAllowed()) {
      this.timers.clear("lossProbe");
      return;
    }
    const oneSegment = this.sndMax - this.sndUna <= this.dataMss();
    const pto = probeTimeout(this.rtt.srtt, oneSegment, this.cfg.tlpMaxAckDelay);
    this.timers.set("lossProbe", Math.min(now + pto, rtoAt));
  }

  /** The conditions of RFC 8985 §7.2 under which a PTO may run. */
  protected lossProbeAllowed(): boolean {
    return (
      this.cfg.tlp &&
      this.sackOk &&
      this.sndUna < this.sndMax &&
      !this.inRecovery &&
      this.sndUna >= this.recoverPoint &&
      this.sndNxt >= this.sndMax &&
      this.board.sacked.count === 0 &&
      (this.hook?.lossProbesAllowed?.() ?? true)
    );
  }

  /** New data (and the FIN) from SND.MAX, within `wndEdge`, with Nagle and SWS avoidance. */
  protected sendNew(
    now: number,
    dataEnd: number,
    seqEnd: number,
    wndEdge: number,
    force: boolean,
  ): TcpRepr | undefined {
    const start = this.sndMax;
    if (start >= seqEnd) return undefined;
    const finOnly = this.finQueued && start === dataEnd;
    const held = this.hook?.sendLimit?.();
    if (held !== undefined && !finOnly) {
      // Send offsets count the SYN: stream offset 0 is send offset 1.
      if (start >= 1 + held) return undefined;
      wndEdge = Math.min(wndEdge, 1 + held);
    }
    const avail = dataEnd - start;
    const room = wndEdge - start;
    if (!finOnly && room <= 0) {
      this.armPersist(now);
      return undefined;
    }
    const plan = this.planPayload("data", start, false);
    const maxLen = Math.min(plan.maxPayload, avail, Math.max(room, 0));
    const carriesFin = this.finQueued && start + maxLen === dataEnd;
    if (!force && !carriesFin && maxLen < plan.maxPayload) {
      const inFlight = this.sndMax > this.sndUna;
      if (maxLen < avail) {
        // Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a window-limited runt waits unless it is
        // at least half the largest window the peer offered.
        if (maxLen < this.maxSndWnd / 2) {
          if (!inFlight) this.armPersist(now);
          return undefined;
        }
      } else if (this.cfg.nagle && inFlight) {
        // Nagle (RFC 9293 §3.7.4): one small segment outstanding at a time.
        return undefined;
      }
    }
    if (maxLen === 0 && !finOnly) return undefined;
    if (!force && this.paced(now)) return undefined;
    return this.finishRange(now, plan, start, maxLen, carriesFin || finOnly, false, true);
  }

  /** The pacing rate now, bytes per second (Infinity before an RTT, or without pacing). */
  protected pacingRate(): number {
    const p = this.pacer;
    return p === undefined ? Number.POSITIVE_INFINITY : p.rate(this.cc.window(), this.cc.ssthresh(), this.sndMax - this.sndUna, this.rtt.srtt);
  }

  /**
   * Whether pacing (pacing.ts) holds the next data segment at `now`; if so the `pace` timer wakes
   * the connection when it may leave. Probes (tail loss, zero window) are not paced, nor are pure
   * ACKs; retransmissions are, as Linux paces `tcp_xmit_retransmit_queue`.
   */
  protected paced(now: number): boolean {
    const p = this.pacer;
    if (p === undefined || p.allows(now)) return false;
    this.timers.set("pace", p.wakeAt());
    return true;
  }

  protected armPersist(now: number): void {
    if (this.sndMax === this.sndUna && !this.timers.isRunning("retransmit")) {
      this.timers.setIfIdle("persist", now + this.persistInterval());
    }
  }

  protected persistInterval(): number {
    return Math.min(this.cfg.maxRto, Math.max(this.cfg.minRto, this.rtt.rto) * 2 ** this.persistBackoff);
  }

  /** End offset of the last segment built (retransmission bookkeeping). */
  protected lastPlanEnd = 0;

  /**
   * Builds the segment starting at `start` (a send offset, at least 1), up to `limit` and one
   * effective MSS, with the FIN when it reaches the end of the data.
   */
  protected buildRange(now: number, start: number, limit: number, seqEnd: number, advance: boolean): TcpRepr {
    const dataEnd = this.finQueued ? seqEnd - 1 : seqEnd;
    // A retransmission stops at the next SACKed block (RFC 6675 §5: do not resend SACKed data).
    const gap = this.board.sacked.gaps(start, limit)[0];
    const end = gap !== undefined && gap[0] === start ? gap[1] : limit;
    const plan = this.planPayload("data", start, true);
    const len = Math.max(0, Math.min(plan.maxPayload, Math.min(end, dataEnd) - start));
    const fin = this.finQueued && start + len === dataEnd && end > dataEnd;
    return this.finishRange(now, plan, start, len, fin, true, advance);
  }

  protected finishRange(
    now: number,
    plan: OptionPlan,
    start: number,
    len: number,
    fin: boolean,
    retransmission: boolean,
    advance: boolean,
  ): TcpRepr {
    const kind: SegmentKind = len === 0 && fin ? "fin" : "data";
    const payload = len > 0 ? this.sendBuf.read(start - 1, len) : EMPTY;
    const end = start + len + (fin ? 1 : 0);
    const isRetx = retransmission || start < this.sndMax;
    const window = this.windowField();
    let options = this.ownOptions(plan);
    if (plan.hookBytes > 0) {
      const segPlan: SegmentPlan = { kind, start, len, syn: false, fin, retransmission: isRetx };
      options = withHookOptions(options, this.hookOutgoing(segPlan, plan.hookBytes, payload, window));
    }
    let flags = TCP_FLAG.ACK;
    if (fin) flags |= TCP_FLAG.FIN;
    // PSH on the segment that empties the send queue (RFC 9293 §3.9.1 "push").
    if (len > 0 && start + len === 1 + this.sendBuf.end) flags |= TCP_FLAG.PSH;
    const seg = this.segment(start, flags, window, options, payload);
    this.afterAck();
    this.lastPlanEnd = end;

    if (isRetx) {
      this.counters.retransmissions++;
      this.counters.retransmittedBytes += len;
      // Eifel (RFC 3522 §2) compares the echo with the first retransmission's TSval: a head sent
      // again before (an earlier recovery, or a timeout after one) may have its earlier copy
      // echoed, which would read as the original's. Then no undo is possible (Linux keeps
      // `retrans_stamp` from the first retransmission for the same reason).
      if (this.tsOk && this.undo === "armed") this.undo = this.board.everSentAgain(start) ? undefined : { head: start, tsVal: this.tsVal(now) };
      this.board.sentAgain(start, end, this.sndMax, this.inRecovery && this.sackOk, now);
      if (this.tsOk && start <= this.sndUna && end > this.sndUna) this.headResentTsVal = this.tsVal(now);
      // Karn: a retransmission invalidates the timed segment.
      if (this.timed !== undefined && start < this.timed.end) this.timed = undefined;
    } else {
      this.counters.bytesSent += len;
      if (!this.tsOk && this.timed === undefined) this.timed = { end, at: now };
      this.sent.push(end, now);
    }
    this.rack?.onSent(start, end, now, isRetx);
    if (advance || (start <= this.sndNxt && end > this.sndNxt)) this.sndNxt = end;
    if (end > this.sndMax) this.sndMax = end;
    this.cc.onSent(now, len, this.sndMax - this.sndUna);
    this.pacer?.sent(now, len, this.pacingRate());
    // RFC 6298 §5.1.
    this.timers.clear("persist");
    this.timers.setIfIdle("retransmit", now + this.rtt.rto);
    // RFC 8985 §7.2: new data restarts the PTO (a probe re-arms the RTO after this).
    if (!isRetx) this.armLossProbe(now);
    return seg;
  }

  /** A segment without payload: a bare ACK or a probe at send offset `at`. */
  protected emitControl(kind: SegmentKind, at: number): TcpRepr {
    const plan = this.planPayload(kind, at, false);
    const window = this.windowField();
    let options = this.ownOptions(plan);
    if (plan.hookBytes > 0) {
      const segPlan: SegmentPlan = { kind, start: at, len: 0, syn: false, fin: false, retransmission: false };
      options = withHookOptions(options, this.hookOutgoing(segPlan, plan.hookBytes, EMPTY, window));
    }
    const seg = this.segment(at, TCP_FLAG.ACK, window, options, EMPTY);
    this.afterAck();
    return seg;
  }

  /** A RST (RFC 9293 §3.10.7), which a hook may stamp (MPTCP: MP_TCPRST, MP_FASTCLOSE). */
  protected emitRst(seq: number, ack: number, flags: number, dstPort: number): TcpRepr {
    const plan: SegmentPlan = {
      kind: "rst",
      start: this.sndMax,
      len: 0,
      syn: false,
      fin: false,
      retransmission: false,
    };
    const options = this.hookOptions(plan, MAX_OPTION_BYTES, 0);
    const seg = this.repr(seq, ack, flags, 0, options, EMPTY);
    seg.dstPort = dstPort;
    return seg;
  }

  /**
   * Phase one of building a segment: our own options (timestamps, SACK blocks), the hook's
   * reservation, and from them the payload that fits in one MSS (RFC 9293 §3.7.1: the sender
   * reduces the data length by the options it sends).
   */
  protected planPayload(kind: SegmentKind, start: number, retransmission: boolean): OptionPlan {
    let used = this.tsOk ? TS_OPTION_BYTES : 0;
    let hookBytes = 0;
    let hookLimit = Infinity;
    if (this.hook !== undefined) {
      const res = this.hook.reserve({
        kind,
        state: this.st,
        offset: start - 1,
        maxPayload: Math.max(0, this.sendMss - padded(used)),
        optionSpace: MAX_OPTION_BYTES - used,
        retransmission,
      });
      checkReservation(res.bytes, MAX_OPTION_BYTES - used);
      hookBytes = res.bytes;
      if (res.maxPayload !== undefined) hookLimit = res.maxPayload;
    }
    let sack: TcpOption | undefined;
    if (this.sackOk && (!this.reasm.isEmpty || this.reasm.hasDsack)) {
      const free = MAX_OPTION_BYTES - used - hookBytes;
      const fit = Math.min(4, Math.floor((free - 4) / 8));
      if (fit > 0) {
        const blocks = this.reasm.sackBlocks(fit);
        if (blocks.length > 0) {
          const wire = blocks.map(([s, e]): [number, number] => [this.rcvSeq(s), this.rcvSeq(e)]);
          sack = { kind: "sack", blocks: wire };
          used += sackOptionBytes(blocks.length);
        }
      }
    }
    const plan = this.plan;
    plan.maxPayload = Math.max(0, Math.min(hookLimit, this.sendMss - padded(used + hookBytes)));
    plan.hookBytes = hookBytes;
    plan.sack = sack;
    return plan;
  }

  /**
   * The plan `planPayload` returns, one record per connection: each plan is used up by the
   * segment it sizes before the next is made.
   */
  private readonly plan: OptionPlan = { maxPayload: 0, hookBytes: 0, sack: undefined };

  /**
   * Our options for the segment `plan` sized, built at their final length: the list becomes the
   * segment's own.
   */
  private ownOptions(plan: OptionPlan): TcpOption[] {
    const sack = plan.sack;
    if (this.tsOk) {
      const ts: TcpOption = { kind: "timestamps", tsVal: this.tsVal(this.clock), tsEcr: this.tsRecent };
      return sack === undefined ? [NOP, NOP, ts] : [NOP, NOP, ts, NOP, NOP, sack];
    }
    return sack === undefined ? [] : [NOP, NOP, sack];
  }

  /** Both hook phases at once, for segments without payload (SYN, SYN-ACK, RST). */
  protected hookOptions(plan: SegmentPlan, space: number, window: number): TcpOption[] {
    if (this.hook === undefined) return [];
    const res = this.hook.reserve({
      kind: plan.kind,
      state: this.st,
      offset: Math.max(0, plan.start - 1),
      maxPayload: 0,
      optionSpace: space,
      retransmission: plan.retransmission,
    });
    checkReservation(res.bytes, space);
    return this.hookOutgoing(plan, res.bytes, EMPTY, window);
  }

  /** Phase two: the hook's options for the segment as built, advertising `window` bytes. */
  protected hookOutgoing(plan: SegmentPlan, reserved: number, payload: Uint8Array, window: number): TcpOption[] {
    if (this.hook === undefined || reserved === 0) return [];
    const opts = this.hook.options({
      kind: plan.kind,
      state: this.st,
      seq: this.sndSeq(plan.start),
      offset: plan.syn ? 0 : plan.start - 1,
      payload,
      syn: plan.syn,
      fin: plan.fin,
      retransmission: plan.retransmission,
      window: plan.syn ? window : window * this.rcvScale,
    });
    const n = tcpOptionsLength(opts);
    if (n > reserved) throw new RangeError(`hook options take ${n} bytes, ${reserved} reserved`);
    return opts;
  }

  /** A segment at send offset `at` carrying our current ACK and the window field `window`. */
  protected segment(at: number, flags: number, window: number, options: TcpOption[], payload: Uint8Array): TcpRepr {
    return this.repr(this.sndSeq(at), this.rcvSeq(this.rcvNxt), flags, window, options, payload);
  }

  protected repr(
    seq: number,
    ack: number,
    flags: number,
    window: number,
    options: TcpOption[],
    payload: Uint8Array,
  ): TcpRepr {
    this.counters.segmentsSent++;
    return {
      srcPort: this.localPort,
      dstPort: this.remotePortValue,
      seq: seq >>> 0,
      ack: ack >>> 0,
      flags,
      window,
      checksum: 0,
      urgentPointer: 0,
      options,
      payload,
    };
  }

  /** Bookkeeping for any segment that carries our current ACK. */
  protected afterAck(): void {
    this.ackNow = false;
    this.unackedSegments = 0;
    this.timers.clear("delayedAck");
    this.lastAckSent = this.rcvNxt;
    this.reasm.clearDsack();
  }

  /**
   * The window field of a non-SYN segment. The right edge never moves left (RFC 9293
   * §3.8.6.2.2), and it only moves right by at least min(RCV.BUFF / 2, MSS) (receiver-side SWS
   * avoidance).
   *
   * The window is scaled down by our shift with the remainder dropped (RFC 7323 §2.3:
   * SEG.WND = RCV.WND >> Rcv.Wind.Shift), never rounded up: a rounded-up window would offer up
   * to a scale unit (2^14 bytes at most) beyond the free space, and beyond the shared receive
   * window of an MPTCP connection (RFC 8684 §3.3.4), which is `freeSpace()` here. Dropping the
   * remainder may show the peer a right edge below the one advertised before, by less than one
   * unit; that edge still holds for the data we accept (`rcvAdvRight`, RFC 7323 §2.4).
   */
  protected windowField(): number {
    const unit = this.rcvScale;
    if (this.hook?.receiveSpace !== undefined) {
      // A shared window (MPTCP, RFC 8684 §3.3.4) is relative to the Data ACK, not to this
      // subflow's RCV.NXT, and the layer that shares it keeps its right edge from moving left.
      // Holding this subflow's own edge would offer what other subflows' data has since filled
      // (as Linux's mptcp_set_rwin, the field is the shared window, even when that is less than
      // this subflow offered before). The subflow still accepts up to its own earlier edge.
      const field = Math.min(0xffff, Math.floor(this.freeSpace() / unit));
      this.rcvAdvRight = Math.max(this.rcvAdvRight, this.rcvNxt + field * unit);
      return field;
    }
    let right = this.rcvNxt + this.freeSpace();
    const sws = Math.min(this.cfg.recvBufferSize / 2, this.cfg.mss);
    if (right < this.rcvAdvRight + sws) right = this.rcvAdvRight;
    const field = Math.min(0xffff, Math.floor((right - this.rcvNxt) / unit));
    this.rcvAdvRight = Math.max(this.rcvAdvRight, this.rcvNxt + field * unit);
    return field;
  }
}

/** Our options followed by the hook's, without a copy when the hook added none. */
function withHookOptions(own: TcpOption[], hook: TcpOption[]): TcpOption[] {
  return hook.length === 0 ? own : own.concat(hook);
}

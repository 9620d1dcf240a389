/**
 * One TCP connection (RFC 9293) as a sans-I/O state machine over segment reprs (DESIGN.md §2).
 *
 * Three kinds of input drive it:
 * - a segment for this connection arrived: `handleSegment(seg, now)`;
 * - time passed: `handleTimeout(now)` at (or after) the time `pollTimeout()` names;
 * - the application called `send`, `recv`, `shutdown`, `close` or `abort`.
 *
 * After any input, call `pollTransmit(now)` until it returns undefined and send each segment,
 * `pollEvent()` until undefined, and re-read `pollTimeout()`. The connection never reads a clock
 * or draws random numbers: times are integer microseconds passed in, the ISN (RFC 6528) and the
 * timestamp offset come from the caller. IP addresses, checksums and demultiplexing belong to the
 * Host; this class sees only ports.
 *
 * This file holds the application interface, the timers and the input state machine: each input
 * function follows the steps of RFC 9293 §3.10.7 in order, with the RFC section on each branch,
 * in the spirit of smoltcp's socket/tcp.rs. The state lives in tcb.ts, the output path in
 * output.ts and the sender's loss recovery in recovery.ts; buffers, RTT, congestion control,
 * the SACK scoreboard and options have their own files.
 *
 * Loss recovery: RFC 6298 timeouts (Karn, backoff), RFC 5681 fast retransmit with RFC 3042
 * limited transmit, RFC 6582 NewReno without SACK, RFC 6675 with SACK (DupThresh adapting to
 * observed reordering), tail loss probes (RFC 8985 §7, with SACK), and the Eifel algorithm
 * (RFC 3522 detection by timestamps, RFC 4015 response) to undo spurious fast retransmits and
 * timeouts. With `rack` configured, RACK's time-based loss detection (RFC 8985 §6) decides
 * what is lost instead of DupThresh.
 */
import type { TcpRepr } from "../wire/tcp-types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import type { TcpConfig } from "./config.js";
import type { CongestionController } from "./congestion/controller.js";
import type { TcpEvent } from "./events.js";
import type { IncomingVerdict } from "./hook.js";
import { MAX_OPTION_BYTES, findSack, findTimestamps, readSynOffer } from "./options.js";
import type { SynOffer } from "./options.js";
import { seqSub } from "./seq.js";
import type { TcpState } from "./state.js";
import { canReceiveData, canSendData } from "./state.js";
import type { TcpOpenOptions, TcpStats } from "./tcb.js";
import { Rack } from "./rack.js";
import { TcpRecovery } from "./recovery.js";
import { segmentAcceptable } from "./acceptability.js";
import { RcvRttEstimator } from "./rcv-rtt.js";

export type { TcpOpenOptions, TcpStats } from "./tcb.js";

/** Smallest send MSS we accept from a peer: 40 bytes of options still leave 24 of data. */
const MIN_SEND_MSS = 64;

/** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
const PAWS_IDLE_LIMIT = 24 * 24 * 3600 * 1_000_000;

const EMPTY = new Uint8Array(0);

export class TcpConnection extends TcpRecovery {
  /** The receiver's RTT estimate (rcv-rtt.ts), for receive-buffer autotuning. */
  readonly rcvRtt = new RcvRttEstimator();

  private constructor(
    cfg: TcpConfig,
    localPort: number,
    remotePort: number,
    state: TcpState,
    now: number,
    opts: TcpOpenOptions,
    isnFor: ((syn: TcpRepr) => number) | undefined,
  ) {
    super(cfg, localPort, remotePort, state, now, opts, isnFor);
  }

  /**
   * Active open (RFC 9293 §3.10.1): a connection in SYN-SENT whose SYN is the first thing
   * `pollTransmit` returns. `isn` comes from the caller (RFC 6528).
   */
  static connect(
    cfg: TcpConfig,
    localPort: number,
    remotePort: number,
    isn: number,
    now: number,
    opts: TcpOpenOptions = {},
  ): TcpConnection {
    const c = new TcpConnection(cfg, localPort, remotePort, "SYN-SENT", now, opts, undefined);
    c.issValue = isn >>> 0;
    c.synPending = true;
    return c;
  }

  /**
   * Passive open (RFC 9293 §3.10.1): a connection in LISTEN that becomes SYN-RECEIVED on the
   * first SYN, drawing its ISN from `isnFor(syn)`. A Host that owns listen queues uses `accept`.
   */
  static listen(
    cfg: TcpConfig,
    localPort: number,
    isnFor: (syn: TcpRepr) => number,
    now: number,
    opts: TcpOpenOptions = {},
  ): TcpConnection {
    return new TcpConnection(cfg, localPort, 0, "LISTEN", now, opts, isnFor);
  }

  /** The passive side built from a received SYN: SYN-RECEIVED with the SYN-ACK queued. */
  static accept(
    cfg: TcpConfig,
    syn: TcpRepr,
    isn: number,
    now: number,
    opts: TcpOpenOptions = {},
  ): TcpConnection {
    const c = TcpConnection.listen(cfg, syn.dstPort, () => isn, now, opts);
    c.handleSegment(syn, now);
    return c;
  }

  get state(): TcpState {
    return this.st;
  }

  get remotePort(): number {
    return this.remotePortValue;
  }

  /** Our initial sequence number. */
  get iss(): number {
    return this.issValue;
  }

  /** The peer's initial sequence number (meaningful once its SYN arrived). */
  get irs(): number {
    return this.irsValue;
  }

  /** Bytes `send` can take now. */
  get sendCapacity(): number {
    return this.finQueued ? 0 : this.sendBuf.free;
  }

  /** Bytes written but not yet acknowledged. */
  get sendQueued(): number {
    return this.sendBuf.length;
  }

  /** Bytes that `recv` would return. */
  get recvAvailable(): number {
    return this.recvQueue.length;
  }

  /** Bytes written and never sent yet: what TCP still has to fill its window with. */
  get sendUnsent(): number {
    return Math.max(0, this.sendBuf.length - Math.max(0, this.sndMax - Math.max(this.sndUna, 1)));
  }

  /** Retransmission timeouts so far (RFC 6298 §5.5): a stalled subflow shows here first. */
  get retransmitTimeouts(): number {
    return this.counters.timeouts;
  }

  /**
   * The smoothed RTT in µs (RFC 6298), undefined before the first sample: `stats().srtt` without
   * building the whole record, for schedulers that read it per chunk.
   */
  get srtt(): number | undefined {
    return this.rtt.srtt;
  }

  /** The congestion controller (for coupled controllers and statistics). */
  get congestion(): CongestionController {
    return this.cc;
  }

  stats(): TcpStats {
    return {
      state: this.st,
      ...this.counters,
      srtt: this.rtt.srtt,
      rcvRtt: this.rcvRtt.rtt,
      rttvar: this.rtt.rttvar,
      rto: this.rtt.rto,
      cwnd: this.cc.window(),
      ssthresh: this.cc.ssthresh(),
      sndWnd: this.sndWnd,
      rcvWnd: Math.max(0, this.rcvAdvRight - this.rcvNxt),
      mss: this.sendMss,
      reordering: this.board.dupThresh,
      ...this.pacingStats(),
    };
  }

  private pacingStats(): { pacingRate?: number } {
    if (this.pacer === undefined) return {};
    const rate = this.pacingRate();
    return rate < Number.POSITIVE_INFINITY ? { pacingRate: Math.round(rate) } : {};
  }

  // ---------------------------------------------------------------------------------------------
  // Application calls (RFC 9293 §3.10.2 - §3.10.5)
  // ---------------------------------------------------------------------------------------------

  /**
   * Queues data (RFC 9293 §3.10.2 SEND) and returns how many bytes were taken, limited by the
   * send buffer. A "writable" event follows when space frees after a short write. Data may be
   * queued before the handshake completes; nothing is taken after `shutdown`. The bytes are
   * copied: the caller may reuse `data`.
   */
  send(data: Uint8Array): number {
    const open = canSendData(this.st) || this.st === "SYN-SENT" || this.st === "SYN-RECEIVED";
    if (this.finQueued || !open) return 0;
    const n = this.sendBuf.write(data);
    if (n < data.length) this.wantWritable = true;
    return n;
  }

  /** Takes up to `max` received bytes in order (RFC 9293 §3.10.3 RECEIVE), or undefined if none. */
  recv(max = Infinity): Uint8Array | undefined {
    if (this.recvQueue.length === 0 || max <= 0) return undefined;
    const out = this.recvQueue.read(max);
    this.maybeWindowUpdate();
    return out;
  }

  /**
   * Half-close (RFC 9293 §3.10.4 CLOSE as a "no more sends"): a FIN is queued after the data.
   * ESTABLISHED goes to FIN-WAIT-1 and CLOSE-WAIT to LAST-ACK; in SYN-SENT and SYN-RECEIVED the
   * FIN waits for ESTABLISHED (RFC 9293 §3.10.4 "queue for processing after entering
   * ESTABLISHED").
   */
  shutdown(): void {
    if (this.finQueued) return;
    switch (this.st) {
      case "SYN-SENT":
      case "SYN-RECEIVED":
        this.finQueued = true;
        return;
      case "ESTABLISHED":
        this.finQueued = true;
        this.st = "FIN-WAIT-1";
        return;
      case "CLOSE-WAIT":
        this.finQueued = true;
        this.st = "LAST-ACK";
        return;
      default:
        return;
    }
  }

  /**
   * Full close: no more sends and no more receives. Unread data, or data arriving later, makes
   * the connection reset instead (RFC 9293 §3.10.4 and RFC 2525 §2.17: data would be lost). In
   * LISTEN and SYN-SENT the connection is simply deleted.
   *
   * `discardLateData` is for a higher layer that has delivered everything this stream can carry
   * (an MPTCP subflow once both DATA_FINs are acknowledged, RFC 8684 §3.3.3): whatever arrives
   * later is a copy of data already delivered, so it is acknowledged and dropped, and the peer's
   * side of the stream closes with a FIN instead of a reset.
   */
  close(discardLateData = false): void {
    if (this.st === "LISTEN" || this.st === "SYN-SENT") {
      this.enterClosed(undefined);
      return;
    }
    if (this.recvQueue.length > 0 && !discardLateData) {
      this.abort();
      return;
    }
    if (this.recvQueue.length > 0) this.recvQueue.read(this.recvQueue.length);
    this.appClosed = true;
    this.discardLateData = discardLateData;
    this.shutdown();
  }

  /** RFC 9293 §3.10.5 ABORT: a RST where the peer knows us, then CLOSED. */
  abort(): void {
    switch (this.st) {
      case "SYN-RECEIVED":
      case "ESTABLISHED":
      case "FIN-WAIT-1":
      case "FIN-WAIT-2":
      case "CLOSE-WAIT":
        this.pendingRst = { seq: this.sndSeq(this.sndMax), ack: 0, flags: TCP_FLAG.RST };
        break;
      default:
        break;
    }
    if (this.st !== "CLOSED") this.enterClosed(undefined);
  }

  /** Asks for an ACK to be sent now (a higher layer has new options to carry on it). */
  requestAck(): void {
    if (this.st !== "CLOSED" && this.st !== "LISTEN" && this.st !== "SYN-SENT") this.ackNow = true;
  }

  pollEvent(): TcpEvent | undefined {
    return this.events.shift();
  }

  /** The earliest time `handleTimeout` must be called, or undefined when no timer runs. */
  pollTimeout(): number | undefined {
    return this.timers.next();
  }

  // ---------------------------------------------------------------------------------------------
  // Timers
  // ---------------------------------------------------------------------------------------------

  /** Runs every timer due at `now`. Calling it early or twice is harmless. */
  handleTimeout(now: number): void {
    this.clock = now;
    if (this.timers.expired("timeWait", now)) {
      // RFC 9293 §3.10.8: "If the time-wait timeout expires on a connection, delete the TCB".
      this.timers.clear("timeWait");
      this.enterClosed(undefined);
      return;
    }
    // The PTO runs in front of the RTO (RFC 8985 §7.2): a probe due now replaces a timeout due now.
    if (this.timers.expired("lossProbe", now)) this.onLossProbeTimeout();
    if (this.timers.expired("retransmit", now) && !this.tlp.pending) this.onRetransmitTimeout(now);
    if (this.timers.expired("reorder", now)) this.onReorderTimeout(now);
    if (this.timers.expired("persist", now)) {
      // RFC 9293 §3.8.6.1: probe the zero window, backing off like the RTO.
      this.probePending = true;
      this.persistBackoff++;
      this.timers.set("persist", now + this.persistInterval());
    }
    if (this.timers.expired("delayedAck", now)) {
      this.timers.clear("delayedAck");
      this.ackNow = true;
    }
    if (this.timers.expired("keepalive", now)) this.onKeepaliveTimeout(now);
    // Pacing lets the next data segment leave: the poll that follows sends it.
    if (this.timers.expired("pace", now)) this.timers.clear("pace");
  }

  private onKeepaliveTimeout(now: number): void {
    const ka = this.cfg.keepalive;
    if (ka === undefined || !(this.st === "ESTABLISHED" || this.st === "CLOSE-WAIT")) {
      this.timers.clear("keepalive");
      return;
    }
    if (this.keepaliveProbes >= ka.count) {
      this.timedOut();
      return;
    }
    this.keepaliveProbes++;
    this.keepalivePending = true;
    this.timers.set("keepalive", now + ka.interval);
  }

  // ---------------------------------------------------------------------------------------------
  // Segment arrival (RFC 9293 §3.10.7)
  // ---------------------------------------------------------------------------------------------

  /**
   * Processes one segment addressed to this connection (the Host demultiplexed it). The payload
   * view is kept, not copied, until the application reads it: the caller must not reuse its
   * bytes.
   */
  handleSegment(seg: TcpRepr, now: number): void {
    this.clock = now;
    if (this.st === "CLOSED") return;
    if (seg.dstPort !== this.localPort) return;
    if (this.st !== "LISTEN" && seg.srcPort !== this.remotePortValue) return;
    this.counters.segmentsReceived++;
    this.lastHeard = now;
    if (this.cfg.keepalive !== undefined && (this.st === "ESTABLISHED" || this.st === "CLOSE-WAIT")) {
      this.keepaliveProbes = 0;
      this.timers.set("keepalive", now + this.cfg.keepalive.idle);
    }
    switch (this.st) {
      case "LISTEN":
        this.onListen(seg, now);
        return;
      case "SYN-SENT":
        this.onSynSent(seg, now);
        return;
      default:
        this.onSynchronized(seg, now);
    }
  }

  /** RFC 9293 §3.10.7.2. */
  private onListen(seg: TcpRepr, now: number): void {
    const f = seg.flags;
    // "First, check for a RST": ignore it.
    if (f & TCP_FLAG.RST) return;
    // "Second, check for an ACK": nothing was sent, so any ACK is bad: <SEQ=SEG.ACK><CTL=RST>.
    if (f & TCP_FLAG.ACK) {
      this.pendingRst = { seq: seg.ack, ack: 0, flags: TCP_FLAG.RST, port: seg.srcPort };
      return;
    }
    // "Third, check for a SYN".
    if ((f & TCP_FLAG.SYN) === 0) return;
    this.remotePortValue = seg.srcPort;
    this.irsValue = seg.seq >>> 0;
    this.rcvNxt = 1;
    this.negotiate(readSynOffer(seg.options), now);
    const verdict = this.offerToHook(seg, 1, EMPTY);
    if (verdict === "drop") return;
    if (verdict === "reset") {
      this.pendingRst = { seq: 0, ack: this.rcvSeq(1), flags: TCP_FLAG.RST | TCP_FLAG.ACK };
      this.enterClosed(undefined);
      return;
    }
    this.issValue = this.isnFor!(seg) >>> 0;
    // The window of a SYN is never scaled (RFC 7323 §2.2).
    this.setSendWindow(seg.window, 0, 0);
    this.st = "SYN-RECEIVED";
    this.synPending = true;
    // Data on a SYN is not accepted (no TCP Fast Open): it is not acknowledged and the peer
    // sends it again after the handshake.
  }

  /** RFC 9293 §3.10.7.3. */
  private onSynSent(seg: TcpRepr, now: number): void {
    const f = seg.flags;
    let ackOk = false;
    // "First, check the ACK bit": acceptable if SND.UNA < SEG.ACK =< SND.NXT.
    if (f & TCP_FLAG.ACK) {
      const a = this.ackOffset(seg.ack);
      if (a <= this.sndUna || a > this.sndMax) {
        if ((f & TCP_FLAG.RST) === 0) this.pendingRst = { seq: seg.ack, ack: 0, flags: TCP_FLAG.RST };
        return;
      }
      ackOk = true;
    }
    // "Second, check the RST bit": only with an acceptable ACK (RFC 5961 §3.2 for SYN-SENT).
    if (f & TCP_FLAG.RST) {
      if (!ackOk) return;
      // The hook observes the RST (MP_TCPRST); its verdict cannot keep the connection (hook.ts).
      this.offerToHook(seg, 1, EMPTY);
      this.enterClosed("reset");
      return;
    }
    // "Fourth, check the SYN bit".
    if ((f & TCP_FLAG.SYN) === 0) return;
    this.irsValue = seg.seq >>> 0;
    this.rcvNxt = 1;
    this.negotiate(readSynOffer(seg.options), now);
    const verdict = this.offerToHook(seg, 1, EMPTY);
    if (verdict === "drop") return;
    if (verdict === "reset") {
      this.pendingRst = ackOk
        ? { seq: seg.ack, ack: 0, flags: TCP_FLAG.RST }
        : { seq: 0, ack: this.rcvSeq(1), flags: TCP_FLAG.RST | TCP_FLAG.ACK };
      this.enterClosed(undefined);
      return;
    }
    this.setSendWindow(seg.window, 0, ackOk ? this.ackOffset(seg.ack) : 0);
    if (ackOk) {
      // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED".
      this.ackSyn(seg, now);
      this.ackNow = true;
      this.established();
      // "If there are other controls or text in the segment, then continue processing at the
      // sixth step": data carried on the SYN-ACK.
      this.processText(seg, 1, now);
      return;
    }
    // Simultaneous open (RFC 9293 §3.5 Figure 8): SYN-RECEIVED, SYN-ACK with the same ISS.
    this.st = "SYN-RECEIVED";
    this.synPending = true;
    this.timers.clear("retransmit");
    this.retries = 0;
  }

  /** RFC 9293 §3.10.7.4, SYN-RECEIVED and the synchronized states. */
  private onSynchronized(seg: TcpRepr, now: number): void {
    const f = seg.flags;
    const syn = (f & TCP_FLAG.SYN) !== 0;
    const fin = (f & TCP_FLAG.FIN) !== 0;
    const rst = (f & TCP_FLAG.RST) !== 0;
    const start = this.rcvOffset(seg.seq);
    const segLen = seg.payload.length + (syn ? 1 : 0) + (fin ? 1 : 0);

    // A retransmitted SYN while our SYN-ACK is outstanding: send the SYN-ACK again.
    if (this.st === "SYN-RECEIVED" && syn && (f & TCP_FLAG.ACK) === 0 && !rst && start === 0) {
      this.synPending = true;
      return;
    }

    // RFC 7323 §5.3 R1: PAWS. RFC 7323 §3.2: a non-RST segment without timestamps is dropped
    // once they were negotiated. (The timestamps are looked up once, here, for every step.)
    const ts = this.tsOk && !rst ? findTimestamps(seg.options) : undefined;
    if (this.tsOk && !rst) {
      if (ts === undefined) return;
      if (seqSub(ts.tsVal, this.tsRecent) < 0 && now - this.tsRecentAt <= PAWS_IDLE_LIMIT) {
        this.ackNow = true;
        return;
      }
    }

    // First: the acceptability test (RFC 9293 §3.10.7.4 table).
    const wnd = Math.max(0, this.rcvAdvRight - this.rcvNxt);
    const end = start + segLen;
    let acceptable = segmentAcceptable(start, segLen, this.rcvNxt, wnd);
    // "special allowance should be made to accept valid ACKs, URGs, and RSTs" when RCV.WND is 0.
    if (!acceptable && wnd === 0 && start === this.rcvNxt) acceptable = true;
    if (!acceptable) {
      if (rst) return;
      // RFC 2883 §4: report a duplicate segment in a D-SACK block.
      if (this.sackOk && seg.payload.length > 0 && end <= this.rcvNxt) {
        const ds = start + (syn ? 1 : 0);
        this.reasm.noteDuplicate(ds, ds + seg.payload.length);
      }
      // TIME-WAIT: a retransmitted FIN restarts the 2 MSL timeout (RFC 9293 §3.10.7.4 eighth).
      if (this.st === "TIME-WAIT" && fin) this.timers.set("timeWait", now + 2 * this.cfg.msl);
      this.ackNow = true;
      return;
    }

    // Second: RST (RFC 5961 §3.2): exact match resets, in-window gets a challenge ACK.
    if (rst) {
      if (start !== this.rcvNxt) {
        this.challengeAck(now);
        return;
      }
      // The hook observes the RST (MP_TCPRST, MP_FASTCLOSE); its verdict cannot keep the
      // connection (hook.ts).
      this.offerToHook(seg, this.rcvNxt, EMPTY);
      switch (this.st) {
        case "SYN-RECEIVED":
        case "ESTABLISHED":
        case "FIN-WAIT-1":
        case "FIN-WAIT-2":
        case "CLOSE-WAIT":
          this.enterClosed("reset");
          return;
        default:
          // CLOSING, LAST-ACK, TIME-WAIT: "enter the CLOSED state, delete the TCB, and return".
          this.enterClosed(undefined);
          return;
      }
    }

    // Fourth: SYN in a synchronized state (RFC 5961 §4.2: challenge ACK, drop).
    if (syn) {
      this.challengeAck(now);
      return;
    }

    // Fifth: "if the ACK bit is off, drop the segment and return".
    if ((f & TCP_FLAG.ACK) === 0) return;
    const ack = this.ackOffset(seg.ack);
    // RFC 5961 §5.2: acceptable ACKs are in [SND.UNA - MAX.SND.WND, SND.NXT].
    if (ack > this.sndMax || ack < this.sndUna - this.maxSndWnd) {
      if (this.st === "SYN-RECEIVED") this.pendingRst = { seq: seg.ack, ack: 0, flags: TCP_FLAG.RST };
      else this.ackNow = true;
      return;
    }

    // RFC 7323 §4.3: TS.Recent follows the segment the next ACK acknowledges. (A RST returned
    // above, so with timestamps on, `ts` is the segment's.)
    if (ts !== undefined) {
      if (seqSub(ts.tsVal, this.tsRecent) >= 0 && start <= this.lastAckSent) {
        this.tsRecent = ts.tsVal;
        this.tsRecentAt = now;
      }
    }

    // The in-window part of the payload, for the hook and for the seventh step.
    const dataStart = start;
    const lo = Math.max(dataStart, this.rcvNxt);
    const hi = Math.min(dataStart + seg.payload.length, this.rcvAdvRight);
    const receiving = canReceiveData(this.st) || this.st === "SYN-RECEIVED";
    const whole = lo === dataStart && hi === dataStart + seg.payload.length;
    const piece = !receiving || hi <= lo ? EMPTY : whole ? seg.payload : seg.payload.subarray(lo - dataStart, hi - dataStart);
    const verdict = this.offerToHook(seg, piece.length > 0 ? lo : this.rcvNxt, piece);
    if (verdict === "drop") return;
    if (verdict === "reset") {
      this.abort();
      return;
    }

    if (this.st === "SYN-RECEIVED") {
      // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing".
      if (ack <= this.sndUna) {
        this.pendingRst = { seq: seg.ack, ack: 0, flags: TCP_FLAG.RST };
        return;
      }
      this.ackSyn(seg, now);
      this.setSendWindow(seg.window * this.sndScale, start, ack);
      this.established();
    }

    this.processAck(seg, ack, start, now);
    if ((this.st as TcpState) === "CLOSED") return;

    // Sixth: URG is not supported (RFC 6093 §5: new applications should not use it); the
    // urgent data is delivered in-band.

    // Seventh: segment text.
    if (canReceiveData(this.st) && seg.payload.length > 0) {
      // RFC 2883 §4: the part below RCV.NXT is a duplicate.
      if (this.sackOk && dataStart < lo) {
        this.reasm.noteDuplicate(dataStart, Math.min(lo, dataStart + seg.payload.length));
      }
      if (this.appClosed && hi > lo && !this.discardLateData) {
        // The application will never read this: reset (RFC 2525 §2.17, Linux TCPAbortOnData).
        this.abort();
        return;
      }
      const queueEmpty = this.recvQueue.length === 0;
      this.acceptData(lo, hi, piece, verdict === "consume" || this.appClosed);
      if (hi > lo) {
        const tsEcr = ts?.tsEcr;
        const echoAge = tsEcr === undefined ? 0 : this.tsSample(tsEcr, now);
        const fullSized = hi - lo + MAX_OPTION_BYTES >= this.rcvMss;
        this.rcvRtt.onData({ now, rcvNxt: this.rcvNxt, rcvRight: this.rcvAdvRight, fullSized, queueEmpty, tsEcr, echoAge });
      }
      // Part of the segment lay beyond the window: tell the peer where the window ends.
      if (dataStart + seg.payload.length > hi) this.ackNow = true;
    } else if (seg.payload.length > 0) {
      this.ackNow = true;
    }

    // Eighth: FIN.
    if (fin) {
      const finAt = dataStart + seg.payload.length;
      if (finAt <= this.rcvAdvRight && canReceiveData(this.st)) this.peerFin = finAt;
      else this.ackNow = true;
    }
    this.consumeFin(now);
  }

  /** Our SYN was acknowledged: the handshake RTT sample and the negotiated MSS. */
  private ackSyn(seg: TcpRepr, now: number): void {
    this.sndUna = 1;
    if (this.sndNxt < 1) this.sndNxt = 1;
    this.timers.clear("retransmit");
    const ts = this.tsOk ? findTimestamps(seg.options) : undefined;
    if (ts !== undefined && ts.tsEcr !== 0) this.rtt.sample(this.tsSample(ts.tsEcr, now));
    else if (this.timed !== undefined) this.rtt.sample(now - this.timed.at);
    if (this.retries > 0) this.rtt.afterSynTimeout();
    this.timed = undefined;
    this.retries = 0;
  }

  private established(): void {
    this.st = "ESTABLISHED";
    this.events.push({ type: "connected" });
    if (this.finQueued) this.st = "FIN-WAIT-1";
    if (this.cfg.keepalive !== undefined) this.timers.set("keepalive", this.clock + this.cfg.keepalive.idle);
  }

  /**
   * Retransmissions of this recovery that data sent after them overtook were lost too
   * (Scoreboard.detectLostRetransmissions): they go again, and the window is lowered a second
   * time (RFC 5681 §4.3: "the loss of a retransmission, should be taken as two indications of
   * congestion"; RFC 8985 §9.3). The controller takes losses of data sent before its last
   * response as part of that response, so one round of lost retransmissions lowers it once.
   */
  private lostRetransmissions(sndUna: number, now: number): void {
    const sentAt = this.board.detectLostRetransmissions(sndUna, this.dataMss());
    if (sentAt === undefined) return;
    this.counters.lostRetransmissions++;
    const pipe = this.board.pipe(sndUna, this.sndMax, this.dataMss());
    this.cc.onCongestionEvent(now, sentAt, false, Math.min(pipe, this.cc.window()));
  }

  /** What the ACK being processed delivered for the first time, with RACK (reused per ACK). */
  private readonly rackDelivered: Array<[number, number]> = [];

  /** Appends to `out` the parts of SACK `blocks` above `floor` not SACKed before. */
  private newlySackedInto(out: Array<[number, number]>, blocks: ReadonlyArray<[number, number]>, floor: number): void {
    for (const [s, e] of blocks) {
      if (e <= s || s < floor || e > this.sndMax) continue;
      out.push(...this.board.sacked.gaps(s, e));
    }
  }

  /** RFC 9293 §3.10.7.4 fifth step for ESTABLISHED and later states. */
  private processAck(seg: TcpRepr, ack: number, start: number, now: number): void {
    const sackBlocks = this.sackOk ? findSack(seg.options) : undefined;
    const fackBefore = this.board.sacked.max;
    let newlySacked = 0;
    let dsack: [number, number] | undefined;
    // With RACK, the octets this ACK delivers for the first time (RFC 8985 §6.2 step 2).
    const delivered = this.rack !== undefined ? this.rackDelivered : undefined;
    if (delivered !== undefined) delivered.length = 0;
    if (sackBlocks !== undefined) {
      const blocks = sackBlocks.map(([l, r]): [number, number] => [this.ackOffset(l), this.ackOffset(r)]);
      if (delivered !== undefined) this.newlySackedInto(delivered, blocks, Math.max(ack, this.sndUna));
      newlySacked = this.board.update(blocks, Math.max(ack, this.sndUna), this.sndMax);
      if (this.inRecovery && newlySacked > 0 && delivered === undefined) this.lostRetransmissions(Math.max(ack, this.sndUna), now);
      // RFC 2883 §4: a first block below the cumulative ACK, or inside the second block (data
      // the receiver held already, above a hole: Linux reports those too), reports a duplicate.
      const [first, second] = blocks;
      if (first !== undefined && (first[1] <= ack || (second !== undefined && first[0] >= second[0] && first[1] <= second[1]))) dsack = first;
    }
    // Octets the cumulative ACK covers that were not SACKed before.
    if (delivered !== undefined && ack > this.sndUna && ack <= this.sndMax) {
      if (this.board.sacked.isEmpty) delivered.push([this.sndUna, ack]);
      else delivered.push(...this.board.sacked.gaps(this.sndUna, ack));
    }
    const wasInRecovery = this.inRecovery;
    const windowBefore = this.sndWnd;
    const flightBefore = this.sndMax - this.sndUna;

    // RFC 8985 §7.4, before the PTO is restarted for this ACK.
    const sack = sackBlocks !== undefined && sackBlocks.length > 0;
    const duplicate = ack === this.sndUna && seg.payload.length === 0;
    this.onLossProbeAck({ ack, duplicate, sack, dsack }, now);
    // SACKed data (a known hole) leaves loss detection to recovery (RFC 8985 §7.2).
    if (newlySacked > 0 && !this.lossProbeAllowed()) this.timers.clear("lossProbe");

    if (ack > this.sndUna) {
      this.onNewAck(seg, ack, flightBefore, fackBefore, now);
    } else if (ack === this.sndUna && flightBefore > 0) {
      // RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT, or RFC 6675 §2 DupAck (new SACK information).
      const f = seg.flags;
      const classic =
        seg.payload.length === 0 &&
        (f & (TCP_FLAG.SYN | TCP_FLAG.FIN)) === 0 &&
        seg.window * this.sndScale === windowBefore;
      if (this.sackOk ? newlySacked > 0 : classic) this.onDupAck(now);
    }
    if (delivered !== undefined && (this.st as TcpState) !== "CLOSED") {
      const ts = this.tsOk ? findTimestamps(seg.options) : undefined;
      this.rackAfterAck(delivered, ts?.tsEcr, dsack !== undefined, wasInRecovery, now);
    }

    // RFC 9293 §3.10.7.4: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK),
    // set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
    if (ack >= this.sndUna && (this.sndWl1 < start || (this.sndWl1 === start && this.sndWl2 <= ack))) {
      this.setSendWindow(seg.window * this.sndScale, start, ack);
      // A closed window dropped whatever we sent into it (probes after a timeout): send again
      // from SND.UNA now that it opened, as BSD does.
      if (windowBefore === 0 && this.sndWnd > 0 && !this.inRecovery) this.sndNxt = this.sndUna;
    }

    const finAcked = this.finQueued && this.sndUna === this.finOffset() + 1;
    switch (this.st) {
      case "FIN-WAIT-1":
        if (finAcked) this.st = "FIN-WAIT-2";
        break;
      case "CLOSING":
        if (finAcked) this.enterTimeWait(now);
        break;
      case "LAST-ACK":
        if (finAcked) this.enterClosed(undefined);
        break;
      default:
        break;
    }
  }

  /** The seventh step for in-window data `[lo, hi)` (receive offsets). */
  private acceptData(lo: number, hi: number, piece: Uint8Array, consumed: boolean): void {
    if (hi <= lo) {
      // Entirely old or beyond the window: acknowledge so the peer learns where we are.
      this.ackNow = true;
      return;
    }
    this.rcvMss = Math.max(this.rcvMss, hi - lo);
    if (lo > this.rcvNxt) {
      // Out of order: hold it and acknowledge at once (RFC 5681 §4.2, RFC 9293 §3.10.7.4).
      const r = this.reasm.insert(lo, hi - lo, consumed ? undefined : piece);
      if (r.duplicate && this.sackOk) this.reasm.noteDuplicate(lo, hi);
      this.ackNow = true;
      return;
    }
    const hadHoles = !this.reasm.isEmpty;
    const before = this.rcvNxt;
    this.deliver(piece, consumed);
    this.rcvNxt = hi;
    if (hadHoles) {
      for (const p of this.reasm.pop(this.rcvNxt)) {
        if (p.data !== undefined) this.deliver(p.data, false);
        this.rcvNxt = p.end;
      }
      this.counters.bytesReceived += this.rcvNxt - before;
      // RFC 5681 §4.2: a segment that fills (part of) a gap is acknowledged immediately.
      this.ackNow = true;
      return;
    }
    this.counters.bytesReceived += hi - before;
    // RFC 5681 §4.2 / RFC 9293 §3.8.6.3: ACK at least every second full-sized segment. The
    // sender's payload per full segment shrinks by whatever options that segment carries (SACK
    // blocks, an MPTCP DSS of 4 to 28 bytes), so a segment within the option space (40 bytes,
    // RFC 9293 §3.1) of the largest seen is full-sized; otherwise a larger option would leave
    // only the delayed-ACK timer to acknowledge a bulk transfer.
    if (hi - lo + MAX_OPTION_BYTES >= this.rcvMss) this.unackedSegments++;
    if (this.unackedSegments >= this.cfg.ackEvery) this.ackNow = true;
    else this.timers.setIfIdle("delayedAck", this.clock + this.cfg.delayedAck);
  }

  private deliver(data: Uint8Array, consumed: boolean): void {
    if (consumed || data.length === 0) return;
    if (this.recvQueue.length === 0) this.events.push({ type: "readable" });
    this.recvQueue.push(data);
  }

  /** The eighth step: the FIN is processed once everything before it arrived. */
  private consumeFin(now: number): void {
    if (this.peerFin === undefined || this.rcvNxt !== this.peerFin) return;
    this.peerFin = undefined;
    this.rcvNxt++;
    this.ackNow = true;
    this.events.push({ type: "peer-closed" });
    switch (this.st) {
      case "SYN-RECEIVED":
      case "ESTABLISHED":
        this.st = "CLOSE-WAIT";
        break;
      case "FIN-WAIT-1":
        // Our FIN not yet acknowledged (it would have moved us to FIN-WAIT-2): CLOSING.
        this.st = "CLOSING";
        break;
      case "FIN-WAIT-2":
        this.enterTimeWait(now);
        break;
      default:
        break;
    }
  }

  /** Text on a SYN-ACK (RFC 9293 §3.10.7.3 "continue processing at the sixth step"). */
  private processText(seg: TcpRepr, dataStart: number, now: number): void {
    if (seg.payload.length > 0) {
      const hi = Math.min(dataStart + seg.payload.length, this.rcvAdvRight);
      if (hi > dataStart) this.acceptData(dataStart, hi, seg.payload.subarray(0, hi - dataStart), false);
    }
    if (seg.flags & TCP_FLAG.FIN) {
      this.peerFin = dataStart + seg.payload.length;
      this.consumeFin(now);
    }
  }

  private enterTimeWait(now: number): void {
    this.st = "TIME-WAIT";
    this.timers.clearAll();
    this.timers.set("timeWait", now + 2 * this.cfg.msl);
  }

  private challengeAck(now: number): void {
    // RFC 5961 §7: a per-second budget of challenge ACKs.
    if (now - this.challengeWindow >= 1_000_000) {
      this.challengeWindow = now;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.cfg.challengeAckLimit) return;
    this.challengeCount++;
    this.counters.challengeAcks++;
    this.ackNow = true;
  }

  /** Offers a segment to the hook; `offset` is the receive offset of `payload[0]`. */
  private offerToHook(seg: TcpRepr, offset: number, payload: Uint8Array): IncomingVerdict {
    if (this.hook === undefined) return "accept";
    const f = seg.flags;
    // RFC 7323 §2.2: the window of a SYN or SYN-ACK is never scaled.
    const window = f & TCP_FLAG.SYN ? seg.window : seg.window * this.sndScale;
    let ackOffset: number | undefined;
    if ((f & (TCP_FLAG.ACK | TCP_FLAG.RST)) === TCP_FLAG.ACK) {
      const ack = this.ackOffset(seg.ack);
      // Send offset 1 is the first data byte; one past the data is our FIN.
      if (ack >= 1) ackOffset = Math.min(ack, 1 + this.sendBuf.end) - 1;
    }
    return this.hook.incoming({ seg, state: this.st, offset: offset - 1, payload, window, ackOffset });
  }

  /** Applies the options of the peer's SYN or SYN-ACK. */
  private negotiate(offer: SynOffer, now: number): void {
    // Active side: only what we offered and the peer echoed. Passive side: what the peer
    // offered and we allow (RFC 7323 §2.2, §3.2; RFC 2018 §2).
    const weOfferedTs = this.cfg.timestamps;
    this.tsOk = weOfferedTs && offer.timestamps !== undefined;
    if (this.tsOk) {
      this.tsRecent = offer.timestamps!.tsVal;
      this.tsRecentAt = now;
    }
    this.sackOk = this.cfg.sack && offer.sackPermitted;
    // RFC 8985 §2: RACK needs SACK to know which segments were delivered.
    this.rack = this.sackOk && this.cfg.rack ? new Rack() : undefined;
    this.board.rack = this.rack !== undefined;
    this.wsOk = this.cfg.windowScaling && offer.wscale !== undefined;
    if (this.wsOk) {
      // RFC 7323 §2.3: a shift above 14 is used as 14.
      this.sndScale = 2 ** Math.min(offer.wscale!, 14);
      this.rcvScale = 2 ** this.ourShift;
    } else {
      this.sndScale = 1;
      this.rcvScale = 1;
    }
    this.peerMss = offer.mss ?? this.cfg.defaultPeerMss;
    // A tiny or zero MSS would leave no room for data beside 40 bytes of options: clamp it
    // (Linux clamps to TCP_MIN_SND_MSS for the same reason).
    this.sendMss = Math.max(MIN_SEND_MSS, Math.min(this.cfg.mss, this.peerMss));
    this.cc.setMss(this.dataMss());
    this.rcvAdvRight = 1 + Math.min(this.freeSpace(), 0xffff);
    this.lastAckSent = 1;
  }

}

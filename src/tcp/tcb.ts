/**
 * The transmission control block (RFC 9293 §3.3.1): every variable of one connection, and the
 * small conversions and computations the input and output paths share.
 *
 * Positions are offsets from the ISNs (send side: 0 is our SYN, 1 our first data byte; receive
 * side likewise from IRS), exact up to 2^53, so ordinary comparisons are correct; wire sequence
 * numbers are derived at the edge (DESIGN.md §3).
 *
 * The connection is four classes in a chain, one job each: `Tcb` (state), `TcpOutput`
 * (output.ts: what to send), `TcpRecovery` (recovery.ts: what ACKs and timeouts do to the
 * sender) and `TcpConnection` (connection.ts: the application interface, timers and the
 * RFC 9293 §3.10.7 input state machine).
 */
import type { TcpRepr } from "../wire/tcp-types.js";
import type { TcpConfig } from "./config.js";
import { windowShiftFor } from "./config.js";
import type { CongestionController, RttSnapshot } from "./congestion/controller.js";
import type { TcpEvent } from "./events.js";
import type { TcpHook } from "./hook.js";
import { TS_OPTION_BYTES } from "./options.js";
import { Reassembly } from "./reassembly.js";
import { RecvQueue } from "./recv-queue.js";
import { RttEstimator } from "./rtt.js";
import { Rack } from "./rack.js";
import { Scoreboard } from "./scoreboard.js";
import { SendBuffer } from "./send-buffer.js";
import { SentLog } from "./sent-log.js";
import { seqAdd, seqSub } from "./seq.js";
import type { TcpState } from "./state.js";
import { canReceiveData } from "./state.js";
import { Timers } from "./timers.js";
import { Pacer } from "./pacing.js";
import { TailLossProbe } from "./tlp.js";

/** Extra inputs when opening a connection. */
export interface TcpOpenOptions {
  /** The higher layer riding on this connection (MPTCP), see hook.ts. */
  hook?: TcpHook;
  /**
   * Offset added to the millisecond timestamp clock (RFC 7323 §5.4 recommends a random
   * per-connection offset); from the injected random generator.
   */
  tsOffset?: number;
  /**
   * The caller is done with the payload of each segment `pollTransmit` returns before the peer
   * can acknowledge it (the Host serialises every segment at once), so acknowledged send-buffer
   * memory may be written again (send-buffer.ts). Off by default: payload views then stay valid,
   * as a caller handing segments straight to another TcpConnection (the tests' pairs) needs.
   */
  transientPayloads?: boolean;
}

/** Per-connection statistics (issue "[tcp-sim]" item 2). */
export interface TcpStats {
  state: TcpState;
  bytesSent: number;
  bytesReceived: number;
  segmentsSent: number;
  segmentsReceived: number;
  retransmissions: number;
  retransmittedBytes: number;
  fastRetransmits: number;
  timeouts: number;
  challengeAcks: number;
  srtt: number | undefined;
  /**
   * The receiver's RTT estimate from the data it gets (rcv-rtt.ts), µs: a real RTT for the
   * receiver of a download, whose `srtt` has only its ACKs' few samples. Undefined before any.
   */
  rcvRtt: number | undefined;
  rttvar: number;
  rto: number;
  cwnd: number;
  ssthresh: number;
  sndWnd: number;
  rcvWnd: number;
  mss: number;
  /** Congestion responses undone as spurious (RFC 3522 / RFC 4015). */
  spuriousRecoveries: number;
  /** DupThresh in segments: 3, or more once the path showed reordering. */
  reordering: number;
  /** Tail loss probes sent (RFC 8985 §7.3; Linux TCPLossProbes). */
  lossProbes: number;
  /** Losses a probe repaired, answered by a congestion response (§7.4; TCPLossProbeRecovery). */
  lossProbeRecoveries: number;
  /** Retransmissions found lost in recovery and sent again before any timeout (TCPLostRetransmit). */
  lostRetransmissions: number;
  /** Times RACK's reordering timer expired and found data lost (RFC 8985 §6.2 step 5). */
  reorderTimeouts: number;
  /**
   * The pacing rate in bytes per second (pacing.ts; Linux `ss -i` pacing_rate), present only when
   * the connection paces and has an RTT to pace by.
   */
  pacingRate?: number;
}

export class Tcb {
  protected st: TcpState;
  protected readonly cfg: TcpConfig;
  protected readonly hook: TcpHook | undefined;
  readonly localPort: number;
  protected remotePortValue: number;
  protected readonly isnFor: ((syn: TcpRepr) => number) | undefined;
  protected readonly tsOffset: number;

  // Send sequence space (RFC 9293 §3.3.1), as offsets from ISS.
  protected issValue = 0;
  protected sndUna = 0;
  protected sndNxt = 0;
  /** One past the highest offset ever sent (RFC 9293's SND.NXT when sndNxt was rewound). */
  protected sndMax = 0;
  protected sndWnd = 0;
  protected maxSndWnd = 0;
  /** SND.WL1 (receive offset) and SND.WL2 (send offset) of the last window update. */
  protected sndWl1 = 0;
  protected sndWl2 = 0;
  /** 2^Snd.Wind.Shift (RFC 7323 §2.3): SND.WND = SEG.WND * sndScale. */
  protected sndScale = 1;
  protected readonly sendBuf: SendBuffer;
  protected finQueued = false;
  protected wantWritable = false;

  // Receive sequence space, as offsets from IRS.
  protected irsValue = 0;
  protected rcvNxt = 0;
  /** 2^Rcv.Wind.Shift (RFC 7323 §2.3): the unit of the window field we send. */
  protected rcvScale = 1;
  /** Right edge of the window we last advertised (RFC 9293 §3.8.6.2.2: never moves left). */
  protected rcvAdvRight = 0;
  protected readonly recvQueue = new RecvQueue();
  protected readonly reasm = new Reassembly();
  /** Receive offset of the peer's FIN once seen (it may arrive before the data before it). */
  protected peerFin: number | undefined;
  protected appClosed = false;
  /** After `close(true)`: data arriving later is acknowledged and dropped, not answered by a RST. */
  protected discardLateData = false;
  /** Largest payload seen, RCV.MSS for the ACK-every-2-segments rule (RFC 5681 §4.2). */
  protected rcvMss = 0;

  // Negotiated options.
  protected readonly ourShift: number;
  protected peerMss: number;
  protected sendMss: number;
  protected sackOk = false;
  protected tsOk = false;
  protected wsOk = false;
  protected tsRecent = 0;
  protected tsRecentAt = 0;
  /** Receive offset of the last ACK we sent (RFC 7323 §4.3 Last.ACK.sent). */
  protected lastAckSent = 0;

  // Loss recovery.
  protected readonly rtt: RttEstimator;
  protected readonly cc: CongestionController;
  protected readonly board = new Scoreboard();
  protected dupAcks = 0;
  protected inRecovery = false;
  /** RFC 6582 `recover` / RFC 6675 RecoveryPoint, as a send offset. */
  protected recoverPoint = 0;
  /** RFC 6582 cwnd inflation and deflation during NewReno fast recovery. */
  protected inflation = 0;
  protected retransmitHead = false;
  /**
   * Eifel detection state (RFC 3522): "armed" when a loss episode began and its first
   * retransmission is still to go out, then that retransmission's send offset and TSval.
   */
  protected undo: { head: number; tsVal: number } | "armed" | undefined;
  /** The segment timed for RTT when timestamps are off (RFC 6298 §3, Karn). */
  protected timed: { end: number; at: number } | undefined;
  /**
   * The TSval of the last copy of the octet at SND.UNA sent again, until it is acknowledged: an
   * echo older than that is of an earlier copy and times nothing (`onNewAck`).
   */
  protected headResentTsVal: number | undefined;
  protected readonly sent = new SentLog();
  /** The tail loss probe's episode (RFC 8985 §7); its timer is `lossProbe`. */
  protected readonly tlp = new TailLossProbe();
  /** RACK (RFC 8985 §6), when configured and SACK was agreed; its timer is `reorder`. */
  protected rack: Rack | undefined = undefined;
  /** Pacing (pacing.ts), when configured; its timer is `pace`. */
  protected readonly pacer: Pacer | undefined;
  /** Consecutive retransmission timeouts without progress (RFC 9293 §3.8.3 R2). */
  protected retries = 0;
  /** When the peer last sent anything. */
  protected lastHeard = 0;
  protected persistBackoff = 0;
  protected keepaliveProbes = 0;

  // Pending output.
  protected synPending = false;
  protected ackNow = false;
  protected unackedSegments = 0;
  protected probePending = false;
  protected keepalivePending = false;
  protected pendingRst: { seq: number; ack: number; flags: number; port?: number } | undefined;
  protected challengeWindow = 0;
  protected challengeCount = 0;

  protected readonly timers = new Timers();
  /** The `now` of the current input, for helpers that arm timers or stamp timestamps. */
  protected clock = 0;
  protected readonly events: TcpEvent[] = [];
  protected readonly counters = {
    bytesSent: 0,
    bytesReceived: 0,
    segmentsSent: 0,
    segmentsReceived: 0,
    retransmissions: 0,
    retransmittedBytes: 0,
    fastRetransmits: 0,
    timeouts: 0,
    challengeAcks: 0,
    spuriousRecoveries: 0,
    lossProbes: 0,
    lossProbeRecoveries: 0,
    lostRetransmissions: 0,
    reorderTimeouts: 0,
  };

  protected constructor(
    cfg: TcpConfig,
    localPort: number,
    remotePort: number,
    state: TcpState,
    now: number,
    opts: TcpOpenOptions,
    isnFor: ((syn: TcpRepr) => number) | undefined,
  ) {
    this.cfg = cfg;
    this.localPort = localPort;
    this.remotePortValue = remotePort;
    this.st = state;
    this.hook = opts.hook;
    this.tsOffset = opts.tsOffset ?? 0;
    this.isnFor = isnFor;
    this.sendBuf = new SendBuffer(cfg.sendBufferSize, opts.transientPayloads ?? false);
    this.ourShift = cfg.windowScaling ? windowShiftFor(cfg.recvBufferSize) : 0;
    this.peerMss = cfg.defaultPeerMss;
    this.sendMss = Math.min(cfg.mss, cfg.defaultPeerMss);
    this.rtt = new RttEstimator({
      initialRto: cfg.initialRto,
      minRto: cfg.minRto,
      maxRto: cfg.maxRto,
      granularity: 1000,
    });
    this.cc = (this.hook?.congestion ?? cfg.congestion)({ mss: this.sendMss, initialWindow: cfg.initialCwnd, now });
    this.pacer = cfg.pacing ? new Pacer(cfg.pacingSsRatio, cfg.pacingCaRatio, cfg.pacingSlack) : undefined;
  }

  /** Enters CLOSED: nothing more will be sent; `closed` is the last event. */
  protected enterClosed(why: "reset" | undefined): void {
    this.st = "CLOSED";
    this.timers.clearAll();
    // A coupled controller leaves its group: a closed subflow no longer counts for its siblings.
    this.cc.close?.();
    this.synPending = false;
    this.ackNow = false;
    this.probePending = false;
    this.keepalivePending = false;
    this.tlp.reset();
    if (why !== undefined) this.events.push({ type: why });
    this.events.push({ type: "closed" });
  }

  /** Sets SND.WND (in bytes, already scaled), SND.WL1 and SND.WL2. */
  protected setSendWindow(bytes: number, wl1: number, wl2: number): void {
    this.sndWl1 = wl1;
    this.sndWl2 = wl2;
    this.sndWnd = bytes;
    if (bytes > this.maxSndWnd) this.maxSndWnd = bytes;
    if (bytes > 0) {
      // The window opened: stop probing (RFC 9293 §3.8.6.1).
      this.timers.clear("persist");
      this.persistBackoff = 0;
      this.probePending = false;
    }
  }

  /** After the application read: announce a window that grew a lot (RFC 9293 §3.8.6.2.2). */
  protected maybeWindowUpdate(): void {
    if (!canReceiveData(this.st)) return;
    const current = Math.max(0, this.rcvAdvRight - this.rcvNxt);
    const possible = this.freeSpace();
    const worthIt = Math.min(this.cfg.recvBufferSize / 2, 2 * this.cfg.mss);
    if (possible - current >= worthIt && possible >= 2 * current) this.ackNow = true;
  }

  /** Receive-buffer space not taken by unread data. */
  protected freeSpace(): number {
    const own = Math.max(0, this.cfg.recvBufferSize - this.recvQueue.length);
    const shared = this.hook?.receiveSpace?.();
    return shared === undefined ? own : Math.max(0, Math.min(own, shared));
  }

  /** NewReno-inflated (RFC 6582) or limited-transmit (RFC 3042) congestion window. */
  protected effectiveCwnd(): number {
    const cwnd = this.cc.window();
    if (this.inRecovery) return Math.max(this.dataMss(), cwnd + this.inflation);
    // RFC 3042: the first two duplicate ACKs each allow one new segment.
    // While DupThresh is raised by reordering, every duplicate below it does (RFC 4653 §3.1).
    if (this.dupAcks > 0 && this.dupAcks < this.board.dupThresh) return cwnd + this.dupAcks * this.dataMss();
    return cwnd;
  }

  /** SMSS as data per full segment: MSS minus the options every segment carries. */
  protected dataMss(): number {
    return Math.max(1, this.sendMss - (this.tsOk ? TS_OPTION_BYTES : 0));
  }

  /** When the oldest data in flight was sent (`now` when nothing is). */
  protected sentTimeOfUna(now: number): number {
    return this.sent.oldest() ?? now;
  }

  protected rttSnapshot(): RttSnapshot {
    return { srtt: this.rtt.srtt, latest: this.rtt.latest, min: this.rtt.min };
  }

  protected finOffset(): number {
    return 1 + this.sendBuf.end;
  }

  // Timestamps (RFC 7323 §3): a millisecond clock from `now`, offset per connection.
  protected tsPair(now: number): { tsVal: number; tsEcr: number } {
    return { tsVal: this.tsVal(now), tsEcr: this.tsOk ? this.tsRecent : 0 };
  }

  protected tsVal(now: number): number {
    return (this.tsOffset + Math.floor(now / 1000)) >>> 0;
  }

  /** RTT from an echoed TSval: between the true RTT and one clock tick more. */
  protected tsSample(tsEcr: number, now: number): number {
    const nowMs = Math.floor(now / 1000);
    const ageMs = ((this.tsOffset + nowMs - tsEcr) >>> 0) | 0;
    return now - (nowMs - Math.max(0, ageMs)) * 1000;
  }

  protected sndSeq(off: number): number {
    return (this.issValue + off) >>> 0;
  }

  protected rcvSeq(off: number): number {
    return (this.irsValue + off) >>> 0;
  }

  /** The send offset of a wire ACK number, nearest to SND.UNA. */
  protected ackOffset(ack: number): number {
    return this.sndUna + seqSub(ack, this.sndSeq(this.sndUna));
  }

  /** The receive offset of a wire sequence number, nearest to RCV.NXT. */
  protected rcvOffset(seq: number): number {
    return this.rcvNxt + seqSub(seq, seqAdd(this.irsValue, this.rcvNxt));
  }
}

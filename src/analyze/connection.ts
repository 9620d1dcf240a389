/**
 * The state of one MPTCP connection as seen in one capture: keys and tokens (RFC 8684 §3.1), the
 * subflows, and per direction the data sequence space (§3.3): which subflows carried which DSNs
 * (for reinjections), the receiver's in-order delivery (for reordering delay), Data ACKs and
 * DATA_FIN, goodput bins. Directions are the connection's: `c2s` is from the host that sent the
 * MP_CAPABLE SYN.
 */
import { keyDerive } from "../crypto/keys.js";
import type { MptcpVersion } from "../crypto/hmac.js";
import { RangeMask } from "./range-mask.js";
import { DataReorder } from "./reorder.js";
import { dsnOffset64, unwrap32 } from "./seq.js";
import { MinMaxSeries, TimeBins } from "./series.js";
import type { Subflow } from "./subflow.js";
import type { Anomaly, AnomalyType, Dir, DirPair, SignalEvent } from "./types.js";

/** Data segments between two prunes of the carried-by map (see ConnDir.prune). */
const PRUNE_EVERY = 1024;
/** Ranges the carried-by map may hold when Data ACKs do not bound it (not captured, or v0 peers that send few). */
const MAX_CARRIED_RANGES = 1 << 16;
/** Events of one kind kept per connection; the rest are only counted. */
const MAX_EVENTS_PER_TYPE = 200;

export interface AnalyzeOptions {
  /**
   * Width of goodput bins, seconds; undefined: chosen from the trace's length (at most 500 bins).
   * A given width may make at most MAX_FIXED_BINS bins per subflow direction, else the analysis
   * stops with TooManyBinsError.
   */
  binSeconds: number | undefined;
  /** Points kept per plotted series (about twice this many). */
  maxPlotPoints: number;
}

export const DEFAULT_OPTIONS: AnalyzeOptions = { binSeconds: undefined, maxPlotPoints: 2000 };

/** Goodput bins: the starting width and the most bins kept when the width is automatic. */
const AUTO_BIN_START = 0.001;
const AUTO_MAX_BINS = 500;
/**
 * The most bins a width given by the user may make per subflow direction: every bin between the
 * first and the last is written out (CSV, JSON, the report's plot), so a tiny width over a long
 * connection would exhaust memory. A day in 1 s bins fits.
 */
export const MAX_FIXED_BINS = 100_000;

export class ConnDir {
  /** The sender's IDSN, once its key is known. */
  idsn: bigint | undefined;
  /** What relative DSNs are counted from: the IDSN, or a stand-in when the key was never seen. */
  base: bigint | undefined;
  private lastDsn = 0;
  private lastAck = 0;
  readonly carried = new RangeMask();
  readonly reorder = new DataReorder(1);
  uniqueBytes = 0;
  reinjectedBytes = 0;
  reinjectedSegments = 0;
  dataAck: number | undefined;
  dataFin = false;
  /** A DSS mapping (or MP_CAPABLE with data) was seen in this direction. */
  dssSeen = false;
  private sinceprune = 0;
  private pruneMark: number | undefined;
  ackSeries: MinMaxSeries | undefined;

  /** Relative DSN of a wire DSN (64-bit, or 32-bit expanded against the last one, §3.3.1). */
  relDsn(dsn: bigint, is64: boolean): number {
    if (this.base === undefined) this.base = dsn - 1n;
    let rel: number;
    if (is64) rel = dsnOffset64(dsn, this.base);
    else {
      const low = Number(BigInt.asUintN(32, this.base));
      rel = unwrap32((Number(dsn) - low) >>> 0, this.lastDsn);
    }
    this.lastDsn = rel;
    return rel;
  }

  /** Relative Data ACK (§3.3.2), expanded like a DSN when 32 bits. */
  relAck(ack: bigint, is64: boolean): number | undefined {
    if (this.base === undefined) return undefined;
    const rel = is64 ? dsnOffset64(ack, this.base) : unwrap32((Number(ack) - Number(BigInt.asUintN(32, this.base))) >>> 0, this.lastAck);
    this.lastAck = rel;
    return rel;
  }

  /**
   * Called per data segment: forgets carried-by ranges that the receiver acknowledged at least
   * PRUNE_EVERY segments ago, so a late reinjection of them is still recognised but memory stays
   * bounded by the data in flight.
   */
  prune(): void {
    if (++this.sinceprune < PRUNE_EVERY) return;
    this.sinceprune = 0;
    if (this.pruneMark !== undefined) this.carried.prune(this.pruneMark);
    this.pruneMark = this.dataAck;
    this.carried.pruneToCount(MAX_CARRIED_RANGES);
  }
}

export class Connection {
  version: MptcpVersion = 1;
  clientKey: bigint | undefined;
  serverKey: bigint | undefined;
  clientToken: number | undefined;
  serverToken: number | undefined;
  checksums = false;
  fallback: false | string = false;
  /** The MP_CAPABLE exchange completed (third ACK or first DSS seen). */
  established = false;
  readonly subflows: Subflow[] = [];
  readonly dirs: DirPair<ConnDir> = { c2s: new ConnDir(), s2c: new ConnDir() };
  readonly signals: SignalEvent[] = [];
  readonly anomalies: Anomaly[] = [];
  readonly anomalyCounts = new Map<AnomalyType, number>();
  private readonly signalCounts = new Map<string, number>();
  firstT: number;
  lastT: number;
  readonly goodput = new Map<string, TimeBins>();
  readonly dsnSeries = new Map<string, MinMaxSeries>();

  constructor(readonly index: number, readonly capture: number, t: number, readonly opts: AnalyzeOptions) {
    this.firstT = t;
    this.lastT = t;
  }

  /** Learns a key (§3.1: token and IDSN follow from it); returns the token. */
  setKey(side: Dir, key: bigint): number {
    const m = keyDerive(key, this.version);
    if (side === "c2s") {
      this.clientKey = key;
      this.clientToken = m.token;
    } else {
      this.serverKey = key;
      this.serverToken = m.token;
    }
    // Keys are learnt during the handshake, before any DSN is made relative to the IDSN.
    this.dirs[side].idsn = m.idsn;
    this.dirs[side].base = m.idsn;
    return m.token;
  }

  /** The key of the host that sends in direction `d`. */
  senderKey(d: Dir): bigint | undefined {
    return d === "c2s" ? this.clientKey : this.serverKey;
  }

  receiverKey(d: Dir): bigint | undefined {
    return d === "c2s" ? this.serverKey : this.clientKey;
  }

  anomaly(a: Anomaly): void {
    const n = (this.anomalyCounts.get(a.type) ?? 0) + 1;
    this.anomalyCounts.set(a.type, n);
    if (n <= MAX_EVENTS_PER_TYPE) this.anomalies.push(a);
  }

  signal(e: SignalEvent): void {
    const n = (this.signalCounts.get(e.type) ?? 0) + 1;
    this.signalCounts.set(e.type, n);
    if (n <= MAX_EVENTS_PER_TYPE) this.signals.push(e);
  }

  goodputBins(sub: number, d: Dir): TimeBins {
    const k = `${sub}${d}`;
    let b = this.goodput.get(k);
    if (b === undefined) {
      const fixed = this.opts.binSeconds;
      b = fixed === undefined ? new TimeBins(this.firstT, AUTO_BIN_START, AUTO_MAX_BINS) : new TimeBins(this.firstT, fixed, MAX_FIXED_BINS, "reject");
      this.goodput.set(k, b);
    }
    return b;
  }

  dsnSeriesOf(sub: number, d: Dir): MinMaxSeries {
    const k = `${sub}${d}`;
    let s = this.dsnSeries.get(k);
    if (s === undefined) this.dsnSeries.set(k, (s = new MinMaxSeries(this.firstT, this.opts.maxPlotPoints)));
    return s;
  }
}

/**
 * The analyzer's results: plain data, ready for `JSON.stringify` (64-bit keys are decimal strings,
 * times are seconds since the Unix epoch, durations are milliseconds where the name says `Ms`).
 * The field names of `AnalysisReport.connections[]` and of its `subflows[]` are a public interface
 * (issue [analyze] item 4): add freely, never rename.
 */

export type Dir = "c2s" | "s2c";

export interface DirPair<T> {
  c2s: T;
  s2c: T;
}

export type AnomalyType =
  /** Payload on an MPTCP subflow that no DSS mapping covers (RFC 8684 §3.3.1). */
  | "data-without-mapping"
  /** Two mappings give different DSNs to the same subflow bytes. */
  | "mapping-mismatch"
  /** A mapping whose DSS checksum does not verify (§3.3.1). */
  | "dss-checksum-failure"
  /** A mapping without a checksum although checksums were negotiated (§3.3.1). */
  | "missing-dss-checksum"
  /** MP_CAPABLE on the third ACK echoes a key other than the one in the SYN/ACK (§3.1). */
  | "echoed-key-mismatch"
  /** An MP_JOIN SYN/ACK or third-ACK HMAC that does not verify (§3.2). */
  | "bad-join-hmac"
  /** An MP_JOIN SYN whose token matches no connection in the capture. */
  | "unknown-join-token"
  /** An ADD_ADDR whose HMAC does not verify (§3.4.1). */
  | "bad-add-addr-hmac"
  /** A DSS with data-level length 0 (§3.3.1, §3.7). */
  | "infinite-mapping"
  /** An MP_FASTCLOSE carrying a key other than its receiver's (§3.5). */
  | "fastclose-wrong-key"
  /** A subflow ended by a TCP RST (with the MP_TCPRST reason, §3.6, when given). */
  | "subflow-reset"
  /** An MPTCP option that does not decode. */
  | "malformed-option";

export interface Anomaly {
  type: AnomalyType;
  t: number;
  frame: number;
  capture: number;
  /** Subflow index within the connection. */
  subflow: number;
  dir: Dir;
  detail: string;
}

export type SignalType = "ADD_ADDR" | "REMOVE_ADDR" | "MP_PRIO" | "MP_FAIL" | "MP_FASTCLOSE" | "MP_TCPRST" | "DATA_FIN" | "MP_JOIN" | "RST";

export interface SignalEvent {
  t: number;
  frame: number;
  capture: number;
  subflow: number;
  dir: Dir;
  type: SignalType;
  detail: string;
}

export interface DelayStats {
  /** Bytes accounted (delivered in order at the data level). */
  bytes: number;
  /** Of which waited for earlier data. */
  delayedBytes: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Histogram: [lower edge ms, bytes], quarter-decade bins from 1 µs; first bin is zero delay. */
  histogram: Array<[number, number]>;
}

export interface RttStats {
  samples: number;
  minMs: number;
  medianMs: number;
  meanMs: number;
  maxMs: number;
}

export interface SubflowReport {
  index: number;
  /** tshark-compatible TCP stream number within its capture (order of first appearance). */
  tcpStream: number;
  /** The subflow's initiator (sender of the SYN) and listener. */
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** Joined with MP_JOIN (false for the initial subflow). */
  join: boolean;
  /** Backup priority: the B flag of MP_JOIN, updated by MP_PRIO (§3.3.8). */
  backup: boolean;
  /** Whether the SYN direction is the connection's client-to-server direction. */
  synIsC2s: boolean;
  addrIds?: { local?: number; remote?: number };
  /** Join HMACs verified: true, false (anomaly), or null when keys are unknown or not a join. */
  hmacOk: boolean | null;
  firstT: number;
  lastT: number;
  /** Payload bytes (retransmissions included). */
  bytes: DirPair<number>;
  segments: DirPair<number>;
  dataSegments: DirPair<number>;
  retransmittedBytes: DirPair<number>;
  retransmittedSegments: DirPair<number>;
  /** Payload bytes carrying data first sent on another subflow. */
  reinjectedBytes: DirPair<number>;
  /** Bytes of new data-level data this subflow carried first. */
  freshBytes: DirPair<number>;
  unmappedBytes: DirPair<number>;
  /** Median RTT (ms) from data and their ACKs in the busier direction; handshake RTT otherwise; null if neither. */
  rttMs: number | null;
  handshakeRttMs: number | null;
  rtt: DirPair<RttStats | null>;
  /** One-way delay, with two captures (receiver time minus sender time; includes any clock offset). */
  oneWayDelayMs?: DirPair<RttStats | null>;
  reset: { t: number; by: Dir; reason: string } | null;
  closed: boolean;
}

export interface ConnectionReport {
  index: number;
  version: 0 | 1;
  clientKey: string | null;
  serverKey: string | null;
  clientToken: number | null;
  serverToken: number | null;
  client: string;
  server: string;
  /** false, or why the connection fell back to plain TCP (RFC 8684 §3.7). */
  fallback: false | string;
  checksums: boolean;
  /** With checksums negotiated: mappings whose checksum verified, failed, or could not be summed (bytes missing from the capture). */
  dssChecksums: { verified: number; failed: number; unverifiable: number } | null;
  firstT: number;
  lastT: number;
  /** Unique data-level bytes per direction. */
  bytes: DirPair<number>;
  /** Payload bytes sent again on another subflow. */
  reinjectedBytes: DirPair<number>;
  reinjectedSegments: DirPair<number>;
  /** With two captures: reinjected bytes that reached the receiver before the original. */
  usefulReinjectedBytes?: DirPair<number>;
  /** Highest relative Data ACK seen per data direction. */
  dataAcked: DirPair<number | null>;
  dataFin: DirPair<boolean>;
  /** Data-level reordering delay at the receiver (where the capture was taken). */
  oooDelay: DirPair<DelayStats>;
  /** Holes in the data the capture never showed but the receiver acknowledged (or that stayed open too long). */
  dataGaps: DirPair<number>;
  /** Bytes in those holes. */
  dataGapBytes: DirPair<number>;
  goodputBps: DirPair<number>;
  subflows: SubflowReport[];
  signals: SignalEvent[];
  anomalies: Anomaly[];
  anomalyCounts: Partial<Record<AnomalyType, number>>;
}

/** Time series, decimated for plotting: arrays of [t, value]. */
export interface ConnectionSeries {
  connection: number;
  /** Per subflow and direction: DSN (relative, end of each segment) over time. */
  dsn: Array<{ subflow: number; dir: Dir; points: Array<[number, number]> }>;
  /** Data ACK (relative) over time, per data direction. */
  dataAck: Array<{ dir: Dir; points: Array<[number, number]> }>;
  /** Goodput: new data-level bytes per bin, per subflow and direction. */
  goodput: Array<{ subflow: number; dir: Dir; binSeconds: number; bins: Array<[number, number]> }>;
  /** RTT samples (ms) per subflow and data direction. */
  rtt: Array<{ subflow: number; dir: Dir; points: Array<[number, number]> }>;
}

export interface AnalysisReport {
  /** `warning`: the capture is damaged after `frames` frames, which were analyzed. */
  captures: Array<{ path: string; frames: number; tcpSegments: number; firstT: number | null; lastT: number | null; warning?: string }>;
  /** TCP connections that did not use MPTCP (no MP_CAPABLE or MP_JOIN in the SYN). */
  plainTcpStreams: number;
  /** MPTCP subflows whose connection is unknown (joins with unknown tokens, no handshake seen). */
  orphanSubflows: number;
  connections: ConnectionReport[];
  series: ConnectionSeries[];
}

/**
 * Tunables of one TCP connection, with defaults and the reason for each. All times are integer
 * microseconds, all sizes bytes.
 */
import type { CongestionFactory } from "./congestion/controller.js";
import { cubic } from "./congestion/cubic.js";

export interface KeepaliveConfig {
  /** Idle time before the first probe (RFC 9293 §3.8.4: no less than two hours by default). */
  idle: number;
  /** Time between unanswered probes. */
  interval: number;
  /** Unanswered probes before the connection is declared dead. */
  count: number;
}

export interface TcpConfig {
  /**
   * MSS we advertise and the most payload (plus options) we put in one segment: the interface
   * MTU minus the fixed IP and TCP headers (RFC 9293 §3.7.1). 1460 for a 1500-byte IPv4 link.
   */
  mss: number;
  /** Send MSS assumed when the peer's SYN has no MSS option (RFC 9293 §3.7.1: 536 for IPv4). */
  defaultPeerMss: number;
  /** Bytes the application may queue for sending. */
  sendBufferSize: number;
  /** Receive buffer: bounds the advertised window and the bytes held out of order. */
  recvBufferSize: number;
  /** Offer window scaling (RFC 7323 §2). The shift is derived from `recvBufferSize`. */
  windowScaling: boolean;
  /** Offer timestamps (RFC 7323 §3) for RTT measurement and PAWS. */
  timestamps: boolean;
  /** Offer SACK (RFC 2018 §2) and use RFC 6675 loss recovery when the peer agrees. */
  sack: boolean;
  /**
   * Tail loss probes (RFC 8985 §7) when SACK was agreed: an ACK overdue by two smoothed RTTs
   * makes the sender send one segment (new data, or the last segment again) instead of waiting
   * for the retransmission timeout, so that the probe or the SACK recovery its ACK starts
   * repairs a lost tail, not an RTO of at least `minRto` that collapses the window to one
   * segment. On by default, as in Linux (tcp_early_retrans = 3).
   */
  tlp: boolean;
  /**
   * RFC 8985 §7.2 TLP.max_ack_delay: added to the PTO when one segment is in flight, whose ACK
   * the peer may delay. TCP does not signal the peer's delayed-ACK timeout, so this is the
   * common worst case, 200 ms (RFC 9293 §3.8.6.3 allows up to 500 ms; Linux adds its minimum
   * RTO, 200 ms). The PTO never exceeds the RTO, so with one segment in flight the probe usually
   * goes out when the RTO would have, without the RTO's collapse of the window.
   */
  tlpMaxAckDelay: number;
  /**
   * RACK (RFC 8985 §6) when SACK was agreed: segments are deemed lost by time (one sent later
   * was delivered, and a round trip plus a reordering window has passed since they were sent)
   * instead of by DupThresh (RFC 6675 IsLost). It finds losses in flights too small for three
   * duplicate ACKs and lost retransmissions without a timeout, and tolerates reordering of up to
   * a quarter of the minimum RTT (more once D-SACKs show spurious retransmissions). Off by
   * default for now: every figure of the simulator's experiments was measured with DupThresh.
   */
  rack: boolean;
  /** Nagle's algorithm (RFC 9293 §3.7.4); on by default, like every stack. */
  nagle: boolean;
  /**
   * Pacing (pacing.ts): data segments spread over the round trip at `pacingSsRatio` percent of
   * cwnd per srtt in slow start and `pacingCaRatio` after, as Linux paces with the fq qdisc. Off
   * by default, as in Linux without fq: every figure of the simulator was measured without it.
   */
  pacing: boolean;
  /** Linux `net.ipv4.tcp_pacing_ss_ratio`: 200. */
  pacingSsRatio: number;
  /** Linux `net.ipv4.tcp_pacing_ca_ratio`: 120. */
  pacingCaRatio: number;
  /**
   * How early (µs) a paced segment may leave: 0 in the simulator, whose timers are exact; the
   * real-time runtime, whose timers fire to the millisecond, sets 1 ms (src/runtime/stack.ts).
   */
  pacingSlack: number;
  /**
   * RTO floor. RFC 6298 §2.4 asks for 1 s; we use Linux's 200 ms (TCP_RTO_MIN), which every
   * modern stack uses in practice and which the RFC's own §2.4 note allows for experimentation.
   */
  minRto: number;
  /** RTO ceiling (RFC 6298 §2.5: at least 60 s; Linux uses 120 s). */
  maxRto: number;
  /** RTO before any RTT sample (RFC 6298 §2.1). */
  initialRto: number;
  /** Delayed-ACK timeout (RFC 9293 §3.8.6.3: under 0.5 s; Linux's minimum is 40 ms). */
  delayedAck: number;
  /** ACK at least every this many full-sized segments (RFC 5681 §4.2: 2). 1 disables delay. */
  ackEvery: number;
  /** Maximum segment lifetime; TIME-WAIT lasts 2*MSL (RFC 9293 §3.4.2). Linux: 60 s TIME-WAIT. */
  msl: number;
  /** Initial congestion window in segments (RFC 6928: 10). */
  initialCwnd: number;
  /** Retransmissions of a SYN or SYN-ACK before giving up (Linux tcp_syn_retries: 6). */
  synRetries: number;
  /** Retransmissions of data before giving up (RFC 9293 §3.8.3 R2; Linux tcp_retries2: 15). */
  maxRetries: number;
  /** Keepalive probes (RFC 9293 §3.8.4), off unless set. */
  keepalive: KeepaliveConfig | undefined;
  /** Challenge ACKs allowed per second (RFC 5961 §7); Linux allows 1000. */
  challengeAckLimit: number;
  /** Congestion controller for this connection. */
  congestion: CongestionFactory;
}

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  mss: 1460,
  defaultPeerMss: 536,
  // 4 MiB each, about Linux's autotuning ceilings (tcp_wmem 4 MiB, tcp_rmem 6 MiB): enough for
  // 100 Mbit/s at 300 ms. Memory is only taken as data is queued, not up front.
  sendBufferSize: 4 * 1024 * 1024,
  recvBufferSize: 4 * 1024 * 1024,
  windowScaling: true,
  timestamps: true,
  sack: true,
  tlp: true,
  tlpMaxAckDelay: 200_000,
  rack: false,
  nagle: true,
  pacing: false,
  pacingSsRatio: 200,
  pacingCaRatio: 120,
  pacingSlack: 0,
  minRto: 200_000,
  maxRto: 120_000_000,
  initialRto: 1_000_000,
  delayedAck: 40_000,
  ackEvery: 2,
  msl: 30_000_000,
  initialCwnd: 10,
  synRetries: 6,
  maxRetries: 15,
  keepalive: undefined,
  challengeAckLimit: 1000,
  congestion: cubic(),
});

/** A full configuration from defaults and overrides. */
export function tcpConfig(overrides: Partial<TcpConfig> = {}): TcpConfig {
  return { ...DEFAULT_TCP_CONFIG, ...overrides };
}

/** The smallest window-scale shift that lets `buffer` be advertised (RFC 7323 §2.3: at most 14). */
export function windowShiftFor(buffer: number): number {
  let shift = 0;
  while (shift < 14 && buffer >> shift > 0xffff) shift++;
  return shift;
}

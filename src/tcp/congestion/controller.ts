/**
 * The congestion-controller interface, shaped like quinn-proto's `congestion::Controller`.
 *
 * The connection owns loss detection and recovery (RFC 5681 §3.2, RFC 6582, RFC 6675) and tells
 * the controller three things: bytes were sent, bytes were newly acknowledged outside recovery,
 * and a congestion event happened (once per window of data; `persistent` for a retransmission
 * timeout). The controller owns cwnd and ssthresh.
 *
 * Coupled controllers (MPTCP LIA RFC 6356, OLIA, BALIA) need the state of the sibling subflows
 * of one MPTCP connection. They plug in through the factory: the MPTCP layer creates one shared
 * group object per connection and passes a factory that closes over it, so every subflow's
 * controller registers itself in the group and reads its siblings' `window()` and `srtt` through
 * `CongestionSnapshot`s at `onAck` time. Nothing in tcp/ needs to know about the group.
 */

/** RTT figures handed to the controller with each ACK, in microseconds. */
export interface RttSnapshot {
  srtt: number | undefined;
  latest: number | undefined;
  min: number | undefined;
}

/** What a sibling (or the controller itself) looks like to a coupled algorithm. */
export interface CongestionSnapshot {
  cwnd: number;
  ssthresh: number;
  srtt: number | undefined;
  mss: number;
}

export interface CongestionController {
  /** Short name for statistics, e.g. "reno", "cubic", "lia". */
  readonly name: string;
  /** The congestion window in bytes. */
  window(): number;
  /** The slow-start threshold in bytes (Infinity before the first congestion event). */
  ssthresh(): number;
  /** The sender's maximum segment size changed (it is only known after the handshake). */
  setMss(mss: number): void;
  /** `bytes` were sent at `now`, leaving `inFlight` bytes outstanding. */
  onSent(now: number, bytes: number, inFlight: number): void;
  /**
   * `bytes` were newly acknowledged outside loss recovery. `inFlight` is what was outstanding
   * before the ACK; `appLimited` says the sender was not using the whole window, so the window
   * should not grow (RFC 7661 §4.3 spirit).
   */
  onAck(now: number, bytes: number, rtt: RttSnapshot, inFlight: number, appLimited: boolean): void;
  /**
   * `bytes` were newly acknowledged during fast recovery, where the window does not grow: for a
   * controller that counts the data delivered (OLIA's bytes between losses).
   */
  onRecoveryAck?(bytes: number): void;
  /**
   * A loss (fast retransmit or RTO) of data sent at `sentTime`. `persistent` is a retransmission
   * timeout (RFC 5681 §3.1 eq. 4: collapse to the loss window). Events for data sent before the
   * previous event's time are part of the same window and ignored.
   */
  onCongestionEvent(now: number, sentTime: number, persistent: boolean, inFlight: number): void;
  /** The congestion event was spurious (RFC 2883 D-SACK, RFC 7323 timestamps): undo it. */
  onSpuriousCongestionEvent?(): void;
  /** Figures a coupled controller of a sibling subflow may read. */
  snapshot(): CongestionSnapshot;
  /**
   * The MPTCP connection asks this subflow to slow down because data outstanding on it holds back
   * the connection-level window (penalisation, Raiciu et al., NSDI 2012 §4.2): the window is
   * reduced as for a congestion event at `now`.
   */
  penalise?(now: number): void;
  /**
   * The connection this controller serves is gone. A coupled controller leaves its group here, so
   * that a closed subflow no longer counts in its siblings' increase (RFC 6356 §3 sums over the
   * subflows in use).
   */
  close?(): void;
}

/** Parameters a controller is built with. */
export interface CongestionInit {
  mss: number;
  /** Initial window in segments (RFC 6928). */
  initialWindow: number;
  now: number;
}

/** Builds a controller for one connection (or one MPTCP subflow). */
export type CongestionFactory = (init: CongestionInit) => CongestionController;

/** RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)), with 10 generalised to `segments`. */
export function initialWindow(mss: number, segments: number): number {
  return Math.min(segments * mss, Math.max(2 * mss, 1460 * segments));
}

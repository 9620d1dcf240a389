/**
 * Receive-buffer autotuning at the data level (dynamic right-sizing, Fisk & Feng 2001; Linux
 * `tcp_rcv_space_adjust` and `tcp_rcvbuf_grow`, and `mptcp_rcv_space_adjust` and
 * `mptcp_rcvbuf_grow` for the MPTCP socket).
 *
 * The connection-level receive window (RFC 8684 §3.3.4) starts at `initial` and grows to what
 * the application actually drains: once per round trip the receiver looks at how much the
 * application read in the last one, `copied`. If that is more than in the previous round
 * (`space`; before any, the ten segments a sender starts with, `TCP_INIT_CWND * advmss`), the
 * buffer becomes
 *
 *   rcvwin = 2 * copied  +  2 * (2 * copied) * (copied - space) / space
 *
 * twice the per-RTT consumption (the measurement is one round trip late), plus twice the growth
 * seen (a sender in slow start doubles its rate every round trip), as Linux's `tcp_rcvbuf_grow`
 * and `mptcp_rcvbuf_grow` compute it since October 2025; never shrinking, never above `max`.
 * A path needs a large window only when the application reads fast enough to use it, and memory
 * is not committed to connections that never do.
 *
 * The window offered is the buffer less what it holds (unread, and out of order), with a right
 * edge that never moves back (`window`). The round trip is the caller's (`DataRttSamples`).
 */
import type { RcvRttEstimator } from "../tcp/rcv-rtt.js";

export interface RcvSpaceOptions {
  /** The buffer offered at first (Linux: `tcp_rmem[1]`, 128 KB); at most `max`. */
  initial: number;
  /** The largest buffer autotuning may reach (Linux: `tcp_rmem[2]`). */
  max: number;
  /** The largest segment payload of the subflows (Linux: `advmss`). */
  mss: number;
}

/** Linux `tcp_rmem[1]`: the receive buffer a socket starts with. */
export const DEFAULT_INITIAL_RCV_SPACE = 128 * 1024;

/** The MSS autotuning counts in: an Ethernet path's (1500 less 40 bytes of headers). */
export const DEFAULT_RCV_MSS = 1460;

/** Linux `TCP_INIT_CWND`: the segments assumed read in the round before the first measured. */
const INIT_CWND = 10;

export class RcvSpace {
  private bufferValue: number;
  private readonly max: number;
  /** Bytes read in the last round that grew the buffer (Linux `rcvq_space.space`). */
  private space: number;
  /** Bytes read since `start`. */
  private copied = 0;
  private start: number | undefined;
  /** The right edge of the window offered so far, as a data-level offset. */
  private edge = 0;

  constructor(opts: RcvSpaceOptions) {
    this.max = opts.max;
    this.space = INIT_CWND * Math.max(1, opts.mss);
    this.bufferValue = Math.min(opts.initial, opts.max);
  }

  /** The receive buffer the connection offers now, in bytes. */
  get buffer(): number {
    return this.bufferValue;
  }

  /**
   * The window to offer at `rcvNxt` while `held` bytes (unread, and out of order) take buffer
   * space. Its right edge never moves back (RFC 9293 §3.8.6: the receiver SHOULD NOT shrink the
   * window; Linux `tcp_select_window`): out-of-order data lies inside the window already offered,
   * and taking it off that window would hold back the sender just when it repairs a loss.
   */
  window(rcvNxt: number, held: number): number {
    this.edge = Math.max(this.edge, rcvNxt + Math.max(0, this.bufferValue - held));
    return this.edge - rcvNxt;
  }

  /**
   * The application read `bytes` at `now` (µs); `rtt` is the round trip to measure over (µs,
   * undefined before any sample). Returns true when the buffer grew: the peer should hear of the
   * larger window.
   */
  onRead(bytes: number, now: number, rtt: number | undefined): boolean {
    if (bytes <= 0) return false;
    if (this.start === undefined) this.start = now;
    this.copied += bytes;
    if (rtt === undefined || now - this.start < rtt) return false;
    let grew = false;
    if (this.copied > this.space) {
      const rcvwin = 2 * this.copied;
      const next = Math.min(this.max, Math.floor(rcvwin + (2 * rcvwin * (this.copied - this.space)) / this.space));
      grew = next > this.bufferValue;
      if (grew) this.bufferValue = next;
      this.space = this.copied;
    }
    this.copied = 0;
    this.start = now;
    return grew;
  }
}

/** Samples kept for the data-level round trip (Linux `MPTCP_RTT_SAMPLES`). */
export const DATA_RTT_SAMPLES = 5;

/**
 * The round trip autotuning measures over. As Linux since 2026 (`mptcp_rcv_rtt_update`, commit
 * d2000361e4dd), each subflow that carries data gives its receiver-side estimate
 * (src/tcp/rcv-rtt.ts) once per window of data it receives, and the last `DATA_RTT_SAMPLES` are
 * kept, so that a subflow which stopped carrying data (closed, or a backup) ages out.
 *
 * Unlike Linux, the round is the **largest** of them, not the smallest. The data-level window
 * has to cover the slowest subflow's round trip for that subflow to carry data without holding
 * the window's left edge against the fast one (the delay-aware scheduler, sched/arrival.ts, uses
 * it only then); measured on exp-heterogeneous, the smallest keeps the window near twice the
 * WiFi path's bandwidth-delay product, the 3G path idle, and the goodput 0.3 to 1.2 Mbit/s below
 * a fixed buffer from 2 MB up (docs/multipath.md). Linux chose the smallest to save memory;
 * the cap (`recvBufferSize`) bounds that here.
 */
export class DataRttSamples {
  private readonly samples: number[] = [];
  private next = 0;
  /** Each subflow's `rounds` when it last gave a sample. */
  private readonly seen = new WeakMap<RcvRttEstimator, number>();

  /** Takes a sample from a subflow's estimator if it started a new window since the last. */
  offer(est: RcvRttEstimator): void {
    const rtt = est.rtt;
    if (rtt === undefined || this.seen.get(est) === est.rounds) return;
    this.seen.set(est, est.rounds);
    this.samples[this.next] = rtt;
    this.next = (this.next + 1) % DATA_RTT_SAMPLES;
  }

  /** The round to measure over, µs; undefined before any sample. */
  get rtt(): number | undefined {
    let max: number | undefined;
    for (const s of this.samples) if (max === undefined || s > max) max = s;
    return max;
  }
}

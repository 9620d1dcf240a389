/**
 * Receive-buffer autotuning at the data level (dynamic right-sizing, Fisk & Feng 2001; Linux
 * `tcp_rcv_space_adjust`, and `mptcp_rcv_space_adjust` for the MPTCP socket).
 *
 * The connection-level receive window (RFC 8684 §3.3.4) starts small and grows to what the
 * application actually drains: once per round trip the receiver looks at how much the application
 * read in the last one, `copied`. If that is more than in the previous round (`space`, the
 * application kept up with a larger window), the buffer becomes
 *
 *   rcvwin = 2 * copied + 16 * mss,  plus 2 * rcvwin * (copied - space) / space
 *
 * (twice the per-RTT consumption, so that the sender is never window-limited while it is in
 * slow start, plus headroom for the growth seen), never shrinking, never above `max`. The growth
 * term needs a measured previous round: Linux compares the first round with the ten segments
 * it assumed at the start (`TCP_INIT_CWND * advmss`), which takes the buffer to its maximum at
 * once on any fast path, and the burst that such a jump lets out of a sender whose congestion
 * window grew while it was window-limited overflows the bottleneck queue (measured:
 * docs/experiments.md, exp-heterogeneous). Here the first round sets the buffer to
 * `2 * copied + 16 * mss` only. A fast path
 * needs a large window only when the application reads fast enough to use it, and memory is not
 * committed to connections that never do.
 *
 * The round trip is the caller's: the connection passes the largest smoothed RTT of its subflows,
 * as Linux did from 2020 (since 2026, commit d2000361e4dd, Linux takes the smallest recent
 * sample of the subflows that feed data, to save memory when one subflow is much slower). The
 * data-level window has to cover the slowest subflow's RTT for that subflow to carry data without
 * blocking the fast one, and a receiver of ours has no receiver-side RTT estimator: its smoothed
 * RTT is the handshake's, which under-reads a loaded path.
 *
 * Off by default (`MptcpOptions.autotune`): on the simulator's heterogeneous paths it costs
 * goodput against a fixed buffer of its cap, and its small early windows make the send window
 * block, which sets off opportunistic retransmissions (docs/multipath.md).
 */

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

export class RcvSpace {
  private bufferValue: number;
  private readonly max: number;
  private readonly mss: number;
  /** Bytes read in the previous measured round (Linux `rcvq_space.space`); none before one. */
  private space: number | undefined;
  /** Bytes read since `start`. */
  private copied = 0;
  private start: number | undefined;

  constructor(opts: RcvSpaceOptions) {
    this.max = opts.max;
    this.mss = Math.max(1, opts.mss);
    this.bufferValue = Math.min(opts.initial, opts.max);
  }

  /** The receive buffer the connection offers now, in bytes. */
  get buffer(): number {
    return this.bufferValue;
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
    if (rtt === undefined || rtt <= 0 || now - this.start < rtt) return false;
    let grew = false;
    if (this.space === undefined || this.copied > this.space) {
      let rcvwin = 2 * this.copied + 16 * this.mss;
      if (this.space !== undefined) rcvwin += (2 * rcvwin * (this.copied - this.space)) / this.space;
      const next = Math.min(this.max, Math.floor(rcvwin));
      if (next > this.bufferValue) {
        this.bufferValue = next;
        grew = true;
      }
      this.space = this.copied;
    }
    this.copied = 0;
    this.start = now;
    return grew;
  }
}

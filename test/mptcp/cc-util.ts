/** Helpers for the coupled congestion-control tests: subflow controllers in a known state. */
import type { CongestionController, CongestionFactory, RttSnapshot } from "../../src/tcp/congestion/controller.js";

export const MSS = 1000;

export const rtt = (srtt: number | undefined): RttSnapshot => ({ srtt, latest: srtt, min: srtt });

/** One subflow to set up: its window after a loss, its smoothed RTT (µs), bytes carried since. */
export interface PathSpec {
  cwnd: number;
  srtt: number;
  /** Bytes acknowledged since the loss that put the subflow in congestion avoidance. */
  carried?: number;
}

/**
 * Builds one controller per spec with `factory` and puts each in congestion avoidance at
 * `cwnd = ssthresh = spec.cwnd`: a loss with FlightSize 2*cwnd halves the window to the figure
 * wanted, then an application-limited ACK of `carried` bytes records the RTT without growing it.
 * The losses come before any subflow has an RTT, so every reduction is a plain halving.
 */
export function inAvoidance<C extends CongestionController>(factory: CongestionFactory, specs: readonly PathSpec[]): C[] {
  const cs = specs.map(() => factory({ mss: MSS, initialWindow: 10, now: 0 }) as C);
  cs.forEach((c, i) => c.onCongestionEvent(1, 1, false, 2 * specs[i]!.cwnd));
  cs.forEach((c, i) => c.onAck(2, specs[i]!.carried ?? 0, rtt(specs[i]!.srtt), 0, true));
  return cs;
}

/** Acknowledges `count` ACKs of `bytes` on `c` in congestion avoidance (cwnd-limited). */
export function acks(c: CongestionController, count: number, bytes: number, srtt: number): void {
  for (let i = 0; i < count; i++) c.onAck(10, bytes, rtt(srtt), c.window(), false);
}

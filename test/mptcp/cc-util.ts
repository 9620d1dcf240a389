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

/**
 * OLIA's alpha_r for every path, from the paper's sets (Khalili et al. CoNEXT'12): B = the paths
 * maximising l / rtt^2, M = the paths with the largest window; +1/(n |B\M|) on B\M, -1/(n |M|) on
 * M when B\M is not empty, else 0. Any units, as long as all paths use the same ones.
 */
export function oliaAlphas(paths: readonly { w: number; rtt: number; l: number }[]): number[] {
  const n = paths.length;
  const maxW = Math.max(...paths.map((p) => p.w));
  const q = paths.map((p) => p.l / p.rtt ** 2);
  const bestQ = Math.max(...q);
  const inM = paths.map((p) => p.w === maxW);
  const collected = paths.map((_, i) => !inM[i] && q[i] === bestQ);
  const nM = inM.filter(Boolean).length;
  const nC = collected.filter(Boolean).length;
  return paths.map((_, i) => (nC === 0 ? 0 : collected[i] ? 1 / (n * nC) : inM[i] ? -1 / (n * nM) : 0));
}

/**
 * exp-aggregation: two 10 Mbit/s paths, 20 ms and 80 ms one way. MPTCP over both must get at
 * least 95% of the sum of what single-path TCP gets on each path alone in the same simulator
 * (the resource-pooling goal, RFC 6182 §2.1; Raiciu et al. NSDI'12 measure 90–95% of the sum for
 * paths this different). Both baselines are run and reported.
 */
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { check, type Plot, type PlotSeries } from "./experiment.js";
import { DEFAULT_WARMUP_SECONDS, runTransfer, type PathSpec, type TransferResult } from "./transfer.js";

const PATHS: PathSpec[] = [
  { name: "path1", rateMbps: 10, delayMs: 20 },
  { name: "path2", rateMbps: 10, delayMs: 80 },
];

export const aggregation: Experiment = {
  name: "exp-aggregation",
  description: "2 x 10 Mbit/s (20 ms, 80 ms): MPTCP gets >= 95% of the sum of single-path TCP on each path alone",
  run(opts: ExperimentOptions): ExperimentResult {
    const seed = opts.seed ?? 1;
    // Long enough that slow start and its losses weigh little against the steady state.
    const bytes = opts.bytes ?? 30_000_000;
    const base = { paths: PATHS, seed, bytes, pacing: opts.pacing === true, ...(opts.mptcp !== undefined ? { mptcpOptions: opts.mptcp } : {}) };
    const tcp1 = runTransfer({ ...base, name: "tcp-path1", use: [0], mptcp: false });
    const tcp2 = runTransfer({ ...base, name: "tcp-path2", use: [1], mptcp: false });
    const mptcp = runTransfer({ ...base, name: "mptcp", use: [0, 1], mptcp: true });
    // Long-run rates (after a 5 s warm-up): slow start and its losses are not what is compared.
    // A transfer over before the warm-up ends has none (a small --bytes): the check cannot be made.
    const runs = [tcp1, tcp2, mptcp];
    const steady = runs.every((r) => r.flow.completionSeconds > DEFAULT_WARMUP_SECONDS);
    const sum = tcp1.flow.steadyGoodputMbps + tcp2.flow.steadyGoodputMbps;
    const share = steady ? mptcp.flow.steadyGoodputMbps / sum : NaN;
    const steadyCell = (r: TransferResult): string => (steady ? r.flow.steadyGoodputMbps.toFixed(2) : "-");
    return {
      name: this.name,
      seed,
      flows: [tcp1.flow, tcp2.flow, mptcp.flow],
      table: [
        ["flow", "paths", "goodput (Mbit/s)", "after 5 s (Mbit/s)", "completion (s)"],
        ["TCP", "path1 (10 Mbit/s, 20 ms)", tcp1.flow.goodputMbps.toFixed(2), steadyCell(tcp1), tcp1.flow.completionSeconds.toFixed(2)],
        ["TCP", "path2 (10 Mbit/s, 80 ms)", tcp2.flow.goodputMbps.toFixed(2), steadyCell(tcp2), tcp2.flow.completionSeconds.toFixed(2)],
        ["MPTCP", "both", mptcp.flow.goodputMbps.toFixed(2), steadyCell(mptcp), mptcp.flow.completionSeconds.toFixed(2)],
      ],
      checks: [
        check("MPTCP goodput / (TCP path1 + TCP path2), after 5 s", share, ">= 0.95", share >= 0.95),
        check("every flow intact", runs.every((r) => r.flow.integrity) ? 1 : 0, "1", runs.every((r) => r.flow.integrity)),
        check("MPTCP used both subflows", mptcp.subflows.filter((s) => s.bytesReceived > 0).length, "2", mptcp.subflows.filter((s) => s.bytesReceived > 0).length === 2),
      ],
      plots: [perSecondPlot([tcp1, tcp2, mptcp])],
      simulatedSeconds: tcp1.simulatedSeconds + tcp2.simulatedSeconds + mptcp.simulatedSeconds,
      events: tcp1.events + tcp2.events + mptcp.events,
    };
  },
};

/**
 * Each transfer's goodput per second (`TransferResult.perSecondMbps`), one line per flow over the
 * longest run, and the two baselines' sum dashed (what MPTCP is compared with).
 */
function perSecondPlot(runs: [TransferResult, TransferResult, TransferResult]): Plot {
  const x = Array.from({ length: Math.max(...runs.map((r) => r.perSecondMbps.length)) }, (_, i) => i);
  const at = (r: TransferResult, i: number): number | null => r.perSecondMbps[i] ?? null;
  const [a, b] = runs;
  const series: PlotSeries[] = runs.map((r) => ({ label: r.flow.name, values: x.map((i) => at(r, i)) }));
  series.push({ label: `${a.flow.name} + ${b.flow.name}`, values: x.map((i) => (at(a, i) ?? 0) + (at(b, i) ?? 0)), dashed: true });
  return { title: "Goodput in each second: MPTCP over both paths beside TCP on each alone", xLabel: "seconds", yLabel: "Mbit/s", x, series };
}

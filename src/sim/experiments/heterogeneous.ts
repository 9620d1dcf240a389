/**
 * exp-heterogeneous (Raiciu et al., NSDI'12; RFC 8041 §2.2): WiFi-like (20 Mbit/s, 20 ms) and
 * 3G-like (2 Mbit/s, 150 ms, a 200-packet queue, 1.2 s at its rate) paths, a download with the
 * receive buffer swept from 64 KB to 8 MB. With a small buffer the slow path's data holds the
 * data-level window; with a large one the slow subflow's window grows into its own queue and the
 * data it holds arrives seconds late, at the tail of the transfer.
 *
 * Per buffer size: TCP on the WiFi path alone (the claim's baseline); MPTCP on the WiFi path alone
 * (the same, with MPTCP's option bytes: what MPTCP can reach without the 3G path); MPTCP with the
 * defaults (the delay-aware lowest-RTT scheduler, tail reinjection, opportunistic retransmission
 * and penalisation) and that buffer fixed; the same with autotuning up to that buffer; and MPTCP
 * without any of the fixes (plain lowest-RTT).
 *
 * Claim: with the defaults, MPTCP's goodput at every buffer size is at least that of TCP on WiFi
 * alone.
 */
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { check } from "./experiment.js";
import { runTransfer, type PathSpec, type TransferResult } from "./transfer.js";

const PATHS: PathSpec[] = [
  { name: "wifi", rateMbps: 20, delayMs: 20 },
  { name: "3g", rateMbps: 2, delayMs: 150, queuePackets: 200 },
];
export const BUFFERS_KB = [64, 128, 256, 512, 1024, 2048, 4096, 8192];

/** The runs per buffer size, in the table's column order. */
const RUNS = ["tcp", "single", "fixed", "autotuned", "plain"] as const;
type Run = (typeof RUNS)[number];

/** Each run's name in the table's header, the checks' notes and the plot. */
const RUN_LABELS: Record<Run, string> = {
  tcp: "TCP on WiFi",
  single: "MPTCP on WiFi alone",
  fixed: "MPTCP",
  autotuned: "MPTCP autotuned up to it",
  plain: "MPTCP without the fixes",
};

/**
 * Where a check's lowest ratio is, and what the runs there show: the goodputs compared, the bytes
 * the 3G subflow carried, and MPTCP on WiFi alone beside them (what MPTCP reaches with the same
 * path and its own option bytes).
 */
function whereLowest(row: { kb: number; run: Record<Run, TransferResult> }, against: Run): string {
  const g = (k: Run): string => row.run[k].flow.goodputMbps.toFixed(4);
  const carried = row.run.fixed.subflows.filter((s) => s.kind === "join").reduce((a, s) => a + s.bytesReceived, 0);
  const alone = against === "single" ? "" : `; MPTCP on WiFi alone ${g("single")}`;
  return `lowest at ${label(row.kb)}: MPTCP ${g("fixed")} against ${RUN_LABELS[against]} ${g(against)} Mbit/s, the 3G subflow carrying ${carried} bytes${alone} (docs/experiments.md)`;
}

const label = (kb: number): string => (kb >= 1024 ? `${kb / 1024} MB` : `${kb} KB`);
const mbps = (r: TransferResult): string => r.flow.goodputMbps.toFixed(2);

export const heterogeneous: Experiment = {
  name: "exp-heterogeneous",
  description: "WiFi-like + 3G-like paths, receive buffer 64 KB to 8 MB: MPTCP with the default scheduler never below TCP on WiFi alone",
  run(opts: ExperimentOptions): ExperimentResult {
    const seed = opts.seed ?? 1;
    const bytes = opts.bytes ?? 10_000_000;
    const mptcp = opts.mptcp ?? {};
    const rows = BUFFERS_KB.map((kb) => {
      const base = { paths: PATHS, seed, bytes, recvBuffer: kb * 1024, sendBuffer: 16 << 20, pacing: opts.pacing === true };
      const run: Record<Run, TransferResult> = {
        tcp: runTransfer({ ...base, name: `tcp-wifi-${kb}KB`, use: [0], mptcp: false }),
        single: runTransfer({ ...base, name: `mptcp-wifi-${kb}KB`, use: [0], mptcp: true, mptcpOptions: mptcp }),
        fixed: runTransfer({ ...base, name: `mptcp-${kb}KB`, use: [0, 1], mptcp: true, mptcpOptions: mptcp }),
        autotuned: runTransfer({ ...base, name: `mptcp-autotuned-${kb}KB`, use: [0, 1], mptcp: true, mptcpOptions: { ...mptcp, autotune: true } }),
        plain: runTransfer({ ...base, name: `mptcp-nofix-${kb}KB`, use: [0, 1], mptcp: true, mptcpOptions: { ...mptcp, opportunistic: false, delayAware: false } }),
      };
      return { kb, run };
    });
    /** The buffer size where run `a` gets least against run `b`, and that ratio. */
    const lowest = (a: Run, b: Run) => {
      const ratios = rows.map((r) => r.run[a].flow.goodputMbps / r.run[b].flow.goodputMbps);
      const i = ratios.indexOf(Math.min(...ratios));
      return { ratio: ratios[i]!, row: rows[i]! };
    };
    const intact = rows.every((r) => RUNS.every((k) => r.run[k].flow.integrity));
    const worst = lowest("fixed", "tcp");
    const worstSingle = lowest("fixed", "single");
    return {
      name: this.name,
      seed,
      flows: rows.flatMap((r) => RUNS.map((k) => r.run[k].flow)),
      table: [
        ["receive buffer", ...RUNS.map((k) => `${RUN_LABELS[k]} (Mbit/s)`)],
        ...rows.map((r) => [label(r.kb), ...RUNS.map((k) => mbps(r.run[k]))]),
      ],
      checks: [
        check("every flow intact", intact ? 1 : 0, "1", intact),
        check("lowest MPTCP / TCP-on-WiFi over the buffer sizes", worst.ratio, ">= 1", worst.ratio >= 1, whereLowest(worst.row, "tcp")),
        check("lowest MPTCP / MPTCP-on-WiFi-alone over the buffer sizes", worstSingle.ratio, ">= 1", worstSingle.ratio >= 1, whereLowest(worstSingle.row, "single")),
      ],
      plots: [
        {
          title: "Goodput by receive buffer: MPTCP over WiFi and 3G against TCP on WiFi alone (as in Raiciu et al., NSDI'12)",
          xLabel: "receive buffer (KB)",
          yLabel: "Mbit/s",
          x: rows.map((r) => r.kb),
          logX: true,
          series: RUNS.map((k) => ({ label: RUN_LABELS[k], values: rows.map((r) => r.run[k].flow.goodputMbps), ...(k === "tcp" || k === "single" ? { dashed: true } : {}) })),
        },
      ],
      simulatedSeconds: rows.reduce((a, r) => a + RUNS.reduce((b, k) => b + r.run[k].simulatedSeconds, 0), 0),
      events: rows.reduce((a, r) => a + RUNS.reduce((b, k) => b + r.run[k].events, 0), 0),
    };
  },
};

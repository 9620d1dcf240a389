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
    const ratio = (a: Run, b: Run) => Math.min(...rows.map((r) => r.run[a].flow.goodputMbps / r.run[b].flow.goodputMbps));
    const intact = rows.every((r) => RUNS.every((k) => r.run[k].flow.integrity));
    const worst = ratio("fixed", "tcp");
    const worstSingle = ratio("fixed", "single");
    return {
      name: this.name,
      seed,
      flows: rows.flatMap((r) => RUNS.map((k) => r.run[k].flow)),
      table: [
        ["receive buffer", "TCP on WiFi (Mbit/s)", "MPTCP on WiFi alone (Mbit/s)", "MPTCP (Mbit/s)", "MPTCP autotuned up to it (Mbit/s)", "MPTCP without the fixes (Mbit/s)"],
        ...rows.map((r) => [label(r.kb), ...RUNS.map((k) => mbps(r.run[k]))]),
      ],
      checks: [
        check("every flow intact", intact ? 1 : 0, "1", intact),
        check("lowest MPTCP / TCP-on-WiFi over the buffer sizes", worst, ">= 1", worst >= 1),
        check("lowest MPTCP / MPTCP-on-WiFi-alone over the buffer sizes", worstSingle, ">= 1", worstSingle >= 1),
      ],
      simulatedSeconds: rows.reduce((a, r) => a + RUNS.reduce((b, k) => b + r.run[k].simulatedSeconds, 0), 0),
      events: rows.reduce((a, r) => a + RUNS.reduce((b, k) => b + r.run[k].events, 0), 0),
    };
  },
};

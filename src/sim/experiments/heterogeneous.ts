/**
 * exp-heterogeneous (Raiciu et al., NSDI'12; RFC 8041 §2.2): WiFi-like (20 Mbit/s, 20 ms) and
 * 3G-like (2 Mbit/s, 150 ms, a 200-packet queue) paths, the receive buffer swept from 64 KB to
 * 8 MB. With a small buffer the slow path's data holds the data-level window and MPTCP can fall
 * below TCP on the WiFi path alone; opportunistic retransmission and penalisation are the fix.
 * Claim: with the default scheduler and the fix, MPTCP's goodput at every buffer size is at least
 * that of TCP on WiFi alone. The curve without the fix is run and reported beside it.
 */
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { check } from "./experiment.js";
import { runTransfer, type PathSpec } from "./transfer.js";

const PATHS: PathSpec[] = [
  { name: "wifi", rateMbps: 20, delayMs: 20 },
  { name: "3g", rateMbps: 2, delayMs: 150, queuePackets: 200 },
];
export const BUFFERS_KB = [64, 128, 256, 512, 1024, 2048, 4096, 8192];

export const heterogeneous: Experiment = {
  name: "exp-heterogeneous",
  description: "WiFi-like + 3G-like paths, receive buffer 64 KB to 8 MB: MPTCP with penalisation never below TCP on WiFi alone",
  run(opts: ExperimentOptions): ExperimentResult {
    const seed = opts.seed ?? 1;
    const bytes = opts.bytes ?? 10_000_000;
    const mptcp = opts.mptcp ?? {};
    const rows = BUFFERS_KB.map((kb) => {
      const base = { paths: PATHS, seed, bytes, recvBuffer: kb * 1024, sendBuffer: 16 << 20 };
      const tcp = runTransfer({ ...base, name: `tcp-wifi-${kb}KB`, use: [0], mptcp: false });
      const fixed = runTransfer({ ...base, name: `mptcp-${kb}KB`, use: [0, 1], mptcp: true, mptcpOptions: { ...mptcp, opportunistic: true } });
      const plain = runTransfer({ ...base, name: `mptcp-nofix-${kb}KB`, use: [0, 1], mptcp: true, mptcpOptions: { ...mptcp, opportunistic: false } });
      return { kb, tcp, fixed, plain };
    });
    const worst = Math.min(...rows.map((r) => r.fixed.flow.goodputMbps / r.tcp.flow.goodputMbps));
    return {
      name: this.name,
      seed,
      flows: rows.flatMap((r) => [r.tcp.flow, r.fixed.flow, r.plain.flow]),
      table: [
        ["receive buffer", "TCP on WiFi (Mbit/s)", "MPTCP (Mbit/s)", "MPTCP without the fix (Mbit/s)"],
        ...rows.map((r) => [r.kb >= 1024 ? `${r.kb / 1024} MB` : `${r.kb} KB`, r.tcp.flow.goodputMbps.toFixed(2), r.fixed.flow.goodputMbps.toFixed(2), r.plain.flow.goodputMbps.toFixed(2)]),
      ],
      checks: [
        check("every flow intact", rows.every((r) => r.tcp.flow.integrity && r.fixed.flow.integrity && r.plain.flow.integrity) ? 1 : 0, "1", rows.every((r) => r.tcp.flow.integrity && r.fixed.flow.integrity && r.plain.flow.integrity)),
        check("lowest MPTCP / TCP-on-WiFi over the buffer sizes", worst, ">= 1", worst >= 1),
      ],
      simulatedSeconds: rows.reduce((a, r) => a + r.tcp.simulatedSeconds + r.fixed.simulatedSeconds + r.plain.simulatedSeconds, 0),
      events: rows.reduce((a, r) => a + r.tcp.events + r.fixed.events + r.plain.events, 0),
    };
  },
};

/**
 * exp-wifi-walk (Croitoru, Niculescu, Raiciu, "Towards WiFi Mobility without Fast Handover",
 * NSDI'15): a client walks past three access points, each 10 Mbit/s, 10 ms, in range for 20 s
 * with 5 s of overlap (AP1 0–20 s, AP2 15–35 s, AP3 30–50 s). With MPTCP it keeps a subflow
 * through every AP it hears (opened when the AP comes in range, its address removed when it goes),
 * so the download never stops while some AP is in range. The hard-handover baseline uses one AP at
 * a time and moves only when the current one is lost: it associates to the next AP then
 * (ASSOCIATION_SECONDS) and joins over it. Measured: one-second goodput bins from 1 s to 49 s,
 * and the number of empty ones.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import { MptcpHost } from "../../stack/mptcp-host.js";
import { parseAddress } from "../../wire/address.js";
import { BulkSink, BulkSource } from "../bulk.js";
import { HostNode } from "../host-node.js";
import { Simulator } from "../simulator.js";
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { check } from "./experiment.js";
import type { FlowResult } from "./transfer.js";

const AP = { rateBps: 10_000_000, delayUs: 10_000, queueLimitPackets: 60 };
/** When each AP is in range, seconds. */
export const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 20],
  [15, 35],
  [30, 50],
];
const END = 50;
/**
 * Hard handover: scanning, association and address configuration on the next AP once the current
 * one is lost (Croitoru et al. measure seconds). MPTCP's client is associated to every AP it hears
 * beforehand, which is the paper's point.
 */
export const ASSOCIATION_SECONDS = 2;
const PORT = 443;
const C = [0, 1, 2].map((i) => parseAddress(`10.${i + 1}.0.1`)!);
const S = [0, 1, 2].map((i) => parseAddress(`10.${i + 1}.0.2`)!);

export interface WalkRun {
  mode: "mptcp" | "hard-handover";
  /** Goodput per second, Mbit/s, for seconds 1..49. */
  bins: number[];
  emptyBins: number;
  flow: FlowResult;
  events: number;
}

export function runWalk(mode: WalkRun["mode"], seed: number, mptcp: ExperimentOptions["mptcp"] = {}, pacing = false): WalkRun {
  const sim = new Simulator({ seed });
  const ifaces = (a: Uint8Array[]) => a.map((x) => ({ addresses: [x] }));
  const limits = { limits: { subflows: 4 } };
  const client = new MptcpHost({ interfaces: ifaces(C), random: sim.rng.fork("client"), tcp: { maxRetries: 4, pacing }, mptcp: { ...mptcp, ...limits } });
  const server = new MptcpHost({ interfaces: ifaces(S), random: sim.rng.fork("server"), tcp: { maxRetries: 4, pacing }, mptcp: { ...mptcp, ...limits } });
  const source = new BulkSource(1e12, sim.rng.fork("payload"));
  const sink = new BulkSink();
  const perSecond = new Array<number>(END + 1).fill(0);
  let conn: MptcpConnection | undefined;
  const sn = sim.addNode("server", new HostNode(server, (e) => void source.serve(e)));
  const cn = sim.addNode("client", new HostNode(client, (e, now) => {
    if (e.type === "incoming") return;
    if (e.type === "connected") conn = e.connection;
    else if (e.type === "readable") sink.drain(e.connection, now, (n, t) => void (perSecond[Math.floor(t / 1e6)]! += n));
    else if (e.type === "subflow-up" && mode === "hard-handover" && lost !== undefined) {
      // Break before make: the new AP's subflow is up, now the lost AP's address goes.
      client.removeAddress(C[lost]!);
      lost = undefined;
    }
  }));
  let lost: number | undefined;
  RANGES.forEach(([from, to], i) => {
    const schedule = [...(from > 0 ? [{ atUs: 0, up: false }, { atUs: from * 1e6, up: true }] : []), { atUs: to * 1e6, up: false }];
    sim.addDuplexLink(cn, i, sn, i, { ...AP, schedule });
  });
  server.listen(PORT);
  client.connect(S[0]!, PORT, 0, { local: C[0]! });
  sim.wake(cn);
  // The client's view of its radios: an AP in range is joined (MPTCP) or waited for (hard
  // handover: joined only once the current one is lost); an AP out of range loses its address.
  RANGES.forEach(([from, to], i) => {
    if (i > 0) {
      const joinAt = mode === "mptcp" ? from : RANGES[i - 1]![1] + ASSOCIATION_SECONDS;
      sim.at(joinAt * 1e6, () => {
        conn?.openSubflow(C[i]!, S[i]!, PORT);
        sim.wake(cn);
      });
    }
    sim.at(to * 1e6, () => {
      if (i === RANGES.length - 1) return;
      // A REMOVE_ADDR needs a subflow to carry it: with hard handover there is none until the
      // next AP's join is up (above).
      if (mode === "mptcp") client.removeAddress(C[i]!);
      else lost = i;
      sim.wake(cn);
    });
  });
  sim.runUntil(END * 1e6);
  const bins = perSecond.slice(1, END).map((b) => (b * 8) / 1e6);
  return {
    mode,
    bins,
    emptyBins: bins.filter((b) => b === 0).length,
    flow: {
      name: mode,
      bytesSent: source.written,
      bytesDelivered: sink.received,
      integrity: sink.received > 0 && sink.received <= source.written,
      completionSeconds: END,
      goodputMbps: (sink.received * 8) / END / 1e6,
      steadyGoodputMbps: (sink.received * 8) / END / 1e6,
    },
    events: sim.eventCount,
  };
}

export const wifiWalk: Experiment = {
  name: "exp-wifi-walk",
  description: "a client walks past three APs (one subflow per AP it hears): goodput never drops to zero, beside a hard-handover baseline",
  run(opts: ExperimentOptions): ExperimentResult {
    const seed = opts.seed ?? 1;
    const runs = (["mptcp", "hard-handover"] as const).map((m) => runWalk(m, seed, opts.mptcp, opts.pacing === true));
    const [mp, hard] = runs as [WalkRun, WalkRun];
    const lowest = Math.min(...mp.bins);
    return {
      name: this.name,
      seed,
      flows: runs.map((r) => r.flow),
      table: [
        ["mode", "goodput (Mbit/s)", "lowest 1-s bin (Mbit/s)", "empty 1-s bins"],
        ...runs.map((r) => [r.mode, r.flow.goodputMbps.toFixed(2), Math.min(...r.bins).toFixed(2), String(r.emptyBins)]),
      ],
      checks: [
        check("MPTCP: empty one-second bins while an AP is in range", mp.emptyBins, "0", mp.emptyBins === 0),
        check("MPTCP: lowest one-second goodput (Mbit/s)", lowest, "> 0", lowest > 0),
        check("hard handover: empty one-second bins (the baseline stalls)", hard.emptyBins, ">= 1", hard.emptyBins >= 1),
      ],
      plots: [
        {
          title: "Goodput in each second of the walk (from 1 s): MPTCP with a subflow per AP heard, and hard handover",
          xLabel: "seconds",
          yLabel: "Mbit/s",
          x: mp.bins.map((_, i) => i + 1),
          series: runs.map((r) => ({ label: r.mode, values: r.bins })),
        },
      ],
      simulatedSeconds: 2 * END,
      events: runs.reduce((a, r) => a + r.events, 0),
    };
  },
};

/**
 * exp-responsiveness (BALIA draft §5.2): an MPTCP flow over two 20 Mbit/s, 10 ms paths; five TCP
 * flows join path 2 from 40 s to 80 s. While they are there the coupled controller should move
 * the MPTCP flow's traffic to path 1, and when they leave it should take path 2 back. The
 * reconvergence time is how long after 80 s the MPTCP flow's rate on path 2 takes to come back to
 * 90% of what it was before 40 s. Published: Coupled 94.36 s, OLIA 58.5 s, LIA 17.75 s, BALIA
 * 14.73 s; the claim is their order, BALIA < LIA < OLIA < Coupled. The draft's "Coupled" is the
 * Kelly-Voice rule (`--cc kelly-voice`, kelly-voice.ts): OLIA without its alpha term, so never
 * faster than OLIA to take a path back, which is the published order; Wischik et al.'s fully
 * coupled rule (`--cc coupled`) grows a freed path as fast as LIA does (docs/experiments.md).
 * A seed moves a run's time by as much as the gaps
 * between controllers, so each controller runs on several seeds and the order is judged on the
 * means (replicate.ts), each adjacent difference beside its standard error. Every host paces
 * (RESPONSIVENESS_PACING; `--no-pacing` runs them unpaced).
 *
 * The time is a whole number of seconds: the first t >= 1 for which the path-2 subflow's mean rate
 * over the 5 s ending at 81 + t s (from bytes delivered, sampled each second) is at least 90% of
 * its mean over 20-39 s. A step back to the earlier rate at t0 s after 80 reads as t0 + 3.5 s
 * rounded up (4 s for a step at 80 s; 3 s if the rate after exceeds the one before by an eighth):
 * a common offset, and a rounding that adds at most 1 s to each run.
 *
 *   mptcp client ──── path 1 (20 Mbit/s, 10 ms) ──── mptcp server
 *        └── L ══ path 2 (20 Mbit/s, 10 ms) ══ R ──┘
 *   5 tcp clients ┘                              └ 5 tcp servers
 */
import type { CongestionFloor, CongestionKind } from "../../mptcp/cc/index.js";
import { MptcpHost } from "../../stack/mptcp-host.js";
import { reno } from "../../tcp/congestion/reno.js";
import { parseAddress } from "../../wire/address.js";
import { BulkSink, BulkSource } from "../bulk.js";
import { HostNode } from "../host-node.js";
import { Router } from "../router.js";
import { Simulator } from "../simulator.js";
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { categoryPlot, check, type Plot } from "./experiment.js";
import { describeReplications, formatSummary, gapCheck, replicaFlows, replicate, runTotals, summarise, type Summary } from "./replicate.js";
import { longRunningFlow, type FlowResult } from "./transfer.js";

const PORT = 5001;
const PATH = { rateBps: 20_000_000, delayUs: 10_000, queueLimitPackets: 50 };
/**
 * Random per-packet delay on the access links, uniform up to one packet's transmission time on a
 * path (1500 bytes at 20 Mbit/s), so that the seed decides the flows' relative timing and a
 * drop-tail queue does not lock them into phase (Floyd and Jacobson, 1992; see
 * shared-bottleneck.ts).
 */
const JITTER_US = Math.round((1500 * 8 * 1e6) / PATH.rateBps);
const ACCESS = { rateBps: 1_000_000_000, delayUs: 100, queueLimitPackets: 1000, jitter: { maxUs: JITTER_US } };
const A = (s: string): Uint8Array => parseAddress(s)!;

export interface ResponsivenessRun {
  congestion: CongestionKind;
  /** MPTCP flow's rate on path 2 before 40 s, during 40–80 s, and the reconvergence time. */
  beforeMbps: number;
  duringMbps: number;
  /** The MPTCP flow's rate on path 2 in each second of the run (Mbit/s). */
  path2Mbps: number[];
  reconvergenceSeconds: number;
  flows: FlowResult[];
  events: number;
  simulatedSeconds: number;
}

/**
 * Every host paces its connections by default (TcpConfig.pacing, as Linux with fq), since session
 * 15. Unpaced, drop-tail phase effects between the MPTCP flow and the five TCP flows spread one
 * controller's times over up to 10 s from seed to seed (1-3 s paced). Session 14 decided, before
 * looking at fresh seeds, that this experiment would pace once seeds 6-10 agreed with seeds 1-5;
 * with OLIA's and BALIA's floors of session 15 both sets pass every check (docs/experiments.md).
 */
export const RESPONSIVENESS_PACING = true;

/**
 * One run. `queuePackets` replaces the paths' drop-tail queue (50 packets, 30 ms at 20 Mbit/s):
 * the draft does not give its testbed's, and OLIA's and the fully coupled controller's
 * reconvergence depend on it (docs/experiments.md).
 */
export function runResponsiveness(congestion: CongestionKind, seed: number, endSeconds = 120, opts: { queuePackets?: number; pacing?: boolean; floor?: CongestionFloor } = {}): ResponsivenessRun {
  const sim = new Simulator({ seed });
  const path = opts.queuePackets === undefined ? PATH : { ...PATH, queueLimitPackets: opts.queuePackets };
  const tcp = { congestion: reno(), pacing: opts.pacing ?? RESPONSIVENESS_PACING };
  const mptcp = { congestion, ...(opts.floor !== undefined ? { congestionFloor: opts.floor } : {}) };
  const mc = new MptcpHost({ interfaces: [{ addresses: [A("10.1.0.1")] }, { addresses: [A("10.2.0.1")] }], random: sim.rng.fork("mc"), tcp, mptcp });
  const ms = new MptcpHost({ interfaces: [{ addresses: [A("10.1.0.2")] }, { addresses: [A("10.12.0.2")] }], random: sim.rng.fork("ms"), tcp, mptcp });
  const source = new BulkSource(1e12, sim.rng.fork("payload"));
  const sink = new BulkSink();
  const mcn = sim.addNode("mptcp-client", new HostNode(mc, (e) => {
    if (e.type === "connected") {
      e.connection.openSubflow(A("10.2.0.1"), A("10.12.0.2"), PORT);
      source.pump(e.connection);
    } else if (e.type === "writable") source.pump(e.connection);
  }));
  let serverConn: import("../../mptcp/connection.js").MptcpConnection | undefined;
  const msn = sim.addNode("mptcp-server", new HostNode(ms, (e, now) => {
    if (e.type === "incoming") serverConn = e.listener.accept();
    else if (e.type === "readable") sink.drain(e.connection, now);
  }));
  const L = new Router({ "10.12.0.0/16": 0, "10.13.0.0/16": 0, "10.2.0.0/16": 1 });
  const R = new Router({ "10.2.0.0/16": 0, "10.3.0.0/16": 0, "10.12.0.0/16": 1 });
  const ln = sim.addNode("L", L);
  const rn = sim.addNode("R", R);
  sim.addDuplexLink(mcn, 0, msn, 0, path);
  sim.addDuplexLink(ln, 0, rn, 0, path);
  sim.addDuplexLink(mcn, 1, ln, 1, ACCESS);
  sim.addDuplexLink(rn, 1, msn, 1, ACCESS);
  ms.listen(PORT);
  mc.connect(A("10.1.0.2"), PORT, 0, { local: A("10.1.0.1") });
  sim.wake(mcn);

  // Five TCP flows through path 2 from 40 s to 80 s.
  const tcps = [0, 1, 2, 3, 4].map((i) => {
    const c = new MptcpHost({ interfaces: [{ addresses: [A(`10.3.${i}.1`)] }], random: sim.rng.fork(`tc${i}`), tcp, mptcp: { enabled: false } });
    const s = new MptcpHost({ interfaces: [{ addresses: [A(`10.13.${i}.2`)] }], random: sim.rng.fork(`ts${i}`), tcp, mptcp: { enabled: false } });
    const src = new BulkSource(1e12, sim.rng.fork(`tp${i}`));
    const snk = new BulkSink();
    const cn = sim.addNode(`tcp-client${i}`, new HostNode(c, (e) => {
      if (e.type === "connected" || e.type === "writable") src.pump(e.connection);
    }));
    const sn = sim.addNode(`tcp-server${i}`, new HostNode(s, (e, now) => {
      if (e.type === "incoming") e.listener.accept();
      else if (e.type === "readable") snk.drain(e.connection, now);
    }));
    sim.addDuplexLink(cn, 0, ln, 2 + i, ACCESS);
    sim.addDuplexLink(rn, 2 + i, sn, 0, ACCESS);
    L.addRoute(`10.3.${i}.0/24`, 2 + i);
    R.addRoute(`10.13.${i}.0/24`, 2 + i);
    s.listen(PORT);
    let conn: ReturnType<MptcpHost["connect"]> | undefined;
    sim.at(40e6, () => {
      conn = c.connect(A(`10.13.${i}.2`), PORT, sim.now);
      sim.wake(cn);
    });
    sim.at(80e6, () => {
      conn?.abort();
      sim.wake(cn);
    });
    return { snk, src };
  });

  // The MPTCP flow's path-2 subflow: bytes it delivered, sampled each second.
  const samples: number[] = [];
  const sample = (now: number): void => {
    const join = serverConn?.joinedSubflows[0]?.subflow;
    samples.push(join?.stats().bytesReceived ?? 0);
    if (now < endSeconds * 1e6) sim.at(now + 1e6, sample);
  };
  sim.at(1e6, sample);
  sim.runUntil(endSeconds * 1e6);
  const rateAt = (i: number): number => ((samples[i]! - (samples[i - 1] ?? 0)) * 8) / 1e6;
  const mean = (from: number, to: number): number => {
    let s = 0;
    for (let i = from; i < to; i++) s += rateAt(i);
    return s / (to - from);
  };
  const before = mean(20, 39);
  const during = mean(50, 79);
  // Back at 90% of the earlier rate, over a 5 s average, from 80 s on.
  let back = Number.POSITIVE_INFINITY;
  for (let i = 81; i + 5 <= samples.length; i++) {
    if (mean(i - 4, i + 1) >= 0.9 * before) {
      back = i - 80;
      break;
    }
  }
  return {
    congestion,
    beforeMbps: before,
    path2Mbps: samples.map((_, i) => rateAt(i)),
    duringMbps: during,
    reconvergenceSeconds: back,
    flows: [
      longRunningFlow(`mptcp-${congestion}`, source, sink, endSeconds, before),
      ...tcps.map((t, i) => ({ name: `tcp${i}-${congestion}`, bytesSent: t.src.written, bytesDelivered: t.snk.received, integrity: t.snk.received <= t.src.written, completionSeconds: 40, goodputMbps: (t.snk.received * 8) / 40 / 1e6, steadyGoodputMbps: (t.snk.received * 8) / 40 / 1e6 })),
    ],
    events: sim.eventCount,
    simulatedSeconds: sim.now / 1e6,
  };
}

/** The controller as the draft's table names it. */
const label = (k: CongestionKind): string => (k === "kelly-voice" ? "Coupled" : k.toUpperCase());

/** BALIA draft §5.2: reconvergence time (s). */
export const PUBLISHED_RECONVERGENCE: Partial<Record<CongestionKind, number>> = { "kelly-voice": 94.36, olia: 58.5, lia: 17.75, balia: 14.73 };

export interface ResponsivenessOptions {
  /**
   * Independent runs per controller, on seeds seed, seed + 1, ... (default
   * RESPONSIVENESS_REPLICATIONS); the table and the checks take their means.
   */
  replications?: number;
  /** Pace every host (TcpConfig.pacing; default RESPONSIVENESS_PACING). */
  pacing?: boolean;
  /** OLIA's and BALIA's least ssthresh (MptcpOptions.congestionFloor; default "linux"). */
  floor?: CongestionFloor;
}

/**
 * Default replications. Over seeds 1-10 the per-seed differences between adjacent controllers have
 * a standard deviation of 1.0 s (LIA - BALIA) to 2.6 s, against published gaps of 3.0 s (LIA -
 * BALIA) and 36-41 s. Five runs bring the smallest gap's standard error to about 0.43 s, a seventh
 * of the published 3.0 s, and below a quarter of it even with the spread at the upper end of its
 * 90% interval (1.6 s); fewer risk a standard error of 0 from times that are whole seconds. Five
 * runs of four controllers cost about 5.5 minutes of CPU (16 s per 120 s run).
 */
export const RESPONSIVENESS_REPLICATIONS = 5;
/** The published order, slowest first. */
const ORDER: readonly CongestionKind[] = ["kelly-voice", "olia", "lia", "balia"];

export interface ResponsivenessCell {
  congestion: CongestionKind;
  runs: ResponsivenessRun[];
  before: Summary;
  during: Summary;
  /** Infinite mean when a run never reconverged. */
  reconvergence: Summary;
}

export function measureResponsiveness(seed: number, o: ResponsivenessOptions = {}): ResponsivenessCell[] {
  const replications = o.replications ?? RESPONSIVENESS_REPLICATIONS;
  return ORDER.map((congestion) => {
    const runs = replicate(replications, seed, (s) => runResponsiveness(congestion, s, 120, { ...(o.pacing !== undefined ? { pacing: o.pacing } : {}), ...(o.floor !== undefined ? { floor: o.floor } : {}) }));
    const of = (f: (r: ResponsivenessRun) => number): Summary => summarise(runs.map(f));
    return { congestion, runs, before: of((r) => r.beforeMbps), during: of((r) => r.duringMbps), reconvergence: of((r) => r.reconvergenceSeconds) };
  });
}

export function runResponsivenessExperiment(opts: ExperimentOptions, o: ResponsivenessOptions = {}): ExperimentResult {
  const seed = opts.seed ?? 1;
  const floor = o.floor ?? opts.mptcp?.congestionFloor;
  const pacing = o.pacing ?? opts.pacing;
  const cells = measureResponsiveness(seed, { ...o, ...(pacing !== undefined ? { pacing } : {}), ...(floor !== undefined ? { floor } : {}) });
  const replications = cells[0]!.runs.length;
  const at = (k: CongestionKind): ResponsivenessCell => cells.find((c) => c.congestion === k)!;
  const t = (k: CongestionKind): number => at(k).reconvergence.mean;
  const ordered = t("balia") <= t("lia") && t("lia") < t("olia") && t("olia") < t("kelly-voice");
  const of = describeReplications(seed, replications);
  const seconds = (s: Summary): string => (Number.isFinite(s.mean) ? formatSummary(s, 1) : `never in ${s.values.filter((x) => !Number.isFinite(x)).length} of ${s.values.length}`);
  // Each adjacent pair of the published order, slower minus faster, beside its standard error
  // (none with one run).
  const gaps = replications < 2 ? [] : ORDER.slice(1).map((k, i) => gapCheck(`reconvergence, ${label(ORDER[i]!)} - ${label(k)} (s, ${of})`, at(ORDER[i]!).reconvergence, at(k).reconvergence, 1));
  return {
    name: "exp-responsiveness",
    seed,
    flows: cells.flatMap((c) => replicaFlows("run", c.runs)),
    table: [
      ["controller", `path 2 before (Mbit/s, ${of})`, "path 2 during (Mbit/s)", `reconvergence (s, ${of})`, "per seed (s)", "published (s)"],
      ...cells.map((c) => [
        label(c.congestion),
        formatSummary(c.before, 2),
        formatSummary(c.during, 2),
        seconds(c.reconvergence),
        c.reconvergence.values.map((x) => (Number.isFinite(x) ? String(x) : "never")).join(" "),
        String(PUBLISHED_RECONVERGENCE[c.congestion]),
      ]),
    ],
    checks: [
      check("reconvergence order BALIA <= LIA < OLIA < Coupled", ordered ? 1 : 0, "1", ordered),
      ...gaps,
      // Held by every replication, not the mean.
      ...cells.map((c) => {
        const ratio = Math.max(...c.runs.map((r) => r.duringMbps / r.beforeMbps));
        return check(`${label(c.congestion)}: path 2 given up while the TCP flows are there (during / before)`, ratio, "< 0.5", ratio < 0.5);
      }),
    ],
    plots: responsivenessPlots(cells, seed, of),
    ...runTotals(cells.flatMap((c) => c.runs)),
  };
}

/**
 * The report's plots: the path-2 throughput each second of every controller's first run (the
 * draft's figure), and the mean reconvergence times beside the published ones (`of` says over
 * which runs).
 */
export function responsivenessPlots(cells: readonly ResponsivenessCell[], seed: number, of: string): Plot[] {
  return [
    {
      title: `Path 2 carried by the MPTCP flow, each second (seed ${seed}); the TCP flows are there from 40 to 80 s`,
      xLabel: "seconds",
      yLabel: "Mbit/s",
      x: cells[0]!.runs[0]!.path2Mbps.map((_, i) => i + 1),
      series: cells.map((c) => ({ label: label(c.congestion), values: c.runs[0]!.path2Mbps })),
    },
    categoryPlot(`Reconvergence time (${of}) beside the BALIA draft's`, "controller", "seconds", cells.map((c) => label(c.congestion)), [
      { label: "measured (mean)", values: cells.map((c) => (Number.isFinite(c.reconvergence.mean) ? c.reconvergence.mean : null)) },
      { label: "published", values: cells.map((c) => PUBLISHED_RECONVERGENCE[c.congestion] ?? null), dashed: true },
    ]),
  ];
}

export const responsiveness: Experiment = {
  name: "exp-responsiveness",
  description: "two 20 Mbit/s paths, five TCP flows on path 2 from 40 to 80 s: reconvergence time per controller, published order BALIA < LIA < OLIA < Coupled",
  run: (opts) => runResponsivenessExperiment(opts),
};

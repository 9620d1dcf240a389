/**
 * One bulk download between two hosts joined by several point-to-point paths, the building block
 * of the experiments (issue [multipath]): interface i of each host is path i. With `mptcp` the
 * client connects over the first path it `uses` and joins over the others (the path manager's
 * part, done by hand as the kernel's `subflow` endpoints would); without it the same stack runs
 * plain TCP on the first path only, which is the single-path baseline the classic papers compare
 * against.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import type { SubflowStats } from "../../mptcp/stats.js";
import { MptcpHost, type MptcpOptions } from "../../stack/mptcp-host.js";
import { parseAddress, type IpAddress } from "../../wire/address.js";
import { BulkSink, BulkSource } from "../bulk.js";
import { HostNode } from "../host-node.js";
import type { LinkConfig } from "../link.js";
import { Simulator } from "../simulator.js";
import type { ExperimentOptions } from "./experiment.js";
import { RateBins } from "./rate-bins.js";

/** Seconds after which a transfer is taken to be past slow start (`steadyGoodputMbps`). */
export const DEFAULT_WARMUP_SECONDS = 5;

export interface PathSpec {
  name: string;
  rateMbps: number;
  /** One-way propagation delay. */
  delayMs: number;
  /** Drop-tail queue of the bottleneck, in packets (default: one bandwidth-delay product, at least 20). */
  queuePackets?: number;
  /** Random loss probability per packet, each direction (default none). */
  loss?: number;
}

export interface TransferSpec {
  /** Name of the flow in results. */
  name: string;
  paths: PathSpec[];
  /** Indexes of the paths the connection uses; the first carries the initial subflow. */
  use: number[];
  mptcp: boolean;
  bytes: number;
  seed: number;
  /** Receive buffer (TCP and data level) in bytes; default the stack's. */
  recvBuffer?: number;
  /** Send buffer (TCP and data level) in bytes; default the stack's. */
  sendBuffer?: number;
  /** Pace both hosts' connections (TcpConfig.pacing). */
  pacing?: boolean;
  /** Stop after this much virtual time (default 600 s). */
  limitSeconds?: number;
  /** Start of the steady state for `steadyGoodputMbps` (default 5 s): slow start is over; 0 for a transfer that ends before. */
  warmupSeconds?: number;
  /**
   * MPTCP options for both hosts (congestion control, scheduler, ndiffports), and the switches
   * an experiment may turn to measure what they do (delay-aware scheduling, autotuning).
   */
  mptcpOptions?: ExperimentOptions["mptcp"] & Pick<MptcpOptions, "delayAware" | "autotune">;
}

/** A flow's result, with the field names of `mptcp sim --json`'s flows. */
export interface FlowResult {
  name: string;
  bytesSent: number;
  bytesDelivered: number;
  integrity: boolean;
  completionSeconds: number;
  goodputMbps: number;
  /** Goodput from the end of the warm-up to completion: the long-run rate without slow start. */
  steadyGoodputMbps: number;
}

/**
 * The result of a long-running flow cut at `seconds` (not a transfer that completes): goodput
 * over the run, `steadyMbps` over the window the experiment measures. Its integrity is that the
 * receiver got no more than was sent and something at all; the transfers' own tests check the
 * bytes, and these experiments measure shares.
 */
export function longRunningFlow(name: string, source: BulkSource, sink: BulkSink, seconds: number, steadyMbps: number): FlowResult {
  return {
    name,
    bytesSent: source.written,
    bytesDelivered: sink.received,
    integrity: sink.received > 0 && sink.received <= source.written,
    completionSeconds: seconds,
    goodputMbps: (sink.received * 8) / seconds / 1e6,
    steadyGoodputMbps: steadyMbps,
  };
}

export interface TransferResult {
  flow: FlowResult;
  /** Goodput in each second of the run, in order, in Mbit/s (the reports' time series). */
  perSecondMbps: number[];
  subflows: SubflowStats[];
  fallback: false | string;
  simulatedSeconds: number;
  events: number;
}

const PORT = 5201;

const clientAddr = (i: number): IpAddress => parseAddress(`10.${i + 1}.0.1`)!;
const serverAddr = (i: number): IpAddress => parseAddress(`10.${i + 1}.0.2`)!;

/** The link of a path: its rate and delay, and a queue of one BDP unless given. */
export function pathLink(p: PathSpec): LinkConfig {
  const bdpPackets = Math.ceil((p.rateMbps * 1e6 * (2 * p.delayMs) * 1e-3) / 8 / 1500);
  const link: LinkConfig = { rateBps: p.rateMbps * 1e6, delayUs: p.delayMs * 1000, queueLimitPackets: p.queuePackets ?? Math.max(20, bdpPackets) };
  if (p.loss !== undefined && p.loss > 0) link.loss = { kind: "bernoulli", p: p.loss };
  return link;
}

export function runTransfer(spec: TransferSpec): TransferResult {
  const sim = new Simulator({ seed: spec.seed });
  const interfaces = (addr: (i: number) => IpAddress) => spec.paths.map((_, i) => ({ addresses: [addr(i)] }));
  const buffers = {
    ...(spec.recvBuffer === undefined ? {} : { recvBufferSize: spec.recvBuffer }),
    ...(spec.sendBuffer === undefined ? {} : { sendBufferSize: spec.sendBuffer }),
  };
  const config = (addr: (i: number) => IpAddress, name: string) => ({
    interfaces: interfaces(addr),
    random: sim.rng.fork(name),
    tcp: { maxRetries: 4, ...buffers, ...(spec.pacing === true ? { pacing: true } : {}) },
    mptcp: { enabled: spec.mptcp, subflows: Math.max(2, spec.use.length - 1), ...buffers, ...spec.mptcpOptions },
  });
  const clientHost = new MptcpHost(config(clientAddr, "client"));
  const serverHost = new MptcpHost(config(serverAddr, "server"));
  const source = new BulkSource(spec.bytes, sim.rng.fork("payload"));
  const sink = new BulkSink();
  const warmupUs = (spec.warmupSeconds ?? DEFAULT_WARMUP_SECONDS) * 1e6;
  let atWarmup = 0;
  let doneAt: number | undefined;
  const perSecond = new RateBins(1e6);

  const server = new HostNode(serverHost, (e) => void source.serve(e));
  const client = new HostNode(clientHost, (e, now) => {
    if (e.type === "incoming") return;
    const conn = e.connection;
    if (e.type === "connected") {
      // A handover path manager (`--pm full|backup|single-path`) opens its own subflows.
      const byHand = (spec.mptcpOptions?.pathManager ?? "kernel") === "kernel";
      if (spec.mptcp && byHand) for (const i of spec.use.slice(1)) conn.openSubflow(clientAddr(i), serverAddr(i), PORT);
      conn.shutdown();
    } else if (e.type === "readable") {
      sink.drain(conn, now, (n, t) => perSecond.add(n, t));
      if (now <= warmupUs) atWarmup = sink.received;
    }
    else if (e.type === "peer-closed") {
      doneAt = now;
      conn.close();
    }
  });
  const ch = sim.addNode("client", client);
  const sh = sim.addNode("server", server);
  spec.paths.forEach((p, i) => sim.addDuplexLink(ch, i, sh, i, pathLink(p)));

  serverHost.listen(PORT);
  const first = spec.use[0] ?? 0;
  const conn: MptcpConnection = clientHost.connect(serverAddr(first), PORT, 0, { local: clientAddr(first) });
  sim.wake(ch);
  sim.runUntilDone(() => doneAt !== undefined, (spec.limitSeconds ?? 600) * 1e6);
  const end = doneAt ?? sim.now;
  const stats = conn.stats();
  return {
    flow: {
      name: spec.name,
      bytesSent: source.written,
      bytesDelivered: sink.received,
      integrity: doneAt !== undefined && sink.received === spec.bytes && sink.digest() === source.digest(),
      completionSeconds: end / 1e6,
      goodputMbps: end > 0 ? (sink.received * 8) / (end / 1e6) / 1e6 : 0,
      steadyGoodputMbps: end > warmupUs ? ((sink.received - atWarmup) * 8) / ((end - warmupUs) / 1e6) / 1e6 : 0,
    },
    perSecondMbps: perSecond.mbps(),
    subflows: stats.subflows,
    fallback: stats.fallback,
    simulatedSeconds: sim.now / 1e6,
    events: sim.eventCount,
  };
}

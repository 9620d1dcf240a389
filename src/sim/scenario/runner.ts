/**
 * Runs a validated scenario on the simulator: builds hosts (the real Host stack), routers and
 * links, starts each flow's bulk sender and sink at its time, applies the timed events, and
 * reports per-flow integrity, completion time and goodput with TCP and link statistics.
 *
 * The result depends only on the scenario, the seed and the code: no clock is read here (the
 * CLI measures wall time around the run), and every random draw comes from a stream forked by
 * name from the seed (`host/<name>`, `flow/<name>`, and the links' own).
 */
import { Host } from "../../stack/host.js";
import type { Connection } from "../../stack/connection.js";
import type { TcpStats } from "../../tcp/connection.js";
import type { TcpConfig } from "../../tcp/config.js";
import { cubic } from "../../tcp/congestion/cubic.js";
import { reno } from "../../tcp/congestion/reno.js";
import { formatAddress } from "../../wire/address.js";
import type { Link, LinkCounters } from "../link.js";
import type { LossModel } from "../loss.js";
import { Router } from "../router.js";
import { Simulator } from "../simulator.js";
import type { NodeHandle } from "../simulator.js";
import type { CaptureWriter } from "../tap.js";
import { BulkSender, PayloadStream, Sink } from "./apps.js";
import type { EventSpec, FlowSpec, Scenario, ScenarioTcp } from "./model.js";
import { SimHost } from "./sim-host.js";
import type { HostCounters } from "../../stack/counters.js";

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number | string;
  /** Overrides every flow's byte count (short test runs of the built-ins). */
  bytes?: number;
  /** Overrides the run limit, µs. */
  duration?: number;
  /** A capture for each host interface, or undefined for none (pcaps). */
  capture?: (host: string, iface: number) => CaptureWriter | undefined;
  /** Records each flow's delivered bytes every this many µs (`FlowResult.samples`). */
  sampleEveryUs?: number;
}

/** A connection's statistics as reported (TcpStats with times in ms). */
export interface ReportedTcpStats {
  state: string;
  bytesSent: number;
  bytesReceived: number;
  segmentsSent: number;
  segmentsReceived: number;
  retransmissions: number;
  retransmittedBytes: number;
  fastRetransmits: number;
  timeouts: number;
  srttMs: number | null;
  rttvarMs: number;
  rtoMs: number;
  cwnd: number;
  ssthresh: number | null;
  mss: number;
}

export interface FlowResult {
  name: string;
  from: string;
  to: string;
  /** Bytes the flow was to send. */
  bytes: number;
  /** Bytes the sender's connection accepted. */
  bytesSent: number;
  /** Bytes the receiving application read. */
  bytesDelivered: number;
  /** Every byte arrived, in order, unchanged: the SHA-256 of what was read equals that of what was written. */
  integrity: boolean;
  /** From the flow's start to the receiver seeing the end of the stream (null if it never did). */
  completionSeconds: number | null;
  /** Application bytes over the completion time, Mbit/s (null if incomplete). */
  goodputMbps: number | null;
  /** "reset" or "timed-out" when the transfer failed. */
  failure: string | null;
  sha256: string;
  sender: ReportedTcpStats | null;
  receiver: ReportedTcpStats | null;
  /** [seconds, bytes delivered] every `RunOptions.sampleEveryUs`, when asked for. */
  samples?: [number, number][];
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  seed: number | string;
  /** Simulated time at the end of the run. */
  simulatedSeconds: number;
  /** Simulator events dispatched. */
  events: number;
  /** True when every flow completed with integrity. */
  ok: boolean;
  flows: FlowResult[];
  links: ({ name: string } & LinkCounters)[];
  hosts: ({ name: string } & HostCounters)[];
}

interface FlowRun {
  spec: FlowSpec;
  sender: BulkSender;
  sink: Sink;
  client: Connection | undefined;
  server: Connection | undefined;
  /** The sender's connection ended (closed, reset or timed out). */
  clientClosed: boolean;
  samples: [number, number][] | undefined;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioResult {
  const seed = options.seed ?? scenario.seed;
  const sim = new Simulator({ seed });
  const simHosts = new Map<string, SimHost>();
  const handles = new Map<string, NodeHandle>();

  for (const h of scenario.hosts) {
    const host = new Host({
      interfaces: h.interfaces,
      random: sim.rng.fork(`host/${h.name}`),
      tcp: tcpOverrides(h.tcp),
      routes: h.routes,
    });
    const node = new SimHost(h.name, host);
    simHosts.set(h.name, node);
    handles.set(h.name, sim.addNode(h.name, node));
  }
  for (const r of scenario.routers) handles.set(r.name, sim.addNode(r.name, new Router(r.routes)));

  const links = new Map<string, { forward: Link; reverse: Link | undefined }>();
  for (const l of scenario.links) {
    const a = handles.get(l.from.node)!;
    const b = handles.get(l.to.node)!;
    const forward = sim.addLink(a, l.from.iface, b, l.to.iface, l.forward, l.name);
    const reverse = l.reverse === undefined ? undefined : sim.addLink(b, l.to.iface, a, l.from.iface, l.reverse, `${l.name}/reverse`);
    links.set(l.name, { forward, reverse });
  }

  if (options.capture !== undefined) {
    for (const h of scenario.hosts) {
      h.interfaces.forEach((_, iface) => {
        const w = options.capture!(h.name, iface);
        if (w !== undefined) sim.tapInterface(handles.get(h.name)!, iface, w);
      });
    }
  }

  const flows: FlowRun[] = scenario.flows.map((spec) => {
    const bytes = options.bytes ?? spec.bytes;
    const s = { ...spec, bytes };
    return { spec: s, sender: new BulkSender(bytes, new PayloadStream(sim.rng.fork(`flow/${spec.name}`))), sink: new Sink(), client: undefined, server: undefined, clientClosed: false, samples: options.sampleEveryUs === undefined ? undefined : [] };
  });

  // One listener per (server, port), shared by the flows to it; accepted connections are matched
  // to their flow by the client's address and port.
  const byClient = new Map<string, FlowRun>();
  const listening = new Set<string>();
  for (const f of flows) {
    const server = simHosts.get(f.spec.to)!;
    const key = `${f.spec.to}:${f.spec.port}`;
    if (listening.has(key)) continue;
    listening.add(key);
    const listener = server.host.listen(f.spec.port, { backlog: 1024 });
    server.serve(listener, (conn) => {
      const run = byClient.get(`${formatAddress(conn.remote)}:${conn.remotePort}`);
      if (run === undefined) return undefined;
      run.server = conn;
      return run.sink;
    });
  }

  for (const f of flows) {
    sim.at(f.spec.start, (now) => {
      const client = simHosts.get(f.spec.from)!;
      const conn = client.host.connect(f.spec.address, f.spec.port, now);
      f.client = conn;
      byClient.set(`${formatAddress(conn.local)}:${conn.localPort}`, f);
      client.attach(conn, {
        onEvent: (type, c) => {
          f.sender.onEvent(type, c);
          if (type === "closed") f.clientClosed = true;
        },
      });
      sim.wake(handles.get(f.spec.from)!);
    });
  }

  const lossNow = new Map<Link, LossModel>();
  for (const l of scenario.links) {
    const pair = links.get(l.name)!;
    lossNow.set(pair.forward, l.forward.loss ?? { kind: "none" });
    if (pair.reverse !== undefined) lossNow.set(pair.reverse, l.reverse!.loss ?? { kind: "none" });
  }
  for (const ev of scenario.events) scheduleEvent(sim, ev, links.get(ev.link)!, lossNow);

  const limit = options.duration ?? scenario.duration;
  const every = options.sampleEveryUs;
  if (every !== undefined) {
    if (!(Number.isInteger(every) && every > 0)) throw new RangeError(`sampleEveryUs ${every}`);
    const sample = (now: number): void => {
      for (const f of flows) if (!finished(f)) f.samples!.push([now / 1e6, f.sink.bytesDelivered]);
      if (!flows.every((f) => finished(f))) sim.at(now + every, sample);
    };
    sim.at(every, sample);
  }
  sim.runUntilDone(() => flows.every((f) => finished(f)), limit);

  const flowResults = flows.map((f) => flowResult(f));
  return {
    scenario: scenario.name,
    description: scenario.description,
    seed,
    simulatedSeconds: sim.now / 1e6,
    events: sim.eventCount,
    ok: flowResults.every((f) => f.integrity),
    flows: flowResults,
    links: [...sim.links].map((l) => ({ name: l.name, ...l.counters })),
    hosts: scenario.hosts.map((h) => ({ name: h.name, ...simHosts.get(h.name)!.host.counters })),
  };
}

/** A flow is over when the receiver closed after the end of the stream, or the sender gave up. */
function finished(f: FlowRun): boolean {
  return f.sink.closedAt !== undefined || (f.clientClosed && f.sink.finishedAt === undefined);
}

function flowResult(f: FlowRun): FlowResult {
  const { spec, sender, sink } = f;
  const samples = f.samples === undefined ? {} : { samples: f.samples };
  const sentHash = sender.digest();
  const integrity = sink.finishedAt !== undefined && sink.bytesDelivered === spec.bytes && sender.bytesSent === spec.bytes && sink.digest() === sentHash;
  const completion = sink.finishedAt === undefined ? null : (sink.finishedAt - spec.start) / 1e6;
  return {
    name: spec.name,
    from: spec.from,
    to: spec.to,
    bytes: spec.bytes,
    bytesSent: sender.bytesSent,
    bytesDelivered: sink.bytesDelivered,
    integrity,
    completionSeconds: completion,
    goodputMbps: completion === null || completion === 0 ? null : round((sink.bytesDelivered * 8) / completion / 1e6, 3),
    failure: sink.failure ?? null,
    sha256: sink.digest(),
    sender: f.client === undefined ? null : reportStats(f.client.stats()),
    receiver: f.server === undefined ? null : reportStats(f.server.stats()),
    ...samples,
  };
}

function reportStats(s: TcpStats): ReportedTcpStats {
  return {
    state: s.state,
    bytesSent: s.bytesSent,
    bytesReceived: s.bytesReceived,
    segmentsSent: s.segmentsSent,
    segmentsReceived: s.segmentsReceived,
    retransmissions: s.retransmissions,
    retransmittedBytes: s.retransmittedBytes,
    fastRetransmits: s.fastRetransmits,
    timeouts: s.timeouts,
    srttMs: s.srtt === undefined ? null : s.srtt / 1000,
    rttvarMs: s.rttvar / 1000,
    rtoMs: s.rto / 1000,
    cwnd: s.cwnd,
    ssthresh: Number.isFinite(s.ssthresh) ? s.ssthresh : null,
    mss: s.mss,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function tcpOverrides(t: ScenarioTcp): Partial<TcpConfig> {
  const { congestion, ...rest } = t;
  const out: Partial<TcpConfig> = { ...rest };
  if (congestion === "reno") out.congestion = reno();
  else if (congestion === "cubic") out.congestion = cubic();
  return out;
}

function scheduleEvent(sim: Simulator, ev: EventSpec, pair: { forward: Link; reverse: Link | undefined }, lossNow: Map<Link, LossModel>): void {
  const targets: Link[] = [];
  if (ev.direction !== "reverse") targets.push(pair.forward);
  if (ev.direction !== "forward" && pair.reverse !== undefined) targets.push(pair.reverse);
  switch (ev.action) {
    case "down":
      sim.at(ev.at, () => targets.forEach((l) => l.setUp(false)));
      if (ev.for !== undefined) sim.at(ev.at + ev.for, () => targets.forEach((l) => l.setUp(true)));
      return;
    case "up":
      sim.at(ev.at, () => targets.forEach((l) => l.setUp(true)));
      return;
    case "rate":
      sim.at(ev.at, () => targets.forEach((l) => l.setRate(ev.rateBps)));
      return;
    case "delay":
      sim.at(ev.at, () => targets.forEach((l) => l.setDelay(ev.delayUs)));
      return;
    case "loss":
      sim.at(ev.at, () => targets.forEach((l) => {
        l.setLoss(ev.loss);
        lossNow.set(l, ev.loss);
      }));
      return;
    case "blackhole":
      // The link stays up and keeps its queue, but loses every packet (picoquic's black hole);
      // afterwards the loss model in force before it returns.
      sim.at(ev.at, () => targets.forEach((l) => l.setLoss({ kind: "bernoulli", p: 1 })));
      if (ev.for !== undefined) sim.at(ev.at + ev.for, () => targets.forEach((l) => l.setLoss(lossNow.get(l)!)));
      return;
  }
}

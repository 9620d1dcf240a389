/**
 * Runs a validated scenario on the simulator: builds hosts (the real Host stack, or an MptcpHost
 * for hosts with `mptcp`), routers, middlebox nodes and links, starts each flow's bulk sender and
 * sink at its time (opening its extra subflows, aborting it when asked), applies the timed events,
 * and reports per-flow integrity, completion time and goodput with TCP, MPTCP, link and middlebox
 * statistics.
 *
 * The result depends only on the scenario, the seed and the code: no clock is read here (the
 * CLI measures wall time around the run), and every random draw comes from a stream forked by
 * name from the seed (`host/<name>`, `flow/<name>`, `mbox/<node>/<index>`, and the links' own).
 */
import { MptcpConnection } from "../../mptcp/connection.js";
import type { MptcpCounters } from "../../mptcp/counters.js";
import { nonZeroCounters } from "../../mptcp/counters.js";
import { Host } from "../../stack/host.js";
import type { Connection } from "../../stack/connection.js";
import type { HostCounters } from "../../stack/counters.js";
import type { ConnectionEventType } from "../../stack/events.js";
import { MptcpHost } from "../../stack/mptcp-host.js";
import { isPmConfigError } from "../../mptcp/pm/endpoints.js";
import type { MptcpOptions } from "../../stack/mptcp-host.js";
import type { TcpStats } from "../../tcp/connection.js";
import type { TcpConfig } from "../../tcp/config.js";
import { cubic } from "../../tcp/congestion/cubic.js";
import { reno } from "../../tcp/congestion/reno.js";
import { addressEquals } from "../../wire/address.js";
import type { IpAddress } from "../../wire/address.js";
import type { Link, LinkCounters } from "../link.js";
import type { LossModel } from "../loss.js";
import type { MiddleboxCounters } from "../middlebox/middlebox.js";
import { MiddleboxNode } from "../middlebox/node.js";
import { createMiddlebox } from "../middlebox/registry.js";
import { Router } from "../router.js";
import type { Rng } from "../../util/rng.js";
import { Simulator } from "../simulator.js";
import type { NodeHandle } from "../simulator.js";
import type { CaptureWriter } from "../tap.js";
import { BulkSender, PatternSource, PayloadStream, Sink, prefixDigest } from "./apps.js";
import type { ByteStream } from "./apps.js";
import { isHostEvent } from "./model.js";
import type { FlowSpec, HostEventSpec, HostSpec, LinkEventSpec, MiddleboxSpec, Scenario, ScenarioMptcp, ScenarioTcp } from "./model.js";
import { SubflowLedger, flowMptcp } from "./mptcp-report.js";
import type { FlowMptcp } from "./mptcp-report.js";
import { SimHost } from "./sim-host.js";
import { SimMptcpHost } from "./sim-mptcp-host.js";
import type { MultipathEvent } from "./sim-mptcp-host.js";

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
  /** Overrides every host's `tcp.pacing` (`--pacing`, `--no-pacing`). */
  pacing?: boolean;
  /** Overrides every MPTCP host's congestion control, scheduler or ndiffports (`--cc` ...). */
  mptcp?: Pick<MptcpOptions, "congestion" | "congestionFloor" | "scheduler" | "ndiffports" | "pathManager">;
  /**
   * "pattern": the applications write one pattern buffer and discard what they read, hashing
   * nothing (the protocol work alone, bench/sim-tcp.ts); `integrity` and `sha256` are then null.
   * Default "random": the seeded keystream, hashed at both ends.
   */
  payload?: "random" | "pattern";
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
  /** Bytes per second, when the connection paces (`tcp.pacing`). */
  pacingRate?: number;
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
  /**
   * Every byte arrived, in order, unchanged: the SHA-256 of what was read equals that of what was
   * written, and all arrived. For a flow the client aborts (`abortAfter`): what was read equals
   * the same number of bytes from the start of what was written. Null when nothing was hashed
   * (`RunOptions.payload` "pattern").
   */
  integrity: boolean | null;
  /** From the flow's start to the receiver seeing the end of the stream (null if it never did). */
  completionSeconds: number | null;
  /** Application bytes over the completion time, Mbit/s (null if incomplete). */
  goodputMbps: number | null;
  /** "reset" or "timed-out" when the transfer failed (as the receiver saw it, if it did). */
  failure: string | null;
  /** When the client aborted the connection (`abortAfter`), seconds of simulated time. */
  abortedAtSeconds?: number;
  /** Of the bytes read; null when nothing was hashed. */
  sha256: string | null;
  /** TCP statistics of the client's connection (of its initial subflow, over MPTCP). */
  sender: ReportedTcpStats | null;
  /** The same for the server's. */
  receiver: ReportedTcpStats | null;
  /** Present when either end runs MPTCP. */
  mptcp?: FlowMptcp;
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
  /** True when every flow completed with integrity (an unhashed flow: when it completed). */
  ok: boolean;
  flows: FlowResult[];
  links: ({ name: string } & LinkCounters)[];
  /** Host counters; `mptcp`, the non-zero MPTcpExt counters, for hosts that run MPTCP. */
  hosts: ({ name: string; mptcp?: Partial<MptcpCounters> } & HostCounters)[];
  /** Per middlebox node, per box: its counters. */
  middleboxes: { name: string; boxes: BoxReport[] }[];
}

/** A box's kind and counters: those of every box and its own (`merged`, `mappings`, ...). */
export type BoxReport = { kind: string } & MiddleboxCounters & { [counter: string]: number | string };

/** A byte-stream connection of either kind of host. */
type AnyConnection = Connection | MptcpConnection;

/** A scenario host in the simulator: a plain Host or an MptcpHost. */
type RunHost = { kind: "tcp"; node: SimHost } | { kind: "mptcp"; node: SimMptcpHost };

interface FlowRun {
  spec: FlowSpec;
  sender: BulkSender;
  sink: Sink;
  client: AnyConnection | undefined;
  server: AnyConnection | undefined;
  /** The sender's connection ended (closed, reset or timed out). */
  clientClosed: boolean;
  /** How the sender's connection failed ("reset", "timed-out"), if it did. */
  senderFailure: string | undefined;
  /** When the client aborted (abortAfter), µs. */
  abortedAt: number | undefined;
  /** Every subflow seen, when either end runs MPTCP. */
  ledger: SubflowLedger;
  joinErrors: string[];
  samples: [number, number][] | undefined;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioResult {
  const seed = options.seed ?? scenario.seed;
  const sim = new Simulator({ seed });
  const runHosts = new Map<string, RunHost>();
  const handles = new Map<string, NodeHandle>();

  for (const h of scenario.hosts) {
    const run = makeHost(options.pacing === undefined ? h : { ...h, tcp: { ...h.tcp, pacing: options.pacing } }, sim, options.mptcp);
    runHosts.set(h.name, run);
    handles.set(h.name, sim.addNode(h.name, run.node));
  }
  for (const r of scenario.routers) {
    const ecmpSeed = r.ecmpSeed ?? sim.rng.fork(`ecmp/${r.name}`).nextU32() | 0;
    handles.set(r.name, sim.addNode(r.name, new Router(r.routes, { ecmpSeed })));
  }
  const boxNodes = new Map<string, MiddleboxNode>();
  for (const m of scenario.middleboxes) {
    const node = makeMiddlebox(m, sim);
    boxNodes.set(m.name, node);
    handles.set(m.name, sim.addNode(m.name, node));
  }

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
    const verify = options.payload !== "pattern";
    const source = verify ? new PayloadStream(sim.rng.fork(`flow/${spec.name}`)) : new PatternSource();
    return {
      spec: s, sender: new BulkSender(bytes, source, { verify }), sink: new Sink({ verify }),
      client: undefined, server: undefined, clientClosed: false, senderFailure: undefined, abortedAt: undefined, ledger: new SubflowLedger(), joinErrors: [],
      samples: options.sampleEveryUs === undefined ? undefined : [],
    };
  });
  const mptcpCounters = (f: FlowRun): { client?: MptcpCounters; server?: MptcpCounters } => {
    const c = runHosts.get(f.spec.from)!;
    const s = runHosts.get(f.spec.to)!;
    return {
      ...(c.kind === "mptcp" ? { client: c.node.host.counters } : {}),
      ...(s.kind === "mptcp" ? { server: s.node.host.counters } : {}),
    };
  };
  const isMptcpFlow = (f: FlowRun): boolean => runHosts.get(f.spec.from)!.kind === "mptcp" || runHosts.get(f.spec.to)!.kind === "mptcp";
  // Snapshots feed the flow's ledger: one when the transfer completes (or is aborted), while the
  // subflows are still there, and the final one in the result.
  const snapshot = (f: FlowRun): FlowMptcp =>
    flowMptcp(asMptcp(f.client), asMptcp(f.server), f.ledger, mptcpCounters(f), f.joinErrors);

  const waiting = serveFlows(flows, runHosts, snapshot);

  for (const f of flows) {
    sim.at(f.spec.start, (now) => {
      const client = runHosts.get(f.spec.from)!;
      const onEvent = (type: ConnectionEventType, c: ByteStream): void => {
        f.sender.onEvent(type, c);
        if (type === "closed") f.clientClosed = true;
        else if (type === "reset" || type === "timed-out") f.senderFailure ??= type;
      };
      if (client.kind === "tcp") {
        const conn = client.node.host.connect(f.spec.address, f.spec.port, now);
        f.client = conn;
        client.node.attach(conn, { onEvent });
      } else {
        const conn = client.node.host.connect(f.spec.address, f.spec.port, now);
        f.client = conn;
        client.node.attach(conn, {
          onEvent: (type, c) => {
            if (type === "connected") openSubflows(f, conn);
            onEvent(type, c);
          },
          onMultipathEvent: (e) => observeSubflow(f, e, false),
        });
      }
      waiting.get(`${f.spec.to}:${f.spec.port}`)!.push(f);
      sim.wake(handles.get(f.spec.from)!);
    });
    if (f.spec.abortAfter !== undefined) {
      sim.at(f.spec.start + f.spec.abortAfter, (now) => {
        if (f.client === undefined || f.clientClosed) return;
        f.abortedAt = now;
        if (isMptcpFlow(f)) snapshot(f);
        f.client.abort();
        sim.wake(handles.get(f.spec.from)!);
      });
    }
  }

  const lossNow = new Map<Link, LossModel>();
  for (const l of scenario.links) {
    const pair = links.get(l.name)!;
    lossNow.set(pair.forward, l.forward.loss ?? { kind: "none" });
    if (pair.reverse !== undefined) lossNow.set(pair.reverse, l.reverse!.loss ?? { kind: "none" });
  }
  for (const ev of scenario.events) {
    if (!isHostEvent(ev)) {
      scheduleEvent(sim, ev, links.get(ev.link)!, lossNow);
      continue;
    }
    const run = runHosts.get(ev.host)!;
    if (run.kind === "mptcp") scheduleHostEvent(sim, ev, run.node.host, handles.get(ev.host)!);
  }

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

  const flowResults = flows.map((f) => flowResult(f, isMptcpFlow(f) ? snapshot(f) : undefined, sim.rng.fork(`flow/${f.spec.name}`)));
  return {
    scenario: scenario.name,
    description: scenario.description,
    seed,
    simulatedSeconds: sim.now / 1e6,
    events: sim.eventCount,
    ok: flowResults.every((f) => f.integrity ?? f.completionSeconds !== null),
    flows: flowResults,
    links: [...sim.links].map((l) => ({ name: l.name, ...l.counters })),
    hosts: scenario.hosts.map((h) => {
      const run = runHosts.get(h.name)!;
      if (run.kind === "tcp") return { name: h.name, ...run.node.host.counters };
      return { name: h.name, ...run.node.host.host.counters, mptcp: nonZeroCounters(run.node.host.counters) };
    }),
    middleboxes: scenario.middleboxes.map((m) => ({
      name: m.name,
      boxes: boxNodes.get(m.name)!.boxes.map((b) => ({ kind: b.kind, ...b.counters })),
    })),
  };
}

/**
 * One listener per (server, port), shared by the flows to it. An accepted connection is matched
 * to its flow by the client's address and port; through a NAT, by the client's MPTCP key (the
 * server learnt it from the SYN); failing both, to the oldest flow still waiting for its server.
 * Returns the queues of started flows waiting for their server, by `<server>:<port>`.
 */
function serveFlows(flows: readonly FlowRun[], runHosts: ReadonlyMap<string, RunHost>, snapshot: (f: FlowRun) => unknown): Map<string, FlowRun[]> {
  const waiting = new Map<string, FlowRun[]>();
  for (const f of flows) {
    const key = `${f.spec.to}:${f.spec.port}`;
    if (waiting.has(key)) continue;
    const queue: FlowRun[] = [];
    waiting.set(key, queue);
    const server = runHosts.get(f.spec.to)!;
    const accepted = (conn: AnyConnection): FlowRun | undefined => {
      const i = matchFlow(queue, conn);
      if (i < 0) return undefined;
      const run = queue.splice(i, 1)[0]!;
      run.server = conn;
      return run;
    };
    if (server.kind === "tcp") {
      server.node.serve(server.node.host.listen(f.spec.port, { backlog: 1024 }), (conn) => accepted(conn)?.sink);
      continue;
    }
    server.node.serve(server.node.host.listen(f.spec.port, { backlog: 1024 }), (conn) => {
      const run = accepted(conn);
      if (run === undefined) return undefined;
      return {
        onEvent: (type, c, now) => {
          // The subflows as they are when the stream ends, before they close.
          if (type === "peer-closed") snapshot(run);
          run.sink.onEvent(type, c, now);
        },
        onMultipathEvent: (e) => observeSubflow(run, e, true),
      };
    });
  }
  return waiting;
}

/** A middlebox node; each box draws from its own stream, `mbox/<node>/<index>`. */
function makeMiddlebox(m: MiddleboxSpec, sim: Simulator): MiddleboxNode {
  return new MiddleboxNode(m.boxes.map((b, i) => {
    const box = createMiddlebox(b.kind, b.config, sim.rng.fork(`mbox/${m.name}/${i}`));
    // Validation checked the configuration already.
    if (Array.isArray(box)) throw new RangeError(`middlebox ${m.name}: ${box.map((e) => `${e.field}: ${e.message}`).join("; ")}`);
    return box;
  }));
}

function makeHost(h: HostSpec, sim: Simulator, overrides: RunOptions["mptcp"] = {}): RunHost {
  const config = { interfaces: h.interfaces, random: sim.rng.fork(`host/${h.name}`), tcp: tcpOverrides(h.tcp), routes: h.routes };
  if (h.mptcp === undefined) return { kind: "tcp", node: new SimHost(h.name, new Host(config)) };
  return { kind: "mptcp", node: new SimMptcpHost(h.name, new MptcpHost({ ...config, mptcp: { ...mptcpOptions(h.mptcp), ...overrides } })) };
}

/**
 * The host's `mptcp:` block as MptcpHost options: its fields are the options' own names, but for
 * the two limits (`ip mptcp limits`). Validation sets only the fields a file gives.
 */
function mptcpOptions(m: ScenarioMptcp): MptcpOptions {
  const { subflows, addAddrAccepted, ...options } = m;
  const limits: NonNullable<MptcpOptions["limits"]> = {};
  if (subflows !== undefined) limits.subflows = subflows;
  if (addAddrAccepted !== undefined) limits.addAddrAccepted = addAddrAccepted;
  return { ...options, limits };
}

function asMptcp(c: AnyConnection | undefined): MptcpConnection | undefined {
  return c instanceof MptcpConnection ? c : undefined;
}

/** The initial subflow's 4-tuple of either kind of connection. */
function tupleOf(c: AnyConnection): { local: IpAddress; localPort: number; remote: IpAddress; remotePort: number } | undefined {
  return c instanceof MptcpConnection ? c.subflow : c;
}

/** The index in `queue` of the flow whose client opened `conn` (see runScenario), or -1. */
function matchFlow(queue: readonly FlowRun[], conn: AnyConnection): number {
  const t = tupleOf(conn);
  if (t !== undefined) {
    const i = queue.findIndex((f) => {
      const c = f.client === undefined ? undefined : tupleOf(f.client);
      return c !== undefined && c.localPort === t.remotePort && addressEquals(c.local, t.remote);
    });
    if (i >= 0) return i;
  }
  const peerKey = conn instanceof MptcpConnection ? conn.remoteKey?.key : undefined;
  if (peerKey !== undefined) {
    const i = queue.findIndex((f) => f.client instanceof MptcpConnection && f.client.localKey?.key === peerKey);
    if (i >= 0) return i;
  }
  return queue.length > 0 ? 0 : -1;
}

/** The flow's extra subflows (MP_JOIN, RFC 8684 §3.2), once its connection is established. */
function openSubflows(f: FlowRun, conn: MptcpConnection): void {
  for (const s of f.spec.subflows) {
    try {
      const join = conn.openSubflow(s.from, s.to, s.port, { backup: s.backup });
      if (join === undefined) f.joinErrors.push(`${conn.mode === "mptcp" ? "subflow limit reached" : `not MPTCP (${conn.mode})`}`);
    } catch (err) {
      f.joinErrors.push(err instanceof Error ? err.message : String(err));
    }
  }
}

function observeSubflow(f: FlowRun, e: MultipathEvent, fromServer: boolean): void {
  // The client's view is the one reported; the server's only when the client is plain TCP.
  if (fromServer && f.client instanceof MptcpConnection) return;
  if (e.type === "subflow-up" || e.type === "subflow-down" || e.type === "priority-changed") f.ledger.observe([e.subflow], fromServer);
}

/**
 * A flow is over when the receiver closed after the end of the stream, or the sender gave up;
 * an aborted one once the receiver saw the reset (or closed) too.
 */
function finished(f: FlowRun): boolean {
  if (f.abortedAt !== undefined) return f.sink.closedAt !== undefined || f.sink.failure !== undefined || f.sink.finishedAt !== undefined;
  return f.sink.closedAt !== undefined || (f.clientClosed && f.sink.finishedAt === undefined);
}

function flowResult(f: FlowRun, mptcp: FlowMptcp | undefined, payloadRng: Rng): FlowResult {
  const { spec, sender, sink } = f;
  const samples = f.samples === undefined ? {} : { samples: f.samples };
  let integrity: boolean | null;
  if (sink.digest() === null) integrity = null;
  else if (f.abortedAt !== undefined) {
    // Aborted on purpose: nothing more than was written may arrive, and what did must be the
    // start of it, unchanged.
    integrity = sink.bytesDelivered <= sender.bytesSent && sink.digest() === prefixDigest(payloadRng, sink.bytesDelivered);
  } else {
    const sentHash = sender.digest();
    integrity = sink.finishedAt !== undefined && sink.bytesDelivered === spec.bytes && sender.bytesSent === spec.bytes && sink.digest() === sentHash;
  }
  const completion = sink.finishedAt === undefined ? null : (sink.finishedAt - spec.start) / 1e6;
  const result: FlowResult = {
    name: spec.name,
    from: spec.from,
    to: spec.to,
    bytes: spec.bytes,
    bytesSent: sender.bytesSent,
    bytesDelivered: sink.bytesDelivered,
    integrity,
    completionSeconds: completion,
    goodputMbps: completion === null || completion === 0 ? null : round((sink.bytesDelivered * 8) / completion / 1e6, 3),
    // The receiver's view first; a sender reset or timed out fails the flow too.
    failure: sink.failure ?? f.senderFailure ?? null,
    ...(f.abortedAt !== undefined ? { abortedAtSeconds: f.abortedAt / 1e6 } : {}),
    sha256: sink.digest(),
    sender: tcpStatsOf(f.client),
    receiver: tcpStatsOf(f.server),
    ...samples,
  };
  if (mptcp !== undefined) result.mptcp = mptcp;
  return result;
}

function tcpStatsOf(c: AnyConnection | undefined): ReportedTcpStats | null {
  if (c === undefined) return null;
  const sub = c instanceof MptcpConnection ? c.subflow : c;
  return sub === undefined ? null : reportStats(sub.stats());
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
    ...(s.pacingRate !== undefined ? { pacingRate: s.pacingRate } : {}),
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

/**
 * A host event at its time: the MptcpHost's own command, then the host is polled. The endpoint
 * commands cannot fail here (validate.ts replays them against the host's table).
 */
function scheduleHostEvent(sim: Simulator, ev: HostEventSpec, host: MptcpHost, handle: NodeHandle): void {
  sim.at(ev.at, (now) => {
    let r: unknown;
    switch (ev.action) {
      case "interface-down":
        host.interfaceDown(ev.iface, now);
        break;
      case "interface-up":
        host.interfaceUp(ev.iface, now);
        break;
      case "endpoint-add":
        r = host.addEndpoint(ev.endpoint);
        break;
      case "endpoint-delete":
        r = host.deleteEndpoint(ev.id);
        break;
      case "endpoint-backup":
        r = host.setBackupEndpoint(ev.id, ev.backup);
        break;
    }
    if (isPmConfigError(r)) throw new Error(`host ${ev.host}: ${ev.action} at ${now} µs: ${r.message}`);
    sim.wake(handle);
  });
}

function scheduleEvent(sim: Simulator, ev: LinkEventSpec, pair: { forward: Link; reverse: Link | undefined }, lossNow: Map<Link, LossModel>): void {
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

/**
 * `mptcp demo`: a phone downloads over WiFi and cellular at once, and the WiFi goes away for good
 * midway. Everything runs in the simulator (virtual time, no root, no network): two MptcpHosts,
 * the client's second subflow joined over cellular (RFC 8684 §3.2), the WiFi link cut at
 * `failAt`. What it measures is what a user would ask: how fast each path went, how long the
 * download stalled when the WiFi went, and whether every byte arrived intact.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import { mptcpOptionsOf } from "../../mptcp/capable.js";
import { MptcpHost, type MptcpOptions } from "../../stack/mptcp-host.js";
import { parseAddress, type IpAddress } from "../../wire/address.js";
import { isParseError } from "../../wire/error.js";
import { parseIpPacket } from "../../wire/ip.js";
import { parseTcp } from "../../wire/tcp.js";
import type { LinkConfig } from "../link.js";
import { HostNode } from "../host-node.js";
import { BulkSink, BulkSource } from "../bulk.js";
import { Simulator } from "../simulator.js";

export interface DemoOptions {
  /** Seed of every random stream (default 1). */
  seed?: number;
  /** Bytes downloaded (default 24 MB). */
  bytes?: number;
  /** When the WiFi goes down, in seconds (default 5). */
  failAt?: number;
  /** Congestion control, its floor and scheduler of both hosts (`--cc`, `--cc-floor`, `--scheduler`). */
  mptcp?: Pick<MptcpOptions, "congestion" | "congestionFloor" | "scheduler">;
  /** Pace both hosts' subflows (`--pacing`, TcpConfig.pacing). */
  pacing?: boolean;
}

export interface DemoPath {
  name: "wifi" | "cellular";
  rateMbps: number;
  delayMs: number;
}

export interface DemoSubflow {
  name: DemoPath["name"];
  local: string;
  remote: string;
  /** Bytes the client received on it before and after the WiFi failed. */
  bytesBefore: number;
  bytesAfter: number;
  /** Mean throughput before the failure and after it (until the download completed), Mbit/s. */
  mbpsBefore: number;
  mbpsAfter: number;
  state: string;
}

export interface DemoResult {
  seed: number;
  paths: DemoPath[];
  failAtSeconds: number;
  bytes: number;
  bytesDelivered: number;
  /** SHA-256 of what the client read equals that of what the server wrote. */
  integrity: boolean;
  /** The client read the whole download and its end before the run limit (600 simulated s). */
  completed: boolean;
  /** When the client read the end of the download; the run limit when it never did. */
  completionSeconds: number;
  goodputMbps: number;
  /** Longest time after the failure with no byte delivered to the client application. */
  stallSeconds: number;
  /** Data reinjected by the server onto another subflow (RFC 8684 §3.3.6). */
  reinjections: number;
  subflows: DemoSubflow[];
  simulatedSeconds: number;
  wallSeconds: number;
  events: number;
  /** Time series for the report: [seconds, value] points per subflow. */
  series: {
    throughputMbps: { name: string; points: [number, number][] }[];
    dsn: { name: string; points: [number, number][] }[];
    cwndKB: { name: string; points: [number, number][] }[];
  };
}

const WIFI: DemoPath = { name: "wifi", rateMbps: 20, delayMs: 10 };
const CELL: DemoPath = { name: "cellular", rateMbps: 8, delayMs: 40 };
const CLIENT = ["10.1.0.1", "10.2.0.1"].map((a) => parseAddress(a)!);
const SERVER = ["10.1.0.2", "10.2.0.2"].map((a) => parseAddress(a)!);
const PORT = 443;
const SAMPLE_US = 100_000;
/** A download still running after this much simulated time is given up. */
const RUN_LIMIT_US = 600_000_000;
/** One DSN point per subflow per this many µs is plenty for a plot. */
const DSN_BUCKET_US = 10_000;

function link(p: DemoPath, queuePackets: number): LinkConfig {
  return { rateBps: p.rateMbps * 1e6, delayUs: p.delayMs * 1000, queueLimitPackets: queuePackets };
}

const pathOf = (local: IpAddress): DemoPath["name"] => (local[1] === 1 ? "wifi" : "cellular");

export function runDemo(opts: DemoOptions = {}): DemoResult {
  const seed = opts.seed ?? 1;
  const bytes = opts.bytes ?? 24_000_000;
  const failUs = Math.round((opts.failAt ?? 5) * 1e6);
  const wallStart = process.hrtime.bigint();
  const sim = new Simulator({ seed });
  // A dead path is given up after four RTOs, like Linux's stale_loss_cnt (4).
  const tcp = { maxRetries: 4, ...(opts.pacing === true ? { pacing: true } : {}) };
  const mptcp = opts.mptcp ?? {};
  const interfaces = (addrs: IpAddress[]) => addrs.map((a) => ({ addresses: [a] }));
  const clientHost = new MptcpHost({ interfaces: interfaces(CLIENT), random: sim.rng.fork("client"), tcp, mptcp });
  const serverHost = new MptcpHost({ interfaces: interfaces(SERVER), random: sim.rng.fork("server"), tcp, mptcp });

  // The server writes `bytes` of AES-CTR keystream and half-closes; the client reads it all.
  const source = new BulkSource(bytes, sim.rng.fork("payload"));
  const sink = new BulkSink();
  const server = new HostNode(serverHost, (e) => {
    serverConn = source.serve(e) ?? serverConn;
  });
  let serverConn: MptcpConnection | undefined;

  // The client reads everything, noting when bytes arrived (for the stall), and joins over
  // cellular as soon as the WiFi connection is up: the path manager's part, by hand.
  let lastDelivery = 0;
  let stallUs = 0;
  let doneAt: number | undefined;
  const client = new HostNode(clientHost, (e, now) => {
    if (e.type === "incoming") return;
    const conn = e.connection;
    switch (e.type) {
      case "connected":
        conn.openSubflow(CLIENT[1]!, SERVER[1]!, PORT);
        conn.shutdown();
        break;
      case "readable":
        sink.drain(conn, now, (_n, t) => {
          if (t > failUs) stallUs = Math.max(stallUs, t - Math.max(lastDelivery, failUs));
          lastDelivery = t;
        });
        break;
      case "peer-closed":
        doneAt = now;
        conn.close();
        break;
      default:
        break;
    }
  });

  const ch = sim.addNode("client", client);
  const sh = sim.addNode("server", server);
  sim.addDuplexLink(ch, 0, sh, 0, { ...link(WIFI, 100), schedule: [{ atUs: failUs, up: false }] });
  sim.addDuplexLink(ch, 1, sh, 1, link(CELL, 200));

  // Data sequence numbers the server sends, per subflow (its interface is the path).
  const dsnPoints = new Map<string, [number, number][]>();
  let serverIdsn: bigint | undefined;
  for (const iface of [0, 1]) {
    const points: [number, number][] = [];
    const name = iface === 0 ? "wifi" : "cellular";
    dsnPoints.set(name, points);
    let bucket = -1;
    sim.tapInterface(sh, iface, {
      write(t, packet) {
        const b = Math.floor(t / DSN_BUCKET_US);
        if (b === bucket || serverIdsn === undefined) return;
        const ip = parseIpPacket(packet);
        if (isParseError(ip) || ip.src[0] !== 10 || ip.src[3] !== 2) return;
        const seg = parseTcp(ip.payload);
        if (isParseError(seg) || seg.payload.length === 0) return;
        const dsn = mptcpOptionsOf(seg.options).dss?.dsn;
        if (dsn === undefined) return;
        bucket = b;
        points.push([t / 1e6, Number(BigInt.asUintN(64, dsn - serverIdsn)) / 1e6]);
      },
    });
  }

  // Per-subflow throughput and congestion windows, sampled every 100 ms of virtual time.
  const thr = new Map<string, [number, number][]>();
  const cwnd = new Map<string, [number, number][]>();
  const lastBytes = new Map<string, number>();
  const before = new Map<string, number>();
  const sample = (now: number): void => {
    const conn = clientConn;
    for (const s of conn.stats().subflows) {
      const name = pathOf(parseAddress(s.local)!);
      const prev = lastBytes.get(name) ?? 0;
      lastBytes.set(name, s.bytesReceived);
      if (now <= failUs) before.set(name, s.bytesReceived);
      const pts = thr.get(name) ?? [];
      thr.set(name, pts);
      pts.push([now / 1e6, ((s.bytesReceived - prev) * 8) / (SAMPLE_US / 1e6) / 1e6]);
    }
    if (serverConn !== undefined) {
      serverIdsn ??= serverConn.localKey?.idsn;
      for (const s of serverConn.stats().subflows) {
        if (s.state === "CLOSED") continue;
        const name = pathOf(parseAddress(s.local)!);
        const pts = cwnd.get(name) ?? [];
        cwnd.set(name, pts);
        pts.push([now / 1e6, s.cwnd / 1000]);
      }
    }
    if (doneAt === undefined) sim.at(now + SAMPLE_US, sample);
  };

  serverHost.listen(PORT);
  const clientConn = clientHost.connect(SERVER[0]!, PORT, 0, { local: CLIENT[0]! });
  sim.wake(ch);
  sim.at(SAMPLE_US, sample);
  sim.at(1, () => {
    serverIdsn ??= serverConn?.localKey?.idsn;
  });
  // "Before" is what each subflow carried up to the failure itself: off the sampling grid, take it
  // at that instant too.
  if (failUs % SAMPLE_US !== 0) {
    sim.at(failUs, () => {
      for (const s of clientConn.stats().subflows) before.set(pathOf(parseAddress(s.local)!), s.bytesReceived);
    });
  }
  sim.runUntilDone(() => doneAt !== undefined, RUN_LIMIT_US);
  const end = doneAt ?? sim.now;
  // A download that ended before the failure has no "after": its rate is over its own duration.
  const beforeUs = Math.min(end, failUs);
  // One that never completed was stalled from its last delivery to the run limit.
  if (doneAt === undefined && end > failUs) stallUs = Math.max(stallUs, end - Math.max(lastDelivery, failUs));

  const subflows: DemoSubflow[] = clientConn.stats().subflows.map((s) => {
    const name = pathOf(parseAddress(s.local)!);
    const b = end <= failUs ? s.bytesReceived : (before.get(name) ?? 0);
    const afterSeconds = Math.max(1e-9, (end - failUs) / 1e6);
    return {
      name,
      local: `${s.local}:${s.localPort}`,
      remote: `${s.remote}:${s.remotePort}`,
      bytesBefore: b,
      bytesAfter: s.bytesReceived - b,
      mbpsBefore: beforeUs > 0 ? round((b * 8) / (beforeUs / 1e6) / 1e6) : 0,
      mbpsAfter: end > failUs ? round(((s.bytesReceived - b) * 8) / afterSeconds / 1e6) : 0,
      state: s.state,
    };
  });
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  return {
    seed,
    paths: [WIFI, CELL],
    failAtSeconds: failUs / 1e6,
    bytes,
    bytesDelivered: sink.received,
    integrity: sink.received === bytes && source.written === bytes && sink.digest() === source.digest(),
    completed: doneAt !== undefined,
    completionSeconds: end / 1e6,
    goodputMbps: round((sink.received * 8) / (end / 1e6) / 1e6),
    stallSeconds: round(stallUs / 1e6, 3),
    reinjections: serverHost.counters.MPTCPRetrans,
    subflows,
    simulatedSeconds: sim.now / 1e6,
    wallSeconds: round(wallSeconds, 3),
    events: sim.eventCount,
    series: {
      throughputMbps: [...thr].map(([name, points]) => ({ name, points })),
      dsn: [...dsnPoints].map(([name, points]) => ({ name, points })),
      cwndKB: [...cwnd].map(([name, points]) => ({ name, points })),
    },
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

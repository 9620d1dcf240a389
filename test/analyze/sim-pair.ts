/**
 * Two MptcpHosts through the simulator, captured at both ends, for tests that hold
 * `mptcp analyze` to what the simulator knows exactly: what each TCP sent and retransmitted,
 * what each link dropped, when each byte reached the receiving application.
 *
 * Topology: client —(forward / reverse links)— [middlebox node —(wire)—] server. The client
 * capture is taken on the client's interface (before the links), the server capture on the
 * server's (after them), like tcpdump on each host.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import { MptcpHost, type MptcpOptions } from "../../src/stack/mptcp-host.js";
import type { Link, LinkConfig } from "../../src/sim/link.js";
import type { Middlebox } from "../../src/sim/middlebox/middlebox.js";
import { MiddleboxNode } from "../../src/sim/middlebox/node.js";
import { Simulator } from "../../src/sim/simulator.js";
import type { Subflow } from "../../src/mptcp/subflow.js";
import { RecordingTap, pcapTap } from "../../src/sim/tap.js";
import { parseAddress } from "../../src/wire/address.js";
import { readU16, readU32 } from "../../src/wire/bytes.js";
import type { Dss } from "../../src/wire/mptcp/types.js";
import { parseTcpOptions } from "../../src/wire/tcp-options.js";
import { Node } from "../support/mptcp-sim.js";

export const CLIENT = parseAddress("10.0.0.1")!;
export const SERVER = parseAddress("10.0.0.2")!;
/** The addresses of the second path, when there is one. */
export const CLIENT2 = parseAddress("10.0.1.1")!;
export const SERVER2 = parseAddress("10.0.1.2")!;
export const PORT = 5201;
/** Virtual time run after both ends closed: longer than any path delay of these tests. */
const SETTLE_US = 1_000_000;

/** Deterministic bytes (xorshift32), different per seed. */
export function payload(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** One side's application: writes its data, shuts down, reads everything as soon as it can. */
export class App {
  private written = 0;
  received = 0;
  closed = false;
  fallback: string | undefined;
  /** After each read: [virtual time µs, bytes received so far]. */
  readonly deliveries: Array<[number, number]> = [];
  /** Called once the connection is established (the path manager's moment to join). */
  onConnected: ((conn: MptcpConnection) => void) | undefined;
  /** What the application read, with `keepReceived`. */
  private readonly kept: Uint8Array[] | undefined;

  constructor(readonly data: Uint8Array, keepReceived = false) {
    this.kept = keepReceived ? [] : undefined;
  }

  /** The bytes read, in order (`PairOptions.keepReceived`). */
  get receivedData(): Uint8Array {
    if (this.kept === undefined) throw new Error("the received bytes were not kept (keepReceived)");
    return Buffer.concat(this.kept);
  }

  onEvent(e: MptcpEvent, conn: MptcpConnection, now: number): void {
    switch (e.type) {
      case "connected":
        this.onConnected?.(conn);
        this.push(conn);
        break;
      case "writable":
        this.push(conn);
        break;
      case "readable":
        for (let b = conn.read(); b !== undefined; b = conn.read()) {
          this.received += b.length;
          this.kept?.push(b.slice());
        }
        this.deliveries.push([now, this.received]);
        break;
      case "closed":
        this.closed = true;
        break;
      case "fallback":
        this.fallback = e.reason;
        break;
      default:
        break;
    }
  }

  push(conn: MptcpConnection): void {
    while (this.written < this.data.length) {
      const n = conn.write(this.data.subarray(this.written));
      if (n === 0) return;
      this.written += n;
    }
    conn.shutdown();
  }
}

export interface PairOptions {
  seed: number;
  /** What the client sends (c2s). */
  clientData: Uint8Array;
  /** What the server sends (s2c); default nothing. */
  serverData?: Uint8Array;
  /** Client to server (to the middlebox, with `boxes`). */
  forward: LinkConfig;
  /** Server to client; default `forward`. */
  reverse?: LinkConfig;
  client?: MptcpOptions;
  server?: MptcpOptions;
  /** Middleboxes between the links and the server (a zero-delay, unlimited wire behind them). */
  boxes?: Middlebox[];
  /**
   * A second path between the hosts' second interfaces (CLIENT2, SERVER2), on which the client
   * joins a subflow as soon as the connection is established (RFC 8684 §3.2).
   */
  second?: { forward: LinkConfig; reverse?: LinkConfig };
  /** Keep the bytes each application reads (`App.receivedData`), to compare them with what was sent. */
  keepReceived?: boolean;
}

export interface Pair {
  client: App;
  server: App;
  clientHost: MptcpHost;
  serverHost: MptcpHost;
  clientConn: MptcpConnection;
  serverConn: MptcpConnection;
  forward: Link;
  reverse: Link;
  /** The client's joined subflows (their TCP connections), in order. */
  joined: Subflow[];
  /** The second path's links, with `second`. */
  second: { forward: Link; reverse: Link } | undefined;
  /** What each host sent and received on its interfaces, with virtual times. */
  clientTap: RecordingTap;
  serverTap: RecordingTap;
  clientPcap: Uint8Array;
  serverPcap: Uint8Array;
}

/** Runs the transfer until both applications saw the connection closed. */
export function runPair(opts: PairOptions): Pair {
  const sim = new Simulator({ seed: opts.seed });
  const two = opts.second !== undefined;
  const clientHost = new MptcpHost({
    interfaces: two ? [{ addresses: [CLIENT] }, { addresses: [CLIENT2] }] : [{ addresses: [CLIENT] }],
    random: sim.rng.fork("client"),
    mptcp: opts.client ?? {},
  });
  const serverHost = new MptcpHost({
    interfaces: two ? [{ addresses: [SERVER] }, { addresses: [SERVER2] }] : [{ addresses: [SERVER] }],
    random: sim.rng.fork("server"),
    mptcp: opts.server ?? {},
  });
  const c = new Node<App>(clientHost);
  const s = new Node<App>(serverHost);
  const ch = sim.addNode("client", c);
  const sh = sim.addNode("server", s);
  let forward: Link, reverse: Link;
  if (opts.boxes === undefined) [forward, reverse] = sim.addDuplexLink(ch, 0, sh, 0, opts.forward, opts.reverse);
  else {
    const mb = sim.addNode("mbox", new MiddleboxNode(opts.boxes));
    [forward, reverse] = sim.addDuplexLink(ch, 0, mb, 0, opts.forward, opts.reverse);
    sim.addDuplexLink(mb, 1, sh, 0, {});
  }
  let second: Pair["second"];
  if (opts.second !== undefined) {
    const [f, r] = sim.addDuplexLink(ch, 1, sh, 1, opts.second.forward, opts.second.reverse);
    second = { forward: f, reverse: r };
  }
  const clientTap = new RecordingTap();
  const serverTap = new RecordingTap();
  const clientPcap: Uint8Array[] = [];
  const serverPcap: Uint8Array[] = [];
  // One capture per host, of all its interfaces (like tcpdump -i any).
  const clientWriter = pcapTap((chunk) => clientPcap.push(chunk.slice()));
  const serverWriter = pcapTap((chunk) => serverPcap.push(chunk.slice()));
  for (const iface of two ? [0, 1] : [0]) {
    sim.tapInterface(ch, iface, clientTap);
    sim.tapInterface(sh, iface, serverTap);
    sim.tapInterface(ch, iface, clientWriter);
    sim.tapInterface(sh, iface, serverWriter);
  }

  const client = new App(opts.clientData, opts.keepReceived);
  const server = new App(opts.serverData ?? new Uint8Array(0), opts.keepReceived);
  serverHost.listen(PORT);
  let serverConn: MptcpConnection | undefined;
  s.onIncoming = (conn) => {
    serverConn = conn;
    s.apps.set(conn, server);
    server.push(conn);
  };
  const joined: Subflow[] = [];
  if (two) {
    client.onConnected = (conn) => {
      const j = conn.openSubflow(CLIENT2, SERVER2, PORT);
      if (j?.subflow !== undefined) joined.push(j.subflow);
    };
  }
  const clientConn = clientHost.connect(SERVER, PORT, 0, two ? { local: CLIENT } : {});
  c.apps.set(clientConn, client);
  client.push(clientConn);
  sim.wake(ch);
  if (!sim.runUntilDone(() => client.closed && server.closed, 60_000_000)) throw new Error("the transfer did not finish");
  // Let the last segments in flight (the final ACK) land, so link counters and captures agree.
  sim.runUntil(sim.now + SETTLE_US);
  return {
    client, server, clientHost, serverHost, clientConn, serverConn: serverConn!, forward, reverse, joined, second, clientTap, serverTap,
    clientPcap: Buffer.concat(clientPcap), serverPcap: Buffer.concat(serverPcap),
  };
}

/** Writes the captures to a temporary directory, runs `fn` on their paths, removes them. */
export async function withCaptures<T>(captures: Uint8Array[], fn: (paths: string[]) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "mptcp-truth-"));
  try {
    const paths = captures.map((bytes, i) => {
      const p = join(dir, `capture-${i}.pcap`);
      writeFileSync(p, bytes);
      return p;
    });
    return await fn(paths);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The TCP header fields of a captured IPv4 datagram that these tests need. */
export interface TcpInfo {
  src: number;
  sport: number;
  seq: number;
  ack: number;
  flags: number;
  payloadLen: number;
  /** Datagram length. */
  length: number;
  /** The TCP options. */
  options: Uint8Array;
}

/** Reads an IPv4 datagram carrying TCP (the simulator's captures hold nothing else). */
export function tcpInfo(packet: Uint8Array): TcpInfo {
  const ihl = (packet[0]! & 0x0f) * 4;
  const total = readU16(packet, 2);
  const thl = (packet[ihl + 12]! >>> 4) * 4;
  return {
    src: readU32(packet, 12),
    sport: readU16(packet, ihl),
    seq: readU32(packet, ihl + 4),
    ack: readU32(packet, ihl + 8),
    flags: packet[ihl + 13]!,
    payloadLen: total - ihl - thl,
    length: packet.length,
    options: packet.subarray(ihl + 20, ihl + thl),
  };
}

/** The hosts' addresses as `TcpInfo.src` holds them. */
export const CLIENT_U32 = readU32(CLIENT, 0);
export const SERVER_U32 = readU32(SERVER, 0);
export const CLIENT2_U32 = readU32(CLIENT2, 0);
export const SERVER2_U32 = readU32(SERVER2, 0);

/** Packets sent from the address `srcU32`, from a tap on the sender's interfaces. */
export function sentBy(tap: RecordingTap, srcU32: number): Array<{ time: number; info: TcpInfo }> {
  const out: Array<{ time: number; info: TcpInfo }> = [];
  for (const r of tap.records) {
    const info = tcpInfo(r.packet);
    if (info.src === srcU32) out.push({ time: r.time, info });
  }
  return out;
}

/** The receiver's actual head-of-line waiting, per byte of one direction's stream (µs). */
export interface Waits {
  bytes: number;
  /** Bytes that reached the application later than they reached the receiver's interface. */
  delayedBytes: number;
  sumUs: number;
  maxUs: number;
}

/** The DSS mapping (RFC 8684 §3.3) a segment carries, if any. */
function dssMapping(info: TcpInfo): Dss | undefined {
  for (const o of parseTcpOptions(info.options)) {
    if (o.kind === "mptcp" && o.option.subtype === "DSS" && o.option.dsn !== undefined && (o.option.dataLen ?? 0) > 0) return o.option;
  }
  return undefined;
}

/**
 * How long each byte of one direction's data stream waited between its first arrival at the
 * receiver's interfaces (`arrivals`: the sender's packets, on any subflow, as the receiver's tap
 * saw them) and its delivery to the receiving application (`deliveries`: [time, bytes received
 * so far] after each read). Each segment's bytes are placed in the data sequence space by the DSS
 * mapping that covers them (§3.3.1: a mapping is announced once and may cover later segments;
 * this looks at all of them, in any order); the first data byte, at the lowest DSN, is byte 0.
 */
export function receiverWaits(arrivals: Array<{ time: number; info: TcpInfo }>, deliveries: Array<[number, number]>, total: number): Waits {
  const isn = new Map<number, number>();
  const maps = new Map<number, Dss[]>();
  for (const { info } of arrivals) {
    if ((info.flags & 0x12) === 0x02) isn.set(info.sport, info.seq);
    const m = info.payloadLen > 0 ? dssMapping(info) : undefined;
    if (m !== undefined) (maps.get(info.sport) ?? maps.set(info.sport, []).get(info.sport)!).push(m);
  }
  const pieces: Array<{ time: number; dsn: bigint; len: number }> = [];
  for (const { time, info } of arrivals) {
    if (info.payloadLen === 0) continue;
    const subIsn = isn.get(info.sport);
    if (subIsn === undefined) throw new Error(`no SYN from port ${info.sport}`);
    const ssn = (info.seq - subIsn) >>> 0;
    const map = maps.get(info.sport)?.find((m) => ((ssn - m.ssn!) >>> 0) < m.dataLen!);
    if (map === undefined) throw new Error(`no mapping covers SSN ${ssn} of the subflow from port ${info.sport}`);
    pieces.push({ time, dsn: map.dsn! + BigInt((ssn - map.ssn!) >>> 0), len: info.payloadLen });
  }
  let base = pieces[0]!.dsn;
  for (const p of pieces) if (p.dsn < base) base = p.dsn;
  const first = new Float64Array(total).fill(-1);
  for (const p of pieces) {
    const start = Number(p.dsn - base);
    for (let k = start; k < Math.min(total, start + p.len); k++) if (first[k]! < 0) first[k] = p.time;
  }
  const w: Waits = { bytes: total, delayedBytes: 0, sumUs: 0, maxUs: 0 };
  let j = 0;
  for (let k = 0; k < total; k++) {
    while (j < deliveries.length && deliveries[j]![1] <= k) j++;
    if (j === deliveries.length || first[k]! < 0) throw new Error(`byte ${k} never arrived or was never delivered`);
    const wait = deliveries[j]![0] - first[k]!;
    if (wait > 0) w.delayedBytes++;
    w.sumUs += wait;
    if (wait > w.maxUs) w.maxUs = wait;
  }
  return w;
}

/**
 * One-way delays (µs) of packets sent at the given times over a FIFO link of `rateBps` and
 * `delayUs` with no loss and no queue limit, where serialisation takes a whole number of µs
 * (`bytes · 8 · 10^6 / rateBps`, exact when the rate divides it): a packet starts when the
 * transmitter is free, and arrives its serialisation time plus the delay later.
 */
export function fifoOneWayDelays(sent: Array<{ time: number; info: TcpInfo }>, rateBps: number, delayUs: number): { delays: number[]; queued: number } {
  let free = 0;
  let queued = 0;
  const delays = sent.map(({ time, info }) => {
    const bits = info.length * 8_000_000;
    if (bits % rateBps !== 0) throw new Error("serialisation is not a whole number of µs");
    if (free > time) queued++;
    const start = Math.max(time, free);
    free = start + bits / rateBps;
    return free + delayUs - time;
  });
  return { delays, queued };
}

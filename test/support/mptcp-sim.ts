/**
 * The harness of the MPTCP simulator tests: deterministic payloads, a bulk application on each
 * end, and an MptcpHost wrapped as a simulator node that hands its events to the applications
 * right after each input (DESIGN.md §8, quinn-style pair tests).
 */
import { createHash } from "node:crypto";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import { HostNode } from "../../src/sim/host-node.js";
import type { LinkConfig } from "../../src/sim/link.js";
import type { Simulator } from "../../src/sim/simulator.js";
import type { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { IpAddress } from "../../src/wire/address.js";

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

export const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** The events about subflows and addresses, logged apart from the byte stream's. */
const MULTIPATH_EVENTS = new Set<string>(["subflow-up", "subflow-down", "address-announced", "address-removed", "priority-changed"]);

/** One side's application: sends `data`, then shuts down; reads everything. */
export class BulkApp {
  private sent = 0;
  private readonly chunks: Uint8Array[] = [];
  received = 0;
  peerClosed = false;
  closed = false;
  fallback: string | undefined;
  /** The byte stream's events in order ("connected", "readable", ..., "closed"). */
  readonly log: string[] = [];
  /** The multipath events in order: "subflow-up", "address-announced", "priority-changed", ... */
  readonly paths: string[] = [];

  /** Reads only when `drain` is called from outside (a slow reader), not on "readable". */
  lazy = false;

  constructor(readonly data: Uint8Array) {}

  drain(conn: MptcpConnection): void {
    for (let b = conn.read(); b !== undefined; b = conn.read()) {
      this.chunks.push(b.slice());
      this.received += b.length;
    }
  }

  onEvent(e: MptcpEvent, conn: MptcpConnection): void {
    if (MULTIPATH_EVENTS.has(e.type)) {
      this.paths.push(e.type);
      return;
    }
    this.log.push(e.type);
    switch (e.type) {
      case "connected":
      case "writable":
        this.push(conn);
        break;
      case "readable":
        if (!this.lazy) this.drain(conn);
        break;
      case "peer-closed":
        this.peerClosed = true;
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
    while (this.sent < this.data.length) {
      const n = conn.write(this.data.subarray(this.sent));
      if (n === 0) return;
      this.sent += n;
    }
    conn.shutdown();
  }

  get bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** What a `Node` hands each event to. */
export interface SimApp {
  onEvent(e: MptcpEvent, conn: MptcpConnection, now: number): void;
}

/**
 * An MptcpHost as a simulator node: after each input its events go to the apps (with the
 * current virtual time), and incoming connections to `onIncoming`.
 */
export class Node<A extends SimApp = BulkApp> extends HostNode {
  readonly apps = new Map<MptcpConnection, A>();
  onIncoming: ((c: MptcpConnection) => void) | undefined;
  onConnected: ((c: MptcpConnection) => void) | undefined;

  protected override onEvent(e: MptcpEvent, now: number): void {
    if (e.type === "incoming") {
      for (let c = e.listener.accept(); c !== undefined; c = e.listener.accept()) this.onIncoming?.(c);
      return;
    }
    if (e.type === "connected") this.onConnected?.(e.connection);
    this.apps.get(e.connection)?.onEvent(e, e.connection, now);
  }
}

/**
 * An upload from `client` to `server`, each wrapped as a node, over one duplex link per entry of
 * `links` (interface i to interface i): `bytes` of payload from `from` to `to`:5201, nothing
 * back. `done` says when both ends have closed.
 */
export function upload(
  sim: Simulator,
  client: MptcpHost,
  server: MptcpHost,
  links: readonly LinkConfig[],
  bytes: number,
  [from, to]: readonly [IpAddress, IpAddress],
): { clientNode: Node; conn: MptcpConnection; app: BulkApp; sink: BulkApp; done: () => boolean } {
  const c = new Node(client);
  const s = new Node(server);
  const ch = sim.addNode("client", c);
  const sh = sim.addNode("server", s);
  links.forEach((l, i) => sim.addDuplexLink(ch, i, sh, i, l));
  const app = new BulkApp(payload(bytes, bytes % 251));
  const sink = new BulkApp(new Uint8Array(0));
  server.listen(5201);
  s.onIncoming = (conn) => {
    s.apps.set(conn, sink);
    sink.push(conn);
  };
  const conn = client.connect(to, 5201, 0, { local: from });
  c.apps.set(conn, app);
  app.push(conn);
  sim.wake(ch);
  return { clientNode: c, conn, app, sink, done: () => app.closed && sink.closed };
}

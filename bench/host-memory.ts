/**
 * Heap bytes per idle established connection: 10,000 connections between two Hosts joined by an
 * ideal wire, handshakes completed and every delayed ACK sent, then the heap is measured after a
 * full GC and divided by the connections each Host holds. The figure includes the Host's
 * bookkeeping (table, timer heap entry, the application-facing Connection) and the TcpConnection
 * with its buffers as they are when idle (send and receive buffers are allocated lazily).
 *
 * Run: node dist/bench/host-memory.js [connections]
 */
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Host } from "../src/stack/host.js";
import type { Connection } from "../src/stack/connection.js";
import { Rng } from "../src/util/rng.js";
import { parseAddress } from "../src/wire/address.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Moves datagrams between the two hosts and fires timers until nothing is left before `until`. */
function settle(a: Host, b: Host, now: number, until: number): number {
  for (;;) {
    let moved = false;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (let t = from.pollTransmit(now); t !== undefined; t = from.pollTransmit(now)) {
        to.receive(t.packet, 0, now);
        moved = true;
      }
    }
    if (moved) continue;
    const next = Math.min(a.pollTimeout() ?? Infinity, b.pollTimeout() ?? Infinity);
    if (next > until) return now;
    now = Math.max(now, next);
    a.handleTimeout(now);
    b.handleTimeout(now);
  }
}

function main(): void {
  const n = Number(process.argv[2] ?? 10_000);
  const before = heapUsed();
  const client = new Host({ interfaces: [{ addresses: [parseAddress("10.0.0.1")!] }], random: Rng.seeded("client") });
  const server = new Host({ interfaces: [{ addresses: [parseAddress("10.0.0.2")!] }], random: Rng.seeded("server") });
  const listener = server.listen(80, { backlog: n, synQueue: n });
  const empty = heapUsed();

  const clients: Connection[] = [];
  const servers: Connection[] = [];
  let now = 0;
  for (let i = 0; i < n; i++) {
    clients.push(client.connect(parseAddress("10.0.0.2")!, 80, now));
    if (i % 1000 === 999) now = settle(client, server, now, now);
  }
  now = settle(client, server, now, now + 1_000_000);
  for (let c = listener.accept(); c !== undefined; c = listener.accept()) servers.push(c);
  for (let e = client.pollEvent(); e !== undefined; e = client.pollEvent());
  for (let e = server.pollEvent(); e !== undefined; e = server.pollEvent());
  const established = clients.filter((c) => c.state === "ESTABLISHED").length;
  const full = heapUsed();

  const perConnection = (full - empty) / (2 * n);
  console.log(
    `host memory: ${n} connections (${established} established on the client, ${servers.length} accepted), ` +
      `${((full - empty) / 1e6).toFixed(1)} MB for both hosts: ${Math.round(perConnection)} heap bytes per idle established connection per Host ` +
      `(empty hosts: ${((empty - before) / 1e3).toFixed(1)} kB; timers left running: client ${client.pollTimeout() ?? "none"}, server ${server.pollTimeout() ?? "none"})`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

/**
 * The path manager on live connections, two MptcpHosts through the simulator (quinn-style pair
 * tests): the server announces its second address from a `signal` endpoint (ADD_ADDR, RFC 8684
 * §3.4.1), the client echoes it and joins it within its `add_addr_accepted` limit; a `subflow`
 * endpoint opens a join by itself; an address removed mid-transfer (REMOVE_ADDR, §3.4.2) loses no
 * byte; a backup subflow (MP_PRIO, §3.3.8) carries nothing while the regular one works.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import type { LinkConfig } from "../../src/sim/link.js";
import { Simulator } from "../../src/sim/simulator.js";
import { pcapTap } from "../../src/sim/tap.js";
import { parseAddress } from "../../src/wire/address.js";
import type { IpAddress } from "../../src/wire/address.js";
import type { SimApp } from "../support/mptcp-sim.js";
import { BulkApp, Node, payload, sha256 } from "../support/mptcp-sim.js";

const ip = (t: string): IpAddress => parseAddress(t)!;

const PATH1: LinkConfig = { rateBps: 20_000_000, delayUs: 10_000, queueLimitPackets: 200 };
const PATH2: LinkConfig = { rateBps: 20_000_000, delayUs: 20_000, queueLimitPackets: 200 };

interface PairConfig {
  family?: 4 | 6;
  client?: MptcpOptions;
  server?: MptcpOptions;
  bytes?: number;
  seed?: number;
  path1?: LinkConfig;
  path2?: LinkConfig;
  /** Runs once at `atUs` of virtual time with the two connections. */
  at?: { atUs: number; run: (p: Pair) => void };
  /** Receives the pcap of the client's two interfaces. */
  capture?: (chunk: Uint8Array) => void;
}

interface Pair {
  clientHost: MptcpHost;
  serverHost: MptcpHost;
  clientConn: MptcpConnection;
  serverConn: MptcpConnection | undefined;
  client: BulkApp;
  server: BulkApp;
  /** Every multipath event of the client and the server, with its fields. */
  clientEvents: MptcpEvent[];
  serverEvents: MptcpEvent[];
  done: boolean;
}

/** The four addresses: client C1, C2 and server S1, S2, one pair per path. */
function addresses(family: 4 | 6): { C1: IpAddress; C2: IpAddress; S1: IpAddress; S2: IpAddress } {
  return family === 4
    ? { C1: ip("10.0.0.1"), C2: ip("10.0.1.1"), S1: ip("10.0.0.2"), S2: ip("10.0.1.2") }
    : { C1: ip("fd00::1"), C2: ip("fd01::1"), S1: ip("fd00::2"), S2: ip("fd01::2") };
}

/**
 * Client and server with two interfaces each, path 1 between the first pair and path 2 between
 * the second; routes send traffic for the other side's second address over path 2.
 */
function pair(cfg: PairConfig): Pair {
  const family = cfg.family ?? 4;
  const { C1, C2, S1, S2 } = addresses(family);
  const sim = new Simulator({ seed: cfg.seed ?? 7 });
  const tcp = { maxRetries: 4 };
  const route = (prefix: IpAddress) => [{ prefix, prefixLength: family === 4 ? 32 : 128, iface: 1 }];
  const clientHost = new MptcpHost({ interfaces: [{ addresses: [C1] }, { addresses: [C2] }], routes: route(S2), random: sim.rng.fork("client"), tcp, mptcp: cfg.client ?? {} });
  const serverHost = new MptcpHost({ interfaces: [{ addresses: [S1] }, { addresses: [S2] }], routes: route(C2), random: sim.rng.fork("server"), tcp, mptcp: cfg.server ?? {} });
  const c = new Node<Recorder>(clientHost);
  const s = new Node<Recorder>(serverHost);
  const ch = sim.addNode("client", c);
  const sh = sim.addNode("server", s);
  sim.addDuplexLink(ch, 0, sh, 0, cfg.path1 ?? PATH1);
  sim.addDuplexLink(ch, 1, sh, 1, cfg.path2 ?? PATH2);
  if (cfg.capture !== undefined) {
    const capture = cfg.capture;
    const tap = pcapTap((chunk) => capture(chunk.slice()));
    sim.tapInterface(ch, 0, tap);
    sim.tapInterface(ch, 1, tap);
  }

  const bytes = cfg.bytes ?? 1_000_000;
  const client = new BulkApp(payload(bytes, 11));
  const server = new BulkApp(payload(bytes, 12));
  const clientEvents: MptcpEvent[] = [];
  const serverEvents: MptcpEvent[] = [];
  serverHost.listen(5201);
  const p: Pair = { clientHost, serverHost, clientConn: clientHost.connect(S1, 5201, 0, { local: C1 }), serverConn: undefined, client, server, clientEvents, serverEvents, done: false };
  s.onIncoming = (conn) => {
    p.serverConn = conn;
    s.apps.set(conn, new Recorder(server, serverEvents));
    server.push(conn);
  };
  c.apps.set(p.clientConn, new Recorder(client, clientEvents));
  client.push(p.clientConn);
  sim.wake(ch);
  if (cfg.at !== undefined) {
    const at = cfg.at;
    sim.runUntil(at.atUs);
    at.run(p);
    sim.wake(ch);
    sim.wake(sh);
  }
  p.done = sim.runUntilDone(() => client.closed && server.closed, 60_000_000);
  return p;
}

function intact(p: Pair): void {
  assert.ok(p.done, "both ends closed");
  assert.ok(!p.client.log.includes("timed-out") && !p.server.log.includes("timed-out"));
  assert.equal(sha256(p.server.bytes), sha256(p.client.data));
  assert.equal(sha256(p.client.bytes), sha256(p.server.data));
}

/** A BulkApp that also keeps the multipath events, with their fields. */
class Recorder implements SimApp {
  constructor(
    readonly app: BulkApp,
    readonly events: MptcpEvent[],
  ) {}

  onEvent(e: MptcpEvent, conn: MptcpConnection): void {
    if (MULTIPATH.has(e.type)) this.events.push(e);
    this.app.onEvent(e, conn);
  }
}

const MULTIPATH = new Set(["subflow-up", "subflow-down", "address-announced", "address-removed", "priority-changed"]);

const kinds = (events: MptcpEvent[]): string[] => events.map((e) => e.type);

describe("path manager on live connections (RFC 8684 §3.4)", () => {
  for (const family of [4, 6] as const) {
    test(`IPv${family}: the server announces its second address, the client echoes it and joins it; bytes intact`, () => {
      const { S2 } = addresses(family);
      const p = pair({
        family,
        server: { endpoints: [{ addr: S2, flags: { signal: true } }] },
        client: { limits: { addAddrAccepted: 1 } },
      });
      intact(p);
      const ch = p.clientHost.counters;
      const sh = p.serverHost.counters;
      assert.equal(sh.AddAddrTx, 1, "announced once: the echo came before any retransmission");
      assert.equal(ch.AddAddr, 1);
      assert.equal(ch.EchoAddTx, 1);
      assert.equal(sh.EchoAdd, 1);
      assert.equal(ch.AddAddrDrop, 0);
      assert.equal(ch.MPJoinSynTx, 1);
      assert.equal(sh.MPJoinAckRx, 1);
      const announced = p.clientEvents.find((e) => e.type === "address-announced");
      assert.ok(announced !== undefined && announced.type === "address-announced");
      assert.equal(announced.id, 1);
      assert.equal(announced.address, family === 4 ? "10.0.1.2" : "fd01::2");
      assert.equal(announced.port, undefined);
      // The join went from the client's second address (the route) to the announced one.
      const joined = p.clientConn.stats().subflows.filter((s) => s.kind === "join");
      assert.equal(joined.length, 1);
      assert.equal(joined[0]!.remote, announced.address);
      assert.equal(joined[0]!.local, family === 4 ? "10.0.1.1" : "fd01::1");
      // The client's data spread over both subflows. (The server had put all of its data in the
      // initial subflow's buffer before the join came: MptcpConnection.sendPaths.)
      assert.ok(joined[0]!.bytesSent > 100_000, JSON.stringify(joined[0]));
      assert.equal(joined[0]!.state, "CLOSED");
      assert.deepEqual(kinds(p.clientEvents), ["subflow-up", "address-announced", "subflow-up", "subflow-down", "subflow-down"]);
      assert.deepEqual(kinds(p.serverEvents), ["subflow-up", "subflow-up", "subflow-down", "subflow-down"]);
    });
  }

  test("a port in ADD_ADDR: the client joins that port, where the server's endpoint listens", () => {
    const p = pair({
      server: { endpoints: ["10.0.1.2 id 7 port 6000 signal"] },
      client: { limits: { addAddrAccepted: 1 } },
    });
    intact(p);
    assert.equal(p.clientHost.counters.PortAdd, 1);
    const announced = p.clientEvents.find((e) => e.type === "address-announced");
    assert.ok(announced?.type === "address-announced");
    assert.equal(announced.id, 7);
    assert.equal(announced.port, 6000);
    const join = p.clientConn.stats().subflows.find((s) => s.kind === "join");
    assert.equal(join?.remote, "10.0.1.2");
    assert.equal(join?.remotePort, 6000);
    assert.ok(join.bytesSent > 0);
  });

  test("IPv6 with a port beside timestamps does not fit in any ACK: given up [AddAddrTxDrop], the transfer unharmed", () => {
    const p = pair({ family: 6, server: { endpoints: ["fd01::2 port 6000 signal"] }, client: { limits: { addAddrAccepted: 1 } } });
    intact(p);
    assert.equal(p.serverHost.counters.AddAddrTxDrop, 1);
    assert.equal(p.serverHost.counters.AddAddrTx, 0);
    assert.equal(p.clientHost.counters.AddAddr, 0);
  });

  test("with add_addr_accepted 0 (Linux's default) the announcement is echoed but not joined", () => {
    const { S2 } = addresses(4);
    const p = pair({ server: { endpoints: [{ addr: S2, flags: { signal: true } }] } });
    intact(p);
    assert.equal(p.clientHost.counters.AddAddr, 1);
    assert.equal(p.serverHost.counters.EchoAdd, 1);
    assert.equal(p.clientHost.counters.MPJoinSynTx, 0);
    assert.equal(p.clientConn.peerAddresses.get(1)?.addr.join("."), "10.0.1.2");
  });

  test("a subflow endpoint on the client opens a join from its address by itself", () => {
    const { C2, S1 } = addresses(4);
    const p = pair({ client: { endpoints: [{ addr: C2, flags: { subflow: true } }] } });
    intact(p);
    assert.equal(p.clientHost.counters.MPJoinSynTx, 1);
    const join = p.clientConn.stats().subflows.find((s) => s.kind === "join")!;
    assert.equal(join.local, "10.0.1.1");
    // §3.2: towards the peer's initial address (ID 0).
    assert.equal(join.remote, S1.join("."));
    assert.ok(join.bytesSent > 0);
  });

  test("an address removed mid-transfer: REMOVE_ADDR, its subflow reset, every byte arrives over the other", () => {
    const { C2 } = addresses(4);
    const p = pair({
      bytes: 2_000_000,
      client: { endpoints: [{ addr: C2, flags: { subflow: true } }] },
      at: { atUs: 300_000, run: (q) => q.clientHost.removeAddress(C2) },
    });
    intact(p);
    assert.equal(p.clientHost.counters.RmAddrTx, 1);
    assert.equal(p.clientHost.counters.RmSubflow, 1);
    assert.equal(p.serverHost.counters.RmAddr, 1);
    const down = p.clientEvents.find((e) => e.type === "subflow-down");
    assert.ok(down?.type === "subflow-down");
    assert.equal(down.reason, "removed");
    assert.equal(down.subflow.local, "10.0.1.1");
    const removed = p.serverEvents.find((e) => e.type === "address-removed");
    assert.ok(removed?.type === "address-removed");
    assert.equal(removed.id, 1);
    assert.ok(!p.client.log.includes("reset") && !p.server.log.includes("reset"));
  });

  test("a backup endpoint: the join carries nothing while the initial path works (§3.3.8)", () => {
    const { C2 } = addresses(4);
    const p = pair({ client: { endpoints: [{ addr: C2, flags: { subflow: true, backup: true } }] } });
    intact(p);
    assert.equal(p.serverHost.counters.MPJoinSynBackupRx, 1);
    const join = p.clientConn.stats().subflows.find((x) => x.kind === "join")!;
    assert.equal(join.backup, true);
    assert.equal(join.bytesSent, 0);
    assert.equal(join.bytesReceived, 0);
  });

  test("fullmesh backup joins: the one to the announced address takes over when the initial path goes down for good", () => {
    const { S2 } = addresses(4);
    const p = pair({
      bytes: 2_000_000,
      path1: { ...PATH1, schedule: [{ atUs: 300_000, up: false }] },
      server: { endpoints: [{ addr: S2, flags: { signal: true } }] },
      // One join from 10.0.1.1 to each server address (the one to its initial address answers
      // over path 1, so it fails with it).
      client: { limits: { addAddrAccepted: 1 }, endpoints: ["10.0.1.1 subflow fullmesh backup"] },
    });
    intact(p);
    assert.ok(!p.client.log.includes("timed-out") && !p.server.log.includes("timed-out"));
    const joins = p.clientConn.stats().subflows.filter((x) => x.kind === "join");
    assert.deepEqual(joins.map((j) => [j.remote, j.backup]).sort(), [["10.0.0.2", true], ["10.0.1.2", true]]);
    const toS2 = joins.find((j) => j.remote === "10.0.1.2")!;
    assert.ok(toS2.bytesSent > 500_000 && toS2.bytesReceived > 500_000, JSON.stringify(toS2));
    assert.ok(p.clientHost.counters.MPTCPRetrans > 0);
  });

  test("setBackup mid-transfer: MP_PRIO reaches the peer, which reports priority-changed", () => {
    const { C2 } = addresses(4);
    const p = pair({
      client: { endpoints: [{ addr: C2, flags: { subflow: true } }] },
      at: { atUs: 200_000, run: (q) => assert.ok(q.clientConn.setBackup(q.clientConn.joinedSubflows[0]!, true)) },
    });
    intact(p);
    assert.equal(p.clientHost.counters.MPPrioTx, 1);
    assert.equal(p.serverHost.counters.MPPrioRx, 1);
    const changed = p.serverEvents.find((e) => e.type === "priority-changed");
    assert.ok(changed?.type === "priority-changed");
    assert.equal(changed.subflow.backup, true);
    assert.equal(changed.subflow.remote, "10.0.1.1");
  });

  test("the capture decodes cleanly in tshark: ADD_ADDR and its echo, MP_PRIO, REMOVE_ADDR", { skip: spawnSync("tshark", ["--version"]).status !== 0 ? "no tshark" : false }, () => {
    const { C2, S2 } = addresses(4);
    const chunks: Uint8Array[] = [];
    const p = pair({
      server: { endpoints: [{ addr: S2, flags: { signal: true } }] },
      client: { limits: { addAddrAccepted: 1 }, endpoints: [{ addr: C2, flags: { subflow: true } }] },
      at: {
        atUs: 200_000,
        run: (q) => {
          assert.ok(q.clientConn.setBackup(q.clientConn.subflow!, true));
          q.clientHost.removeAddress(C2);
        },
      },
      capture: (c) => chunks.push(c),
    });
    intact(p);
    const dir = mkdtempSync(join(tmpdir(), "mptcp-pm-"));
    try {
      const file = join(dir, "pm.pcap");
      writeFileSync(file, Buffer.concat(chunks));
      const fields = (filter: string): string[] => {
        const r = spawnSync("tshark", ["-r", file, "-o", "mptcp.analyze_mappings:TRUE", "-Y", filter, "-T", "fields", "-e", "frame.number"], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.split("\n").filter((l) => l !== "");
      };
      assert.deepEqual(fields("_ws.malformed || mptcp.connection.echoed_key_mismatch || _ws.expert.severity >= 8388608"), []);
      assert.equal(fields("tcp.options.mptcp.subtype == 3 && tcp.options.mptcp.echo == 0").length, 1, "one ADD_ADDR");
      assert.equal(fields("tcp.options.mptcp.subtype == 3 && tcp.options.mptcp.echo == 1").length, 1, "its echo");
      assert.equal(fields("tcp.options.mptcp.subtype == 5").length, 1, "one MP_PRIO");
      assert.equal(fields("tcp.options.mptcp.subtype == 4").length, 1, "one REMOVE_ADDR");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A path that drops SYNs carrying MPTCP options (RFC 8041 §3.1; RFC 8684 §3.7): the client retries
 * as plain TCP after `synRetransBeforeFallback` lost MPTCP SYNs, and stops offering MPTCP on
 * active opens for `blackholeTimeout` once the plain SYN got through, as Linux does
 * (`mptcp_active_detect_blackhole`, `mptcp_active_disable`).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { DropMptcpSyn } from "../../src/sim/middlebox/drop-syn.js";
import { MiddleboxNode } from "../../src/sim/middlebox/node.js";
import { Simulator } from "../../src/sim/simulator.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { parseAddress } from "../../src/wire/address.js";
import { BulkApp, Node, payload, sha256 } from "../support/mptcp-sim.js";

const CLIENT = parseAddress("10.0.0.1")!;
const SERVER = parseAddress("10.0.0.2")!;
const PORT = 5201;
const SECOND = 1_000_000;

interface Run {
  sim: Simulator;
  client: Node;
  server: Node;
  box: DropMptcpSyn;
  /** Opens a connection at the current time, sends `bytes` each way; resolves when both closed. */
  transfer(bytes: number, seed: number): { conn: MptcpConnection; client: BulkApp; server: BulkApp; connectedAt: number };
}

function setUp(box: DropMptcpSyn, clientOpts: MptcpOptions = {}): Run {
  const sim = new Simulator({ seed: 1 });
  const clientHost = new MptcpHost({ interfaces: [{ addresses: [CLIENT] }], random: sim.rng.fork("client"), mptcp: clientOpts });
  const serverHost = new MptcpHost({ interfaces: [{ addresses: [SERVER] }], random: sim.rng.fork("server") });
  const client = new Node(clientHost);
  const server = new Node(serverHost);
  const ch = sim.addNode("client", client);
  const sh = sim.addNode("server", server);
  const mb = sim.addNode("mbox", new MiddleboxNode([box]));
  sim.addDuplexLink(ch, 0, mb, 0, { rateBps: 10_000_000, delayUs: 5_000 });
  sim.addDuplexLink(mb, 1, sh, 0, { rateBps: 10_000_000, delayUs: 1_000 });
  serverHost.listen(PORT);
  let serverApp: BulkApp | undefined;
  server.onIncoming = (conn) => {
    server.apps.set(conn, serverApp!);
    serverApp!.push(conn);
  };
  return {
    sim,
    client,
    server,
    box,
    transfer(bytes, seed) {
      const clientApp = new BulkApp(payload(bytes, seed));
      serverApp = new BulkApp(payload(bytes, seed + 1));
      const conn = clientHost.connect(SERVER, PORT, sim.now);
      client.apps.set(conn, clientApp);
      let connectedAt = -1;
      client.onConnected = (c) => {
        if (c === conn) connectedAt = sim.now;
      };
      clientApp.push(conn);
      sim.wake(ch);
      const srv = serverApp;
      assert.ok(sim.runUntilDone(() => clientApp.closed && srv.closed, sim.now + 60 * SECOND), "both ends closed");
      assert.equal(sha256(clientApp.bytes), sha256(srv.data), "server → client intact");
      assert.equal(sha256(srv.bytes), sha256(clientApp.data), "client → server intact");
      return { conn, client: clientApp, server: srv, connectedAt };
    },
  };
}

describe("MPTCP SYNs dropped on the path (a blackhole)", () => {
  test("three MP_CAPABLE SYNs (the first and two retransmissions) are lost; the fourth goes plain and connects", () => {
    const run = setUp(new DropMptcpSyn({ match: "mp-capable" }));
    const r = run.transfer(100_000, 3);
    assert.equal(run.box.counters.dropped, 3, "the SYN and two retransmissions carried MP_CAPABLE");
    assert.equal(r.conn.mode, "fallback");
    assert.equal(r.client.fallback, "MP_CAPABLE SYNs unanswered: retried as plain TCP");
    assert.equal(r.server.fallback, "SYN without MP_CAPABLE");
    const c = run.client.host.counters;
    assert.equal(c.MPCapableSYNTX, 1, "retransmissions are not counted as new MP_CAPABLE SYNs");
    assert.equal(c.MPCapableSYNTXDrop, 1);
    assert.equal(c.Blackhole, 1, "the plain SYN was answered: a blackhole");
    // SYN RTO 1 s, doubled: MPTCP SYNs at 0, 1 and 3 s, the plain one at 7 s, answered 12 ms later.
    assert.ok(r.connectedAt >= 7 * SECOND && r.connectedAt < 7.1 * SECOND, `connected at ${r.connectedAt} µs`);
  });

  test("after a blackhole, active opens are plain TCP for blackholeTimeout, then MPTCP is offered again", () => {
    const run = setUp(new DropMptcpSyn({ match: "mp-capable", limit: 3 }), { blackholeTimeout: 30 * SECOND });
    const first = run.transfer(50_000, 5);
    assert.equal(first.conn.mode, "fallback");
    const second = run.transfer(50_000, 7);
    assert.equal(second.conn.mode, "fallback");
    assert.equal(second.client.fallback, "MPTCP disabled after a blackhole");
    assert.ok(second.connectedAt - run.sim.now < SECOND, "no SYN wasted on MPTCP while disabled");
    const c = run.client.host.counters;
    assert.equal(c.MPCapableSYNTXDisabled, 1);
    assert.equal(c.MPCapableSYNTX, 1, "only the first connection offered MPTCP");
    // The box stopped dropping after three: once the timeout has passed, MPTCP works again.
    run.sim.runUntil(run.sim.now + 31 * SECOND);
    const third = run.transfer(50_000, 9);
    assert.equal(third.conn.mode, "mptcp");
    assert.equal(c.MPCapableSYNTX, 2);
    assert.equal(c.Blackhole, 1);
  });

  test("a lossy path that drops fewer MPTCP SYNs than the limit keeps MPTCP", () => {
    const run = setUp(new DropMptcpSyn({ match: "mp-capable", limit: 2 }));
    const r = run.transfer(50_000, 11);
    assert.equal(r.conn.mode, "mptcp");
    assert.equal(run.client.host.counters.MPCapableSYNTXDrop, 0);
    assert.equal(run.client.host.counters.Blackhole, 0);
  });

  test("synRetransBeforeFallback: 0 retries as plain TCP after the first lost SYN", () => {
    const run = setUp(new DropMptcpSyn({ match: "mp-capable" }), { synRetransBeforeFallback: 0 });
    const r = run.transfer(20_000, 13);
    assert.equal(run.box.counters.dropped, 1);
    assert.equal(r.conn.mode, "fallback");
    assert.ok(r.connectedAt >= SECOND && r.connectedAt < 1.1 * SECOND, `connected at ${r.connectedAt} µs`);
  });
});

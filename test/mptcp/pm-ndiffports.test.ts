/**
 * The ndiffports path manager (MptcpOptions.ndiffports): subflows between the same pair of
 * addresses that differ only in the client's source port (RFC 8041 §3.4), within the limits.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { Simulator } from "../../src/sim/simulator.js";
import { parseAddress } from "../../src/wire/address.js";
import { BulkApp, Node, payload, sha256 } from "../support/mptcp-sim.js";

function run(ndiffports: number, subflows?: number): { conn: MptcpConnection; app: BulkApp; server: BulkApp } {
  const sim = new Simulator({ seed: 4 });
  const limits = subflows === undefined ? {} : { subflows };
  const ch = new MptcpHost({ interfaces: [{ addresses: [parseAddress("10.0.0.1")!] }], random: sim.rng.fork("c"), mptcp: { ndiffports, ...limits } });
  const sh = new MptcpHost({ interfaces: [{ addresses: [parseAddress("10.0.0.2")!] }], random: sim.rng.fork("s"), mptcp: limits });
  const c = new Node(ch);
  const s = new Node(sh);
  const cn = sim.addNode("c", c);
  const sn = sim.addNode("s", s);
  sim.addDuplexLink(cn, 0, sn, 0, { rateBps: 50_000_000, delayUs: 5_000, queueLimitPackets: 100 });
  const app = new BulkApp(payload(2_000_000, 1));
  const server = new BulkApp(payload(100, 2));
  sh.listen(80);
  s.onIncoming = (conn) => {
    s.apps.set(conn, server);
    server.push(conn);
  };
  const conn = ch.connect(parseAddress("10.0.0.2")!, 80, 0);
  c.apps.set(conn, app);
  app.push(conn);
  sim.wake(cn);
  assert.ok(sim.runUntilDone(() => server.received >= 2_000_000 && app.received >= 100, 30_000_000));
  return { conn, app, server };
}

describe("ndiffports", () => {
  test("3 subflows in all over one address pair, by source port; the data intact", () => {
    const { conn, app, server } = run(3, 2);
    const subs = [conn.subflow!, ...conn.joinedSubflows.map((j) => j.subflow!)];
    assert.equal(subs.length, 3);
    assert.equal(new Set(subs.map((x) => x.localPort)).size, 3);
    for (const x of subs) assert.deepEqual([x.local.join("."), x.remote.join("."), x.remotePort], ["10.0.0.1", "10.0.0.2", 80]);
    assert.ok(conn.joinedSubflows.every((j) => j.established));
    assert.equal(sha256(server.bytes), sha256(app.data));
  });

  test("the subflow limit still applies", () => {
    const { conn } = run(5, 1);
    assert.equal(conn.joinedSubflows.length, 1);
  });
});

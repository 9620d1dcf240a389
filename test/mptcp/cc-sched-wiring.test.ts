/**
 * The congestion controller and scheduler chosen per host (MptcpOptions.congestion / scheduler)
 * reach every subflow of every connection: coupled controllers share one group per connection.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { Simulator } from "../../src/sim/simulator.js";
import { parseAddress } from "../../src/wire/address.js";
import { BulkApp, Node, payload, sha256 } from "../support/mptcp-sim.js";

const C = ["10.0.0.1", "10.0.1.1"].map((a) => parseAddress(a)!);
const S = ["10.0.0.2", "10.0.1.2"].map((a) => parseAddress(a)!);

function run(mptcp: MptcpOptions, bytes = 1_000_000): { client: MptcpConnection; server: MptcpConnection; app: BulkApp; sapp: BulkApp } {
  const sim = new Simulator({ seed: 9 });
  const ifaces = (a: Uint8Array[]) => a.map((x) => ({ addresses: [x] }));
  const ch = new MptcpHost({ interfaces: ifaces(C), random: sim.rng.fork("c"), mptcp });
  const sh = new MptcpHost({ interfaces: ifaces(S), random: sim.rng.fork("s"), mptcp });
  const c = new Node(ch);
  const s = new Node(sh);
  const cn = sim.addNode("c", c);
  const sn = sim.addNode("s", s);
  sim.addDuplexLink(cn, 0, sn, 0, { rateBps: 20_000_000, delayUs: 10_000, queueLimitPackets: 100 });
  sim.addDuplexLink(cn, 1, sn, 1, { rateBps: 20_000_000, delayUs: 10_000, queueLimitPackets: 100 });
  const app = new BulkApp(payload(bytes, 1));
  const sapp = new BulkApp(payload(bytes, 2));
  sh.listen(80);
  let server: MptcpConnection | undefined;
  s.onIncoming = (conn) => {
    server = conn;
    s.apps.set(conn, sapp);
    sapp.push(conn);
  };
  const client = ch.connect(S[0]!, 80, 0, { local: C[0]! });
  c.onConnected = (conn) => void conn.openSubflow(C[1]!, S[1]!, 80);
  c.apps.set(client, app);
  app.push(client);
  sim.wake(cn);
  // Stop while the connection is still open, so that every subflow can be inspected.
  assert.ok(sim.runUntilDone(() => app.received >= bytes && sapp.received >= bytes, 30_000_000));
  return { client, server: server!, app, sapp };
}

describe("MptcpOptions.congestion and .scheduler", () => {
  for (const kind of ["lia", "olia", "balia", "coupled", "kelly-voice", "reno"] as const) {
    test(`congestion: "${kind}" on every subflow, both ends, and the bytes intact`, () => {
      const r = run({ congestion: kind });
      for (const conn of [r.client, r.server]) {
        const names = [conn.subflow!.tcp.congestion.name, ...conn.joinedSubflows.map((j) => j.subflow!.tcp.congestion.name)];
        assert.equal(names.length, 2);
        assert.deepEqual(names, [kind, kind]);
      }
      assert.equal(sha256(r.sapp.bytes), sha256(r.app.data));
      assert.equal(sha256(r.app.bytes), sha256(r.sapp.data));
    });
  }

  test("by default the TCP configuration's controller (CUBIC) runs on each subflow", () => {
    const r = run({});
    assert.equal(r.client.subflow!.tcp.congestion.name, "cubic");
  });

  test('scheduler: "round-robin" spreads the data over two equal paths', () => {
    const r = run({ scheduler: "round-robin" }, 4_000_000);
    const sent = [r.client.bytesSent, r.client.joinedSubflows[0]!.bytesSent];
    assert.ok(sent.every((n) => n > 4_000_000 * 0.25), sent.join(", "));
    assert.equal(sha256(r.sapp.bytes), sha256(r.app.data));
  });
});

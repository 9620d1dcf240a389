import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { HANDOVER_SCENARIO, runHandover, type HandoverScenario } from "../../src/sim/experiments/handover.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { parseAddress } from "../../src/wire/address.js";
import { Rng } from "../../src/util/rng.js";
import { BulkSink, BulkSource } from "../../src/sim/bulk.js";
import { HostNode } from "../../src/sim/host-node.js";
import { Simulator } from "../../src/sim/simulator.js";

// A phone downloads over WiFi with cellular beside it (exp-handover's paths and LTE radio); the
// WiFi goes at 1 s and comes back at 2 s. The phone runs the handover path manager, the server
// the default one.
const SCENARIO: HandoverScenario = { ...HANDOVER_SCENARIO, failAtSeconds: 1, returnAtSeconds: 2 };
// Enough that most of the download is still to come when the WiFi returns: what each path
// carries after the return is then measured on megabytes, not on the tail of the transfer.
const BYTES = 8_000_000;

describe("handover path managers on the simulator: WiFi lost at 1 s, back at 2 s", () => {
  test("full: both paths carry data before the failure, cellular alone until WiFi is back, both after", () => {
    const r = runHandover("full", 1, BYTES, SCENARIO);
    assert.equal(r.flow.integrity, true);
    assert.equal(r.bytesLost, 0);
    assert.ok(r.sentBefore.wifi > 0 && r.sentBefore.cellular > 0, JSON.stringify(r.sentBefore));
    const back = r.sentAtReturn!;
    assert.equal(back.wifi, r.sentBefore.wifi, "nothing on WiFi while it is gone");
    assert.ok(back.cellular > r.sentBefore.cellular);
    const total = { wifi: r.sentBefore.wifi + r.sentAfter.wifi, cellular: r.sentBefore.cellular + r.sentAfter.cellular };
    assert.ok(total.wifi > back.wifi && total.cellular > back.cellular, "both carry data once WiFi is back");
  });

  test("backup: cellular carries (almost) nothing before the failure, everything while WiFi is gone, little after", () => {
    const r = runHandover("backup", 1, BYTES, SCENARIO);
    assert.equal(r.flow.integrity, true);
    assert.equal(r.bytesLost, 0);
    // The backup subflow may carry a few segments while the WiFi subflow is in a retransmission
    // timeout (RFC 8684 §3.3.6: a backup is used when no regular subflow works).
    assert.ok(r.sentBefore.cellular < 0.05 * r.sentBefore.wifi, JSON.stringify(r.sentBefore));
    const back = r.sentAtReturn!;
    assert.equal(back.wifi, r.sentBefore.wifi);
    assert.ok(back.cellular - r.sentBefore.cellular > 500_000, JSON.stringify(back));
    const cellularAfterReturn = r.sentBefore.cellular + r.sentAfter.cellular - back.cellular;
    const wifiAfterReturn = r.sentBefore.wifi + r.sentAfter.wifi - back.wifi;
    assert.ok(wifiAfterReturn > 5 * cellularAfterReturn, `wifi ${wifiAfterReturn}, cellular ${cellularAfterReturn} after the return`);
  });

  test("single-path: one path at a time, the cellular subflow only between the failure and the return", () => {
    const r = runHandover("single-path", 1, BYTES, SCENARIO);
    assert.equal(r.flow.integrity, true);
    assert.equal(r.bytesLost, 0);
    assert.equal(r.sentBefore.cellular, 0);
    const back = r.sentAtReturn!;
    // No new data goes to the WiFi subflow once it is gone. What its TCP already held may still
    // leave in the moment after the failure, as ACKs sent before it arrive: a segment or two
    // (here one, while it was in slow start after a timeout).
    assert.ok(back.wifi - r.sentBefore.wifi <= 2 * 1460, `${back.wifi - r.sentBefore.wifi} bytes on WiFi while it was gone`);
    assert.ok(back.cellular > 500_000, JSON.stringify(back));
    // Once the WiFi subflow is up the cellular one is closed: only what was in flight goes on.
    assert.ok(r.sentBefore.cellular + r.sentAfter.cellular - back.cellular < 200_000, JSON.stringify(r.sentAfter));
    assert.ok(r.sentAfter.wifi > 1_000_000);
    // The radio came up once, for the join at the failure.
    assert.equal(r.promotions, 1);
  });

  test("without a return: the stall of each mode is bounded, and single-path pays the join and the radio", () => {
    const once = { ...SCENARIO, returnAtSeconds: undefined };
    const [full, backup, single] = (["full", "backup", "single-path"] as const).map((m) => runHandover(m, 1, 3_000_000, once));
    for (const r of [full!, backup!, single!]) {
      assert.equal(r.flow.integrity, true, r.mode);
      assert.ok(r.recoverySeconds > 0 && r.recoverySeconds < 2, `${r.mode}: recovery ${r.recoverySeconds}`);
    }
    // Break before make: the radio's promotion (260 ms) and the join's handshake come first.
    assert.ok(single!.stallSeconds > 0.26 + 0.16, `single-path stall ${single!.stallSeconds}`);
    assert.ok(backup!.stallSeconds < single!.stallSeconds);
  });
});

describe("MptcpHost interface events", () => {
  const host = (pathManager: "kernel" | "backup") =>
    new MptcpHost({
      interfaces: [{ addresses: [parseAddress("10.1.0.1")!] }, { addresses: [parseAddress("10.2.0.1")!] }],
      random: Rng.seeded(1),
      mptcp: { pathManager },
    });
  test("an unknown interface is refused", () => {
    for (const pm of ["kernel", "backup"] as const) {
      assert.throws(() => host(pm).interfaceDown(2, 0), RangeError);
      assert.throws(() => host(pm).interfaceUp(-1, 0), RangeError);
    }
  });
  test("with no connection, interface events change nothing to send", () => {
    for (const pm of ["kernel", "backup"] as const) {
      const h = host(pm);
      h.interfaceDown(0, 0);
      h.interfaceUp(0, 1);
      assert.equal(h.pollTransmit(1), undefined);
    }
  });
  test("kernel path manager: the interface goes, its address is withdrawn where another subflow can carry on", () => {
    const sim = new Simulator({ seed: 1 });
    const [c0, c1, s0, s1] = ["10.1.0.1", "10.2.0.1", "10.1.0.2", "10.2.0.2"].map((a) => parseAddress(a)!) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const client = new MptcpHost({ interfaces: [{ addresses: [c0] }, { addresses: [c1] }], random: sim.rng.fork("c") });
    const server = new MptcpHost({ interfaces: [{ addresses: [s0] }, { addresses: [s1] }], random: sim.rng.fork("s") });
    const source = new BulkSource(2_000_000, sim.rng.fork("p"));
    const sink = new BulkSink();
    const down: string[] = [];
    let done = false;
    const sh = sim.addNode("server", new HostNode(server, (e) => {
      if (e.type === "incoming") for (let c = e.listener.accept(); c !== undefined; c = e.listener.accept()) source.pump(c);
      else if (e.type === "writable") source.pump(e.connection);
    }));
    const ch = sim.addNode("client", new HostNode(client, (e, now) => {
      if (e.type === "connected") {
        e.connection.openSubflow(c1, s1, 80);
        e.connection.shutdown();
      } else if (e.type === "readable") sink.drain(e.connection, now);
      else if (e.type === "subflow-down") down.push(`${e.subflow.local} ${e.reason}`);
      else if (e.type === "peer-closed") {
        done = true;
        e.connection.close();
      }
    }));
    sim.addDuplexLink(ch, 0, sh, 0, { rateBps: 20e6, delayUs: 10_000, queueLimitPackets: 50, schedule: [{ atUs: 500_000, up: false }] });
    sim.addDuplexLink(ch, 1, sh, 1, { rateBps: 8e6, delayUs: 40_000, queueLimitPackets: 50 });
    sim.at(500_000, (now) => {
      client.interfaceDown(0, now);
      sim.wake(ch);
    });
    server.listen(80);
    client.connect(s0, 80, 0, { local: c0 });
    sim.wake(ch);
    sim.runUntilDone(() => done, 60e6);
    assert.equal(sink.received, 2_000_000);
    assert.equal(sink.digest(), source.digest());
    assert.deepEqual(down.slice(0, 1), ["10.1.0.1 removed"]);
    assert.ok(client.counters.RmAddrTx >= 1 && server.counters.RmAddr >= 1, "REMOVE_ADDR sent and received");
  });
  test("a connection's own path manager: backup for one, the host's kernel one for the other", () => {
    const sim = new Simulator({ seed: 2 });
    const [c0, c1, s0] = ["10.1.0.1", "10.2.0.1", "10.1.0.2"].map((a) => parseAddress(a)!) as [Uint8Array, Uint8Array, Uint8Array];
    const client = new MptcpHost({ interfaces: [{ addresses: [c0] }, { addresses: [c1] }], random: sim.rng.fork("c") });
    const server = new MptcpHost({ interfaces: [{ addresses: [s0] }], random: sim.rng.fork("s") });
    const ch = sim.addNode("client", new HostNode(client));
    const sh = sim.addNode("server", new HostNode(server, (e) => {
      if (e.type === "incoming") while (e.listener.accept() !== undefined);
    }));
    // Only the first interface is wired: the cellular join is opened and stays in its handshake,
    // which is all this checks.
    sim.addDuplexLink(ch, 0, sh, 0, { rateBps: 20e6, delayUs: 10_000 });
    server.listen(80);
    const managed = client.connect(s0, 80, 0, { local: c0, pathManager: "backup" });
    const plain = client.connect(s0, 80, 0, { local: c0 });
    sim.wake(ch);
    sim.runUntil(200_000);
    assert.deepEqual(managed.joinedSubflows.map((j) => [j.backup, j.subflow?.local.join(".")]), [[true, "10.2.0.1"]]);
    assert.equal(plain.joinedSubflows.length, 0);
  });
});

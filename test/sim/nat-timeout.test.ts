/**
 * A NAT that forgets an idle mapping (mbox-nat `idleTimeout`, as carrier-grade NATs do after a
 * few minutes of silence): after an outage longer than that, the client's next segment leaves from
 * a new public port, the server answers a connection it does not know with a RST, and the
 * client's only subflow is reset. The connection itself need not end (RFC 8684 §3.3.6): it waits
 * for a new subflow (close-timeout.ts), and a path manager that opens one carries it on.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";

function scenario(clientMptcp: string): string {
  return `
name: nat-idle-timeout
duration: 300s
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1] }], mptcp: ${clientMptcp} }
  - { name: server, interfaces: [{ addresses: [192.0.2.2] }], mptcp: {} }
links:
  - { name: access, from: client.0, to: mb.0, rate: 10Mbit, delay: 10ms }
  - { name: core, from: mb.1, to: server.0, rate: 10Mbit, delay: 20ms }
middleboxes: [{ name: mb, boxes: [{ kind: mbox-nat, idleTimeout: 5000000 }] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 2MB }
events:
  - { at: 0.5s, link: access, action: down, for: 8s }
`;
}

function run(clientMptcp: string) {
  const r = runScenario(parseScenarioText(scenario(clientMptcp)), { seed: 1 });
  const up = r.flows[0]!;
  const nat = r.middleboxes.find((m) => m.name === "mb")!.boxes[0]!;
  return { up, nat };
}

describe("a NAT mapping idled out during an outage (mbox-nat idleTimeout)", () => {
  test("single-path policy: the reset subflow is replaced by a join through the new mapping; the upload ends intact", () => {
    const { up, nat } = run("{ pathManager: single-path }");
    assert.equal(up.failure, null);
    assert.equal(up.integrity, true);
    assert.equal(up.bytesDelivered, 2_000_000);
    const subflows = up.mptcp!.subflows!;
    assert.equal(subflows.filter((s) => s.kind === "join").length, 1, JSON.stringify(subflows));
    assert.equal(nat.kind, "mbox-nat");
    assert.equal(nat.expired, 1);
    assert.equal(nat.mappings, 3, "the initial subflow's, its retransmission's after the outage, the join's");
  });

  test("the endpoints alone (Linux's in-kernel path manager): nobody opens a subflow, the wait runs out", () => {
    const { up, nat } = run("{ closeTimeout: 20s }");
    assert.equal(up.failure, "reset");
    assert.ok(up.bytesDelivered < 2_000_000);
    assert.equal(nat.expired, 1);
  });

  test("closeTimeout 0: the connection ends with its subflow, before the policy can act", () => {
    const { up } = run("{ pathManager: single-path, closeTimeout: 0s }");
    assert.equal(up.failure, "reset");
  });
});

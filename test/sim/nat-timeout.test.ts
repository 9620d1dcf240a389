/**
 * A NAT that forgets an idle mapping (mbox-nat `idleTimeout`, as carrier-grade NATs do after a
 * few minutes of silence): after an outage longer than that, the client's next segment leaves from
 * a new public port, the server answers a connection it does not know with a RST, and the
 * client's only subflow is reset. The connection itself need not end (RFC 8684 §3.3.6): it waits
 * for a new subflow (close-timeout.ts), and a path manager that opens one carries it on. One
 * worked case, then random ones.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";
import { Rng } from "../../src/util/rng.js";

/** An upload from behind the NAT through an outage of the access link; defaults: the worked case. */
interface NatUpload {
  name?: string;
  duration?: string;
  clientMptcp: string;
  serverMptcp?: string;
  /** The access link: rate (Mbit/s), one-way delay (ms), loss (a scenario value). */
  access?: { rate: number; delay: number; loss?: string };
  core?: { rate: number; delay: number };
  /** The NAT's idle timeout, s. */
  idle?: number;
  bytes?: string;
  /** The outage: when it starts and how long it lasts, s. */
  outage?: { at: number; for: number };
}

function natUpload(o: NatUpload): string {
  const access = o.access ?? { rate: 10, delay: 10 };
  const core = o.core ?? { rate: 10, delay: 20 };
  const outage = o.outage ?? { at: 0.5, for: 8 };
  return `
name: ${o.name ?? "nat-idle-timeout"}
duration: ${o.duration ?? "300s"}
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1] }], mptcp: ${o.clientMptcp} }
  - { name: server, interfaces: [{ addresses: [192.0.2.2] }], mptcp: ${o.serverMptcp ?? "{}"} }
links:
  - { name: access, from: client.0, to: mb.0, rate: ${access.rate}Mbit, delay: ${access.delay}ms${access.loss === undefined ? "" : `, loss: ${access.loss}`} }
  - { name: core, from: mb.1, to: server.0, rate: ${core.rate}Mbit, delay: ${core.delay}ms }
middleboxes: [{ name: mb, boxes: [{ kind: mbox-nat, idleTimeout: ${(o.idle ?? 5) * 1_000_000} }] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: ${o.bytes ?? "2MB"} }
events:
  - { at: ${outage.at}s, link: access, action: down, for: ${outage.for}s }
`;
}

function run(clientMptcp: string) {
  const r = runScenario(parseScenarioText(natUpload({ clientMptcp })), { seed: 1 });
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

/**
 * Random uploads: the policy, the NAT's timeout, the outage and when it starts (the first ones
 * before the server's first Data ACK), loss, rate, delay and size are drawn. A handover policy
 * opens a new subflow through a new mapping while the connection waits, so every upload must end
 * intact whatever was drawn.
 */
function randomUpload(index: number): { label: string; yaml: string } {
  const r = Rng.seeded(0x6e6174 + index * 7919);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r.nextFloat() * a.length)]!;
  const pm = pick(["full", "backup", "single-path"] as const);
  const idle = pick([1, 3, 5, 10]);
  const down = pick([2, 6, 12, 20]);
  const at = pick([0.2, 0.5, 1, 2]);
  const loss = pick(["0", "0", "1%", "3%"]);
  const bytes = pick(["500KB", "2MB", "5MB"]);
  const rate = pick([5, 10, 50]);
  const delay = pick([5, 20, 50]);
  const yaml = natUpload({
    name: `random-nat-${index}`,
    duration: "600s",
    clientMptcp: `{ pathManager: ${pm}, subflows: 4 }`,
    serverMptcp: "{ subflows: 4 }",
    access: { rate, delay, loss },
    core: { rate: 100, delay: 10 },
    idle,
    bytes,
    outage: { at, for: down },
  });
  return { label: `pm ${pm}, NAT idle ${idle} s, outage ${down} s at ${at} s, ${rate} Mbit/s ${delay} ms loss ${loss}, ${bytes}`, yaml };
}

describe("random uploads through a NAT that forgets idle mappings: every one ends intact", () => {
  for (let i = 0; i < 24; i++) {
    const c = randomUpload(i);
    test(`nat ${i}: ${c.label}`, () => {
      const res = runScenario(parseScenarioText(c.yaml), { seed: i });
      const up = res.flows[0]!;
      assert.equal(up.failure, null);
      assert.equal(up.integrity, true, `${up.bytesDelivered} of ${up.bytes} bytes`);
    });
  }
});

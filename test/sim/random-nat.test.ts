/**
 * Random uploads from behind a NAT that forgets idle mappings (mbox-nat `idleTimeout`), through an
 * outage of the access link: when the mapping idles out, the client's next segment leaves from a
 * new public port, the server resets the connection it does not know, and the client's only
 * subflow is gone. A handover policy opens a new one through a new mapping while the connection
 * waits (close-timeout.ts), so every upload must end intact whatever was drawn: the policy, the
 * timeout, the outage and when it starts (the first ones before the server's first Data ACK),
 * loss, rate, delay and size.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";
import { Rng } from "../../src/util/rng.js";

interface NatCase {
  label: string;
  yaml: string;
}

function natCase(index: number): NatCase {
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
  const yaml = `
name: random-nat-${index}
duration: 600s
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1] }], mptcp: { pathManager: ${pm}, subflows: 4 } }
  - { name: server, interfaces: [{ addresses: [192.0.2.2] }], mptcp: { subflows: 4 } }
links:
  - { name: access, from: client.0, to: mb.0, rate: ${rate}Mbit, delay: ${delay}ms, loss: ${loss} }
  - { name: core, from: mb.1, to: server.0, rate: 100Mbit, delay: 10ms }
middleboxes: [{ name: mb, boxes: [{ kind: mbox-nat, idleTimeout: ${idle * 1_000_000} }] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: ${bytes} }
events:
  - { at: ${at}s, link: access, action: down, for: ${down}s }
`;
  return { label: `pm ${pm}, NAT idle ${idle} s, outage ${down} s at ${at} s, ${rate} Mbit/s ${delay} ms loss ${loss}, ${bytes}`, yaml };
}

describe("random uploads through a NAT that forgets idle mappings: every one ends intact", () => {
  for (let i = 0; i < 24; i++) {
    const c = natCase(i);
    test(`nat ${i}: ${c.label}`, () => {
      const res = runScenario(parseScenarioText(c.yaml), { seed: i });
      const up = res.flows[0]!;
      assert.equal(up.failure, null);
      assert.equal(up.integrity, true, `${up.bytesDelivered} of ${up.bytes} bytes`);
    });
  }
});

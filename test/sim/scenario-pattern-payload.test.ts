import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";

describe('RunOptions.payload "pattern" (protocol work only)', () => {
  for (const name of ["tcp-clean", "tcp-lossy", "mptcp-two-paths"]) {
    test(`${name}: the same events and packets as the hashing apps, with integrity and sha256 null`, () => {
      const scenario = builtinScenario(name)!;
      const hashed = runScenario(scenario, { bytes: 600_000 });
      const pattern = runScenario(scenario, { bytes: 600_000, payload: "pattern" });
      assert.equal(hashed.flows[0]!.integrity, true);
      assert.equal(pattern.events, hashed.events);
      assert.equal(pattern.simulatedSeconds, hashed.simulatedSeconds);
      assert.deepEqual(pattern.links, hashed.links);
      assert.deepEqual(pattern.hosts, hashed.hosts);
      const [h, p] = [hashed.flows[0]!, pattern.flows[0]!];
      assert.equal(p.bytesDelivered, h.bytesDelivered);
      assert.equal(p.completionSeconds, h.completionSeconds);
      assert.deepEqual(p.sender, h.sender);
      // Not checked, so never reported as intact.
      assert.equal(p.integrity, null);
      assert.equal(p.sha256, null);
      assert.equal(pattern.ok, true);
    });
  }
});

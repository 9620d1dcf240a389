/**
 * RACK (RFC 8985 §6, `tcp.rack` of a scenario host) in the simulator: transfers stay intact on
 * the lossy, reordering and flapping built-ins, and on paths that lose a lot and reorder deeply
 * RACK repairs by time what DupThresh leaves to the retransmission timer.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { ScenarioError, validateScenario } from "../../src/sim/scenario/validate.js";

/** One path client -> server: `rate`, 15 ms one way, a 60 KB queue, `loss` and `jitter` (reordering) on the data, 1% loss on the ACKs. */
function lossyPath(rack: boolean | string, rate: string, loss: string, jitter: string): Record<string, unknown> {
  return {
    name: "rack-path",
    hosts: [
      { name: "client", addresses: ["10.0.0.1"], tcp: { rack } },
      { name: "server", addresses: ["10.0.0.2"], tcp: { rack } },
    ],
    links: [{ name: "path", from: "client", to: "server", rate, delay: "15ms", queue: "60KB", loss, jitter, reorder: true, reverse: { loss: "1%" } }],
    flows: [{ name: "bulk", from: "client", to: "server", port: 5001, bytes: "1MB" }],
  };
}

describe("RACK in the simulator", () => {
  test("a scenario host's tcp.rack reaches the connections, and a non-boolean is refused by name", () => {
    assert.equal(validateScenario(lossyPath(true, "5Mbit", "1%", "1ms")).hosts[0]!.tcp.rack, true);
    assert.throws(() => validateScenario(lossyPath("yes", "5Mbit", "1%", "1ms")), (err: unknown) => {
      assert.ok(err instanceof ScenarioError);
      assert.match(err.message, /^hosts\[0\]\.tcp\.rack: /);
      return true;
    });
  });

  for (const [name, bytes] of [["tcp-lossy", 1_000_000], ["tcp-reorder", 2_000_000], ["tcp-flap", 7_000_000]] as const) {
    test(`${name} with RACK: intact, on two seeds`, () => {
      for (const seed of [1, 2]) {
        const s = builtinScenario(name)!;
        for (const h of s.hosts) h.tcp = { ...h.tcp, rack: true };
        const f = runScenario(s, { seed, bytes }).flows[0]!;
        assert.equal(f.integrity, true, `seed ${seed}`);
        assert.equal(f.bytesDelivered, bytes);
      }
    });
  }

  for (const [name, bytes] of [["mptcp-two-paths", 3_000_000], ["mptcp-path-failure", 3_000_000], ["mptcp-checksum", 2_000_000]] as const) {
    test(`${name} with RACK on every subflow: intact`, () => {
      const s = builtinScenario(name)!;
      for (const h of s.hosts) h.tcp = { ...h.tcp, rack: true };
      const f = runScenario(s, { seed: 1, bytes }).flows[0]!;
      assert.equal(f.integrity, true);
      assert.equal(f.bytesDelivered, bytes);
    });
  }

  for (const [rate, loss] of [["5Mbit", "8%"], ["50Mbit", "3%"]] as const) {
    test(`${rate}, ${loss} loss, 20 ms of reordering: RACK needs under half the timeouts DupThresh needs (5 seeds)`, () => {
      const timeouts = { dupThresh: 0, rack: 0 };
      for (const rack of [false, true]) {
        for (let seed = 1; seed <= 5; seed++) {
          const f = runScenario(validateScenario(lossyPath(rack, rate, loss, "20ms")), { seed }).flows[0]!;
          assert.equal(f.integrity, true, `rack ${rack}, seed ${seed}`);
          timeouts[rack ? "rack" : "dupThresh"] += f.sender!.timeouts;
        }
      }
      // Measured: 75 against 13 at 5 Mbit/s, 23 against 2 at 50 Mbit/s.
      assert.ok(timeouts.dupThresh >= 10, `DupThresh ${timeouts.dupThresh}`);
      assert.ok(2 * timeouts.rack < timeouts.dupThresh, `RACK ${timeouts.rack}, DupThresh ${timeouts.dupThresh}`);
    });
  }
});

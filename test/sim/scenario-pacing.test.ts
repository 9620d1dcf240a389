/**
 * Pacing (src/tcp/pacing.ts, `tcp.pacing` of a scenario host) in the simulator: transfers stay
 * intact, single-path and multipath; with a 1-BDP queue slow start overflows it by far less; and
 * where a fast access link feeds a slower bottleneck with a shallow queue, slow start is no longer
 * cut short by its own line-rate bursts.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { ScenarioError, validateScenario } from "../../src/sim/scenario/validate.js";
import type { Scenario } from "../../src/sim/scenario/model.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runResponsiveness, type ResponsivenessRun } from "../../src/sim/experiments/responsiveness.js";
import { runCli } from "../support/cli.js";

/** client -(1 Gbit/s, 1 ms)- router -(`rate`, 20 ms, `queue`)- server: an upload of `bytes`. */
function bottleneck(pacing: boolean | string, rate: string, queue: string, bytes = "2MB"): Record<string, unknown> {
  return {
    name: "pacing-bottleneck",
    hosts: [
      { name: "client", addresses: ["10.0.1.1"], tcp: { pacing } },
      { name: "server", addresses: ["10.0.2.1"], tcp: { pacing } },
    ],
    routers: [{ name: "r", routes: { "10.0.1.0/24": 0, "10.0.2.0/24": 1 } }],
    links: [
      { name: "access", from: "client", to: "r.0", rate: "1Gbit", delay: "1ms", queue: "1MB" },
      { name: "bottleneck", from: "r.1", to: "server", rate, delay: "20ms", queue },
    ],
    flows: [{ name: "bulk", from: "client", to: "server", port: 5001, bytes }],
  };
}

function paced(name: string): Scenario {
  const s = builtinScenario(name)!;
  for (const h of s.hosts) h.tcp = { ...h.tcp, pacing: true };
  return s;
}

describe("pacing in the simulator", () => {
  test("a scenario host's tcp.pacing reaches the connections, and a non-boolean is refused by name", () => {
    assert.equal(validateScenario(bottleneck(true, "20Mbit", "30KB")).hosts[0]!.tcp.pacing, true);
    assert.throws(() => validateScenario(bottleneck("on", "20Mbit", "30KB")), (err: unknown) => {
      assert.ok(err instanceof ScenarioError);
      assert.match(err.message, /^hosts\[0\]\.tcp\.pacing: /);
      return true;
    });
  });

  for (const [name, bytes] of [["tcp-clean", 5_000_000], ["tcp-lossy", 1_000_000], ["tcp-flap", 7_000_000], ["mptcp-two-paths", 3_000_000], ["mptcp-path-failure", 3_000_000], ["mptcp-checksum", 2_000_000]] as const) {
    test(`${name}, paced: intact`, () => {
      const f = runScenario(paced(name), { seed: 1, bytes }).flows[0]!;
      assert.equal(f.integrity, true);
      assert.equal(f.bytesDelivered, bytes);
    });
  }

  test("tcp-clean (5 MB): slow start overflows the 1-BDP queue by far less when paced", () => {
    const plain = runScenario(builtinScenario("tcp-clean")!, { seed: 1, bytes: 5_000_000 }).flows[0]!;
    const pacedRun = runScenario(paced("tcp-clean"), { seed: 1, bytes: 5_000_000 }).flows[0]!;
    assert.equal(pacedRun.integrity, true);
    // Measured: 452 retransmissions unpaced, 85 paced; both without a timeout.
    assert.ok(plain.sender!.retransmissions > 200, `unpaced ${plain.sender!.retransmissions}`);
    assert.ok(3 * pacedRun.sender!.retransmissions < plain.sender!.retransmissions, `paced ${pacedRun.sender!.retransmissions}, unpaced ${plain.sender!.retransmissions}`);
    assert.equal(pacedRun.sender!.timeouts, 0);
  });

  // No random loss or jitter on these paths, so every seed gives the same times. Measured
  // (unpaced / paced): 1.281 / 1.104 s, 0.657 / 0.566 s, 1.139 / 0.707 s.
  for (const [rate, queue, bytes] of [["20Mbit", "30KB", "2MB"], ["50Mbit", "60KB", "2MB"], ["100Mbit", "100KB", "5MB"]] as const) {
    test(`a 1 Gbit/s access link into ${rate} with a ${queue} queue: a paced ${bytes} upload ends at least 10% sooner`, () => {
      // Unpaced, each slow-start round leaves at 1 Gbit/s and overflows the queue while the
      // window is still small: slow start ends early and the window grows from there in
      // congestion avoidance. Paced at twice the window per round trip, the queue holds the
      // round and slow start goes on to a window the bottleneck can fill (the overflow then
      // costs more segments, but it comes once the pipe is full).
      const [plain, pacedRun] = [false, true].map((pacing) => {
        const f = runScenario(validateScenario(bottleneck(pacing, rate, queue, bytes)), { seed: 1 }).flows[0]!;
        assert.equal(f.integrity, true, `pacing ${pacing}`);
        return f.completionSeconds!;
      });
      assert.ok(pacedRun! < 0.9 * plain!, `paced ${pacedRun} s, unpaced ${plain} s`);
    });
  }

  test("mptcp sim --pacing paces every host of a built-in and of an experiment; the figures match the scenario field's", () => {
    const flag = JSON.parse(runCli(["sim", "tcp-clean", "--bytes", "5MB", "--pacing", "--json"]).stdout) as { flows: { integrity: boolean; sender: { retransmissions: number; pacingRate?: number } }[] };
    const field = runScenario(paced("tcp-clean"), { seed: 1, bytes: 5_000_000 }).flows[0]!;
    assert.equal(flag.flows[0]!.integrity, true);
    assert.equal(flag.flows[0]!.sender.retransmissions, field.sender!.retransmissions);
    assert.ok(flag.flows[0]!.sender.pacingRate! > 0, "the sender's stats show its pacing rate");
    assert.equal("pacingRate" in runScenario(builtinScenario("tcp-clean")!, { seed: 1, bytes: 1_000_000 }).flows[0]!.sender!, false);
    const exp = (args: string[]) => JSON.parse(runCli(["sim", "exp-aggregation", "--bytes", "3MB", "--json", ...args]).stdout) as { flows: { name: string; integrity: boolean; goodputMbps: number }[] };
    const [plain, pacedExp] = [exp([]), exp(["--pacing"])];
    for (const f of pacedExp.flows) assert.equal(f.integrity, true, f.name);
    assert.notDeepEqual(pacedExp.flows.map((f) => f.goodputMbps), plain.flows.map((f) => f.goodputMbps), "pacing changed the runs");
  });

  test("--no-pacing overrides a file's tcp.pacing; exp-responsiveness paces unless told not to", () => {
    const dir = mkdtempSync(join(tmpdir(), "mptcp-pacing-"));
    try {
      const file = join(dir, "paced.json");
      writeFileSync(file, JSON.stringify(bottleneck(true, "20Mbit", "30KB", "1MB")));
      const sender = (args: string[]) => {
        const r = runCli(["sim", file, "--json", ...args]);
        assert.equal(r.status, 0, r.stderr);
        return (JSON.parse(r.stdout) as { flows: { sender: { pacingRate?: number } }[] }).flows[0]!.sender;
      };
      assert.ok(sender([]).pacingRate! > 0, "the file paces");
      assert.equal("pacingRate" in sender(["--no-pacing"]), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The experiment's hosts pace by default (RESPONSIVENESS_PACING); `pacing: false` is --no-pacing.
    const strip = (r: ResponsivenessRun) => r.flows;
    const byDefault = strip(runResponsiveness("lia", 1, 3));
    assert.deepEqual(byDefault, strip(runResponsiveness("lia", 1, 3, { pacing: true })));
    assert.notDeepEqual(byDefault, strip(runResponsiveness("lia", 1, 3, { pacing: false })));
  });
});

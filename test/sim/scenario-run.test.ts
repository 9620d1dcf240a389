import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { builtinNames, builtinScenario } from "../../src/sim/scenario/builtins.js";
import { EXPERIMENTS } from "../../src/sim/experiments/index.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import type { RunOptions, ScenarioResult } from "../../src/sim/scenario/runner.js";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";
import { pcapTap } from "../../src/sim/tap.js";
import { runCli } from "../support/cli.js";
import { NO_TSHARK, tsharkAvailable } from "../support/tshark.js";

/** Shortened built-ins: enough bytes to exercise each one's point, few enough to be quick. */
const SHORT: Record<string, number> = {
  "tcp-clean": 3_000_000,
  "tcp-lossy": 1_000_000,
  "tcp-longfat": 3_000_000,
  "tcp-bufferbloat": 1_000_000,
  "tcp-reorder": 2_000_000,
  // Long enough to be in flight when the link goes down at 5 s for 3 s.
  "tcp-flap": 7_000_000,
};

function run(name: string, opts: RunOptions = {}): ScenarioResult {
  return runScenario(builtinScenario(name)!, { bytes: SHORT[name]!, ...opts });
}

/** A run with a pcap per host interface kept in memory. */
function runWithPcaps(name: string, seed: number): { result: ScenarioResult; pcaps: Map<string, Buffer> } {
  const chunks = new Map<string, Uint8Array[]>();
  const result = run(name, {
    seed,
    capture: (host, iface) => {
      const list: Uint8Array[] = [];
      chunks.set(`${host}-${iface}`, list);
      return pcapTap((c) => list.push(c.slice()));
    },
  });
  return { result, pcaps: new Map([...chunks].map(([k, v]) => [k, Buffer.concat(v)])) };
}

describe("built-in scenarios (shortened)", () => {
  // The MPTCP built-ins have their own tests (scenario-mptcp.test.ts).
  for (const name of builtinNames().filter((n) => n.startsWith("tcp-"))) {
    test(`${name}: every byte arrives intact`, () => {
      const r = run(name);
      assert.equal(r.flows.length, 1);
      const f = r.flows[0]!;
      assert.equal(f.bytesDelivered, SHORT[name]);
      assert.equal(f.integrity, true);
      assert.equal(f.failure, null);
      assert.ok(f.completionSeconds !== null && f.completionSeconds > 0);
      assert.equal(f.receiver!.state, "CLOSED");
      assert.equal(r.ok, true);
    });
  }

  test("tcp-flap: the transfer survives the outage, with retransmission timeouts", () => {
    const f = run("tcp-flap").flows[0]!;
    assert.ok(f.completionSeconds! > 8, "it cannot finish before the link is back at 8 s");
    assert.ok(f.sender!.timeouts > 0);
    const down = run("tcp-flap").links.find((l) => l.name === "path")!;
    assert.ok(down.droppedDown > 0);
  });

  test("tcp-lossy: the link loses about 1% of data packets and SACK recovers them", () => {
    const r = run("tcp-lossy");
    const fwd = r.links.find((l) => l.name === "path")!;
    assert.ok(fwd.droppedLoss > 0);
    assert.ok(r.flows[0]!.sender!.retransmissions >= fwd.droppedLoss);
  });
});

describe("progress samples", () => {
  test("sampleEveryUs records delivered bytes over time, without changing the run", () => {
    const plain = run("tcp-clean");
    const sampled = run("tcp-clean", { sampleEveryUs: 50_000 });
    const samples = sampled.flows[0]!.samples!;
    assert.ok(samples.length >= 4);
    assert.deepEqual(samples[0], [0.05, samples[0]![1]]);
    for (let i = 1; i < samples.length; i++) {
      assert.ok(samples[i]![0] > samples[i - 1]![0] && samples[i]![1] >= samples[i - 1]![1]);
    }
    const { samples: _s, ...rest } = sampled.flows[0]!;
    assert.deepEqual(rest, plain.flows[0]);
  });
});

describe("determinism", () => {
  test("the same seed gives the same result and byte-identical pcaps", () => {
    const a = runWithPcaps("tcp-lossy", 11);
    const b = runWithPcaps("tcp-lossy", 11);
    assert.deepEqual(a.result, b.result);
    assert.deepEqual([...a.pcaps.keys()], ["client-0", "server-0"]);
    for (const [k, v] of a.pcaps) assert.ok(v.equals(b.pcaps.get(k)!), `${k}.pcap differs`);
  });

  test("a different seed on a lossy path gives a different run", () => {
    const a = run("tcp-lossy", { seed: 1 });
    const b = run("tcp-lossy", { seed: 2 });
    assert.notEqual(a.flows[0]!.sha256, b.flows[0]!.sha256, "the payload stream follows the seed");
    assert.notDeepEqual(a.links, b.links, "so does the loss pattern");
    assert.equal(b.flows[0]!.integrity, true);
  });
});

describe("a scenario file with a router, a rate change and a black hole", () => {
  test("runs to completion with integrity", () => {
    const s = parseScenarioText(`
name: routed
hosts:
  - { name: a, addresses: [10.0.1.1] }
  - { name: b, addresses: ["10.0.2.1"] }
routers:
  - { name: r, routes: { 10.0.1.0/24: 0, 10.0.2.0/24: 1 } }
links:
  - { name: access, from: a, to: r.0, rate: 100Mbit, delay: 1ms }
  - { name: wan, from: r.1, to: b, rate: 20Mbit, delay: 10ms, queue: 20ms }
flows:
  - { name: f1, from: a, to: b, bytes: 1MB }
  - { name: f2, from: a, to: b, bytes: 500KB, start: 100ms }
events:
  - { at: 150ms, link: wan, action: rate, rate: 5Mbit }
  - { at: 300ms, link: wan, direction: forward, action: blackhole, for: 500ms }
`);
    const r = runScenario(s);
    assert.deepEqual(r.flows.map((f) => [f.name, f.bytesDelivered, f.integrity]), [["f1", 1_000_000, true], ["f2", 500_000, true]]);
    assert.ok(r.links.find((l) => l.name === "wan")!.droppedLoss > 0, "the black hole lost packets");
    assert.equal(r.links.find((l) => l.name === "wan/reverse")!.droppedLoss, 0, "only forward");
  });
});

describe("a flow whose sender gives up", () => {
  // The link goes down for good: the sender's TCP times out, the receiver (no keepalive) never
  // hears of it. The flow has failed all the same.
  test("failure is the sender's when the receiver saw none", () => {
    const s = parseScenarioText(`
name: gone
hosts:
  - { name: a, addresses: [10.0.1.1], tcp: { maxRetries: 3 } }
  - { name: b, addresses: [10.0.1.2] }
links:
  - { name: l, from: a, to: b, rate: 10Mbit, delay: 5ms }
flows:
  - { name: f, from: a, to: b, bytes: 5MB }
events:
  - { at: 1s, link: l, action: down }
`);
    const f = runScenario(s).flows[0]!;
    assert.equal(f.failure, "timed-out");
    assert.equal(f.integrity, false);
    assert.equal(f.completionSeconds, null);
    assert.ok(f.bytesDelivered > 0 && f.bytesDelivered < 5_000_000);
  });
});

describe("pcaps decode in tshark", () => {
  test("no malformed packets, every frame is TCP", (t) => {
    if (!tsharkAvailable()) {
      t.skip(NO_TSHARK);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "mptcp-sim-"));
    try {
      const { pcaps } = runWithPcaps("tcp-flap", 3);
      for (const [k, v] of pcaps) {
        const file = join(dir, `${k}.pcap`);
        writeFileSync(file, v);
        const all = spawnSync("tshark", ["-r", file, "-n", "-T", "fields", "-e", "frame.number", "-e", "tcp.srcport", "-e", "_ws.malformed"], { encoding: "utf8", maxBuffer: 1 << 28 });
        assert.equal(all.status, 0, all.stderr);
        const rows = all.stdout.trim().split("\n").map((l) => l.split("\t"));
        assert.ok(rows.length > 1000, `${k}: ${rows.length} frames`);
        assert.ok(rows.every((r) => r[1] !== "" && (r[2] ?? "") === ""), `${k}: a frame is not TCP or is malformed`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("mptcp sim", () => {
  test("--cc, --cc-floor, --scheduler and --pm reach every MPTCP host; bad values are one-line errors naming the flag", () => {
    const r = runCli(["sim", "mptcp-two-paths", "--bytes", "1MB", "--json", "--cc", "olia", "--cc-floor", "draft", "--scheduler", "round-robin", "--pm", "ndiffports:2"]);
    assert.equal(r.status, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as { flows: Array<{ integrity: boolean; mptcp: { subflows: Array<{ remote: string }> } }> }).flows[0]!;
    assert.equal(f.integrity, true);
    // ndiffports:2 adds one subflow to the server's first address besides the configured join.
    assert.equal(f.mptcp.subflows.filter((x) => x.remote === f.mptcp.subflows[0]!.remote).length, 2);
    for (const [flag, value] of [["--cc", "cubicle"], ["--cc-floor", "rfc"], ["--scheduler", "fastest"], ["--pm", "ndiffports:99"]] as const) {
      const bad = runCli(["sim", "mptcp-two-paths", flag, value]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr.trim(), new RegExp(`^mptcp: ${flag}: `));
      assert.equal(bad.stderr.trim().split("\n").length, 1);
    }
  });

  test("--list prints one line per built-in", () => {
    const r = runCli(["sim", "--list"]);
    assert.equal(r.status, 0);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), [...builtinNames(), ...EXPERIMENTS.map((e) => e.name)]);
  });

  test("--json is the same for the same seed but for wallSeconds; --pcap writes a file per interface", () => {
    const dir = mkdtempSync(join(tmpdir(), "mptcp-sim-"));
    try {
      const runs = [1, 2].map((i) => runCli(["sim", "tcp-lossy", "--seed", "9", "--json", "--bytes", "300KB", "--pcap", join(dir, String(i))]));
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      const [a, b] = runs.map((r) => JSON.parse(r.stdout) as Record<string, unknown>);
      for (const k of ["scenario", "seed", "simulatedSeconds", "wallSeconds", "events", "flows"]) assert.ok(k in a!, k);
      assert.equal(a!.seed, 9);
      assert.equal(typeof a!.wallSeconds, "number");
      delete a!.wallSeconds;
      delete b!.wallSeconds;
      assert.deepEqual(a, b);
      for (const f of ["client-0.pcap", "server-0.pcap"]) {
        assert.ok(readFileSync(join(dir, "1", f)).equals(readFileSync(join(dir, "2", f))), f);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the text report is a table with the flow", () => {
    const r = runCli(["sim", "tcp-clean", "--bytes", "200KB"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario tcp-clean \(seed 1\)/);
    assert.match(r.stdout, /\nflow +from +to +bytes +delivered/);
    assert.match(r.stdout, /\nbulk +client +server +200000 +200000 .* ok\n/);
  });

  test("a bad scenario file is one line naming the field, exit code 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "mptcp-sim-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, "hosts:\n  - { name: a, addresses: [10.0.0.1] }\n  - { name: b, addresses: [10.0.0.2] }\nlinks:\n  - { from: a, to: b }\n  - { from: a.1, to: b.1, rate: fast }\nflows: []\n");
      const r = runCli(["sim", file]);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, `mptcp: ${file}: links[1].from: host "a" has no interface 1 (it has 1)\n`);
      const missing = runCli(["sim", join(dir, "none.yaml")]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /^mptcp: .*none\.yaml: no such file, and not a built-in scenario \(see mptcp sim --list\)\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

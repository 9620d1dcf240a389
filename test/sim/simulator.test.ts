import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Simulator } from "../../src/sim/simulator.js";
import { Router } from "../../src/sim/router.js";
import { RecordingTap, pcapTap } from "../../src/sim/tap.js";
import type { LinkConfig } from "../../src/sim/link.js";
import type { SimNode, Transmit } from "../../src/sim/node.js";
import { CaptureParser } from "../../src/wire/pcap/parser.js";
import { isParseError } from "../../src/wire/error.js";
import { CbrSender, Receiver, datagramSeq } from "./toy-nodes.js";

/** a --(0)-- r --(1)-- b, with the given configs for the a-r and r-b directions (both ways). */
function topology(seed: number | string, aToR: LinkConfig, rToB: LinkConfig, sender: SimNode, receiver: SimNode) {
  const sim = new Simulator({ seed });
  const a = sim.addNode("a", sender);
  const r = sim.addNode("r", new Router({ "10.0.1.0/24": 0, "10.0.2.0/24": 1 }));
  const b = sim.addNode("b", receiver);
  sim.addDuplexLink(a, 0, r, 0, aToR);
  sim.addDuplexLink(r, 1, b, 0, rToB);
  return { sim, a, r, b };
}

describe("Simulator end to end", () => {
  test("ping through a router: the RTT is the sum of serialisation and propagation", () => {
    // 1000-byte datagrams: 800 µs at 10 Mbit/s, 1600 µs at 5 Mbit/s.
    const sender = new CbrSender("10.0.1.1", "10.0.2.1", { startUs: 0, intervalUs: 100_000, count: 5, size: 1000 });
    const echo = new Receiver(true);
    const back = new Receiver();
    const { sim, a } = topology(1, { rateBps: 10_000_000, delayUs: 1000 }, { rateBps: 5_000_000, delayUs: 2000 }, {
      receive: (p, i, now) => back.receive(p, i, now),
      handleTimeout: (now) => sender.handleTimeout(now),
      pollTransmit: () => sender.pollTransmit(),
      pollTimeout: () => sender.pollTimeout(),
    }, echo);
    assert.equal(sim.runUntilIdle(), true);
    const oneWay = 800 + 1000 + 1600 + 2000;
    assert.deepEqual(echo.arrivals.map((x) => x.time), [0, 1, 2, 3, 4].map((i) => i * 100_000 + oneWay));
    assert.deepEqual(back.arrivals.map((x) => [x.time, x.seq]), [0, 1, 2, 3, 4].map((i) => [i * 100_000 + 2 * oneWay, i]));
    assert.equal(sim.now, 400_000 + 2 * oneWay);
    assert.equal(a.counters.transmitted, 5);
    assert.equal(a.counters.received, 5);
    assert.equal(a.deadline, undefined);
  });

  test("constant bit rate above the bottleneck: the queue fills, the bottleneck rate is delivered", () => {
    // 1250-byte datagrams every 1000 µs = 10 Mbit/s offered into a 5 Mbit/s link with 20 packets of queue.
    const sender = new CbrSender("10.0.1.1", "10.0.2.1", { startUs: 0, intervalUs: 1000, count: 1000, size: 1250 });
    const recv = new Receiver();
    const { sim, r } = topology(1, { rateBps: 100_000_000, delayUs: 500 }, { rateBps: 5_000_000, delayUs: 500, queueLimitPackets: 20 }, sender, recv);
    sim.runUntilIdle();
    const bottleneck = r.linkOut(1)!;
    const c = bottleneck.counters;
    assert.equal(c.offered, 1000);
    assert.equal(c.maxQueuePackets, 20);
    assert.equal(c.delivered + c.droppedQueue, 1000);
    assert.equal(recv.arrivals.length, c.delivered);
    // Once busy, the bottleneck sends one datagram every 2000 µs without a gap.
    const times = recv.arrivals.map((x) => x.time);
    for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 2000);
    // The last datagram reaches the router at 999 600 µs; by then the bottleneck (busy from 600,
    // one every 2000 µs) has finished 499, has one on the transmitter and 20 queued: 520.
    assert.equal(c.delivered, 520);
    assert.deepEqual(recv.arrivals.map((x) => x.seq).slice(0, 3), [0, 1, 2]);
  });

  test("a node's timer fires at its pollTimeout, and wake() re-polls after an application call", () => {
    const log: string[] = [];
    let pending: Transmit | undefined;
    let deadline: number | undefined = 50;
    const node: SimNode = {
      receive: () => {},
      handleTimeout: (now) => { log.push(`timeout@${now}`); deadline = undefined; },
      pollTransmit: () => { const t = pending; pending = undefined; return t; },
      pollTimeout: () => deadline,
    };
    const sim = new Simulator();
    const h = sim.addNode("n", node);
    const sink = sim.addNode("sink", new Receiver());
    const link = sim.addLink(h, 0, sink, 0, { delayUs: 10 });
    assert.equal(h.deadline, 50);
    sim.runUntil(30);
    assert.equal(sim.now, 30);
    // The "application" queues a datagram and sets a new timer; the simulator learns at wake().
    pending = { packet: new Uint8Array(32).fill(0x45), iface: 0 };
    deadline = 40;
    sim.wake(h);
    sim.runUntilIdle();
    assert.deepEqual(log, ["timeout@40"]);
    assert.equal(link.counters.delivered, 1);
    assert.equal(sim.now, 40);
  });

  test("a deadline in the past fires at the current time", () => {
    let fired = -1;
    let deadline: number | undefined = 5;
    const sim = new Simulator({ startTime: 100 });
    sim.addNode("n", {
      receive: () => {}, pollTransmit: () => undefined, pollTimeout: () => deadline,
      handleTimeout: (now) => { fired = now; deadline = undefined; },
    });
    sim.runUntilIdle();
    assert.equal(fired, 100);
  });

  test("a node whose deadline never moves is reported instead of spinning", () => {
    const sim = new Simulator();
    sim.addNode("stuck", { receive: () => {}, pollTransmit: () => undefined, pollTimeout: () => 7, handleTimeout: () => {} });
    assert.throws(() => sim.runUntilIdle(), /node stuck: pollTimeout\(\) stays at 7/);
  });

  test("a node that never stops sending at one instant is reported instead of spinning", () => {
    const sim = new Simulator();
    // Added, the node is polled at once.
    const node = { receive: () => {}, pollTransmit: () => ({ iface: 0, packet: new Uint8Array(20) }), pollTimeout: () => undefined, handleTimeout: () => {} };
    assert.throws(() => sim.addNode("storm", node), /node storm: still sending after 1000000 datagrams at 0 µs/);
  });

  test("at() runs actions in time order; runUntilDone and limits stop where they say", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    for (const t of [300, 100, 200]) sim.at(t, (now) => seen.push(now));
    assert.equal(sim.runUntilDone(() => seen.length === 2), true);
    assert.equal(sim.now, 200);
    assert.equal(sim.runUntilIdle(250), false);
    assert.equal(sim.now, 250);
    assert.equal(sim.runUntilDone(() => false, 1000), false);
    assert.deepEqual(seen, [100, 200, 300]);
    assert.equal(sim.eventCount, 3);
    assert.throws(() => sim.at(10, () => {}), RangeError);
  });

  test("link-level changes from a scenario: the path goes down and back up", () => {
    const sender = new CbrSender("10.0.1.1", "10.0.2.1", { startUs: 0, intervalUs: 1000, count: 100, size: 500 });
    const recv = new Receiver();
    const { sim, r } = topology(1, {}, { rateBps: 10_000_000, delayUs: 1000 }, sender, recv);
    const link = r.linkOut(1)!;
    sim.at(20_500, () => link.setUp(false));
    sim.at(50_500, () => link.setUp(true));
    sim.runUntilIdle();
    const seqs = new Set(recv.arrivals.map((x) => x.seq));
    // Sent at 20 ms (in flight at 20.5) through 50 ms: lost. 21..50 refused while down.
    for (let i = 0; i < 100; i++) assert.equal(seqs.has(i), i < 20 || i > 50, `seq ${i}`);
    assert.equal(link.counters.droppedDown, 31);
  });

  test("datagrams sent on an interface with no link are counted and dropped", () => {
    const sim = new Simulator();
    const h = sim.addNode("lonely", new CbrSender("10.0.0.1", "10.0.0.2", { startUs: 0, intervalUs: 10, count: 3, size: 100 }));
    sim.runUntilIdle();
    assert.deepEqual(h.counters, { received: 0, transmitted: 0, unwired: 3 });
  });

  test("wiring errors: duplicate names, an interface wired twice", () => {
    const sim = new Simulator();
    const a = sim.addNode("a", new Receiver());
    const b = sim.addNode("b", new Receiver());
    assert.throws(() => sim.addNode("a", new Receiver()), /duplicate node name a/);
    sim.addLink(a, 0, b, 0);
    assert.throws(() => sim.addLink(a, 0, b, 1), /a interface 0 already has a link/);
    assert.throws(() => sim.addLink(b, 0, a, 0, {}, "a.0->b.0"), /duplicate link name/);
    assert.equal(sim.node("b"), b);
    assert.equal(sim.link("a.0->b.0")?.name, "a.0->b.0");
    assert.deepEqual([...sim.nodes].map((n) => n.name), ["a", "b"]);
  });
});

describe("Simulator determinism", () => {
  const lossy: LinkConfig = {
    rateBps: 20_000_000, delayUs: 3000, queueLimitPackets: 30,
    loss: { kind: "gilbert-elliott", p: 0.02, r: 0.3 }, jitter: { maxUs: 2000, reorder: true },
  };

  function run(seed: number, extraLink = false): { hash: string; delivered: number } {
    const sender = new CbrSender("10.0.1.1", "10.0.2.1", { startUs: 0, intervalUs: 300, count: 3000, size: 1000 });
    const recv = new Receiver();
    const { sim, b } = topology(seed, { rateBps: 50_000_000, delayUs: 100, loss: { kind: "bernoulli", p: 0.01 } }, lossy, sender, recv);
    if (extraLink) {
      // An unrelated node and link, added before the run: must not change anything else.
      const x = sim.addNode("x", new CbrSender("10.9.0.1", "10.9.0.2", { startUs: 5, intervalUs: 77, count: 500, size: 200 }));
      const y = sim.addNode("y", new Receiver());
      sim.addLink(x, 0, y, 0, { loss: { kind: "bernoulli", p: 0.5 }, jitter: { maxUs: 10, reorder: true } });
    }
    const tap = new RecordingTap();
    sim.tapInterface(b, 0, tap);
    sim.runUntilIdle();
    const h = createHash("sha256");
    for (const rec of tap.records) h.update(`${rec.time}:`).update(rec.packet);
    return { hash: h.digest("hex"), delivered: recv.arrivals.length };
  }

  test("the same seed gives an identical delivery log", () => {
    const first = run(42);
    assert.ok(first.delivered > 2000 && first.delivered < 3000);
    assert.deepEqual(run(42), first);
  });

  test("a different seed gives a different delivery log", () => {
    assert.notEqual(run(43).hash, run(42).hash);
  });

  test("adding an unrelated link does not perturb other links' randomness", () => {
    assert.deepEqual(run(42, true), run(42));
  });
});

describe("Simulator taps", () => {
  function capture(): { chunks: Uint8Array[]; seqs: number[] } {
    const chunks: Uint8Array[] = [];
    const sender = new CbrSender("10.0.1.1", "10.0.2.1", { startUs: 1_000_000, intervalUs: 1500, count: 4, size: 300 });
    const recv = new Receiver(true);
    const { sim, b } = topology(1, { rateBps: 8_000_000, delayUs: 250 }, { rateBps: 8_000_000, delayUs: 250 }, sender, recv);
    sim.tapInterface(b, 0, pcapTap((c) => chunks.push(c), { timeOffsetUs: 1_700_000_000_000_000 }));
    sim.runUntilIdle();
    return { chunks, seqs: recv.arrivals.map((x) => x.seq) };
  }

  test("an interface tap writes a pcap of both directions with exact timestamps", () => {
    const { chunks } = capture();
    const parser = new CaptureParser();
    for (const c of chunks) parser.push(c);
    const got: [number, number, number][] = [];
    for (let p = parser.next(); p !== undefined; p = parser.next()) {
      assert.ok(!isParseError(p), String(p));
      got.push([p.tsSec - 1_700_000_000, p.tsNsec / 1000, datagramSeq(p.data)]);
    }
    assert.equal(parser.end(), undefined);
    // Each datagram: 300 µs twice plus 250 µs twice to reach b; the echo leaves at once.
    const rx = (i: number): number => 1500 * i + 1100;
    const expected: [number, number, number][] = [];
    for (let i = 0; i < 4; i++) expected.push([1, rx(i), i], [1, rx(i), i]);
    assert.deepEqual(got, expected);
  });

  test("tshark decodes the capture without warnings", (t) => {
    const probe = spawnSync("tshark", ["--version"], { encoding: "utf8" });
    if (probe.status !== 0) {
      t.skip("tshark is not installed");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "sim-tap-"));
    try {
      const file = join(dir, "tap.pcap");
      writeFileSync(file, Buffer.concat(capture().chunks));
      const out = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "ip.dst", "-e", "udp.dstport", "-e", "_ws.expert"], { encoding: "utf8" });
      assert.equal(out.status, 0, out.stderr);
      const lines = out.stdout.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, 8);
      // Alternating request and echo, and an empty expert-info column on every line.
      assert.deepEqual(lines, Array.from({ length: 8 }, (_, i) => `10.0.${i % 2 === 0 ? 2 : 1}.1\t5000\t`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

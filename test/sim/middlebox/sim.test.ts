/**
 * Middleboxes in the event loop: a scripted TCP client and an acknowledging server on either side
 * of a MiddleboxNode, and a pcap of everything the boxes emit, decoded by tshark.
 */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Simulator } from "../../../src/sim/simulator.js";
import type { SimNode, Transmit } from "../../../src/sim/node.js";
import { MiddleboxNode } from "../../../src/sim/middlebox/node.js";
import { Nat } from "../../../src/sim/middlebox/nat.js";
import { SeqRewriter } from "../../../src/sim/middlebox/seq-rewrite.js";
import { Splitter } from "../../../src/sim/middlebox/split.js";
import { Coalescer } from "../../../src/sim/middlebox/coalesce.js";
import { middleboxKinds } from "../../../src/sim/middlebox/registry.js";
import type { Middlebox } from "../../../src/sim/middlebox/middlebox.js";
import { Rng } from "../../../src/util/rng.js";
import { PcapWriter } from "../../../src/wire/pcap/writer.js";
import { TCP_FLAG } from "../../../src/wire/tcp-types.js";
import { formatAddress } from "../../../src/wire/address.js";
import { NO_TSHARK, tsharkAvailable } from "../../support/tshark.js";
import {
  ADD_ADDR, CLIENT6, MPC_SYN, MPC_SYNACK, NOP, SERVER6, TIMESTAMPS, dss, parse, pattern, segment, type SegmentSpec,
} from "./helpers.js";

/** Sends scripted datagrams on interface 0 and records what arrives. */
class ScriptedClient implements SimNode {
  readonly received: Uint8Array[] = [];
  private next = 0;

  constructor(private readonly script: { at: number; packet: Uint8Array }[]) {}

  receive(packet: Uint8Array): void {
    this.received.push(packet);
  }
  handleTimeout(): void {}
  pollTransmit(now: number): Transmit | undefined {
    const s = this.script[this.next];
    if (s === undefined || s.at > now) return undefined;
    this.next++;
    return { packet: s.packet, iface: 0 };
  }
  pollTimeout(): number | undefined {
    return this.script[this.next]?.at;
  }
}

/** Records what arrives and acknowledges every segment that carries data or SYN. */
class AckingServer implements SimNode {
  readonly received: { time: number; packet: Uint8Array }[] = [];
  private readonly out: Uint8Array[] = [];

  receive(packet: Uint8Array, _iface: number, now: number): void {
    this.received.push({ time: now, packet });
    const { ip, tcp } = parse(packet);
    const syn = (tcp.flags & TCP_FLAG.SYN) !== 0;
    if (tcp.payload.length === 0 && !syn) return;
    this.out.push(segment({
      src: ip.dst, dst: ip.src, srcPort: tcp.dstPort, dstPort: tcp.srcPort, seq: 9000,
      ack: (tcp.seq + tcp.payload.length + (syn ? 1 : 0)) >>> 0, flags: syn ? TCP_FLAG.SYN | TCP_FLAG.ACK : TCP_FLAG.ACK,
    }));
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    const packet = this.out.shift();
    return packet === undefined ? undefined : { packet, iface: 0 };
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
}

function topology(boxes: Middlebox[] | ((sim: Simulator) => Middlebox[]), script: { at: number; packet: Uint8Array }[], seed = 1) {
  const sim = new Simulator({ seed });
  const client = new ScriptedClient(script);
  const server = new AckingServer();
  // Scripts start after 0: a node is first polled when it is added, before it has links.
  const c = sim.addNode("client", client);
  const m = sim.addNode("mbox", new MiddleboxNode(typeof boxes === "function" ? boxes(sim) : boxes));
  const s = sim.addNode("server", server);
  sim.addDuplexLink(c, 0, m, 0, { delayUs: 1000 });
  sim.addDuplexLink(m, 1, s, 0, { delayUs: 1000 });
  return { sim, client, server };
}

describe("MiddleboxNode in the simulator", () => {
  test("a chain NAT -> seq rewrite -> split, both directions through the event loop", () => {
    const OFF = 0x01000000;
    const syn: SegmentSpec = { flags: TCP_FLAG.SYN, seq: 1000, options: [MPC_SYN] };
    const data: SegmentSpec = { seq: 1001, ack: 9001, options: [NOP, NOP, TIMESTAMPS, dss(0x77n, 1, 1200)], payload: pattern(1200) };
    const boxes = [
      new Nat({ portAllocation: "sequential", portMin: 30000 }),
      new SeqRewriter({ directions: "forward", offset: OFF }),
      new Splitter({ maxPayload: 500 }),
    ];
    const { sim, client, server } = topology(boxes, [
      { at: 1000, packet: segment(syn) },
      { at: 5000, packet: segment(data) },
    ]);
    assert.equal(sim.runUntilIdle(1_000_000), true);

    const atServer = server.received.map((r) => parse(r.packet));
    assert.deepEqual(atServer.map(({ ip }) => formatAddress(ip.src)), Array(4).fill("203.0.113.1"));
    assert.deepEqual(atServer.map(({ tcp }) => [tcp.srcPort, tcp.seq, tcp.payload.length]), [
      [30000, 1000 + OFF, 0], [30000, 1001 + OFF, 500], [30000, 1501 + OFF, 500], [30000, 2001 + OFF, 200],
    ]);
    assert.deepEqual(server.received.map((r) => r.time), [3000, 7000, 7000, 7000]);
    // The replies come back to the inside address and port, acknowledging in the client's space.
    const atClient = client.received.map((p) => parse(p));
    assert.deepEqual(atClient.map(({ ip, tcp }) => [formatAddress(ip.dst), tcp.dstPort, tcp.ack]), [
      ["10.0.0.1", 40000, 1001], ["10.0.0.1", 40000, 1501], ["10.0.0.1", 40000, 2001], ["10.0.0.1", 40000, 2201],
    ]);
    assert.deepEqual(boxes.map((b) => b.counters.seen), [6, 6, 6]);
  });

  test("coalescing holds a segment on the node's timer and merges the next one", () => {
    const a: SegmentSpec = { seq: 1, ack: 1, options: [dss(1n, 1, 4)], payload: "abcd" };
    const b: SegmentSpec = { seq: 5, ack: 1, options: [dss(5n, 5, 4)], payload: "efgh" };
    const lone: SegmentSpec = { seq: 9, ack: 1, payload: "ijkl" };
    const box = new Coalescer({ holdUs: 300 });
    const { sim, server } = topology([box], [
      { at: 1000, packet: segment(a) },
      { at: 1100, packet: segment(b) },
      { at: 10_000, packet: segment(lone) },
    ]);
    sim.runUntilIdle(1_000_000);
    assert.deepEqual(server.received.map((r) => [r.time, new TextDecoder().decode(parse(r.packet).tcp.payload)]), [
      [3100, "abcdefgh"],
      [12_300, "ijkl"],
    ]);
    assert.deepEqual(box.counters, { seen: 5, modified: 1, dropped: 0, merged: 1 });
  });

  test("a run with random boxes is the same for the same seed, and not for another", () => {
    const script = Array.from({ length: 20 }, (_, i) => ({
      at: 1000 + 100 * i,
      packet: segment({ srcPort: 40000 + (i % 3), seq: 1 + 100 * i, ack: 1, options: [dss(BigInt(i), 1, 100)], payload: pattern(100, i) }),
    }));
    const runOnce = (seed: number): string[] => {
      const { sim, server, client } = topology((s) => [
        new Nat({}, s.rng.fork("mbox/mbox/nat")),
        new SeqRewriter({}, s.rng.fork("mbox/mbox/seq")),
        new Splitter({ probability: 0.5 }, s.rng.fork("mbox/mbox/split")),
      ], script, seed);
      sim.runUntilIdle(1_000_000);
      return [...server.received.map((r) => `${r.time} ${Buffer.from(r.packet).toString("hex")}`), ...client.received.map((p) => Buffer.from(p).toString("hex"))];
    };
    const first = runOnce(7);
    assert.ok(first.length > 40);
    assert.deepEqual(runOnce(7), first);
    assert.notDeepEqual(runOnce(8), first);
  });

  test("an empty node is a wire; a third interface is counted and dropped", () => {
    const node = new MiddleboxNode([]);
    const p = segment();
    node.receive(p, 0, 0);
    node.receive(p, 1, 0);
    node.receive(p, 2, 0);
    assert.deepEqual([node.pollTransmit(0)?.iface, node.pollTransmit(0)?.iface, node.pollTransmit(0)], [1, 0, undefined]);
    assert.equal(node.counters.badInterface, 1);
    assert.equal(node.pollTimeout(), undefined);
  });
});

describe("tshark decodes what every box emits", { skip: tsharkAvailable() ? false : NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mptcp-ts-mbox-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("no malformed packets, every IP and TCP checksum good (and a box told not to fix it shows)", () => {
    // One connection per box and family (a port per box), so tshark sees each as its own stream.
    const inputs = (port: number): { spec: SegmentSpec; dir: "forward" | "reverse" }[] => [CLIENT6, undefined].flatMap((client) => {
      const server = client === undefined ? undefined : SERVER6;
      const up = { src: client, dst: server, srcPort: port };
      const down = { src: server, dst: client, srcPort: 80, dstPort: port };
      return [
        { spec: { ...up, flags: TCP_FLAG.SYN, seq: 100, options: [{ kind: "mss", mss: 1460 }, MPC_SYN] }, dir: "forward" },
        { spec: { ...up, flags: TCP_FLAG.SYN, seq: 100, options: [{ kind: "mss", mss: 1460 }, MPC_SYN] }, dir: "forward" },
        { spec: { ...down, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, ack: 101, options: [MPC_SYNACK] }, dir: "reverse" },
        { spec: { ...up, seq: 101, ack: 1, options: [NOP, NOP, TIMESTAMPS, dss(0x100n, 1, 600)], payload: textPayload(600) }, dir: "forward" },
        { spec: { ...up, seq: 701, ack: 1, options: [NOP, NOP, TIMESTAMPS, dss(0x358n, 601, 600)], payload: textPayload(600) }, dir: "forward" },
        { spec: { ...down, seq: 1, ack: 1301, options: [ADD_ADDR] }, dir: "reverse" },
      ];
    });
    const chunks: Uint8Array[] = [];
    const writer = new PcapWriter((c) => chunks.push(c));
    let time = 0;
    const emit = (p: Uint8Array): void => writer.write((time += 10), p);
    for (const [i, k] of middleboxKinds().entries()) {
      const box = k.create(k.name === "mbox-drop-mptcp-syn" ? { limit: 1 } : {}, Rng.seeded(k.name));
      for (const input of inputs(40000 + i)) {
        box.process(segment(input.spec), input.dir, time, emit);
        box.handleTimeout?.(time + 1e9, emit);
      }
    }
    const frames = Math.round(time / 10);
    // The negative control: the last frame has a stale TCP checksum.
    new Splitter({ fixTcpChecksum: false }).process(segment(inputs(50000)[3]!.spec), "forward", 0, (p) => writer.write(1e9, p));
    const file = join(dir, "boxes.pcap");
    writeFileSync(file, Buffer.concat(chunks));
    const res = spawnSync("tshark", [
      "-r", file, "-n", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=\t",
      "-e", "frame.number", "-e", "_ws.malformed", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "ip.version",
    ], { encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
    const rows = res.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
    assert.equal(rows.length, frames + 2);
    // Wireshark's checksum status: 0 bad, 1 good.
    for (const [frame, malformed, ipStatus, tcpStatus, version] of rows.slice(0, frames)) {
      assert.equal(malformed, "", `frame ${frame} malformed`);
      assert.equal(ipStatus, version === "4" ? "1" : "", `frame ${frame} IP checksum status`);
      assert.equal(tcpStatus, "1", `frame ${frame} TCP checksum status`);
    }
    assert.deepEqual(rows.slice(frames).map((r) => r[3]), ["0", "0"]);
  });
});

function textPayload(n: number): string {
  return "GET /10.0.0.1/ ".repeat(Math.ceil(n / 15)).slice(0, n);
}

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { buildFatTree, type FatTree, type FatTreeOptions } from "../../src/sim/topology/fattree.js";
import type { SimNode, Transmit } from "../../src/sim/node.js";
import { Simulator } from "../../src/sim/simulator.js";
import { formatAddress } from "../../src/wire/address.js";
import { readU32, writeU16 } from "../../src/wire/bytes.js";

/** A host that sends the datagrams handed to it and records what arrives (source, time). */
class Probe implements SimNode {
  readonly out: Uint8Array[] = [];
  readonly arrivals: { src: number; sport: number; at: number }[] = [];
  private readonly tx: Transmit = { packet: new Uint8Array(0), iface: 0 };
  receive(packet: Uint8Array, _iface: number, now: number): void {
    this.arrivals.push({ src: readU32(packet, 12), sport: (packet[20]! << 8) | packet[21]!, at: now });
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    const p = this.out.shift();
    if (p === undefined) return undefined;
    this.tx.packet = p;
    return this.tx;
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
}

/** An IPv4/TCP-shaped datagram (header and ports only). */
function datagram(src: Uint8Array, dst: Uint8Array, sport: number, dport = 5001): Uint8Array {
  const p = new Uint8Array(40);
  p[0] = 0x45;
  writeU16(p, 2, 40);
  p[9] = 6;
  p.set(src, 12);
  p.set(dst, 16);
  writeU16(p, 20, sport);
  writeU16(p, 22, dport);
  return p;
}

const HOP_US = 10;

function build(k: number, extra: Partial<FatTreeOptions> = {}): { sim: Simulator; tree: FatTree; probes: Probe[] } {
  const sim = new Simulator({ seed: 3 });
  const probes: Probe[] = [];
  const tree = buildFatTree(sim, {
    k,
    link: { delayUs: HOP_US },
    host: () => {
      const p = new Probe();
      probes.push(p);
      return p;
    },
    ...extra,
  });
  return { sim, tree, probes };
}

describe("FatTree", () => {
  test("k = 4: 16 hosts, 8 edge, 8 aggregation and 4 core switches, 48 duplex links, Al-Fares addresses", () => {
    const { sim, tree } = build(4);
    assert.equal(tree.hosts.length, 16);
    const names = [...tree.switches.keys()];
    assert.equal(names.filter((n) => n.startsWith("edge")).length, 8);
    assert.equal(names.filter((n) => n.startsWith("agg")).length, 8);
    assert.equal(names.filter((n) => n.startsWith("core")).length, 4);
    assert.equal([...sim.links].length, 96);
    assert.deepEqual(tree.hosts.slice(0, 3).map((h) => [h.name, formatAddress(h.address)]), [["h0.0.0", "10.0.0.2"], ["h0.0.1", "10.0.0.3"], ["h0.1.0", "10.0.1.2"]]);
    assert.equal(formatAddress(tree.hosts[15]!.address), "10.3.1.3");
    assert.equal(new Set(tree.hosts.map((h) => formatAddress(h.address))).size, 16);
  });

  test("sizes for k = 2 and k = 6 follow k^3/4 hosts and 5k^2/4 switches", () => {
    for (const k of [2, 6]) {
      const { tree } = build(k);
      assert.equal(tree.hosts.length, k ** 3 / 4);
      assert.equal(tree.switches.size, (5 * k * k) / 4);
    }
  });

  test("odd or too small k is refused", () => {
    for (const k of [0, 1, 3, 5, 4.5, 256]) assert.throws(() => build(k), RangeError);
  });

  test("every host reaches every other, over 2, 4 or 6 links (same edge, same pod, other pod)", () => {
    const { sim, tree, probes } = build(4);
    tree.hosts.forEach((a, i) => tree.hosts.forEach((b, j) => {
      if (i !== j) probes[i]!.out.push(datagram(a.address, b.address, 1000 + j));
    }));
    for (const h of tree.hosts) sim.wake(h.node);
    sim.runUntilIdle();
    tree.hosts.forEach((b, j) => {
      const got = probes[j]!.arrivals;
      assert.equal(got.length, 15, `${b.name} got ${got.length}`);
      for (const { src, at } of got) {
        const a = tree.hosts.find((h) => readU32(h.address, 0) === src)!;
        const links = a.pod !== b.pod ? 6 : a.edge !== b.edge ? 4 : 2;
        assert.equal(at, links * HOP_US, `${a.name} -> ${b.name}`);
      }
    });
    for (const { router } of tree.switches.values()) assert.deepEqual([router.counters.noRoute, router.counters.malformed], [0, 0]);
  });

  test("flows between two pods spread over all four cores; with one salt everywhere only two carry them (polarisation)", () => {
    const coresUsed = (extra: Partial<FatTreeOptions>): number => {
      const { sim, tree, probes } = build(4, extra);
      const [a, b] = [tree.hosts[0]!, tree.hosts[12]!];
      for (let sport = 20000; sport < 20400; sport++) probes[0]!.out.push(datagram(a.address, b.address, sport));
      sim.wake(a.node);
      sim.runUntilIdle();
      assert.equal(probes[12]!.arrivals.length, 400);
      return [0, 1, 2, 3].filter((c) => tree.switches.get(`core${c}`)!.router.counters.forwarded > 0).length;
    };
    assert.equal(coresUsed({}), 4);
    assert.equal(coresUsed({ ecmpSeed: () => 0 }), 2);
  });

  test("a flow's packets all take one path (they arrive in order even with uneven path delays)", () => {
    const { sim, tree, probes } = build(4);
    // Make the four core paths differ in delay: reordering would show if a flow's packets split.
    let c = 0;
    for (const l of sim.links) if (/^agg\d\.\d\.\d->core/.test(l.name)) l.setDelay(HOP_US * (1 + (c++ % 4) * 5));
    const [a, b] = [tree.hosts[1]!, tree.hosts[9]!];
    for (let n = 0; n < 50; n++) for (const sport of [7000, 7001, 7002]) {
      const p = datagram(a.address, b.address, sport);
      writeU16(p, 4, n); // IP ID as the sequence
      probes[1]!.out.push(p);
    }
    sim.wake(a.node);
    sim.runUntilIdle();
    const arrivals = probes[9]!.arrivals;
    assert.equal(arrivals.length, 150);
    for (const sport of [7000, 7001, 7002]) {
      const times = arrivals.filter((x) => x.sport === sport).map((x) => x.at);
      assert.deepEqual(times, [...times].sort((x, y) => x - y));
      assert.equal(new Set(times).size, 1); // no rate limit: one path, one delay
    }
  });
});

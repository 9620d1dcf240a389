import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Router } from "../../src/sim/router.js";
import { flowHash, hashThreshold } from "../../src/sim/ecmp.js";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { Rng } from "../../src/util/rng.js";
import { writeU16, writeU32 } from "../../src/wire/bytes.js";
import { runs } from "../support/fuzz.js";

const TCP = 6;
const UDP = 17;
const ICMP = 1;

interface V4 {
  src: number;
  dst: number;
  proto?: number;
  sport?: number;
  dport?: number;
  /** IPv4 options bytes (multiple of 4). */
  options?: number;
  /** The 16-bit flags + fragment offset field. */
  frag?: number;
  ttl?: number;
  id?: number;
  payload?: number;
}

/** An IPv4 datagram: header (with `options` bytes of options), then ports and payload. */
function v4({ src, dst, proto = TCP, sport = 40000, dport = 5001, options = 0, frag = 0, ttl = 64, id = 0, payload = 20 }: V4): Uint8Array {
  const ihl = 20 + options;
  const p = new Uint8Array(ihl + 4 + payload);
  p[0] = 0x40 | (ihl / 4);
  writeU16(p, 2, p.length);
  writeU16(p, 4, id);
  writeU16(p, 6, frag);
  p[8] = ttl;
  p[9] = proto;
  writeU32(p, 12, src);
  writeU32(p, 16, dst);
  writeU16(p, ihl, sport);
  writeU16(p, ihl + 2, dport);
  return p;
}

/** An IPv6 datagram with the given extension headers (each `[type, lengthInBytes]`) before the upper layer. */
function v6(src: number, dst: number, proto: number, sport: number, dport: number, ext: [number, number][] = []): Uint8Array {
  const extLen = ext.reduce((a, [, l]) => a + l, 0);
  const p = new Uint8Array(40 + extLen + 24);
  p[0] = 0x60;
  p[6] = ext.length > 0 ? ext[0]![0] : proto;
  p[7] = 64;
  writeU32(p, 8, 0x20010db8);
  writeU32(p, 20, src);
  writeU32(p, 24, 0x20010db8);
  writeU32(p, 36, dst);
  let off = 40;
  ext.forEach(([type, len], i) => {
    p[off] = i + 1 < ext.length ? ext[i + 1]![0] : proto;
    p[off + 1] = type === 51 ? len / 4 - 2 : len / 8 - 1;
    off += len;
  });
  writeU16(p, off, sport);
  writeU16(p, off + 2, dport);
  return p;
}

const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Pearson's chi-square statistic of `counts` against a uniform spread. */
function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  return counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
}

describe("ECMP flow hash", () => {
  test("spreads 10,000 random TCP flows evenly over 2, 3, 4 and 8 next hops", () => {
    // Chi-square critical values at p = 0.001 for n - 1 degrees of freedom: a fair spread exceeds
    // them once in a thousand seeds; the seed is fixed, so this is a bound, not a gamble.
    const critical: Record<number, number> = { 2: 10.83, 3: 13.82, 4: 16.27, 8: 24.32 };
    for (const n of [2, 3, 4, 8]) {
      const hops = Array.from({ length: n }, (_, i) => i + 1);
      const r = new Router({ "10.0.0.0/8": hops }, { ecmpSeed: 12345 });
      const rng = Rng.seeded(`spread-${n}`);
      const counts = new Array<number>(n + 1).fill(0);
      for (let i = 0; i < 10_000; i++) {
        const p = v4({ src: ip(10, rng.nextBelow(4), rng.nextBelow(4), 2 + rng.nextBelow(2)), dst: ip(10, 1, 0, 2), sport: 32768 + rng.nextBelow(28232), dport: 5001 });
        counts[r.lookup(p)]!++;
      }
      assert.equal(counts[0], 0);
      const x2 = chiSquare(counts.slice(1));
      assert.ok(x2 < critical[n]!, `n = ${n}: chi-square ${x2.toFixed(2)} >= ${critical[n]} (${counts.slice(1).join(", ")})`);
    }
  });

  test("flows that differ only in consecutive source ports spread too (ndiffports' subflows)", () => {
    const r = new Router({ "0.0.0.0/0": [0, 1, 2, 3] }, { ecmpSeed: 7 });
    const counts = [0, 0, 0, 0];
    for (let port = 40000; port < 44000; port++) counts[r.lookup(v4({ src: ip(10, 0, 0, 2), dst: ip(10, 3, 1, 3), sport: port }))]!++;
    assert.ok(chiSquare(counts) < 16.27, counts.join(", "));
  });

  test("every datagram of a flow takes the same hop, whatever its length, TTL, IP ID or payload", () => {
    const r = new Router({ "0.0.0.0/0": [0, 1, 2, 3, 4, 5, 6] }, { ecmpSeed: 99 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 1400 }), fc.uint8Array({ minLength: 0, maxLength: 40 }),
        (src, dst, sport, dport, ttl, id, payload, junk) => {
          const first = r.lookup(v4({ src, dst, sport, dport }));
          const other = v4({ src, dst, sport, dport, ttl, id, payload: payload + junk.length });
          other.set(junk, 24);
          assert.equal(r.lookup(other), first);
          assert.equal(r.lookup(v4({ src, dst, sport, dport })), first);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  test("a flow's two directions are each stable but hashed independently", () => {
    const r = new Router({ "0.0.0.0/0": [0, 1, 2, 3] }, { ecmpSeed: 5 });
    const rng = Rng.seeded("directions");
    let same = 0;
    const flows = 4000;
    for (let i = 0; i < flows; i++) {
      const a = ip(10, rng.nextBelow(4), rng.nextBelow(2), 2), b = ip(10, rng.nextBelow(4), rng.nextBelow(2), 3);
      const sport = 32768 + rng.nextBelow(20000);
      const fwd = r.lookup(v4({ src: a, dst: b, sport, dport: 5001 }));
      const rev = r.lookup(v4({ src: b, dst: a, sport: 5001, dport: sport }));
      assert.equal(r.lookup(v4({ src: a, dst: b, sport, dport: 5001, payload: 0 })), fwd);
      assert.equal(r.lookup(v4({ src: b, dst: a, sport: 5001, dport: sport, payload: 0 })), rev);
      if (fwd === rev) same++;
    }
    // Independent choices agree one time in four; a symmetric hash would agree every time.
    const share = same / flows;
    assert.ok(share > 0.2 && share < 0.3, `forward and reverse agree on ${share}`);
  });

  test("the longest prefix wins before the hash chooses among its interfaces", () => {
    const r = new Router({ "0.0.0.0/0": [1, 2, 3], "10.1.0.0/16": 4, "10.1.2.0/24": [5, 6] });
    const rng = Rng.seeded("lpm");
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const sport = rng.nextBelow(65536);
      assert.equal(r.lookup(v4({ src: ip(10, 0, 0, 2), dst: ip(10, 1, 7, 9), sport })), 4);
      const deep = r.lookup(v4({ src: ip(10, 0, 0, 2), dst: ip(10, 1, 2, 9), sport }));
      assert.ok(deep === 5 || deep === 6);
      seen.add(deep);
      assert.ok([1, 2, 3].includes(r.lookup(v4({ src: ip(10, 0, 0, 2), dst: ip(11, 0, 0, 1), sport }))));
    }
    assert.deepEqual([...seen].sort(), [5, 6]);
  });

  test("routers with different seeds split flows differently; the same seed alike", () => {
    const hops = [0, 1];
    const a = new Router({ "0.0.0.0/0": hops }, { ecmpSeed: 1 });
    const b = new Router({ "0.0.0.0/0": hops }, { ecmpSeed: 2 });
    const a2 = new Router({ "0.0.0.0/0": hops }, { ecmpSeed: 1 });
    let differ = 0;
    for (let sport = 1000; sport < 3000; sport++) {
      const p = v4({ src: ip(10, 0, 0, 2), dst: ip(10, 2, 0, 2), sport });
      assert.equal(a.lookup(p), a2.lookup(p));
      if (a.lookup(p) !== b.lookup(p)) differ++;
    }
    // Unsalted, a flow sent up link 0 would go up link 0 again at the next layer (polarisation).
    assert.ok(differ > 800 && differ < 1200, `${differ} of 2000 differ`);
  });

  test("fragments of one datagram and port-less protocols fall back to the 3-tuple", () => {
    const r = new Router({ "0.0.0.0/0": [0, 1, 2, 3, 4, 5, 6, 7] }, { ecmpSeed: 3 });
    const rng = Rng.seeded("fragments");
    for (let i = 0; i < 200; i++) {
      const src = rng.nextU32(), dst = rng.nextU32(), sport = rng.nextBelow(65536);
      // First fragment (MF set) carries the ports, later ones (offset > 0) carry payload there.
      const first = r.lookup(v4({ src, dst, proto: UDP, sport, dport: 53, frag: 0x2000 }));
      assert.equal(r.lookup(v4({ src, dst, proto: UDP, sport: rng.nextBelow(65536), dport: rng.nextBelow(65536), frag: 185 })), first);
      assert.equal(r.lookup(v4({ src, dst, proto: ICMP, sport })), r.lookup(v4({ src, dst, proto: ICMP, sport: sport ^ 1 })));
    }
    // The flag bit alone (DF) is not a fragment: ports still count.
    const df = new Set<number>();
    for (let sport = 0; sport < 64; sport++) df.add(r.lookup(v4({ src: 1, dst: 2, sport, frag: 0x4000 })));
    assert.ok(df.size > 1);
  });

  test("IPv4 options are skipped to reach the ports", () => {
    const seed = 11;
    for (let sport = 0; sport < 200; sport++) {
      const plain = flowHash(v4({ src: 1, dst: 2, sport }), seed);
      assert.equal(flowHash(v4({ src: 1, dst: 2, sport, options: 8 }), seed), plain);
    }
  });

  test("IPv6: 5-tuple through extension headers, 3-tuple for fragments", () => {
    const seed = 17;
    const hops = new Set<number>();
    for (let sport = 0; sport < 200; sport++) {
      const plain = flowHash(v6(1, 2, TCP, sport, 443), seed);
      assert.equal(flowHash(v6(1, 2, TCP, sport, 443, [[0, 8], [60, 16], [51, 12]]), seed), plain);
      assert.equal(flowHash(v6(1, 2, TCP, sport, 443, [[44, 8]]), seed), flowHash(v6(1, 2, TCP, 0, 0, [[44, 8]]), seed));
      hops.add(hashThreshold(plain, 4));
    }
    assert.equal(hops.size, 4);
    // Cut short before the ports: the 3-tuple, not a read past the end.
    const p = v6(1, 2, TCP, 1234, 80);
    assert.equal(flowHash(p.subarray(0, 42), seed), flowHash(p.subarray(0, 40), seed));
    const r = new Router({ "::/0": [0, 1, 2] });
    assert.ok([0, 1, 2].includes(r.lookup(p)));
  });

  test("random bytes never throw, and malformed datagrams are still dropped as malformed", () => {
    const r = new Router({ "0.0.0.0/0": [0, 1], "::/0": [2, 3] });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (b) => {
        const out = r.lookup(b);
        assert.ok(out >= -2 && out <= 3);
        const h = flowHash(b, 1);
        assert.ok(h === -1 || (h >= 0 && h <= 0xffffffff));
      }),
      { numRuns: runs(500) },
    );
    assert.equal(r.lookup(new Uint8Array([0x45, 0])), -2);
  });

  test("hash-threshold maps the hash space onto equal regions", () => {
    assert.equal(hashThreshold(0, 3), 0);
    assert.equal(hashThreshold(0x55555555, 3), 0);
    assert.equal(hashThreshold(0x55555556, 3), 1);
    assert.equal(hashThreshold(0xffffffff, 3), 2);
    assert.equal(hashThreshold(0xffffffff, 1), 0);
  });

  test("ECMP routes are validated", () => {
    assert.throws(() => new Router({ "10.0.0.0/8": [] }), RangeError);
    assert.throws(() => new Router({ "10.0.0.0/8": [0, -1] }), RangeError);
    assert.throws(() => new Router({}, { ecmpSeed: 0.5 }), RangeError);
    const r = new Router();
    r.addRoute({ prefix: new Uint8Array([10, 0, 0, 0]), prefixLength: 8, iface: [3] });
    assert.equal(r.lookup(v4({ src: 1, dst: ip(10, 9, 9, 9) })), 3);
  });
});

describe("ECMP routes in scenario files", () => {
  /** client - r1 =(two parallel links)= r2 - server; r1 spreads towards the server by ECMP. */
  const yaml = (routes: string, extra = ""): string => `
name: ecmp
hosts:
  - { name: client, addresses: [10.0.1.1], mptcp: { subflows: 8 } }
  - { name: server, addresses: [10.0.2.1], mptcp: { subflows: 8 } }
routers:
  - name: r1
    routes: { 10.0.1.0/24: 0, 10.0.2.0/24: ${routes} }
${extra}
  - name: r2
    routes: { 10.0.1.0/24: [0, 1], 10.0.2.0/24: 2 }
links:
  - { from: client, to: r1.0, rate: 10Mbit, delay: 1ms }
  - { name: a, from: r1.1, to: r2.0, rate: 10Mbit, delay: 1ms }
  - { name: b, from: r1.2, to: r2.1, rate: 10Mbit, delay: 1ms }
  - { from: r2.2, to: server, rate: 10Mbit, delay: 1ms }
flows:
  - { from: client, to: server, bytes: 300KB }
`;

  test("a list of interfaces is an ECMP route; ecmpSeed is optional", () => {
    const s = parseScenarioText(yaml("[1, 2]", "    ecmpSeed: 42"));
    assert.deepEqual(s.routers[0]!.routes, { "10.0.1.0/24": 0, "10.0.2.0/24": [1, 2] });
    assert.equal(s.routers[0]!.ecmpSeed, 42);
    assert.equal(parseScenarioText(yaml("[1, 2]")).routers[1]!.ecmpSeed, undefined);
  });

  test("empty lists, repeated or negative interfaces are refused with their path", () => {
    assert.throws(() => parseScenarioText(yaml("[]")), /routers\[0\]\.routes.*non-empty list/);
    assert.throws(() => parseScenarioText(yaml("[1, 1]")), /listed twice/);
    assert.throws(() => parseScenarioText(yaml("[1, -2]")), /routes.*\[1\].*non-negative integer/);
    assert.throws(() => parseScenarioText(yaml("[1, 2]", "    ecmpSeed: -1")), /ecmpSeed/);
  });

  test("MPTCP subflows by source port are spread over both parallel links, and the transfer is intact", () => {
    const s = parseScenarioText(yaml("[1, 2]"));
    const result = runScenario(s, { mptcp: { ndiffports: 8 } });
    assert.ok(result.ok);
    const carried = (name: string): number => result.links.find((l) => l.name === name)!.deliveredBytes;
    // Eight subflows all hashed onto one of two links: one chance in 128 per seed; seed 1 splits.
    assert.ok(carried("a") > 20_000 && carried("b") > 20_000, `${carried("a")} / ${carried("b")}`);
  });
});

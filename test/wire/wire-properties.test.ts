import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex } from "../../src/wire/bytes.js";
import { isParseError } from "../../src/wire/error.js";
import { parseIpPacket } from "../../src/wire/ip.js";
import { emitIpv4, parseIpv4 } from "../../src/wire/ipv4.js";
import type { Ipv4Header } from "../../src/wire/ipv4.js";
import { emitIpv6, parseIpv6 } from "../../src/wire/ipv6.js";
import type { Ipv6ExtensionHeader } from "../../src/wire/ipv6.js";
import { emitTcp, parseTcp } from "../../src/wire/tcp.js";
import { emitTcpOptions, parseTcpOptions, tcpOptionsLength } from "../../src/wire/tcp-options.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { runs } from "../support/fuzz.js";

/**
 * A view that throws on any index read outside it, where a plain typed array would quietly give
 * `undefined`. Sub-views are guarded too; methods run on the real array.
 */
function guarded(bytes: Uint8Array): Uint8Array {
  return new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === "string" && /^-?\d+$/.test(prop)) {
        const i = Number(prop);
        if (i < 0 || i >= target.length) throw new Error(`read of [${i}] in ${target.length} bytes`);
        return target[i];
      }
      if (prop === "subarray") return (s?: number, e?: number) => guarded(target.subarray(s, e));
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Every parser on `bytes`, as a stack and `mptcp dump` would chain them. */
function parseAll(bytes: Uint8Array): void {
  const g = guarded(bytes);
  parseIpv4(g, { verifyChecksum: true });
  parseIpv6(g);
  parseTcpOptions(g);
  parseTcp(g);
  const ip = parseIpPacket(g, { verifyChecksum: false });
  if (!isParseError(ip) && !ip.isFragment && ip.protocol === 6) {
    const tcp = parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } });
    if (!isParseError(tcp)) assert.ok(tcp.payload.length <= ip.payload.length);
  }
}

// Captured and hand-made packets to mutate: Linux 6.18 MPTCP over IPv4 and IPv6, an IPv4 fragment
// with options, an IPv6 extension chain ending in TCP.
const SEEDS = [
  "45000040009d400040063c197f0000017f000001c3b415e1fc7d14d300000000b002ffd73ad100000204ffd70402080a96b76486000000000103030a1e040101",
  "45000060c42e4000400678677f0000017f00000115e1c3b406fc89d5fc7d14dff0180040ce0f00000101080a1e81b26496b764871e1a200fc92943062fd728fdf5659da013dac7c00000000100100101706f6e673a68656c6c6f206d70746370",
  "60037bd8002c06400000000000000000000000000000000100000000000000000000000000000001815a15e2bb5a483c00000000b002ffc4056f00000204ffc40402080aba93c446000000000103030a1e040101",
  "46b90028123420004006c6a2c0000201c633640794040000000102030405060708090a0b0c0d0e0f",
  "6b912345005400ff20010db800000000000000000000000120010db80000000000000000000000023c000104000000002b01010c0000000000000000000000002c00fd00000000003300000" +
    "1deadbeef0604000000000100000000070102030405060708090a0b0c04d2005000000001000000005002ffff00000000",
].map(fromHex);

const mutation: fc.Arbitrary<Mutation> = fc.oneof<fc.Arbitrary<Mutation>[]>(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("grow" as const), extra: fc.uint8Array({ maxLength: 8 }) }),
);

type Mutation = { kind: "set"; at: number; value: number } | { kind: "cut"; at: number } | { kind: "grow"; extra: Uint8Array };

/** Overwrites bytes, truncates, or appends, in order. */
function mutate(seed: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of ms) {
    if (m.kind === "set") {
      if (b.length > 0) b[m.at % b.length] = m.value;
    } else if (m.kind === "cut") {
      b = b.slice(0, m.at % (b.length + 1));
    } else {
      const n = new Uint8Array(b.length + m.extra.length);
      n.set(b);
      n.set(m.extra, b.length);
      b = n;
    }
  }
  return b;
}

describe("parsers on hostile input", () => {
  test("the guard itself catches reads past the end, also of sub-views", () => {
    const g = guarded(new Uint8Array([7, 8, 9]));
    assert.equal(g[2], 9);
    assert.throws(() => g[3], /read of \[3\]/);
    assert.throws(() => g.subarray(1, 2)[1], /read of \[1\]/);
    assert.equal(g.length, 3);
  });

  test("random bytes never throw and never read out of bounds", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => parseAll(b)), { numRuns: runs(300) });
  });

  test("random bytes behind a valid version nibble and length", () => {
    fc.assert(
      fc.property(fc.constantFrom(0x45, 0x4f, 0x60, 0x6f), fc.uint8Array({ minLength: 40, maxLength: 120 }), (first, b) => {
        b[0] = first;
        if (first >>> 4 === 4) { b[2] = 0; b[3] = b.length; }
        else { b[4] = 0; b[5] = b.length - 40; }
        parseAll(b);
      }),
      { numRuns: runs(300) },
    );
  });

  test("mutated valid packets never throw and never read out of bounds", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => parseAll(mutate(seed, ms))),
      { numRuns: runs(400) },
    );
  });
});

// -- generated reprs -------------------------------------------------------------------------------

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const KNOWN_KINDS = new Set([0, 1, 2, 3, 4, 5, 8, 30]);
/** MPTCP options as Linux sends them, parsed by the MPTCP codec (its own tests cover the rest). */
const MPTCP_SAMPLES = ["1e040101", "1e0c01019f386c8d92eabeb3", "1e1a200fc92943062fd728fdf5659da013dac7c0000000010010"]
  .map((h) => parseTcpOptions(fromHex(h))[0]!);

const validOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: "nop" }),
  u16.map<TcpOption>((mss) => ({ kind: "mss", mss })),
  fc.nat({ max: 255 }).map<TcpOption>((shift) => ({ kind: "wscale", shift })),
  fc.constant<TcpOption>({ kind: "sack-permitted" }),
  fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 4 }).map<TcpOption>((blocks) => ({ kind: "sack", blocks })),
  fc.tuple(u32, u32).map<TcpOption>(([tsVal, tsEcr]) => ({ kind: "timestamps", tsVal, tsEcr })),
  fc.constantFrom(...MPTCP_SAMPLES),
  fc
    .tuple(fc.integer({ min: 2, max: 255 }).filter((t) => !KNOWN_KINDS.has(t)), fc.uint8Array({ maxLength: 12 }))
    .map<TcpOption>(([type, data]) => ({ kind: "unknown", type, data })),
);

function emitOptions(opts: TcpOption[]): Uint8Array {
  const buf = new Uint8Array(tcpOptionsLength(opts));
  emitTcpOptions(opts, buf, 0);
  return buf;
}

describe("round trips", () => {
  test("option areas: emit(parse(b)) is b, for random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (b) => assert.deepEqual(emitOptions(parseTcpOptions(b)), b)), { numRuns: runs(500) });
  });

  test("option areas: emit(parse(b)) is b, for areas spliced from valid and broken options", () => {
    const piece = fc.oneof(
      validOption.map((o) => emitOptions([o])),
      fc.tuple(fc.integer({ min: 2, max: 40 }), fc.nat({ max: 12 }), fc.uint8Array({ maxLength: 12 })).map(([k, l, d]) =>
        Uint8Array.of(k, l, ...d)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const b = Uint8Array.from(pieces.flatMap((p) => [...p]));
        assert.deepEqual(emitOptions(parseTcpOptions(b)), b);
      }),
      { numRuns: runs(400) },
    );
  });

  test("option reprs: parse(emit(x)) is x (an EOL only last)", () => {
    fc.assert(
      fc.property(fc.array(validOption, { maxLength: 8 }), fc.boolean(), (opts, eol) => {
        const x = eol ? [...opts, { kind: "eol" } as TcpOption] : opts;
        assert.deepEqual(parseTcpOptions(emitOptions(x)), x);
      }),
      { numRuns: runs(300) },
    );
  });

  test("TCP reprs: parse(emit(x)) is x, checksum verified; zero padding reads back as EOL", () => {
    const tcpRepr = fc.record({
      srcPort: u16,
      dstPort: u16,
      seq: u32,
      ack: u32,
      flags: fc.nat({ max: 0x1ff }),
      window: u16,
      urgentPointer: u16,
      reserved: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
      options: fc.array(validOption, { maxLength: 5 }).filter((o) => tcpOptionsLength(o) <= 40),
      payload: fc.uint8Array({ maxLength: 64 }),
      v6: fc.boolean(),
    });
    fc.assert(
      fc.property(tcpRepr, ({ v6, reserved, ...fields }) => {
        const src = v6 ? fromHex("20010db8000000000000000000000001") : fromHex("c0000201");
        const dst = v6 ? fromHex("20010db800000000000000000000000f") : fromHex("c633640f");
        const x: TcpRepr = { ...fields, checksum: 0, ...(reserved === undefined ? {} : { reserved }) };
        const b = emitTcp(x, src, dst);
        const back = parseTcp(b, { checksum: { src, dst } });
        assert.ok(!isParseError(back), String(back));
        const pad = (4 - (tcpOptionsLength(x.options) % 4)) % 4;
        const options: TcpOption[] = pad === 0 ? x.options
          : [...x.options, pad === 1 ? { kind: "eol" } : { kind: "eol", trailing: new Uint8Array(pad - 1) }];
        assert.deepEqual(back, { ...x, options, checksum: back.checksum });
      }),
      { numRuns: runs(200) },
    );
  });

  test("IPv4 headers: parse(emit(x)) has x's fields, checksum verified", () => {
    const hdr = fc.record({
      src: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      dst: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      protocol: fc.nat({ max: 255 }),
      ttl: fc.nat({ max: 255 }),
      dscp: fc.nat({ max: 63 }),
      ecn: fc.nat({ max: 3 }),
      identification: u16,
      dontFragment: fc.boolean(),
      moreFragments: fc.boolean(),
      fragmentOffset: fc.nat({ max: 0x1fff }).map((o) => o * 8),
      options: fc.nat({ max: 10 }).chain((w) => fc.uint8Array({ minLength: 4 * w, maxLength: 4 * w })),
    });
    fc.assert(
      fc.property(hdr, fc.uint8Array({ maxLength: 40 }), (x: Required<Omit<Ipv4Header, "reservedFlag">>, payload) => {
        const r = parseIpv4(emitIpv4(x, payload), { verifyChecksum: true });
        assert.ok(!isParseError(r), String(r));
        const { version, checksum: _c, isFragment, payload: p, ...fields } = r;
        assert.equal(version, 4);
        assert.deepEqual(fields, { ...x });
        assert.deepEqual(p, payload);
        assert.equal(isFragment, x.moreFragments || x.fragmentOffset !== 0);
      }),
      { numRuns: runs(200) },
    );
  });

  test("IPv6 extension chains: parse(emit(x)) gives back the chain and the upper layer", () => {
    const ext = fc.oneof(
      fc.tuple(fc.constantFrom(43, 60), fc.nat({ max: 3 })).chain(([type, n]) =>
        fc.uint8Array({ minLength: 8 * (n + 1) - 2, maxLength: 8 * (n + 1) - 2 }).map((rest) => ({ type, bytes: Uint8Array.of(0, n, ...rest) }))),
      fc.tuple(fc.nat({ max: 4 }), fc.uint8Array({ minLength: 22, maxLength: 22 })).map(([n, rest]) =>
        ({ type: 51, bytes: Uint8Array.of(0, n + 4, ...rest, ...new Uint8Array(4 * n)) })),
      fc.tuple(fc.boolean(), u32).map(([more, id]) => {
        const bytes = new Uint8Array(8);
        bytes[3] = more ? 1 : 0;
        bytes.set(fromHex(id.toString(16).padStart(8, "0")), 4);
        return { type: 44, bytes };
      }),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(ext, { maxLength: 5 }), fc.uint8Array({ maxLength: 30 }), (hbh, chain, payload) => {
        const headers: Ipv6ExtensionHeader[] = hbh ? [{ type: 0, bytes: new Uint8Array(8) }, ...chain] : chain;
        const src = fromHex("20010db8000000000000000000000001");
        const out = emitIpv6({ src, dst: src, protocol: 6, extensionHeaders: headers }, payload);
        const r = parseIpv6(out);
        assert.ok(!isParseError(r), String(r));
        assert.equal(r.protocol, 6);
        assert.deepEqual(r.payload, payload);
        assert.deepEqual(r.extensionHeaders.map((h) => h.type), headers.map((h) => h.type));
        assert.deepEqual(emitIpv6(r, r.payload), out);
      }),
      { numRuns: runs(200) },
    );
  });
});

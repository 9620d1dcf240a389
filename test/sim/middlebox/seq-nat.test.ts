import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SeqRewriter } from "../../../src/sim/middlebox/seq-rewrite.js";
import { Nat } from "../../../src/sim/middlebox/nat.js";
import { Rng } from "../../../src/util/rng.js";
import { TCP_FLAG, type TcpOption } from "../../../src/wire/tcp-types.js";
import { formatAddress } from "../../../src/wire/address.js";
import { emitIp } from "../../../src/wire/ip.js";
import { emitTcp } from "../../../src/wire/tcp.js";
import { Splitter } from "../../../src/sim/middlebox/split.js";
import {
  ADD_ADDR, CLIENT4, CLIENT6, MPC_SYN, SERVER4, SERVER6, TIMESTAMPS, addr, dss, parse, run, segment, tcpRepr, type SegmentSpec,
} from "./helpers.js";

const OFF = 0x10000000;
const sack = (...blocks: Array<[number, number]>): TcpOption => ({ kind: "sack", blocks });

/** The reply to `s`: addresses and ports swapped. */
function reply(s: SegmentSpec, rest: SegmentSpec): SegmentSpec {
  return { src: s.dst ?? SERVER4, dst: s.src ?? CLIENT4, srcPort: s.dstPort ?? 80, dstPort: s.srcPort ?? 40000, ...rest };
}

describe("SeqRewriter", () => {
  const syn: SegmentSpec = { flags: TCP_FLAG.SYN, seq: 0xfffffff0, options: [MPC_SYN] };

  test("forward senders' seq shifted, acks and SACK blocks coming back shifted back (exact bytes)", () => {
    const box = new SeqRewriter({ directions: "forward", offset: OFF });
    assert.deepEqual(run(box, segment(syn)), [segment({ ...syn, seq: 0x0ffffff0 })]);
    const synAck = reply(syn, { flags: TCP_FLAG.SYN | TCP_FLAG.ACK, seq: 500, ack: 0x0ffffff1 });
    assert.deepEqual(run(box, segment(synAck), "reverse"), [segment({ ...synAck, ack: 0xfffffff1 })]);
    const data: SegmentSpec = { seq: 0xfffffff1, ack: 501, options: [dss(7n, 1, 3)], payload: "abc" };
    assert.deepEqual(run(box, segment(data)), [segment({ ...data, seq: 0x0ffffff1 })]);
    const sackAck = reply(syn, { seq: 501, ack: 0x0ffffff4, options: [sack([0x10000004, 0x10000010], [0x0ffffff8, 0x10000000])] });
    assert.deepEqual(run(box, segment(sackAck), "reverse"), [
      segment({ ...sackAck, ack: 0xfffffff4, options: [sack([4, 0x10], [0xfffffff8, 0])] }),
    ]);
    assert.deepEqual(box.counters, { seen: 4, modified: 4, dropped: 0, flows: 1 });
  });

  test("rewriteSack false leaves SACK blocks as they were (the forgetful box)", () => {
    const box = new SeqRewriter({ directions: "forward", offset: OFF, rewriteSack: false });
    run(box, segment(syn));
    const sackAck = reply(syn, { seq: 501, ack: 0x0ffffff4, options: [sack([0x10000004, 0x10000010])] });
    const out = parse(run(box, segment(sackAck), "reverse")[0]!).tcp;
    assert.equal(out.ack, 0xfffffff4);
    assert.deepEqual(out.options[0], sack([0x10000004, 0x10000010]));
  });

  test("both directions: each gets its own offset; a SYN without ACK keeps its ack field", () => {
    const box = new SeqRewriter({}, Rng.seeded(1));
    const s = parse(run(box, segment(syn))[0]!).tcp;
    assert.equal(s.ack, 0);
    const up = box.offsetOf(`0a000001/40000>0a000102/80`)!;
    assert.equal(s.seq, (0xfffffff0 + up) >>> 0);
    const synAck = reply(syn, { flags: TCP_FLAG.SYN | TCP_FLAG.ACK, seq: 500, ack: s.seq + 1 });
    const sa = parse(run(box, segment(synAck), "reverse")[0]!).tcp;
    const down = box.offsetOf(`0a000102/80>0a000001/40000`)!;
    assert.notEqual(up, down);
    assert.equal(sa.seq, (500 + down) >>> 0);
    assert.equal(sa.ack, 0xfffffff1);
    assert.equal(box.counters.flows, 2);
  });

  test("offsets are per 4-tuple and the same for the same seed", () => {
    const offsets = (seed: number): number[] => {
      const box = new SeqRewriter({ directions: "forward" }, Rng.seeded(seed));
      return [40000, 40001, 40002].map((port) => parse(run(box, segment({ ...syn, srcPort: port }))[0]!).tcp.seq);
    };
    assert.deepEqual(offsets(5), offsets(5));
    assert.notDeepEqual(offsets(5), offsets(6));
    assert.equal(new Set(offsets(5)).size, 3);
  });

  test("IPv6, and the DSS relative SSN is untouched", () => {
    const box = new SeqRewriter({ directions: "forward", offset: 77 });
    const data: SegmentSpec = { src: CLIENT6, dst: SERVER6, seq: 100, ack: 1, options: [TIMESTAMPS, dss(9n, 1, 2)], payload: "hi" };
    assert.deepEqual(run(box, segment(data)), [segment({ ...data, seq: 177 })]);
  });
});

describe("Nat", () => {
  const syn: SegmentSpec = { flags: TCP_FLAG.SYN, seq: 1, options: [MPC_SYN], srcPort: 40000 };

  test("outbound source rewritten, reply reversed, exact bytes", () => {
    const box = new Nat({ publicAddress: "198.51.100.7", portAllocation: "sequential", portMin: 30000, portMax: 30010 });
    const pub = addr("198.51.100.7");
    assert.deepEqual(run(box, segment(syn)), [segment({ ...syn, src: pub, srcPort: 30000 })]);
    const synAck: SegmentSpec = { src: SERVER4, dst: pub, srcPort: 80, dstPort: 30000, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, ack: 2 };
    assert.deepEqual(run(box, segment(synAck), "reverse"), [segment({ ...synAck, dst: CLIENT4, dstPort: 40000 })]);
    assert.equal(box.counters.mappings, 1);
  });

  test("the mapping is stable per inside endpoint and distinct per endpoint", () => {
    const box = new Nat({ portAllocation: "sequential", portMin: 30000, portMax: 30010 });
    const ports = [40000, 40001, 40000, 40001, 40002].map((p) => parse(run(box, segment({ ...syn, srcPort: p }))[0]!).tcp.srcPort);
    assert.deepEqual(ports, [30000, 30001, 30000, 30001, 30002]);
    // Endpoint-independent mapping: another destination, the same public port.
    assert.equal(parse(run(box, segment({ ...syn, dst: addr("192.0.2.9") }))[0]!).tcp.srcPort, 30000);
    assert.equal(box.mappingOf(CLIENT4, 40001)!.publicPort, 30001);
  });

  test("ADD_ADDR contents are not rewritten: the option bytes cross unchanged", () => {
    const box = new Nat({ publicAddress: "198.51.100.7", portAllocation: "preserve" });
    const ack: SegmentSpec = { seq: 2, ack: 2, options: [ADD_ADDR] };
    const before = segment(ack);
    const out = run(box, before)[0]!;
    const { ip, tcp } = parse(out);
    assert.equal(formatAddress(ip.src), "198.51.100.7");
    assert.equal(tcp.srcPort, 40000);
    assert.deepEqual(tcp.options, [ADD_ADDR]);
    assert.deepEqual(out.subarray(40, 56), before.subarray(40, 56));
  });

  test("inbound with no mapping, from an unknown remote, or to another address", () => {
    const box = new Nat({ publicAddress: "198.51.100.7", portAllocation: "sequential", portMin: 30000, portMax: 30000 });
    const pub = addr("198.51.100.7");
    run(box, segment(syn));
    assert.deepEqual(run(box, segment({ src: SERVER4, dst: pub, srcPort: 80, dstPort: 30001 }), "reverse"), []);
    assert.deepEqual(run(box, segment({ src: addr("192.0.2.66"), dst: pub, srcPort: 80, dstPort: 30000 }), "reverse"), []);
    const elsewhere = segment({ src: SERVER4, dst: addr("192.0.2.1"), srcPort: 80, dstPort: 30000 });
    assert.deepEqual(run(box, elsewhere, "reverse"), [elsewhere]);
    // The one public port is taken: a second inside endpoint cannot get out.
    assert.deepEqual(run(box, segment({ ...syn, srcPort: 40001 })), []);
    assert.deepEqual(box.counters, { seen: 5, modified: 1, dropped: 3, mappings: 1, noMapping: 1, filtered: 1, portsExhausted: 1, expired: 0 });
  });

  test("idleTimeout: a mapping used either way stays; one idle that long is gone, inbound dropped, outbound remapped", () => {
    const box = new Nat({ publicAddress: "198.51.100.7", portAllocation: "sequential", portMin: 30000, portMax: 30010, idleTimeout: 1_000_000 });
    const pub = addr("198.51.100.7");
    const toUs = (dstPort: number): Uint8Array => segment({ src: SERVER4, dst: pub, srcPort: 80, dstPort, flags: TCP_FLAG.ACK, ack: 2 });
    const out = (now: number): number => parse(run(box, segment(syn), "forward", now)[0]!).tcp.srcPort;
    assert.equal(out(0), 30000);
    // An inbound datagram at 0.9 s refreshes the mapping: still there at 1.8 s.
    assert.equal(run(box, toUs(30000), "reverse", 900_000).length, 1);
    assert.equal(out(1_800_000), 30000);
    // Idle for exactly the timeout: gone. What comes for the old port is dropped...
    assert.deepEqual(run(box, toUs(30000), "reverse", 2_800_000), []);
    assert.equal(box.counters.expired, 1);
    assert.equal(box.counters.noMapping, 1);
    // ...and the inside endpoint's next datagram gets a new public port.
    assert.equal(out(2_900_000), 30001);
    assert.equal(box.mappingOf(CLIENT4, 40000)!.publicPort, 30001);
    assert.equal(box.counters.mappings, 2);
  });

  test("endpoint-independent filtering admits any remote to a mapped port", () => {
    const box = new Nat({ publicAddress: "198.51.100.7", portAllocation: "sequential", portMin: 30000, filtering: "endpoint-independent" });
    run(box, segment(syn));
    const out = run(box, segment({ src: addr("192.0.2.66"), dst: addr("198.51.100.7"), srcPort: 5555, dstPort: 30000 }), "reverse");
    assert.equal(parse(out[0]!).tcp.dstPort, 40000);
  });

  test("random ports are deterministic for a seed; IPv6 NAT; other family crosses untouched", () => {
    const ports = (seed: number): number[] => {
      const box = new Nat({}, Rng.seeded(seed));
      return [1, 2, 3].map((i) => parse(run(box, segment({ ...syn, srcPort: 40000 + i }))[0]!).tcp.srcPort);
    };
    assert.deepEqual(ports(3), ports(3));
    assert.notDeepEqual(ports(3), ports(4));
    for (const p of ports(3)) assert.ok(p >= 20000 && p <= 59999);
    const box6 = new Nat({ publicAddress: "2001:db8:ffff::1", portAllocation: "preserve" });
    const s6: SegmentSpec = { ...syn, src: CLIENT6, dst: SERVER6 };
    assert.deepEqual(run(box6, segment(s6)), [segment({ ...s6, src: addr("2001:db8:ffff::1") })]);
    const v4 = segment(syn);
    assert.deepEqual(run(box6, v4), [v4]);
  });

  test("config errors name the field", () => {
    assert.throws(() => new Nat({ portMin: 500, portMax: 400, portAllocation: "sequential" }), /portMax: must not be below portMin/);
    assert.throws(() => new Nat({ publicAddress: "nope" }, Rng.seeded(1)), /publicAddress/);
  });
});

describe("headers the boxes do not mean to touch", () => {
  test("IPv4 options survive NAT; the IPv6 extension chain survives splitting", () => {
    const routerAlert = Uint8Array.from([0x94, 0x04, 0x00, 0x00]);
    const tcp = tcpRepr({ payload: "abcdef" });
    const v4 = emitIp({ src: CLIENT4, dst: SERVER4, protocol: 6, options: routerAlert }, emitTcp(tcp, CLIENT4, SERVER4));
    const nat = new Nat({ publicAddress: "198.51.100.7", portAllocation: "preserve" });
    const out4 = parse(run(nat, v4)[0]!);
    assert.deepEqual(out4.ip.version === 4 && out4.ip.options, routerAlert);
    assert.equal(new TextDecoder().decode(out4.tcp.payload), "abcdef");

    const destOpts = { type: 60, bytes: Uint8Array.from([6, 0, 1, 4, 0, 0, 0, 0]) };
    const v6 = emitIp({ src: CLIENT6, dst: SERVER6, protocol: 6, extensionHeaders: [destOpts] }, emitTcp(tcp, CLIENT6, SERVER6));
    const pieces = run(new Splitter(), v6).map(parse);
    assert.deepEqual(pieces.map(({ ip }) => ip.version === 6 && ip.extensionHeaders.map((h) => [h.type, [...h.bytes]])), [
      [[60, [6, 0, 1, 4, 0, 0, 0, 0]]],
      [[60, [6, 0, 1, 4, 0, 0, 0, 0]]],
    ]);
    assert.deepEqual(pieces.map(({ tcp: t }) => [t.seq, new TextDecoder().decode(t.payload)]), [[1000, "abc"], [1003, "def"]]);
  });
});

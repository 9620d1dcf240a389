import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { OptionStripper } from "../../../src/sim/middlebox/strip.js";
import { EolAfterSyn } from "../../../src/sim/middlebox/eol.js";
import { DropMptcpSyn } from "../../../src/sim/middlebox/drop-syn.js";
import { TCP_FLAG, type TcpOption } from "../../../src/wire/tcp-types.js";
import {
  ADD_ADDR, CLIENT6, JOIN_SYN, MPC_SYN, MPC_SYNACK, NOP, SERVER6, TIMESTAMPS, dss, parse, run, segment, tcpChecksumValid,
  type SegmentSpec,
} from "./helpers.js";

const SYN_OPTIONS: TcpOption[] = [{ kind: "mss", mss: 1460 }, { kind: "sack-permitted" }, TIMESTAMPS, NOP, { kind: "wscale", shift: 7 }];
const nops = (n: number): TcpOption[] => Array.from({ length: n }, () => NOP);

const syn: SegmentSpec = { flags: TCP_FLAG.SYN, seq: 0x11223344, options: [...SYN_OPTIONS, MPC_SYN] };
const data: SegmentSpec = { seq: 5000, ack: 9000, options: [NOP, NOP, TIMESTAMPS, dss(0x1122334455667788n, 1, 5)], payload: "hello" };
const pureAck: SegmentSpec = { seq: 5005, ack: 9000, options: [NOP, NOP, TIMESTAMPS, dss(0x1122334455667788n, 6, 0)] };

describe("OptionStripper", () => {
  test("syn + nop: MP_CAPABLE becomes four NOPs, header length and every other byte unchanged", () => {
    const box = new OptionStripper({ segments: "syn" });
    const [out] = run(box, segment(syn));
    assert.deepEqual(out, segment({ ...syn, options: [...SYN_OPTIONS, ...nops(4)] }));
    assert.equal(parse(out!).tcp.options.length, 9);
  });

  test("syn + remove: the option is cut out and the header shrinks by 4", () => {
    const box = new OptionStripper({ segments: "syn", replaceWith: "remove" });
    const before = segment(syn);
    const [out] = run(box, before);
    assert.deepEqual(out, segment({ ...syn, options: SYN_OPTIONS }));
    assert.equal(out!.length, before.length - 4);
  });

  test("remove in the middle of the list keeps the options after it, padded to 4 bytes", () => {
    const box = new OptionStripper({ segments: "syn", replaceWith: "remove" });
    const spec: SegmentSpec = { flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [MPC_SYNACK, { kind: "mss", mss: 1400 }, { kind: "sack-permitted" }] };
    const [out] = run(box, segment(spec));
    assert.deepEqual(out, segment({ ...spec, options: [{ kind: "mss", mss: 1400 }, { kind: "sack-permitted" }] }));
  });

  test("syn mode leaves data segments alone (the same datagram object goes through)", () => {
    const box = new OptionStripper({ segments: "syn" });
    const p = segment(data);
    assert.equal(run(box, p)[0], p);
    assert.deepEqual(box.counters, { seen: 1, modified: 0, dropped: 0 });
  });

  test("data mode strips segments with payload only", () => {
    const box = new OptionStripper({ segments: "data" });
    const withData = segment(data);
    const ack = segment(pureAck);
    assert.deepEqual(run(box, withData)[0], segment({ ...data, options: [NOP, NOP, TIMESTAMPS, ...nops(22)] }));
    assert.equal(run(box, ack)[0], ack);
    assert.equal(run(box, segment(syn))[0]!.length, segment(syn).length);
    assert.deepEqual(box.counters, { seen: 3, modified: 1, dropped: 0 });
  });

  test("all mode strips an ADD_ADDR on a pure ACK and the SYN, in IPv6 too", () => {
    const box = new OptionStripper({ segments: "all", replaceWith: "remove" });
    const spec: SegmentSpec = { src: CLIENT6, dst: SERVER6, options: [ADD_ADDR] };
    assert.deepEqual(run(box, segment(spec))[0], segment({ ...spec, options: [] }));
    const syn6 = { ...syn, src: CLIENT6, dst: SERVER6 };
    assert.deepEqual(run(box, segment(syn6))[0], segment({ ...syn6, options: SYN_OPTIONS }));
  });

  test("segments without MPTCP options and non-TCP datagrams cross untouched", () => {
    const box = new OptionStripper();
    const plain = segment({ options: [TIMESTAMPS], payload: "x" });
    assert.equal(run(box, plain)[0], plain);
    const junk = Uint8Array.from([0x45, 0, 0, 20]);
    assert.equal(run(box, junk)[0], junk);
    assert.deepEqual(box.counters, { seen: 2, modified: 0, dropped: 0 });
  });

  test("fixTcpChecksum false keeps the old checksum, which no longer verifies", () => {
    const box = new OptionStripper({ fixTcpChecksum: false });
    const before = segment(data);
    const [out] = run(box, before);
    assert.equal(tcpChecksumValid(out!), false);
    assert.deepEqual(out!.subarray(36, 38), before.subarray(36, 38));
  });

  test("directions: forward only leaves the reverse path alone", () => {
    const box = new OptionStripper({ directions: "forward" });
    const p = segment(data);
    assert.equal(run(box, p, "reverse")[0], p);
    assert.notEqual(run(box, p, "forward")[0], p);
  });

  test("a bad config throws a RangeError naming the field", () => {
    assert.throws(() => new OptionStripper({ segments: "some" as "all" }), /segments: must be one of/);
  });
});

describe("EolAfterSyn", () => {
  test("SYN and SYN/ACK pass untouched", () => {
    const box = new EolAfterSyn();
    const s = segment(syn);
    const sa = segment({ flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [MPC_SYNACK] });
    assert.equal(run(box, s)[0], s);
    assert.equal(run(box, sa, "reverse")[0], sa);
  });

  test("later segments get every MPTCP byte zeroed, header length unchanged", () => {
    const box = new EolAfterSyn();
    const [out] = run(box, segment(data));
    assert.deepEqual(out, segment({ ...data, options: [NOP, NOP, TIMESTAMPS, { kind: "eol", trailing: new Uint8Array(21) }] }));
    assert.deepEqual(box.counters, { seen: 1, modified: 1, dropped: 0 });
  });

  test("an option after the MPTCP one is hidden behind the EOL", () => {
    const box = new EolAfterSyn();
    const spec: SegmentSpec = { ...data, options: [dss(1n, 1, 5), NOP, NOP, TIMESTAMPS] };
    const [out] = run(box, segment(spec));
    const opts = parse(out!).tcp.options;
    assert.equal(opts.length, 1);
    assert.equal(opts[0]!.kind, "eol");
    assert.deepEqual(out!.subarray(40, 62), new Uint8Array(22));
  });
});

describe("DropMptcpSyn", () => {
  test("drops MP_CAPABLE and MP_JOIN SYNs; plain SYNs, SYN/ACKs and data pass", () => {
    const box = new DropMptcpSyn();
    assert.deepEqual(run(box, segment(syn)), []);
    assert.deepEqual(run(box, segment({ flags: TCP_FLAG.SYN, options: [JOIN_SYN] })), []);
    const plain = segment({ ...syn, options: SYN_OPTIONS });
    assert.deepEqual(run(box, plain), [plain]);
    const synAck = segment({ flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [MPC_SYNACK] });
    assert.deepEqual(run(box, synAck, "reverse"), [synAck]);
    const d = segment(data);
    assert.deepEqual(run(box, d), [d]);
    assert.deepEqual(box.counters, { seen: 5, modified: 0, dropped: 2 });
  });

  test("match and synAck select what is dropped", () => {
    const box = new DropMptcpSyn({ match: "mp-join", synAck: true });
    const mpc = segment(syn);
    assert.deepEqual(run(box, mpc), [mpc]);
    assert.deepEqual(run(box, segment({ flags: TCP_FLAG.SYN, options: [JOIN_SYN] })), []);
    const synAckJoin = segment({
      flags: TCP_FLAG.SYN | TCP_FLAG.ACK,
      options: [{ kind: "mptcp", option: { subtype: "MP_JOIN", form: "synack", backup: false, addrId: 0, hmac: new Uint8Array(8), nonce: 1 } }],
    });
    assert.deepEqual(run(box, synAckJoin), []);
  });

  test("limit: only the first N are dropped, then the blackhole opens", () => {
    const box = new DropMptcpSyn({ limit: 2 });
    const s = segment(syn);
    assert.deepEqual([run(box, s), run(box, s), run(box, s)].map((o) => o.length), [0, 0, 1]);
    assert.equal(box.counters.dropped, 2);
  });
});

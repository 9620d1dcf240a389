import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Alg, replaceAll } from "../../../src/sim/middlebox/alg.js";
import { PayloadCorrupter } from "../../../src/sim/middlebox/corrupt.js";
import { Rng } from "../../../src/util/rng.js";
import { TCP_FLAG, type TcpOption } from "../../../src/wire/tcp-types.js";
import { dssChecksum, verifyDssChecksum } from "../../../src/wire/mptcp/dss-checksum.js";
import { CLIENT4, SERVER4, TIMESTAMPS, bytesOf, dss, parse, pattern, run, segment, tcpChecksumValid, type SegmentSpec } from "./helpers.js";

const text = (p: Uint8Array): string => new TextDecoder().decode(p);
const up = (seq: number, payload: string, rest: SegmentSpec = {}): SegmentSpec => ({ seq, ack: 1, payload, ...rest });
const down = (ack: number, rest: SegmentSpec = {}): SegmentSpec => ({ src: SERVER4, dst: CLIENT4, srcPort: 80, dstPort: 40000, seq: 1, ack, ...rest });

describe("replaceAll", () => {
  test("non-overlapping occurrences, none, at both ends", () => {
    const r = replaceAll(bytesOf("aXaaXa"), bytesOf("a"), bytesOf("bb"))!;
    assert.equal(text(r.payload), "bbXbbbbXbb");
    assert.equal(r.count, 4);
    assert.equal(replaceAll(bytesOf("aaa"), bytesOf("aa"), bytesOf("c"))!.count, 1);
    assert.equal(replaceAll(bytesOf("xyz"), bytesOf("a"), bytesOf("b")), undefined);
    assert.equal(replaceAll(bytesOf("a"), bytesOf("ab"), bytesOf("b")), undefined);
  });
});

describe("Alg", () => {
  const options: TcpOption[] = [dss(0x1000n, 1, 14)];

  test("rewrites the pattern and shifts the rest of the flow both ways (exact bytes)", () => {
    const box = new Alg();
    const first = up(1000, "addr=10.0.0.1;", { options });
    assert.deepEqual(run(box, segment(first)), [segment({ ...first, payload: "addr=192.168.1.100;" })]);
    // The following data moves 5 bytes up; acknowledgments come back down by 5.
    assert.deepEqual(run(box, segment(up(1014, "xyz"))), [segment(up(1019, "xyz"))]);
    assert.deepEqual(run(box, segment(down(1022)), "reverse"), [segment(down(1017))]);
    // An ACK for data before the rewritten segment is not shifted.
    assert.deepEqual(run(box, segment(down(1000)), "reverse"), [segment(down(1000))]);
    assert.deepEqual(box.counters, { seen: 4, modified: 4, dropped: 0, replacements: 1, shifted: 3 });
  });

  test("a retransmission is rewritten the same way and not counted twice; a second rewrite adds up", () => {
    const box = new Alg();
    run(box, segment(up(1000, "addr=10.0.0.1;")));
    assert.deepEqual(parse(run(box, segment(up(1000, "addr=10.0.0.1;")))[0]!).tcp.seq, 1000);
    assert.equal(parse(run(box, segment(up(1014, "a")))[0]!).tcp.seq, 1019);
    const second = parse(run(box, segment(up(1015, "10.0.0.1 10.0.0.1")))[0]!).tcp;
    assert.equal(second.seq, 1020);
    assert.equal(text(second.payload), "192.168.1.100 192.168.1.100");
    assert.equal(parse(run(box, segment(up(1032, "z")))[0]!).tcp.seq, 1047);
    // Acks: end of the second rewritten segment, and inside the first.
    assert.equal(parse(run(box, segment(down(1047)), "reverse")[0]!).tcp.ack, 1032);
    assert.equal(parse(run(box, segment(down(1019)), "reverse")[0]!).tcp.ack, 1014);
  });

  test("SACK blocks coming back are shifted too", () => {
    const box = new Alg();
    run(box, segment(up(1000, "addr=10.0.0.1;")));
    const sackAck = down(1019, { options: [{ kind: "sack", blocks: [[1030, 1040]] }] });
    const out = parse(run(box, segment(sackAck), "reverse")[0]!).tcp;
    assert.deepEqual(out.options[0], { kind: "sack", blocks: [[1025, 1035]] });
  });

  test("same-length variant: payload changed, nothing shifted; the DSS checksum no longer matches", () => {
    const box = new Alg({ find: "10.0.0.1", replace: "10.0.0.9" });
    const payload = "to 10.0.0.1!";
    const spec = up(1000, payload, { options: [TIMESTAMPS, dss(0x1000n, 1, 12, dssChecksum(0x1000n, 1, 12, bytesOf(payload)))] });
    const [out] = run(box, segment(spec));
    assert.deepEqual(out, segment({ ...spec, payload: "to 10.0.0.9!" }));
    const next = segment(up(1012, "abc"));
    assert.equal(run(box, next)[0], next);
    const { tcp } = parse(out!);
    assert.equal(verifyDssChecksum(0x1000n, 1, 12, tcp.payload, dssChecksum(0x1000n, 1, 12, bytesOf(payload))), false);
  });

  test("limit: only the first segments with the pattern are rewritten (one control message)", () => {
    const box = new Alg({ find: "10.0.0.1", replace: "10.0.0.9", limit: 1 });
    const first = up(1000, "to 10.0.0.1!");
    assert.deepEqual(run(box, segment(first)), [segment({ ...first, payload: "to 10.0.0.9!" })]);
    const second = segment(up(1012, "to 10.0.0.1!"));
    assert.equal(run(box, second)[0], second);
    assert.equal(box.counters.replacements, 1);
  });

  test("port restricts which segments are inspected", () => {
    const box = new Alg({ port: 21 });
    const p = segment(up(1000, "10.0.0.1"));
    assert.equal(run(box, p)[0], p);
    assert.equal(text(parse(run(box, segment(up(1000, "10.0.0.1", { dstPort: 21 })))[0]!).tcp.payload), "192.168.1.100");
  });

  test("byte-array patterns, and empty find is a config error", () => {
    const box = new Alg({ find: [0xde, 0xad], replace: [0xbe, 0xef, 0x00] });
    const out = parse(run(box, segment({ payload: Uint8Array.from([1, 0xde, 0xad, 2]) }))[0]!).tcp;
    assert.deepEqual(out.payload, Uint8Array.from([1, 0xbe, 0xef, 0, 2]));
    assert.throws(() => new Alg({ find: "" }), /find: must not be empty/);
  });
});

describe("PayloadCorrupter", () => {
  const payload = pattern(200);
  const cs = dssChecksum(0x55n, 1, 200, payload);
  const data: SegmentSpec = { seq: 10, ack: 1, options: [dss(0x55n, 1, 200, cs)], payload };

  test("flips one payload byte and fixes the TCP checksum: only the DSS checksum can tell", () => {
    const box = new PayloadCorrupter({}, Rng.seeded(1));
    const before = segment(data);
    const [out] = run(box, before);
    const { tcp } = parse(out!);
    let diffs = 0;
    for (let i = 0; i < 200; i++) if (tcp.payload[i] !== payload[i]) diffs++;
    assert.equal(diffs, 1);
    assert.equal(out!.length, before.length);
    assert.deepEqual(tcp.options, parse(before).tcp.options);
    assert.equal(verifyDssChecksum(0x55n, 1, 200, tcp.payload, cs), false);
    assert.deepEqual(box.counters, { seen: 1, modified: 1, dropped: 0 });
  });

  test("fixTcpChecksum false: TCP's checksum catches it", () => {
    const box = new PayloadCorrupter({ fixTcpChecksum: false }, Rng.seeded(1));
    assert.equal(tcpChecksumValid(run(box, segment(data))[0]!), false);
  });

  test("pure ACKs pass; limit; probability; the same seed corrupts the same bytes", () => {
    const box = new PayloadCorrupter({ limit: 1 }, Rng.seeded(2));
    const ack = segment({ flags: TCP_FLAG.ACK });
    assert.equal(run(box, ack)[0], ack);
    const p = segment(data);
    assert.notEqual(run(box, p)[0], p);
    assert.equal(run(box, p)[0], p);
    const outputs = (seed: number): Uint8Array[] => {
      const b = new PayloadCorrupter({ probability: 0.5 }, Rng.seeded(seed));
      return Array.from({ length: 16 }, () => run(b, p)[0]!);
    };
    assert.deepEqual(outputs(4), outputs(4));
    const changed = outputs(4).filter((o) => o !== p).length;
    assert.ok(changed > 0 && changed < 16);
  });
});

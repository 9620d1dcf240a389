import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { middleboxKinds } from "../../../src/sim/middlebox/registry.js";
import { Splitter } from "../../../src/sim/middlebox/split.js";
import { Coalescer } from "../../../src/sim/middlebox/coalesce.js";
import { SeqRewriter } from "../../../src/sim/middlebox/seq-rewrite.js";
import { Rng } from "../../../src/util/rng.js";
import { TCP_FLAG } from "../../../src/wire/tcp-types.js";
import type { Direction, Emit, Middlebox } from "../../../src/sim/middlebox/middlebox.js";
import { TcpDatagram } from "../../../src/sim/middlebox/segment.js";
import { Nat } from "../../../src/sim/middlebox/nat.js";
import { Alg } from "../../../src/sim/middlebox/alg.js";
import { OptionStripper } from "../../../src/sim/middlebox/strip.js";
import { CLIENT6, NOP, SERVER6, TIMESTAMPS, dss, parse, run, segment, tcpChecksumValid } from "./helpers.js";
import { runs } from "../../support/fuzz.js";

const valid = segment({ seq: 5, ack: 9, options: [NOP, NOP, TIMESTAMPS, dss(3n, 1, 8)], payload: "10.0.0.1" });
const validSyn = segment({ flags: TCP_FLAG.SYN, options: [{ kind: "mss", mss: 1460 }, dss(1n, 1, 0)] });

describe("middlebox properties", () => {
  test("no box throws on random bytes or on mutated valid segments", () => {
    const mutated = fc.tuple(fc.constantFrom(valid, validSyn), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }))
      .map(([base, edits]) => {
        const p = base.slice();
        for (const [at, v] of edits) p[at % p.length] = v;
        return p;
      });
    const packet = fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated);
    fc.assert(
      fc.property(fc.array(fc.tuple(packet, fc.boolean()), { maxLength: 8 }), (packets) => {
        for (const k of middleboxKinds()) {
          const box = k.create({}, Rng.seeded(1));
          const emit: Emit = (p) => assert.ok(p instanceof Uint8Array);
          for (const [p, fwd] of packets) box.process(p, (fwd ? "forward" : "reverse") as Direction, 0, emit);
          box.handleTimeout?.(1e9, emit);
        }
      }),
      { numRuns: runs(150) },
    );
  });

  test("split pieces concatenate to the original, and coalescing them gives the original payload back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 3000 }), fc.integer({ min: 1, max: 1500 }), fc.boolean(), fc.nat(), (payload, mss, v6, seq) => {
        const spec = { ...(v6 ? { src: CLIENT6, dst: SERVER6 } : {}), seq, options: [TIMESTAMPS], payload };
        const pieces: Uint8Array[] = [];
        new Splitter({ maxPayload: mss }).process(segment(spec), "forward", 0, (p) => pieces.push(p));
        const parsed = pieces.map((p) => parse(p).tcp);
        let off = 0;
        for (const t of parsed) {
          assert.equal(t.seq, (seq + off) >>> 0);
          assert.deepEqual(t.payload, payload.subarray(off, off + t.payload.length));
          assert.deepEqual(t.options[0], TIMESTAMPS);
          off += t.payload.length;
        }
        assert.equal(off, payload.length);
        const merged: Uint8Array[] = [];
        const box = new Coalescer({ maxSegments: 64 });
        for (const p of pieces) box.process(p, "forward", 0, (m) => merged.push(m));
        box.handleTimeout(1e9, (m) => merged.push(m));
        assert.equal(merged.length, 1);
        assert.deepEqual(merged[0], segment(spec));
      }),
      { numRuns: runs(60) },
    );
  });

  test("seq rewriting forward then its inverse offset gives the original segment back", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 100 }), (offset, seq, payload) => {
        const spec = { seq, ack: 77, options: [TIMESTAMPS], payload };
        const there: Uint8Array[] = [];
        new SeqRewriter({ directions: "forward", offset }).process(segment(spec), "forward", 0, (p) => there.push(p));
        const back: Uint8Array[] = [];
        new SeqRewriter({ directions: "forward", offset: (0x100000000 - offset) % 0x100000000 }).process(there[0]!, "forward", 0, (p) => back.push(p));
        assert.equal(parse(there[0]!).tcp.seq, (seq + offset) >>> 0);
        assert.deepEqual(back[0], segment(spec));
      }),
      { numRuns: runs(100) },
    );
  });

  test("the incremental checksum update equals a full recomputation", () => {
    fc.assert(
      fc.property(
        fc.boolean(), fc.uint8Array({ maxLength: 41 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.option(fc.nat()), fc.integer({ min: 1, max: 255 }),
        (v6, payload, seq, port, address, payloadByte, mask) => {
          const spec = { ...(v6 ? { src: CLIENT6, dst: SERVER6 } : {}), options: [TIMESTAMPS, dss(3n, 1, payload.length)], payload };
          const original = TcpDatagram.parse(segment(spec))!;
          const edited = original.copy();
          edited.seq = seq;
          edited.dstPort = port;
          edited.setSrc(address.subarray(0, v6 ? 16 : 4));
          let at: number | undefined;
          if (payloadByte !== null && payload.length > 0) {
            at = edited.optionsEnd + (payloadByte % payload.length);
            edited.bytes[at] = edited.bytes[at]! ^ mask;
          }
          const full = edited.copy().seal();
          assert.deepEqual(edited.sealEdited(original, true, at), full);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  test("no box launders a segment that arrived with a bad checksum", () => {
    const bad = segment({ payload: "abc" });
    bad[bad.length - 1] ^= 0x40;
    assert.equal(tcpChecksumValid(bad), false);
    const out = run(new Nat({ portAllocation: "sequential" }), bad)[0]!;
    assert.equal(tcpChecksumValid(out), false);
    // Boxes that rebuild segments leave a corrupt one as it is.
    const badData = segment({ options: [dss(1n, 1, 10)], payload: "x 10.0.0.1" });
    badData[badData.length - 1] ^= 0x40;
    const rebuilders: Middlebox[] = [new Splitter(), new Coalescer({ holdUs: 0 }), new Alg(), new OptionStripper({ replaceWith: "remove" })];
    for (const box of rebuilders) {
      const emitted: Uint8Array[] = [];
      box.process(badData, "forward", 0, (p) => emitted.push(p));
      box.handleTimeout?.(0, (p) => emitted.push(p));
      assert.deepEqual(emitted, [badData], box.kind);
      assert.equal(emitted[0], badData, box.kind);
      assert.equal(box.counters.modified, 0, box.kind);
    }
  });
});

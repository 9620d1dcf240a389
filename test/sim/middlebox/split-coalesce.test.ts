import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Splitter } from "../../../src/sim/middlebox/split.js";
import { Coalescer } from "../../../src/sim/middlebox/coalesce.js";
import { Rng } from "../../../src/util/rng.js";
import { TCP_FLAG } from "../../../src/wire/tcp-types.js";
import type { Emit } from "../../../src/sim/middlebox/middlebox.js";
import { CLIENT6, NOP, SERVER6, TIMESTAMPS, dss, parse, pattern, run, segment, type SegmentSpec } from "./helpers.js";

const OPTIONS = [NOP, NOP, TIMESTAMPS, dss(0x1000n, 1, 1000)];
const big: SegmentSpec = { seq: 7000, ack: 300, flags: TCP_FLAG.ACK | TCP_FLAG.PSH | TCP_FLAG.FIN, options: OPTIONS, payload: pattern(1000), ipId: 100 };

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

describe("Splitter", () => {
  test("two pieces, each with the whole option area copied; FIN and PSH on the last (exact bytes)", () => {
    const box = new Splitter();
    const out = run(box, segment(big));
    assert.deepEqual(out, [
      segment({ ...big, flags: TCP_FLAG.ACK, payload: pattern(500), ipId: 100 }),
      segment({ ...big, seq: 7500, payload: pattern(500, 500), ipId: 101 }),
    ]);
    assert.deepEqual(box.counters, { seen: 1, modified: 1, dropped: 0, pieces: 2 });
  });

  test("maxPayload: MSS-sized pieces whose payloads concatenate to the original, IPv6", () => {
    const box = new Splitter({ maxPayload: 300 });
    const spec: SegmentSpec = { ...big, src: CLIENT6, dst: SERVER6 };
    const pieces = run(box, segment(spec)).map((p) => parse(p).tcp);
    assert.deepEqual(pieces.map((t) => t.payload.length), [300, 300, 300, 100]);
    assert.deepEqual(pieces.map((t) => t.seq), [7000, 7300, 7600, 7900]);
    assert.deepEqual(concat(pieces.map((t) => t.payload)), pattern(1000));
    for (const t of pieces) assert.deepEqual(t.options.slice(0, 4), parse(segment(spec)).tcp.options.slice(0, 4));
    // A segment within the limit is left alone.
    const small = segment({ ...spec, payload: pattern(300) });
    assert.equal(run(box, small)[0], small);
  });

  test("CWR stays on the first piece only; SYNs and one-byte segments are not split", () => {
    const box = new Splitter({ pieces: 3 });
    const out = run(box, segment({ ...big, flags: TCP_FLAG.ACK | TCP_FLAG.CWR, payload: pattern(10) })).map((p) => parse(p).tcp);
    assert.deepEqual(out.map((t) => [t.flags, t.payload.length]), [[TCP_FLAG.ACK | TCP_FLAG.CWR, 4], [TCP_FLAG.ACK, 3], [TCP_FLAG.ACK, 3]]);
    const syn = segment({ flags: TCP_FLAG.SYN, payload: pattern(10) });
    assert.equal(run(box, syn)[0], syn);
    const one = segment({ payload: pattern(1) });
    assert.equal(run(box, one)[0], one);
  });

  test("probability: the same seed splits the same segments", () => {
    const decisions = (seed: number): number[] => {
      const box = new Splitter({ probability: 0.5 }, Rng.seeded(seed));
      return Array.from({ length: 32 }, () => run(box, segment(big)).length);
    };
    assert.deepEqual(decisions(9), decisions(9));
    assert.ok(decisions(9).includes(1) && decisions(9).includes(2));
  });
});

/** Collects what a box emits outside `run` (releases on timeouts). */
function collector(): { out: Uint8Array[]; emit: Emit } {
  const out: Uint8Array[] = [];
  return { out, emit: (p) => out.push(p) };
}

describe("Coalescer", () => {
  const first: SegmentSpec = { seq: 100, ack: 50, window: 1000, options: [NOP, NOP, TIMESTAMPS, dss(0x1000n, 1, 4)], payload: "abcd" };
  const second: SegmentSpec = { seq: 104, ack: 60, window: 2000, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [NOP, NOP, TIMESTAMPS, dss(0x1004n, 5, 3)], payload: "efg" };

  test("two in-order segments merge: first's options, concatenated payload, last ack/window, PSH (exact bytes)", () => {
    const box = new Coalescer();
    const c = collector();
    box.process(segment(first), "forward", 0, c.emit);
    assert.equal(c.out.length, 0);
    assert.equal(box.pollTimeout(), 2000);
    box.process(segment(second), "forward", 10, c.emit);
    assert.deepEqual(c.out, [segment({ ...first, ack: 60, window: 2000, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: "abcdefg" })]);
    assert.equal(box.pollTimeout(), undefined);
    assert.deepEqual(box.counters, { seen: 2, modified: 1, dropped: 0, merged: 1 });
  });

  test("a held segment nobody joins leaves unchanged when the hold time ends", () => {
    const box = new Coalescer({ holdUs: 500 });
    const c = collector();
    const p = segment(first);
    box.process(p, "forward", 1000, c.emit);
    box.handleTimeout(1499, c.emit);
    assert.equal(c.out.length, 0);
    box.handleTimeout(1500, c.emit);
    assert.deepEqual(c.out, [p]);
    assert.equal(c.out[0], p);
  });

  test("out of order, pure ACKs and FINs release the held segment first, keeping order", () => {
    const box = new Coalescer();
    const c = collector();
    const a = segment(first);
    const gap = segment({ ...second, seq: 110 });
    box.process(a, "forward", 0, c.emit);
    box.process(gap, "forward", 1, c.emit);
    assert.deepEqual(c.out, [a]);
    const fin = segment({ ...second, seq: 113, flags: TCP_FLAG.ACK | TCP_FLAG.FIN });
    box.process(fin, "forward", 2, c.emit);
    assert.deepEqual(c.out, [a, gap, fin]);
  });

  test("flows and directions are held separately; maxSegments 3 merges three", () => {
    const box = new Coalescer({ maxSegments: 3 });
    const c = collector();
    box.process(segment(first), "forward", 0, c.emit);
    box.process(segment({ ...first, srcPort: 1 }), "forward", 0, c.emit);
    box.process(segment(second), "forward", 0, c.emit);
    assert.equal(c.out.length, 0);
    box.process(segment({ ...second, seq: 107, payload: "hi" }), "forward", 0, c.emit);
    assert.equal(c.out.length, 1);
    assert.equal(new TextDecoder().decode(parse(c.out[0]!).tcp.payload), "abcdefghi");
    box.handleTimeout(2000, c.emit);
    assert.equal(c.out.length, 2);
    assert.equal(parse(c.out[1]!).tcp.srcPort, 1);
    assert.equal(box.counters.merged, 2);
  });

  test("a merge stops at maxPayload", () => {
    const box = new Coalescer({ maxPayload: 6 });
    const c = collector();
    box.process(segment(first), "forward", 0, c.emit);
    box.process(segment(second), "forward", 0, c.emit);
    assert.equal(c.out.length, 1);
    assert.equal(parse(c.out[0]!).tcp.payload.length, 4);
    assert.equal(box.pollTimeout(), 2000);
  });

  test("probability 0 never holds", () => {
    const box = new Coalescer({ probability: 0 }, Rng.seeded(1));
    const p = segment(first);
    assert.deepEqual(run(box, p), [p]);
  });
});

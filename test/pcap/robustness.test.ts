import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ParseError } from "../../src/wire/error.js";
import { decodeLinkLayer } from "../../src/wire/pcap/link-layer.js";
import { CaptureParser } from "../../src/wire/pcap/parser.js";
import { block, classicPcap, concat, epb, idb, payload, shb, spb } from "./builders.js";
import { collect, type Collected } from "./collect.js";
import { runs } from "../support/fuzz.js";

const classic = classicPcap({ littleEndian: false, nanosecond: true, linkType: 1 }, [
  { sec: 1, frac: 5, data: payload(70, 1) },
  { sec: 2, frac: 6, data: payload(1, 2) },
  { sec: 3, frac: 7, data: payload(0) },
  { sec: 4, frac: 8, data: payload(300, 3), origLen: 1000 },
]);
const pcapng = concat(
  shb(true),
  idb(true, 1, 0),
  block(true, 5, payload(20)),
  idb(true, 113, 64, { tsresol: 9 }),
  epb(true, 1, 123456789012345678n, payload(90, 4)),
  spb(true, 100, payload(64, 5)),
  shb(false),
  idb(false, 276, 0, { tsresol: 0x83 }),
  epb(false, 0, 17n, payload(13, 6)),
);

/** Packets and errors in a comparable form. */
function summary(c: Collected): unknown {
  return {
    packets: c.packets.map((p) => [p.tsSec, p.tsNsec, p.linkType, p.interfaceId, p.origLen, Array.from(p.data)]),
    skipped: c.skipped.map(String),
    fatal: c.fatal === undefined ? undefined : String(c.fatal),
  };
}

describe("capture parser robustness", () => {
  for (const [name, file] of [["pcap", classic], ["pcapng", pcapng]] as const) {
    test(`${name}: any split into chunks gives the same packets as one chunk`, () => {
      const whole = summary(collect(file));
      assert.equal((whole as { packets: unknown[] }).packets.length, name === "pcap" ? 4 : 3);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 20 }), (sizes) => {
          assert.deepEqual(summary(collect(file, sizes)), whole);
        }),
        { numRuns: runs(300) },
      );
    });

    test(`${name}: mutated files never throw, and fail the same whatever the chunking`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.nat(file.length),
          fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
          (edits, cut, sizes) => {
            const bytes = file.slice(0, Math.max(cut, file.length - 40));
            for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
            const whole = collect(bytes);
            assert.deepEqual(summary(collect(bytes, sizes)), summary(whole));
            for (const p of whole.packets) decodeLinkLayer(p.linkType, p.data);
          },
        ),
        { numRuns: runs(400) },
      );
    });
  }

  test("random bytes behind a valid magic never throw", () => {
    const magics = [classic.subarray(0, 24), pcapng.subarray(0, 8), new Uint8Array(0)];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 600 }), (head, tail) => {
        const parser = new CaptureParser();
        parser.push(concat(head, tail));
        while (parser.next() !== undefined && parser.finalError === undefined);
        const end = parser.end();
        // Either everything was consumed, or there is a reason why not.
        assert.ok(end === undefined ? parser.bufferedBytes === 0 : end.toString().length > 0);
      }),
      { numRuns: runs(500) },
    );
  });

  test("decodeLinkLayer never throws on random frames", () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276, 3), fc.uint8Array({ maxLength: 40 }), (t, f) => {
        const r = decodeLinkLayer(t, f);
        if (r instanceof Uint8Array) assert.equal(r.buffer, f.buffer);
        else assert.ok(r === null || r instanceof ParseError);
      }),
      { numRuns: runs(1000) },
    );
  });
});

/**
 * The data path end to end, without TCP: a send queue scheduling chunks onto two subflows, DSS
 * options through the wire codec, segments reordered and duplicated per subflow and interleaved
 * across subflows, per-subflow receive mappings, and the data-level reassembly.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DataAckWidth, DsnSpace } from "../../src/mptcp/dsn.js";
import { ReceiveMappings, readMapping } from "../../src/mptcp/mapping.js";
import { SendMappings, dataFinDss, mappingDss } from "../../src/mptcp/send-mapping.js";
import { DataSendQueue } from "../../src/mptcp/send-queue.js";
import { DataReassembly } from "../../src/mptcp/reassembly.js";
import { encodeMptcpOption, parseMptcpOption } from "../../src/wire/mptcp/option.js";
import { isParseError } from "../../src/wire/error.js";
import type { Dss } from "../../src/wire/mptcp/types.js";
import { runs } from "../support/fuzz.js";

interface Segment {
  subflow: number;
  offset: number;
  payload: Uint8Array;
  dss: Dss;
}

function wire(dss: Dss): Dss {
  const back = parseMptcpOption(encodeMptcpOption(dss));
  assert.ok(!isParseError(back) && back.subtype === "DSS");
  return back;
}

describe("sender to receiver over two subflows", () => {
  test("property: any chunking, segmentation, reordering and duplication delivers the stream and its DATA_FIN", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 700 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        (bytes, chunkSizes, mss, checksums, idsn, noise) => {
          const space = new DsnSpace(idsn);
          const q = new DataSendQueue({ capacity: 1 << 16, initialWindow: 1 << 16 });
          q.write(bytes);
          q.close();
          const tx = [0, 1].map(() => new SendMappings({ checksums, space }));
          const segments: Segment[] = [];
          // Schedule chunks alternately (by the noise) and cut each subflow's stream into segments.
          for (let k = 0; q.hasSendable; k++) {
            const chunk = q.next(chunkSizes[k % chunkSizes.length]!)!;
            const f = noise[k % noise.length]! % 2;
            if (chunk.data.length === 0) {
              segments.push({ subflow: f, offset: tx[f]!.nextOffset, payload: chunk.data, dss: wire(dataFinDss(chunk.dsn, space, checksums)) });
              continue;
            }
            const m = tx[f]!.append(chunk.dsn, chunk.data, chunk.dataFin);
            for (let off = m.offset; off < m.offset + m.length; ) {
              const len = Math.min(mss, tx[f]!.payloadLimit(off));
              segments.push({ subflow: f, offset: off, payload: chunk.data.subarray(off - m.offset, off - m.offset + len), dss: wire(mappingDss(m, space)) });
              off += len;
            }
          }
          // Reorder by swapping neighbours and duplicate some segments, from the noise.
          for (let i = 0; i < noise.length; i++) {
            const a = noise[i]! % Math.max(1, segments.length);
            if (segments.length > 1 && noise[i]! % 3 === 0) {
              const b = (a + 1) % segments.length;
              [segments[a], segments[b]] = [segments[b]!, segments[a]!];
            }
            if (segments.length > 0 && noise[i]! % 5 === 0) segments.push(segments[a]!);
          }
          const rx = [0, 1].map(() => new ReceiveMappings({ checksums, space, maxUnmappedBytes: 1 << 16 }));
          const reasm = new DataReassembly({ capacity: 1 << 16 });
          const width = new DataAckWidth();
          const out: number[] = [];
          for (const s of segments) {
            const ann = readMapping(s.dss, space, reasm.rcvNxt, s.offset);
            if (ann !== undefined && ann.kind !== "infinite") width.onPeerMapping(s.dss.dsn64);
            const res = rx[s.subflow]!.onSegment(s.offset, s.payload, ann);
            assert.equal(res.error, undefined);
            for (const c of res.chunks) reasm.insert(c.dsn, c.data);
            if (res.dataFin !== undefined) assert.notEqual(reasm.onDataFin(res.dataFin), "conflict");
            for (let b = reasm.read(); b !== undefined; b = reasm.read()) out.push(...b);
            assert.notEqual(q.onDataAck(reasm.rcvNxt), "beyond");
          }
          assert.deepEqual(Uint8Array.from(out), bytes);
          assert.equal(reasm.finReceived, true);
          assert.equal(q.finAcked, true);
          assert.equal(width.width, 64, "our mappings are 64-bit, so the peer acks with 64 bits");
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

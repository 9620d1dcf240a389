/**
 * Arbitrary segments never make the analyzer throw: random flags, sequence numbers and payloads
 * with every kind of MPTCP option (valid and odd), on a few colliding 4-tuples, and the report
 * built from whatever state results.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Trace } from "../../src/analyze/trace.js";
import { connectionReport, connectionSeries } from "../../src/analyze/report.js";
import { reportText } from "../../src/analyze/text.js";
import type { Segment } from "../../src/analyze/segment.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { MPTCP_CASES } from "../support/mptcp-cases.js";
import { runs } from "../support/fuzz.js";

const ADDRS = [Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), Uint8Array.of(10, 0, 1, 1)];
const { SYN, ACK, FIN, RST } = TCP_FLAG;
const FLAGS = [SYN, SYN | ACK, ACK, ACK, ACK, FIN | ACK, RST, RST | ACK];

const segment = fc.record({
  src: fc.integer({ min: 0, max: 2 }),
  dst: fc.integer({ min: 0, max: 2 }),
  sport: fc.integer({ min: 1, max: 2 }),
  dport: fc.integer({ min: 1, max: 2 }),
  flags: fc.constantFrom(...FLAGS),
  seq: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3000 })),
  ack: fc.integer({ min: 0, max: 0xffffffff }),
  len: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  captured: fc.integer({ min: 0, max: 100 }),
  options: fc.array(fc.integer({ min: 0, max: MPTCP_CASES.length - 1 }), { maxLength: 3 }),
  dt: fc.integer({ min: -5, max: 1000 }),
});

test("random segments with every MPTCP option never throw, and the report builds", () => {
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 60 }), (segs) => {
      const trace = new Trace();
      let t = 1000;
      segs.forEach((s, i) => {
        t += s.dt / 1000;
        const seg: Segment = {
          frame: i + 1,
          capture: 0,
          t,
          src: ADDRS[s.src]!,
          dst: ADDRS[s.dst]!,
          sport: s.sport,
          dport: s.dport,
          seq: s.seq,
          ack: s.ack,
          flags: s.flags,
          window: 1000,
          payloadLen: s.len,
          payload: new Uint8Array(Math.min(s.len, s.captured * 30)).fill(i),
          mptcp: s.options.map((k) => MPTCP_CASES[k]![1]),
          mptcpMalformed: i % 7 === 0 ? 1 : 0,
        };
        trace.push(seg);
      });
      const reports = trace.connections.map(connectionReport);
      trace.connections.map(connectionSeries);
      const text = reportText({ captures: [], plainTcpStreams: trace.plainTcpStreams, orphanSubflows: trace.orphanSubflows, connections: reports, series: [] });
      assert.ok(text.length > 0);
      for (const r of reports) {
        JSON.stringify(r);
        for (const d of ["c2s", "s2c"] as const) assert.ok(r.bytes[d] >= 0 && Number.isFinite(r.bytes[d]));
      }
    }),
    { numRuns: runs(300) },
  );
});

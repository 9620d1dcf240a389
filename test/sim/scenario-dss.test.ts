/**
 * A host's `mptcp.dssEverySegment` in a scenario reaches its MptcpHost: with it every data
 * segment carries the whole DSS (Linux's way); without, a mapping is declared once over several
 * segments (the default).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { RecordingTap } from "../../src/sim/tap.js";
import { MappingCount } from "../support/mappings.js";

/** Data segments the client sends in mptcp-two-paths (an upload), and how many declare a mapping. */
function clientSegments(dssEverySegment: boolean | undefined): { data: number; declaring: number } {
  const raw = builtinScenario("mptcp-two-paths")!;
  const hosts = raw.hosts.map((h) => (h.mptcp === undefined || dssEverySegment === undefined ? h : { ...h, mptcp: { ...h.mptcp, dssEverySegment } }));
  const taps = new Map<string, RecordingTap>();
  const r = runScenario({ ...raw, hosts }, { bytes: 1_000_000, capture: (h) => taps.get(h) ?? taps.set(h, new RecordingTap()).get(h)! });
  assert.equal(r.flows[0]!.integrity, true);
  // The client's data segments, to the server's port 5001.
  const count = new MappingCount((seg) => seg.dstPort === 5001);
  for (const { packet } of taps.get("client")!.records) count.add(packet);
  return { data: count.data, declaring: count.declaring };
}

describe("scenario files: the DSS on every segment or once per mapping", () => {
  test("dssEverySegment: true puts a mapping on every data segment; the default declares each once", () => {
    const every = clientSegments(true);
    assert.ok(every.data > 0);
    assert.equal(every.declaring, every.data);
    const once = clientSegments(undefined);
    assert.ok(once.declaring * 10 < once.data, `${once.declaring} of ${once.data}`);
    assert.deepEqual(clientSegments(false), once);
  });
});

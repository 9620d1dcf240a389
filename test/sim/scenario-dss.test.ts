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
import { parseIpPacket } from "../../src/wire/ip.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { isParseError } from "../../src/wire/error.js";

/** Data segments the client sends in mptcp-two-paths (an upload), and how many declare a mapping. */
function clientSegments(dssEverySegment: boolean | undefined): { data: number; declaring: number } {
  const raw = builtinScenario("mptcp-two-paths")!;
  const hosts = raw.hosts.map((h) => (h.mptcp === undefined || dssEverySegment === undefined ? h : { ...h, mptcp: { ...h.mptcp, dssEverySegment } }));
  const taps = new Map<string, RecordingTap>();
  const r = runScenario({ ...raw, hosts }, { bytes: 1_000_000, capture: (h) => taps.get(h) ?? taps.set(h, new RecordingTap()).get(h)! });
  assert.equal(r.flows[0]!.integrity, true);
  let data = 0;
  let declaring = 0;
  for (const { packet } of taps.get("client")!.records) {
    const ip = parseIpPacket(packet);
    assert.ok(!isParseError(ip));
    const seg = parseTcp(ip.payload);
    assert.ok(!isParseError(seg));
    if (seg.payload.length === 0 || seg.dstPort !== 5001) continue;
    data++;
    // The client's first data declares its mapping on MP_CAPABLE (RFC 8684 §3.1), the rest on a DSS.
    if (seg.options.some((o) => o.kind === "mptcp" && (o.option.subtype === "MP_CAPABLE" || (o.option.subtype === "DSS" && o.option.dsn !== undefined)))) declaring++;
  }
  return { data, declaring };
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

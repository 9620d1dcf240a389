/**
 * With DSS checksums a mapping cannot grow once written (its checksum covers it as appended), so
 * each chunk the scheduler hands a subflow is a mapping of its own and its segments never cross
 * its end (RFC 8684 §3.3.1). A join that had not sent a data segment yet had no measured segment
 * size, and the delay-aware scheduler, which gives a slower subflow one segment at a time, gave it
 * one byte at a time: thousands of one-byte mappings, each a segment of its own, that flooded the
 * path's queue (mptcp-checksum ran at 29 Mbit/s instead of 37); and what was left of a subflow's
 * room after whole segments went as a runt mapping. Chunks are whole segments now.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { RecordingTap } from "../../src/sim/tap.js";
import { MappingCount } from "../support/mappings.js";

describe("chunks with DSS checksums", () => {
  test("mptcp-checksum: whole segments only, intact", () => {
    const taps = new Map<string, RecordingTap>();
    const r = runScenario(builtinScenario("mptcp-checksum")!, { bytes: 1_000_000, capture: (h) => taps.get(h) ?? taps.set(h, new RecordingTap()).get(h)! });
    assert.equal(r.flows[0]!.integrity, true);
    const count = new MappingCount((seg) => seg.dstPort === 5001);
    for (const { packet } of taps.get("client")!.records) count.add(packet);
    // 1 MB is about 700 full segments (794 measured, one under 1000 bytes: the last); before,
    // 37,614 data segments, most of one byte.
    const runts = count.payloads.filter((n) => n < 1000).length;
    assert.ok(count.data < 900, `${count.data} data segments`);
    assert.ok(runts <= 5, `${runts} segments under 1000 bytes`);
  });
});

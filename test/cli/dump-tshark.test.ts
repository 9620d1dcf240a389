/**
 * `mptcp dump --json` against tshark on captures nobody here wrote: the Linux kernel's own MPTCP
 * v1 traffic (test/fixtures, recorded by scripts/capture-fixtures.sh) and the public v0 captures
 * of the out-of-tree kernel (../shared/captures). Every MPTCP field tshark shows must be equal.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { readCapture } from "../../src/io/capture-file.js";
import { decodeLinkLayer } from "../../src/wire/pcap/index.js";
import { isParseError } from "../../src/wire/error.js";
import { decodeIpPacket } from "../../src/dump/segment.js";
import type { JsonObject } from "../../src/dump/mptcp-json.js";
import { fixture, sharedCapture, skipUnlessShared } from "../util/paths.js";
import { NO_TSHARK, tsharkAvailable, tsharkFields } from "../support/tshark.js";
import { MPTCP_TSHARK_FIELDS, expectedTsharkFields, normalise } from "../support/mptcp-tshark.js";

/**
 * Fields tshark 4.0 leaves out although the option carries them: it shows the DSS checksum only
 * on MP_CAPABLE with data, not in a DSS option (mptcp-facts.md §5). Ours are checked elsewhere
 * (test/wire/mptcp-dss-checksum.test.ts recomputes them).
 */
function tsharkOmits(field: string, ours: JsonObject[]): boolean {
  return field === "tcp.options.mptcp.checksum" && ours.some((o) => o.subtype === "DSS" && o.checksum !== undefined);
}

async function ourMptcpOptions(file: string): Promise<Map<number, JsonObject[]>> {
  const frames = new Map<number, JsonObject[]>();
  let frame = 0;
  for await (const pkt of readCapture(file)) {
    frame++;
    const ip = decodeLinkLayer(pkt.linkType, pkt.data);
    if (ip === null || isParseError(ip)) continue;
    const rec = decodeIpPacket(0, ip);
    if (rec === undefined || isParseError(rec) || "error" in rec) continue;
    const mptcp = rec.mptcp as JsonObject[];
    if (mptcp.length > 0) frames.set(frame, mptcp);
  }
  return frames;
}

const captures = [
  ...(existsSync(fixture("")) ? readdirSync(fixture("")).filter((f) => f.endsWith(".pcap")).map(fixture) : []),
  sharedCapture("iperf-mptcp-0-0.v0.pcap"),
  sharedCapture("pymptcpanalyzer-client_2.v0.pcap"),
].filter((f) => existsSync(f));

describe("mptcp dump agrees with tshark on every MPTCP field", { skip: tsharkAvailable() ? false : NO_TSHARK }, () => {
  test("there are kernel v1 captures and v0 captures to check", () => {
    assert.ok(captures.filter((f) => f.includes("kernel-")).length >= 5, "test/fixtures has the kernel captures");
    if (skipUnlessShared("iperf-mptcp-0-0.v0.pcap") === false) {
      assert.ok(captures.some((f) => f.endsWith(".v0.pcap")), "../shared/captures has the v0 captures");
    }
  });

  for (const file of captures) {
    test(file.replace(/^.*\//, ""), async () => {
      const ours = await ourMptcpOptions(file);
      const theirs = tsharkFields(file, MPTCP_TSHARK_FIELDS, ["-Y", "tcp.options.mptcp.subtype"]);
      assert.ok(theirs.size > 0, "tshark finds MPTCP options");
      assert.deepEqual([...ours.keys()].sort((a, b) => a - b), [...theirs.keys()].sort((a, b) => a - b),
        "the same frames carry MPTCP options");
      let compared = 0;
      for (const [frame, options] of ours) {
        const expected = expectedTsharkFields(options);
        const got = theirs.get(frame)!;
        for (const field of new Set([...expected.keys(), ...got.keys()])) {
          const mine = expected.get(field);
          const tshark = got.get(field);
          if (tshark === undefined && tsharkOmits(field, options)) continue;
          assert.deepEqual(mine?.map(normalise), tshark?.map(normalise), `frame ${frame} field ${field}`);
          compared++;
        }
      }
      assert.ok(compared > ours.size, "fields were compared");
    });
  }
});

/**
 * `mptcp dump --json` against tshark on captures nobody here wrote: the Linux kernel's own MPTCP
 * v1 traffic (test/fixtures, recorded by scripts/capture-fixtures.sh) and the public v0 captures
 * of the out-of-tree kernel (../shared/captures). Every MPTCP field tshark shows must be equal.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCapture } from "../../src/io/capture-file.js";
import { decodeLinkLayer } from "../../src/wire/pcap/index.js";
import { isParseError } from "../../src/wire/error.js";
import { decodeIpPacket } from "../../src/dump/segment.js";
import type { JsonObject } from "../../src/dump/mptcp-json.js";
import { fixture, sharedCapture, skipUnlessShared } from "../util/paths.js";
import { NO_TSHARK, editcapAvailable, tsharkAvailable, tsharkFields } from "../support/tshark.js";
import { runCli } from "../support/cli.js";
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

/**
 * Snapped copies (editcap -s, as tcpdump -s records them) of captures of each link type and IP
 * version: every TCP segment tshark shows is one line of ours. Where the TCP header and options
 * were captured, seq, ack, window and the payload length on the wire (tshark's tcp.len) are equal
 * and `captured` is the payload the snap left; where the snap cut them, ours is MALFORMED.
 */
const SNAPLENS = [60, 80, 96, 200];
const snapSources = [
  sharedCapture("iperf-mptcp-0-0.v0.pcap"), // PPP, IPv4
  sharedCapture("pymptcpanalyzer-client_2.v0.pcap"), // Linux cooked, IPv4, pcapng
  fixture("kernel-ipv6.pcap"), // Ethernet, IPv6
].filter((f) => existsSync(f));
const SNAP_FIELDS = ["frame.cap_len", "frame.len", "ip.len", "ip.hdr_len", "ipv6.plen", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.hdr_len", "tcp.window_size_value"];

const snapSkip = !tsharkAvailable() ? NO_TSHARK : !editcapAvailable() ? "editcap is not installed (it comes with tshark)" : false;

describe("mptcp dump of snapped captures agrees with tshark", { skip: snapSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mptcp-dump-snap-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("there are captures of three link types, one of them IPv6", () => {
    assert.ok(snapSources.some((f) => f.includes("kernel-ipv6")), "test/fixtures has kernel-ipv6.pcap");
    if (skipUnlessShared("iperf-mptcp-0-0.v0.pcap") === false) assert.equal(snapSources.length, 3);
  });

  for (const source of snapSources) {
    for (const snaplen of SNAPLENS) {
      const name = source.replace(/^.*\//, "");
      test(`${name} at -s ${snaplen}`, () => {
        const file = join(dir, `${name}.s${snaplen}.pcapng`);
        const edit = spawnSync("editcap", ["-s", String(snaplen), source, file], { encoding: "utf8" });
        assert.equal(edit.status, 0, edit.stderr);
        const res = runCli(["dump", "--json", file]);
        assert.equal(res.status, 0, res.stderr);
        const ours = new Map(res.stdout.trimEnd().split("\n").map((l) => {
          const r = JSON.parse(l) as Record<string, number | string | undefined>;
          return [r.frame as number, r];
        }));
        const theirs = tsharkFields(file, SNAP_FIELDS, ["-Y", "tcp"]);
        assert.deepEqual([...ours.keys()], [...theirs.keys()], "one line per TCP segment tshark shows");
        let snapped = 0;
        let cut = 0;
        for (const [frame, row] of theirs) {
          const n = (f: string): number => Number(row.get(f)?.[0]);
          const r = ours.get(frame)!;
          // The IP packet's length on the wire gives where it starts in the frame (no extension headers here).
          const ipHeader = row.has("ip.len") ? n("ip.hdr_len") : 40;
          const ipLen = row.has("ip.len") ? n("ip.len") : 40 + n("ipv6.plen");
          const tcpCaptured = n("frame.cap_len") - (n("frame.len") - ipLen) - ipHeader;
          // No tcp.hdr_len: the snap left too little of the header for tshark to read the data offset.
          const tcpHeader = row.has("tcp.hdr_len") ? n("tcp.hdr_len") : Infinity;
          if (tcpCaptured < tcpHeader) {
            assert.match(String(r.error), /^snapped frame: tcp: /, `frame ${frame}: header cut at ${tcpCaptured} of ${tcpHeader} bytes`);
            cut++;
            continue;
          }
          const got = { seq: r.seq, ack: r.ack, win: r.win, len: r.len, captured: r.captured };
          const payloadCaptured = tcpCaptured - tcpHeader;
          const expected = {
            seq: n("tcp.seq_raw"), ack: n("tcp.ack_raw"), win: n("tcp.window_size_value"), len: n("tcp.len"),
            captured: payloadCaptured < n("tcp.len") ? payloadCaptured : undefined,
          };
          assert.deepEqual(got, expected, `frame ${frame}`);
          if (expected.captured !== undefined) snapped++;
        }
        if (snaplen === SNAPLENS[0]) assert.ok(cut > 0, "some headers were cut");
        if (snaplen === SNAPLENS.at(-1)) assert.ok(snapped > 0, "some payloads were cut and marked");
      });
    }
  }
});

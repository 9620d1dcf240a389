/**
 * The analyzer against Wireshark's MPTCP analysis on real captures (Linux 6.18 v1 fixtures and
 * the public v0 captures): the same connections, the same subflows in each, the same payload
 * bytes per subflow and direction, and the same segments flagged as reinjections
 * (`mptcp.reinjection_of`: data sent earlier on another subflow).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { analyzeCaptures } from "../../src/analyze/analyze.js";
import type { AnalysisReport } from "../../src/analyze/types.js";
import { fixture, sharedCapture } from "../util/paths.js";
import { NO_TSHARK, tsharkAvailable, tsharkFields } from "../support/tshark.js";

const CAPTURES = [
  fixture("kernel-mpc-join.pcap"),
  fixture("kernel-add-addr-port.pcap"),
  fixture("kernel-rm-addr-prio.pcap"),
  fixture("kernel-checksum.pcap"),
  fixture("kernel-fastclose.pcap"),
  fixture("kernel-ipv6.pcap"),
  sharedCapture("iperf-mptcp-0-0.v0.pcap"),
  sharedCapture("pymptcpanalyzer-client_2.v0.pcap"),
];

const ANALYSIS = ["-o", "mptcp.analyze_mappings:TRUE", "-o", "mptcp.intersubflows_retransmission:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE"];

interface TsharkView {
  /** mptcp.stream -> its tcp.streams. */
  groups: Map<number, Set<number>>;
  /** `${tcp.stream} ${src}:${sport}` -> payload bytes. */
  bytes: Map<string, number>;
  /** Frames with payload that tshark calls a reinjection. */
  reinjections: Set<number>;
}

function tsharkView(file: string): TsharkView {
  const rows = tsharkFields(file, ["tcp.stream", "mptcp.stream", "tcp.len", "ip.src", "ipv6.src", "tcp.srcport", "mptcp.reinjection_of"], ANALYSIS);
  const view: TsharkView = { groups: new Map(), bytes: new Map(), reinjections: new Set() };
  const mptcpStreams = new Set<number>();
  const all: Array<[number, Map<string, string[]>]> = [...rows];
  for (const [, row] of all) {
    const m = row.get("mptcp.stream");
    if (m === undefined) continue;
    const tcp = Number(row.get("tcp.stream")![0]);
    mptcpStreams.add(tcp);
    let g = view.groups.get(Number(m[0]));
    if (g === undefined) view.groups.set(Number(m[0]), (g = new Set()));
    g.add(tcp);
  }
  for (const [frame, row] of all) {
    const tcp = row.get("tcp.stream");
    if (tcp === undefined || !mptcpStreams.has(Number(tcp[0]))) continue;
    const len = Number(row.get("tcp.len")?.[0] ?? 0);
    const src = (row.get("ip.src") ?? row.get("ipv6.src"))![0];
    const key = `${tcp[0]} ${src}:${row.get("tcp.srcport")![0]}`;
    view.bytes.set(key, (view.bytes.get(key) ?? 0) + len);
    if (len > 0 && row.has("mptcp.reinjection_of")) view.reinjections.add(frame);
  }
  return view;
}

async function ours(file: string): Promise<{ report: AnalysisReport; reinjections: Set<number> }> {
  const reinjections = new Set<number>();
  const report = await analyzeCaptures([file], { onSegment: (row) => row.reinjected > 0 && reinjections.add(row.frame) });
  return { report, reinjections };
}

const sorted = (groups: Iterable<Set<number>>): number[][] => [...groups].map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);

describe("analyze agrees with tshark's MPTCP analysis", { skip: tsharkAvailable() ? false : NO_TSHARK }, () => {
  for (const file of CAPTURES) {
    const name = file.split("/").pop()!;
    test(name, { skip: existsSync(file) ? false : `${file} is absent` }, async () => {
      const theirs = tsharkView(file);
      const { report, reinjections } = await ours(file);
      // Connections and the subflows of each (by tshark's tcp.stream numbers).
      assert.deepEqual(sorted(report.connections.map((c) => new Set(c.subflows.map((s) => s.tcpStream)))), sorted(theirs.groups.values()));
      // Payload bytes per subflow and direction.
      const mine = new Map<string, number>();
      for (const c of report.connections) {
        for (const s of c.subflows) {
          const fwd = s.synIsC2s ? "c2s" : "s2c";
          const rev = s.synIsC2s ? "s2c" : "c2s";
          mine.set(`${s.tcpStream} ${s.src}:${s.sport}`, s.bytes[fwd]);
          mine.set(`${s.tcpStream} ${s.dst}:${s.dport}`, s.bytes[rev]);
        }
      }
      for (const [k, v] of theirs.bytes) assert.equal(mine.get(k) ?? 0, v, k);
      for (const [k, v] of mine) assert.equal(theirs.bytes.get(k) ?? 0, v, k);
      assert.deepEqual([...reinjections].sort((a, b) => a - b), [...theirs.reinjections].sort((a, b) => a - b));
    });
  }
});

describe("analyze on the kernel fixtures: data-level totals of docs/fixtures.md", () => {
  const expected: Array<[string, number, number]> = [
    ["kernel-mpc-join.pcap", 70021, 70000],
    ["kernel-add-addr-port.pcap", 6019, 3000],
    ["kernel-checksum.pcap", 2023, 1500],
    ["kernel-ipv6.pcap", 8015, 4000],
  ];
  for (const [name, c2s, s2c] of expected) {
    test(name, async () => {
      const { report } = await ours(fixture(name));
      assert.equal(report.connections.length, 1);
      const c = report.connections[0]!;
      assert.deepEqual(c.bytes, { c2s, s2c });
      assert.deepEqual(c.reinjectedBytes, { c2s: 0, s2c: 0 });
      assert.equal(c.fallback, false);
      assert.deepEqual(c.anomalyCounts, {});
      assert.ok(c.subflows.slice(1).every((s) => s.join && s.hmacOk === true));
    });
  }

  test("DSS checksums verify on real captures, v1 and v0", async () => {
    const v1 = (await ours(fixture("kernel-checksum.pcap"))).report.connections[0]!;
    // Two data mappings and a DATA_FIN each way, and MP_CAPABLE with data.
    assert.deepEqual(v1.dssChecksums, { verified: 7, failed: 0, unverifiable: 0 });
    const iperf = sharedCapture("iperf-mptcp-0-0.v0.pcap");
    if (!existsSync(iperf)) return;
    const v0 = (await ours(iperf)).report.connections[0]!;
    assert.equal(v0.dssChecksums?.failed, 0);
    assert.ok(v0.dssChecksums!.verified > 1000);
  });

  test("kernel-fastclose.pcap: MP_FASTCLOSE with MP_TCPRST on both subflows", async () => {
    const { report } = await ours(fixture("kernel-fastclose.pcap"));
    const c = report.connections[0]!;
    assert.deepEqual(c.subflows.map((s) => s.reset?.reason), ["unspecified", "unspecified"]);
    assert.deepEqual(c.signals.filter((s) => s.type === "MP_FASTCLOSE").map((s) => s.detail), ["", ""]);
    assert.equal(c.anomalyCounts["subflow-reset"], 2);
    assert.equal(c.anomalyCounts["fastclose-wrong-key"], undefined);
  });

  test("kernel-rm-addr-prio.pcap: MP_PRIO makes the join a backup, REMOVE_ADDR is in the timeline", async () => {
    const { report } = await ours(fixture("kernel-rm-addr-prio.pcap"));
    const c = report.connections[0]!;
    assert.equal(c.subflows[1]!.backup, true);
    assert.deepEqual(c.signals.filter((s) => s.type === "REMOVE_ADDR").map((s) => s.detail), ["ids 2"]);
  });
});

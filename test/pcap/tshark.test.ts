/**
 * Cross-checks against Wireshark's tools: files we write must decode in tshark, and files tshark's
 * editcap and mergecap produce (pcapng, nanosecond pcap) must read back identically here.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPcapWriter, readCapture } from "../../src/io/capture-file.js";
import { decodeLinkLayer } from "../../src/wire/pcap/link-layer.js";
import { LinkType, type CapturedPacket } from "../../src/wire/pcap/packet.js";
import { sharedCapture } from "../util/paths.js";
import { concat, payload } from "./builders.js";
import { ipv4Tcp, ipv6Tcp } from "./packets.js";

const hasTshark = existsSync("/usr/bin/tshark") && existsSync("/usr/bin/editcap") && existsSync("/usr/bin/mergecap");
const skip = hasTshark ? false : "tshark, editcap or mergecap is not installed";

function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

function fields(file: string, names: string[]): string[][] {
  const out = run("tshark", ["-r", file, "-T", "fields", ...names.flatMap((n) => ["-e", n])]);
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

async function readAll(file: string): Promise<CapturedPacket[]> {
  const packets: CapturedPacket[] = [];
  for await (const p of readCapture(file)) packets.push(p);
  return packets;
}

/** tshark's frame.time_epoch text. */
function epoch(p: CapturedPacket): string {
  return `${p.tsSec}.${String(p.tsNsec).padStart(9, "0")}`;
}

const v6a = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1);
const v6b = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2);
const written: [number, Uint8Array][] = [
  [1700000000_000001, ipv4Tcp([10, 0, 0, 1], [10, 0, 0, 2], 40000, 80, 1, payload(10))],
  [1700000000_500000, ipv4Tcp([10, 0, 0, 2], [10, 0, 0, 1], 80, 40000, 1, payload(1400, 3))],
  [1700000001_999999, ipv6Tcp(v6a, v6b, 50000, 443, 7, payload(0))],
  [1700000002_000000, ipv6Tcp(v6b, v6a, 443, 50000, 1, payload(100, 9))],
];

describe("tshark cross-check", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mptcp-pcap-"));
  const ours = join(dir, "ours.pcap");
  const w = openPcapWriter(ours);
  for (const [t, p] of written) w.write(t, p);
  w.close();

  test("tshark decodes what the writer wrote, timestamps and addresses exact, nothing malformed", () => {
    const rows = fields(ours, ["frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "tcp.dstport", "tcp.len", "frame.len"]);
    assert.deepEqual(rows, [
      ["1700000000.000001000", "10.0.0.1", "", "40000", "80", "10", "50"],
      ["1700000000.500000000", "10.0.0.2", "", "80", "40000", "1400", "1440"],
      ["1700000001.999999000", "", "2001:db8::1", "50000", "443", "0", "60"],
      ["1700000002.000000000", "", "2001:db8::2", "443", "50000", "100", "160"],
    ]);
    const bad = run("tshark", ["-r", ours, "-Y", "_ws.malformed || ip.checksum.status == 0 || tcp.checksum.status == 0", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"]);
    assert.equal(bad, "");
  });

  for (const [format, name] of [["pcapng", "conv.pcapng"], ["nsecpcap", "conv-ns.pcap"]] as const) {
    test(`editcap -F ${format} output reads back identically`, async () => {
      const converted = join(dir, name);
      run("editcap", ["-F", format, ours, converted]);
      const back = await readAll(converted);
      assert.deepEqual(
        back.map((p) => [p.tsSec * 1e6 + p.tsNsec / 1000, p.linkType, p.origLen, Array.from(p.data)]),
        written.map(([t, p]) => [t, LinkType.RAW, p.length, Array.from(p)]),
      );
    });
  }

  test("mergecap of Ethernet and raw captures gives a pcapng with two interfaces", async () => {
    const eth = join(dir, "eth.pcap");
    const we = openPcapWriter(eth, LinkType.ETHERNET);
    const mac = new Uint8Array(12).fill(2);
    we.write(1700000000_250000, concat(mac, Uint8Array.of(0x08, 0x00), written[0]![1]));
    we.write(1700000001_000000, concat(mac, Uint8Array.of(0x81, 0x00, 0, 5, 0x86, 0xdd), written[2]![1]));
    we.close();
    const merged = join(dir, "merged.pcapng");
    run("mergecap", ["-F", "pcapng", "-w", merged, ours, eth]);
    const back = await readAll(merged);
    const expected = fields(merged, ["frame.time_epoch", "frame.interface_id", "frame.len"]);
    assert.deepEqual(
      back.map((p) => [epoch(p), String(p.interfaceId), String(p.origLen)]),
      expected,
    );
    assert.deepEqual(new Set(back.map((p) => p.linkType)), new Set([LinkType.RAW, LinkType.ETHERNET]));
    for (const p of back) {
      const ip = decodeLinkLayer(p.linkType, p.data);
      assert.ok(ip instanceof Uint8Array && (ip[0]! >>> 4 === 4 || ip[0]! >>> 4 === 6));
    }
  });

  for (const name of ["iperf-mptcp-0-0.v0.pcap", "pymptcpanalyzer-client_2.v0.pcap"]) {
    test(`${name}: same packets and timestamps as tshark`, { skip: existsSync(sharedCapture(name)) ? false : "capture missing" }, async () => {
      const file = sharedCapture(name);
      const back = await readAll(file);
      const expected = fields(file, ["frame.time_epoch", "frame.len", "frame.cap_len", "ip.version", "ipv6.version"]);
      assert.equal(back.length, expected.length);
      // The link layer leads to IP exactly where tshark found IPv4 or IPv6 (not ARP).
      assert.deepEqual(
        back.map((p) => [epoch(p), String(p.origLen), String(p.data.length), decodeLinkLayer(p.linkType, p.data) instanceof Uint8Array]),
        expected.map(([t, len, caplen, v4, v6]) => [t, len, caplen, v4 !== "" || v6 !== ""]),
      );
    });
  }

  test("cleanup", () => {
    rmSync(dir, { recursive: true, force: true });
    assert.ok(!existsSync(dir));
  });
});

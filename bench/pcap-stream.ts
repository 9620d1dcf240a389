/**
 * Capture reading throughput: the sans-I/O parser on an in-memory stream, readCapture on the
 * shared captures, and tshark reading the same files for a ratio, all in one run.
 * Run: node <outDir>/bench/pcap-stream.js [MiB of synthetic stream, default 1024]
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCapture } from "../src/io/capture-file.js";
import { CaptureParser } from "../src/wire/pcap/parser.js";
import { PcapWriter } from "../src/wire/pcap/writer.js";

const MIB = 1 << 20;

/** A template of `count` records of `size` bytes, as a classic pcap body (no file header). */
function template(count: number, size: number): { header: Uint8Array; body: Uint8Array } {
  const parts: Uint8Array[] = [];
  const w = new PcapWriter((c) => parts.push(c));
  const packet = new Uint8Array(size).fill(0x45);
  for (let i = 0; i < count; i++) w.write(1_700_000_000_000_000 + i, packet);
  const body = new Uint8Array(count * (16 + size));
  let off = 0;
  for (const p of parts.slice(1)) {
    body.set(p, off);
    off += p.length;
  }
  return { header: parts[0]!, body };
}

function synthetic(totalMiB: number): void {
  const { header, body } = template(1000, 1500);
  const chunk = 256 * 1024 + 7;
  const parser = new CaptureParser();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let packets = 0;
  let sent = header.length;
  const total = totalMiB * MIB;
  const t0 = process.hrtime.bigint();
  parser.push(header);
  let at = 0;
  while (sent < total) {
    const end = Math.min(body.length, at + chunk);
    parser.push(body.subarray(at, end));
    sent += end - at;
    at = end === body.length ? 0 : end;
    for (let p = parser.next(); p !== undefined; p = parser.next()) {
      if ("layer" in p) throw new Error(String(p));
      packets++;
    }
    if ((packets & 0x3ff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `parser, in memory: ${totalMiB} MiB, ${packets} packets in ${s.toFixed(2)} s: ` +
      `${(sent / MIB / s).toFixed(0)} MiB/s, ${(packets / s / 1e6).toFixed(2)} Mpkt/s, ` +
      `peak RSS +${((peak - rss0) / MIB).toFixed(0)} MiB, parser holds ${parser.bufferedBytes} bytes`,
  );
}

async function file(path: string, rounds: number): Promise<void> {
  const size = statSync(path).size;
  let packets = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for await (const _ of readCapture(path)) packets++;
  const ours = Number(process.hrtime.bigint() - t0) / 1e9 / rounds;
  const t1 = process.hrtime.bigint();
  execFileSync("tshark", ["-r", path, "-T", "fields", "-e", "frame.number"], { stdio: ["ignore", "ignore", "ignore"] });
  const tshark = Number(process.hrtime.bigint() - t1) / 1e9;
  console.log(
    `${path.split("/").pop()}: ${packets / rounds} packets, ${(size / MIB).toFixed(1)} MiB: readCapture ${(ours * 1e3).toFixed(1)} ms ` +
      `(${(size / MIB / ours).toFixed(0)} MiB/s), tshark -T fields ${(tshark * 1e3).toFixed(0)} ms, ratio ${(tshark / ours).toFixed(0)}x`,
  );
}

const mib = Number(process.argv[2] ?? 1024);
synthetic(mib);
for (const name of ["iperf-mptcp-0-0.v0.pcap", "pymptcpanalyzer-client_2.v0.pcap"]) {
  const path = join(process.cwd(), "..", "shared", "captures", name);
  if (existsSync(path) && existsSync("/usr/bin/tshark")) await file(path, 20);
}

/**
 * Wire codec throughput on a realistic segment mix: every TCP segment of the Linux-kernel MPTCP
 * captures and the public v0 iperf capture (SYNs with MP_CAPABLE/MP_JOIN, data with DSS mappings
 * and checksums, pure Data ACKs, ADD_ADDR, timestamps and SACK), parsed (IP + TCP + every option)
 * and re-emitted (options, TCP checksum, IP header). Prints segments per second and MB/s.
 * Then the Internet checksum alone, as the Host uses it: the 1,480-byte TCP part of 1,500-byte
 * datagrams cut from a 256 KiB slab, by the JavaScript loop and by WebAssembly SIMD (with its
 * copy into the module's memory).
 * Run: node dist/bench/wire-codec.js [seconds per measurement, default 2]
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readCapture } from "../src/io/capture-file.js";
import { decodeLinkLayer } from "../src/wire/pcap/index.js";
import { isParseError } from "../src/wire/error.js";
import { parseIpPacket, emitIpHeaderInto, ipHeaderLength, type IpRepr } from "../src/wire/ip.js";
import { parseTcp, emitTcpInto, tcpHeaderLength } from "../src/wire/tcp.js";
import type { TcpRepr } from "../src/wire/tcp-types.js";
import { checksumAdd, wordSum } from "../src/wire/checksum.js";
import { SIMD_SUM } from "../src/wire/checksum-simd.js";

const seconds = Number(process.argv[2] ?? 2);

async function loadSegments(): Promise<Uint8Array[]> {
  const files = [
    ...readdirSync("test/fixtures").filter((f) => f.endsWith(".pcap")).map((f) => join("test/fixtures", f)),
    join("..", "shared", "captures", "iperf-mptcp-0-0.v0.pcap"),
  ].filter((f) => existsSync(f));
  const out: Uint8Array[] = [];
  for (const f of files) {
    for await (const pkt of readCapture(f)) {
      const ip = decodeLinkLayer(pkt.linkType, pkt.data);
      if (ip === null || isParseError(ip)) continue;
      const parsed = parseIpPacket(ip);
      if (!isParseError(parsed) && parsed.protocol === 6 && !parsed.isFragment) out.push(ip.slice());
    }
  }
  return out;
}

function measure(name: string, segments: number, bytes: number, fn: () => void): number {
  fn(); // warm-up
  let rounds = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    fn();
    rounds++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const perSec = (rounds * segments) / elapsed;
  const mbps = (rounds * bytes * 8) / elapsed / 1e6;
  console.log(`${name.padEnd(28)} ${(perSec / 1e6).toFixed(2).padStart(6)} M segments/s  ${mbps.toFixed(0).padStart(6)} Mbit/s of packets`);
  return perSec;
}

const segments = await loadSegments();
const bytes = segments.reduce((n, s) => n + s.length, 0);
const withMptcp = segments.filter((s) => {
  const ip = parseIpPacket(s) as IpRepr;
  const tcp = parseTcp(ip.payload) as TcpRepr;
  return tcp.options.some((o) => o.kind === "mptcp");
}).length;
console.log(`segment mix: ${segments.length} segments, ${withMptcp} with MPTCP options, mean ${(bytes / segments.length).toFixed(0)} bytes`);

const parsed: Array<{ ip: IpRepr; tcp: TcpRepr }> = segments.map((s) => {
  const ip = parseIpPacket(s) as IpRepr;
  return { ip, tcp: parseTcp(ip.payload) as TcpRepr };
});
const buf = new Uint8Array(70000);

let sink = 0;
const parse = measure("parse (IP+TCP+options)", segments.length, bytes, () => {
  for (const s of segments) {
    const ip = parseIpPacket(s);
    if (isParseError(ip)) continue;
    const tcp = parseTcp(ip.payload);
    if (!isParseError(tcp)) sink += tcp.options.length;
  }
});
const emit = measure("emit (options+checksums)", segments.length, bytes, () => {
  for (const { ip, tcp } of parsed) {
    const tcpLen = tcpHeaderLength(tcp) + tcp.payload.length;
    const hl = ipHeaderLength(ip);
    emitIpHeaderInto(buf, 0, ip, tcpLen);
    sink += emitTcpInto(buf, hl, tcp, ip.src, ip.dst);
  }
});
const both = measure("parse + emit", segments.length, bytes, () => {
  for (const s of segments) {
    const ip = parseIpPacket(s);
    if (isParseError(ip)) continue;
    const tcp = parseTcp(ip.payload);
    if (isParseError(tcp)) continue;
    const hl = ipHeaderLength(ip);
    emitIpHeaderInto(buf, 0, ip, tcpHeaderLength(tcp) + tcp.payload.length);
    sink += emitTcpInto(buf, hl, tcp, ip.src, ip.dst);
  }
});
console.log(`ratio parse/emit: ${(parse / emit).toFixed(2)}; parse+emit ${(both / 1e6).toFixed(2)} M segments/s (sink ${sink % 7})`);

const slab = new ArrayBuffer(256 * 1024);
const datagrams: Uint8Array[] = [];
for (let off = 0; off + 1500 <= slab.byteLength; off += 1504) datagrams.push(new Uint8Array(slab, off, 1500));
new Uint8Array(slab).forEach((_, i, a) => (a[i] = (i * 151 + 7) & 0xff));
const tcpBytes = datagrams.length * 1480;
const js = measure("checksum, JavaScript", datagrams.length, tcpBytes, () => {
  for (const d of datagrams) sink += wordSum(d, 20, 1500);
});
if (SIMD_SUM !== undefined) {
  const simd = measure("checksum, Wasm SIMD + copy", datagrams.length, tcpBytes, () => {
    for (const d of datagrams) sink += checksumAdd(0, d, 20, 1500);
  });
  console.log(`checksum of 1,480 bytes: ${(1e9 / js).toFixed(0)} ns in JavaScript, ${(1e9 / simd).toFixed(0)} ns with SIMD (${(simd / js).toFixed(2)}x) (sink ${sink % 7})`);
} else console.log("no WebAssembly SIMD here: the JavaScript loop is used");

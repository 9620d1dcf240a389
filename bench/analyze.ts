/**
 * `mptcp analyze` against tshark's MPTCP analysis (`-o mptcp.analyze_mappings:TRUE`, with
 * inter-subflow reinjection detection) on the same capture, printed as a ratio: the public v0
 * iperf capture, and a synthetic two-subflow transfer of N data segments (default 1,000,000)
 * written to a temporary file, snapped at 128 bytes as `tcpdump -s 128` would.
 * Run: node <outDir>/bench/analyze.js [N]
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeCaptures } from "../src/analyze/analyze.js";
import { keyDerive } from "../src/crypto/keys.js";
import { parseAddress } from "../src/wire/address.js";
import { emitIp, IPPROTO_TCP } from "../src/wire/ip.js";
import { PcapWriter } from "../src/wire/pcap/writer.js";
import { emitTcp } from "../src/wire/tcp.js";
import { TCP_FLAG, type TcpOption } from "../src/wire/tcp-types.js";
import type { MptcpOption } from "../src/wire/mptcp/types.js";

const TSHARK_ARGS = ["-n", "-o", "mptcp.analyze_mappings:TRUE", "-o", "mptcp.intersubflows_retransmission:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE",
  "-T", "fields", "-e", "mptcp.stream", "-e", "mptcp.dsn", "-e", "mptcp.reinjection_of"];

function seconds(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function secondsAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * A v1 connection with two subflows carrying `n` data segments of 1,400 bytes alternately, each
 * with its 64-bit DSS mapping; the server ACKs every other segment with a Data ACK, and every
 * 1,000th segment's data is reinjected on the other subflow.
 */
export function writeSynthetic(path: string, n: number): number {
  const fd = openSync(path, "w");
  let buf = new Uint8Array(1 << 22);
  let used = 0;
  const sink = (c: Uint8Array): void => {
    if (used + c.length > buf.length) {
      writeSync(fd, buf, 0, used);
      used = 0;
      if (c.length > buf.length) buf = new Uint8Array(c.length * 2);
    }
    buf.set(c, used);
    used += c.length;
  };
  const w = new PcapWriter(sink, { snaplen: 128 });
  const keyC = 0x0123456789abcdefn;
  const keyS = 0xfedcba9876543210n;
  const idsnC = keyDerive(keyC, 1).idsn;
  const tokenS = keyDerive(keyS, 1).token;
  const cli = [parseAddress("10.0.0.1")!, parseAddress("10.0.1.1")!];
  const srv = parseAddress("10.0.0.2")!;
  const ports = [40000, 40001];
  const isn = [0xfff00000, 12345];
  const snd = [isn[0]!, isn[1]!];
  const payload = new Uint8Array(1400);
  let t = 1_700_000_000_000_000;
  let frames = 0;
  const put = (sf: number, c2s: boolean, seq: number, ack: number, flags: number, mptcp: MptcpOption[], data: Uint8Array): void => {
    const options: TcpOption[] = mptcp.map((option) => ({ kind: "mptcp", option }));
    const [src, dst, sp, dp] = c2s ? [cli[sf]!, srv, ports[sf]!, 80] : [srv, cli[sf]!, 80, ports[sf]!];
    const tcp = emitTcp({ srcPort: sp, dstPort: dp, seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535, checksum: 0, urgentPointer: 0, options, payload: data }, src, dst);
    w.write(t, emitIp({ src, dst, protocol: IPPROTO_TCP }, tcp));
    t += 10;
    frames++;
  };
  const none = new Uint8Array(0);
  const { SYN, ACK } = TCP_FLAG;
  // Handshake (RFC 8684 §3.1) and join (§3.2; HMACs are not what this measures).
  put(0, true, snd[0]!, 0, SYN, [{ subtype: "MP_CAPABLE", version: 1, flags: 1 }], none);
  put(0, false, 5000, snd[0]! + 1, SYN | ACK, [{ subtype: "MP_CAPABLE", version: 1, flags: 1, sendKey: keyS }], none);
  snd[0]! += 1;
  put(0, true, snd[0]!, 5001, ACK, [{ subtype: "MP_CAPABLE", version: 1, flags: 1, sendKey: keyC, recvKey: keyS }], none);
  put(1, true, snd[1]!, 0, SYN, [{ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: tokenS, nonce: 1 }], none);
  put(1, false, 6000, snd[1]! + 1, SYN | ACK, [{ subtype: "MP_JOIN", form: "synack", backup: false, addrId: 0, hmac: new Uint8Array(8), nonce: 2 }], none);
  snd[1]! += 1;
  put(1, true, snd[1]!, 6001, ACK, [{ subtype: "MP_JOIN", form: "ack", hmac: new Uint8Array(20) }], none);
  let dsn = 1;
  for (let i = 0; i < n; i++) {
    const sf = i & 1;
    const again = i % 1000 === 999;
    const d = again ? dsn - 1400 : dsn;
    const ssn = (snd[sf]! - isn[sf]!) >>> 0;
    put(sf, true, snd[sf]!, sf === 0 ? 5001 : 6001, ACK, [{ subtype: "DSS", fin: false, dataAck64: false, dsn64: true, dsn: BigInt.asUintN(64, idsnC + BigInt(d)), ssn, dataLen: 1400 }], payload);
    snd[sf] = (snd[sf]! + 1400) >>> 0;
    if (!again) dsn += 1400;
    if (sf === 1) put(0, false, 5001, snd[0]!, ACK, [{ subtype: "DSS", fin: false, dataAck64: true, dataAck: BigInt.asUintN(64, idsnC + BigInt(dsn)), dsn64: false }], none);
  }
  writeSync(fd, buf, 0, used);
  closeSync(fd);
  return frames;
}

async function compare(name: string, file: string): Promise<void> {
  const size = statSync(file).size;
  let summary = "";
  // Best of two runs each: the machine is shared.
  let ours = Infinity;
  for (let i = 0; i < 2; i++) {
    ours = Math.min(ours, await secondsAsync(async () => {
      const r = await analyzeCaptures([file]);
      const c = r.connections[0];
      summary = `${r.connections.length} connection(s)` + (c ? `, first: ${c.bytes.c2s} data bytes c2s, ${c.reinjectedBytes.c2s} reinjected` : "");
    }));
  }
  let theirs = Infinity;
  const runs = size > 50 << 20 ? 1 : 2;
  for (let i = 0; i < runs; i++) theirs = Math.min(theirs, seconds(() => execFileSync("tshark", ["-r", file, ...TSHARK_ARGS], { stdio: ["ignore", "ignore", "ignore"], maxBuffer: 1 << 30 })));
  const mib = size / (1 << 20);
  console.log(`${name}: ${mib.toFixed(1)} MiB; ${summary}; peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`  mptcp analyze ${ours.toFixed(2)} s (${(mib / ours).toFixed(1)} MiB/s), tshark ${theirs.toFixed(2)} s: ${(theirs / ours).toFixed(1)}x faster than tshark`);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const iperf = join(process.cwd(), "..", "shared", "captures", "iperf-mptcp-0-0.v0.pcap");
  if (existsSync(iperf)) await compare("v0 iperf capture", iperf);
  else console.log(`(${iperf} is absent)`);
  const dir = mkdtempSync(join(tmpdir(), "mptcp-bench-analyze-"));
  try {
    const file = join(dir, "synthetic.pcap");
    const frames = writeSynthetic(file, n);
    await compare(`synthetic, ${n} data segments (${frames} frames)`, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run as a program (not when imported for its generator).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

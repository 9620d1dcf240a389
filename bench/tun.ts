/**
 * TUN driver throughput with 1,500-byte packets (`node dist/bench/tun.js [PACKETS]`, as root).
 *
 * Read path: a child process floods UDP datagrams from the kernel's address on a fresh TUN device
 * to the stack's address behind it; the kernel routes them into the device and the driver's reader
 * thread hands them to this thread in batches. Write path: this thread writes UDP datagrams to
 * the kernel's address through `send()`. Everything stays on one device this run creates (in
 * 100.64.0.0/10, RFC 6598), which is gone when the run ends.
 */
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { openTun } from "../src/io/tun.js";
import { parseAddress } from "../src/wire/address.js";
import { checksumAdd, checksumFinish, pseudoHeaderSum } from "../src/wire/checksum.js";
import { emitIp } from "../src/wire/ip.js";

const PACKETS = Number(process.argv[2] ?? 200_000);
const PACKET_BYTES = 1500;
const PAYLOAD = PACKET_BYTES - 28;
const TIME_LIMIT_MS = 15_000;
/** The device queue (packets) the kernel fills when the reader falls behind; 500 by default. */
const TXQUEUELEN = Number(process.argv[3] ?? 500);

if (process.getuid?.() !== 0 || !existsSync("/dev/net/tun")) {
  console.log("skipped: needs root and /dev/net/tun");
  process.exit(0);
}

const index = process.pid % (1 << 20);
const base = 0x64400000 + index * 4;
const v4 = (off: number) => [24, 16, 8, 0].map((s) => ((base + off) >>> s) & 0xff).join(".");
const kernelAddr = v4(1);
const stackAddr = v4(2);
const device = `mtbench${process.pid % 1_000_000}`;

const driver = await openTun({ device, mtu: PACKET_BYTES });
try {
  execFileSync("ip", ["addr", "add", `${kernelAddr}/30`, "dev", device]);
  execFileSync("ip", ["link", "set", device, "up", "txqueuelen", String(TXQUEUELEN)]);
  const devStat = (name: string) => Number(readFileSync(`/sys/class/net/${device}/statistics/${name}`, "utf8"));

  // ---- read path: kernel -> TUN -> reader thread -> batches on this thread.
  let got = 0;
  let bytes = 0;
  let first = 0n;
  let last = 0n;
  driver.onPackets((ps) => {
    if (got === 0) first = process.hrtime.bigint();
    for (let i = 0; i < ps.length; i++) {
      if (ps[i]!.length === PACKET_BYTES) {
        got++;
        bytes += PACKET_BYTES;
      }
    }
    last = process.hrtime.bigint();
  });
  const droppedBefore = devStat("tx_dropped");
  const cpu0 = process.cpuUsage();
  // The sender yields every 64 datagrams so libuv's send queue stays small.
  const sender = `
    import dgram from "node:dgram";
    const s = dgram.createSocket("udp4");
    s.bind(0, "${kernelAddr}", () => {
      const buf = Buffer.alloc(${PAYLOAD}, 7);
      let sent = 0;
      const deadline = Date.now() + ${TIME_LIMIT_MS};
      const burst = () => {
        for (let i = 0; i < 64 && sent < ${PACKETS}; i++, sent++) s.send(buf, 9, "${stackAddr}");
        if (sent < ${PACKETS} && Date.now() < deadline) setImmediate(burst);
        // Closing drops sends libuv still queues: close after the last one went out.
        else s.send(buf, 0, 0, 9, "${stackAddr}", () => s.close(() => process.stdout.write(String(sent))));
      };
      burst();
    });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", sender], { stdio: ["ignore", "pipe", "inherit"] });
  let sentText = "";
  child.stdout.on("data", (d: Buffer) => (sentText += d.toString()));
  await new Promise((r) => child.once("exit", r));
  // Let the reader drain what is queued in the device.
  let prev = -1;
  while (got !== prev) {
    prev = got;
    await new Promise((r) => setTimeout(r, 50));
  }
  const cpu = process.cpuUsage(cpu0);
  const sent = Number(sentText);
  const secs = Number(last - first) / 1e9;
  const dropped = devStat("tx_dropped") - droppedBefore;
  const batches = driver.stats.rxBatches;
  console.log(`read:  ${got} of ${sent} packets of ${PACKET_BYTES} bytes in ${secs.toFixed(2)} s: ` +
    `${(got / secs / 1e3).toFixed(0)} kpackets/s, ${((bytes * 8) / secs / 1e6).toFixed(0)} Mbit/s, ` +
    `mean batch ${(driver.stats.rxPackets / batches).toFixed(1)}, dropped by the device queue ${dropped}, ` +
    `this process ${((cpu.user + cpu.system) / 1e6 / (bytes / 1e9)).toFixed(2)} CPU s/GB (reader and main thread)`);

  // ---- write path: send() on this thread -> kernel. Nobody listens on the port: the kernel
  // takes each datagram through IP and UDP input and drops it (its ICMP replies are rate-limited).
  const src = parseAddress(stackAddr)!;
  const dst = parseAddress(kernelAddr)!;
  const udp = new Uint8Array(8 + PAYLOAD);
  const view = new DataView(udp.buffer);
  view.setUint16(0, 40000);
  view.setUint16(2, 9);
  view.setUint16(4, udp.length);
  view.setUint16(6, checksumFinish(checksumAdd(pseudoHeaderSum(src, dst, 17, udp.length), udp)) || 0xffff);
  const packet = emitIp({ src, dst, protocol: 17 }, udp);
  const rxBefore = devStat("rx_packets");
  const writes = Math.min(PACKETS, 200_000);
  const cpu1 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < writes; i++) driver.send(packet);
  const wsecs = Number(process.hrtime.bigint() - t0) / 1e9;
  const wcpu = process.cpuUsage(cpu1);
  const accepted = devStat("rx_packets") - rxBefore;
  console.log(`write: ${writes} packets of ${PACKET_BYTES} bytes in ${wsecs.toFixed(2)} s: ` +
    `${(writes / wsecs / 1e3).toFixed(0)} kpackets/s, ${((writes * PACKET_BYTES * 8) / wsecs / 1e6).toFixed(0)} Mbit/s, ` +
    `${accepted} taken in by the kernel, ${driver.stats.txErrors} errors, ` +
    `${((wcpu.user + wcpu.system) / 1e6 / ((writes * PACKET_BYTES) / 1e9)).toFixed(2)} CPU s/GB (the kernel's input path included)`);
} finally {
  await driver.close();
}

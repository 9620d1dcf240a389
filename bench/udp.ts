/**
 * UDP encapsulation driver throughput over loopback (`node dist/bench/udp.js [PACKETS]`): one
 * driver sends 1,472-byte IP datagrams (the default inner MTU over IPv4) to another in the same
 * process, a window of them per event-loop turn, and the receiver counts what arrives.
 */
import dgram from "node:dgram";
import { openUdp } from "../src/io/udp.js";
import { parseAddress } from "../src/wire/address.js";
import { emitIp } from "../src/wire/ip.js";

const PACKETS = Number(process.argv[2] ?? 200_000);
/** Datagrams in flight at most: below what the receive buffer holds, so loss means a slow reader. */
const WINDOW = 128;

/** A port free right now (bound and released; loopback only, so the race is moot). */
async function freePort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const rxPort = await freePort();
const a = await openUdp({ local: { host: "127.0.0.1", port: 0 }, remote: { host: "127.0.0.1", port: rxPort } });
const rx = await openUdp({ local: { host: "127.0.0.1", port: rxPort }, remote: { host: "127.0.0.1", port: a.localPort } });

const packet = emitIp({ src: parseAddress("10.9.0.1")!, dst: parseAddress("10.9.0.2")!, protocol: 253 }, new Uint8Array(a.mtu - 20));
let got = 0;
let sent = 0;
let wake: (() => void) | undefined;
rx.onPackets((ps) => {
  got += ps.length;
  wake?.();
});

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
while (sent < PACKETS) {
  while (sent < PACKETS && sent - got - rx.stats.rxDropped < WINDOW) {
    a.send(packet);
    sent++;
  }
  await new Promise<void>((r) => {
    wake = r;
    setTimeout(r, 20); // a datagram lost on loopback (buffer overflow) must not stall the loop
  });
}
// Drain: stop once nothing more arrives.
for (let before = -1; got < sent && got !== before; ) {
  before = got;
  await new Promise((r) => setTimeout(r, 100));
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const bytes = got * packet.length;
console.log(`udp loopback: ${got} of ${sent} datagrams of ${packet.length} bytes in ${secs.toFixed(2)} s: ` +
  `${(got / secs / 1e3).toFixed(0)} kpackets/s, ${((bytes * 8) / secs / 1e6).toFixed(0)} Mbit/s, ` +
  `mean batch ${(rx.stats.rxPackets / rx.stats.rxBatches).toFixed(1)}, ` +
  `${((cpu.user + cpu.system) / 1e6 / (bytes / 1e9)).toFixed(2)} CPU s/GB (sender and receiver, one thread)`);
await a.close();
await rx.close();

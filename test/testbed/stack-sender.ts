/**
 * mptcp-ts's end of the testbed end-to-end test, run inside the namespace by
 * `mptcp testbed exec NAME -- node stack-sender.js DEVICE STACK_ADDR KERNEL_ADDR PORT BYTES [rack|paced]`:
 * attaches to the testbed's TUN device, applies the testbed's impairment for it as the runtime
 * does, connects an MptcpHost to the kernel (its subflows with RACK loss detection when `rack`
 * is given, paced when `paced` is), sends BYTES pseudo-random bytes, closes, and prints one JSON line with what it sent
 * and how the connection went.
 */
import { createHash, randomFillSync } from "node:crypto";
import { impair } from "../../src/io/impair.js";
import type { ImpairedDriver } from "../../src/io/impair.js";
import { openTun } from "../../src/io/tun.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { DriverLoop } from "../../src/runtime/driver-loop.js";
import { cryptoRandom, monotonicClock } from "../../src/runtime/clock.js";
import { RUNTIME_PACING_SLACK_US } from "../../src/runtime/stack.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { testbedImpairment } from "../../src/testbed/state.js";
import { parseAddress } from "../../src/wire/address.js";

// `node --test dist/test/` loads every module under test/ as a test file: without its arguments
// this is that load, not a run.
if (process.argv.length < 7) process.exit(0);

const [device, stackAddr, kernelAddr, port, bytes, option] = process.argv.slice(2);
const data = new Uint8Array(Number(bytes));
randomFillSync(data);

const tun = await openTun({ device: device! });
const impairment = testbedImpairment(device!);
const driver = impairment ? impair(tun, impairment) : tun;
const host = new MptcpHost({
  interfaces: [{ addresses: [parseAddress(stackAddr!)!], mtu: driver.mtu }],
  random: cryptoRandom,
  ...(option === "rack" ? { tcp: { rack: true } } : {}),
  // Paced as createStack paces: segments due within a millisecond timer tick leave together.
  ...(option === "paced" ? { tcp: { pacing: true, pacingSlack: RUNTIME_PACING_SLACK_US } } : {}),
});

let sent = 0;
const push = (): void => {
  while (sent < data.length) {
    const n = conn.write(data.subarray(sent));
    if (n === 0) return;
    sent += n;
  }
  conn.shutdown();
};

let onClosed!: () => void;
let onFailed!: (e: Error) => void;
const closed = new Promise<void>((resolve, reject) => {
  onClosed = resolve;
  onFailed = reject;
});
const loop = new DriverLoop({
  host,
  drivers: [driver],
  clock: monotonicClock(),
  onEvent: (e) => {
    if (e.type === "connected" || e.type === "writable") push();
    // The kernel sends nothing back, but its DATA_FIN is read to complete the close.
    if (e.type === "readable") while (conn.read() !== undefined);
    if (e.type === "reset" || e.type === "timed-out") onFailed(new Error(`the connection ended: ${e.type}`));
    if (e.type === "closed") onClosed();
  },
  onDriverError: (err) => onFailed(err),
});
loop.setActive(true);
// Events (and so `push`) come only from drains, after this.
const conn: MptcpConnection = host.connect(parseAddress(kernelAddr!)!, Number(port), loop.now());
loop.drain();

const guard = setTimeout(() => {
  process.stderr.write("stack-sender: no close within 15 s\n");
  process.exit(1);
}, 15_000);
try {
  await closed;
} finally {
  clearTimeout(guard);
  await loop.close();
}
const c = conn;
process.stdout.write(
  `${JSON.stringify({
    sent,
    sha256: createHash("sha256").update(data).digest("hex"),
    mode: c.mode,
    fallbackReason: c.fallbackReason ?? null,
    impairment: impairment ?? null,
    impairStats: driver === tun ? null : (driver as ImpairedDriver).impairStats,
    subflows: c.stats().subflows,
  })}\n`,
);

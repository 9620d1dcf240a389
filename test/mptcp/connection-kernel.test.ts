/**
 * Interop with the Linux kernel's MPTCP (DESIGN.md §8): an MptcpHost on a TUN device, driven in
 * real time, against a Python socket of protocol IPPROTO_MPTCP (262) on the kernel side of the
 * link. Checks that the kernel speaks MPTCP with us (MP_CAPABLE answered, no fallback), that data
 * crosses intact both ways, and that both DATA_FINs are acknowledged (the connection closes).
 * Runs as root with /dev/net/tun and MPTCP enabled; otherwise skipped with the reason.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { cryptoRandom } from "../../src/runtime/clock.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTun } from "../../src/io/tun.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { nonZeroCounters } from "../../src/mptcp/counters.js";
import { assertCleanCapture, captureSkipReason, startCapture } from "../support/capture.js";
import { kernelPeer, pattern, realTimeLoop, type KernelPeer } from "../support/kernel.js";
import { sha256 } from "../support/mptcp-sim.js";
import { parseAddress } from "../../src/wire/address.js";
import type { PacketDriver } from "../../src/io/driver.js";
import { MappingCount } from "../support/mappings.js";
import { configureKernelSide, deleteDevice, tunSkipReason, uniqueLink, until } from "../io/util.js";

function skipReason(): string | false {
  const tun = tunSkipReason();
  if (tun) return tun;
  try {
    if (readFileSync("/proc/sys/net/mptcp/enabled", "utf8").trim() !== "1") return "net.mptcp.enabled is 0";
  } catch {
    return "the kernel has no MPTCP";
  }
  return false;
}

const skip = skipReason();
if (skip) console.log(`# kernel MPTCP tests skipped: ${skip}`);

const captureSkip = skip ? false : captureSkipReason();
if (captureSkip) console.log(`# kernel MPTCP tests run without checking their captures: ${captureSkip}`);

const made: string[] = [];
const children: ChildProcess[] = [];
const captures = skip ? "" : mkdtempSync(join(tmpdir(), "mptcp-kernel-"));
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  for (const device of made) deleteDevice(device);
  if (captures) rmSync(captures, { recursive: true, force: true });
});

const LENGTH = 500_000;



/**
 * The kernel side: an MPTCP socket that reads until the peer's DATA_FIN, then sends LENGTH
 * bytes of (i*7+3) mod 256 and closes; prints its port first, then the count and SHA-256 of what
 * it read. As a client (`connect` given) it connects instead of listening.
 */
const PEER_SCRIPT = `
import hashlib, socket, sys
mode, addr, port, length = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
if mode == 'listen':
    s = socket.socket(fam, socket.SOCK_STREAM, 262)
    s.bind((addr, 0)); s.listen(1)
    print(s.getsockname()[1], flush=True)
    c, _ = s.accept()
else:
    c = socket.socket(fam, socket.SOCK_STREAM, 262)
    c.connect((addr, port))
    print(0, flush=True)
h = hashlib.sha256(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
c.sendall(bytes((i * 7 + 3) & 255 for i in range(length)))
c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()
print(n, h.hexdigest(), flush=True)
`;

/** Our side of a transfer: sends `data`, then shuts down; reads everything. */
class App {
  private sent = 0;
  readonly chunks: Uint8Array[] = [];
  events: string[] = [];
  closed = false;
  conn: MptcpConnection | undefined;

  constructor(private readonly data: Uint8Array) {}

  onEvent(e: MptcpEvent): void {
    if (e.type === "incoming") {
      this.conn = e.listener.accept();
      this.push();
      return;
    }
    // The byte stream's events; the subflow lifecycle is pm-live.test.ts's.
    if (e.type === "subflow-up" || e.type === "subflow-down") return;
    this.events.push(e.type === "fallback" ? `fallback:${e.reason}` : e.type);
    if (e.type === "connected" || e.type === "writable") this.push();
    if (e.type === "readable") for (let b = this.conn!.read(); b !== undefined; b = this.conn!.read()) this.chunks.push(b.slice());
    if (e.type === "closed") this.closed = true;
  }

  push(): void {
    const c = this.conn!;
    while (this.sent < this.data.length) {
      const n = c.write(this.data.subarray(this.sent));
      if (n === 0) return;
      this.sent += n;
    }
    c.shutdown();
  }
}


describe("interop with Linux MPTCP", { skip, timeout: 60_000 }, () => {
  for (const [family, checksums] of [[4, false], [4, true], [6, false]] as const) {
    for (const role of ["client", "server"] as const) {
      test(`IPv${family}${checksums ? ", DSS checksums" : ""}: our ${role} and a kernel ${role === "client" ? "server" : "client"} exchange ${LENGTH} bytes each way`, async () => {
        const link = uniqueLink();
        made.push(link.device);
        const driver = await openTun({ device: link.device });
        try {
          const addrs = family === 4 ? link.v4 : link.v6;
          configureKernelSide(link.device, family === 4 ? addrs.kernel : undefined, family === 6 ? addrs.kernel : undefined);
          const capture = captureSkip ? undefined : await startCapture(join(captures, `${link.device}.pcap`), link.device, children);
          const host = new MptcpHost({ interfaces: [{ addresses: [parseAddress(addrs.stack)!], mtu: driver.mtu }], random: cryptoRandom, mptcp: { checksums } });
          const mine = pattern(LENGTH, 13, 5);
          const app = new App(mine);
          const loop = realTimeLoop(host, driver, (e) => app.onEvent(e));
          let peer: KernelPeer;
          if (role === "client") {
            peer = kernelPeer(["python3", "-c", PEER_SCRIPT, "listen", addrs.kernel, "0", String(LENGTH)], children);
            app.conn = host.connect(parseAddress(addrs.kernel)!, await peer.port, loop.now());
          } else {
            const l = host.listen(5201);
            assert.equal(l.port, 5201);
            peer = kernelPeer(["python3", "-c", PEER_SCRIPT, "connect", addrs.stack, "5201", String(LENGTH)], children);
          }
          loop.drain();
          await until(() => app.closed, "the connection to close", 20_000);
          await capture?.stop();
          await loop.close();
          const result = await peer.result;
          const conn = app.conn!;
          assert.equal(conn.mode, "mptcp", `kernel fell back: ${conn.fallbackReason}`);
          assert.equal(conn.checksums, checksums);
          // The protocol counters first: when bytes differ, they say which path was taken.
          assert.equal(host.counters.DataCsumErr, 0, JSON.stringify(nonZeroCounters(host.counters)));
          assert.equal(host.counters.DSSNotMatching, 0, JSON.stringify(nonZeroCounters(host.counters)));
          assert.equal(result.received, LENGTH);
          assert.equal(result.sha256, sha256(mine));
          assert.equal(sha256(Buffer.concat(app.chunks)), sha256(pattern(LENGTH, 7, 3)));
          assert.deepEqual(app.events.filter((t) => t !== "readable" && t !== "writable"), role === "client" ? ["connected", "peer-closed", "closed"] : ["peer-closed", "closed"]);
          assert.equal(host.counters[role === "client" ? "MPCapableSYNACKRX" : "MPCapableACKRX"], 1);
          if (capture !== undefined) await assertCleanCapture(capture);
        } finally {
          await driver.close();
        }
      });
    }
  }
});

/**
 * A kernel server with a small receive buffer that reads slowly: its window, not the path,
 * limits our sender, which then maps data ahead of the window (src/mptcp/map-ahead.ts). The
 * kernel checks each segment's data against its window (net/mptcp/protocol.c, MPTcpExt
 * NoDSSInWindow drops) and each mapping against the subflow's bytes (DSSNotMatching, which would
 * reset or fall back): the transfer must complete intact over MPTCP, with mappings that each
 * span many segments.
 */
const SLOW_READER = `
import hashlib, socket, sys, time
addr = sys.argv[1]
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM, 262)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
s.bind((addr, 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
h = hashlib.sha256(); n = 0
while True:
    b = c.recv(4096)
    if not b: break
    h.update(b); n += len(b)
    time.sleep(0.001)
c.close()
print(n, h.hexdigest(), flush=True)
`;

describe("interop with Linux MPTCP, window-limited", { skip, timeout: 60_000 }, () => {
  test("a kernel server reading slowly through a small buffer: our mappings ahead of its window are taken, the data intact", async () => {
    const link = uniqueLink();
    made.push(link.device);
    const driver = await openTun({ device: link.device });
    try {
      configureKernelSide(link.device, link.v4.kernel, undefined);
      const host = new MptcpHost({ interfaces: [{ addresses: [parseAddress(link.v4.stack)!], mtu: driver.mtu }], random: cryptoRandom });
      // The TUN driver, counting our data segments (every one it sends) and those that declare a mapping.
      const count = new MappingCount(() => true);
      const counting: PacketDriver = {
        name: driver.name,
        mtu: driver.mtu,
        get stats() {
          return driver.stats;
        },
        onPackets: (h) => driver.onPackets(h),
        onError: (h) => driver.onError(h),
        close: () => driver.close(),
        send(packet: Uint8Array): void {
          count.add(packet);
          driver.send(packet);
        },
      };
      const length = 1_000_000;
      const mine = pattern(length, 11, 1);
      const app = new App(mine);
      const loop = realTimeLoop(host, counting, (e) => app.onEvent(e));
      const peer = kernelPeer(["python3", "-c", SLOW_READER, link.v4.kernel], children);
      app.conn = host.connect(parseAddress(link.v4.kernel)!, await peer.port, loop.now());
      loop.drain();
      const result = await peer.result;
      await loop.close();
      const conn = app.conn;
      assert.equal(conn.mode, "mptcp", `kernel fell back: ${conn.fallbackReason}`);
      assert.equal(result.received, length);
      assert.equal(result.sha256, sha256(mine));
      assert.equal(host.counters.DSSNotMatching, 0, JSON.stringify(nonZeroCounters(host.counters)));
      // The kernel's window limited us (its 32 KB buffer against 1 MB), and mappings still span
      // many segments: one declared per at least five data segments (about two without mapping
      // ahead; every one with the DSS on every segment).
      assert.ok(count.declaring * 5 < count.data, `${count.declaring} mappings declared over ${count.data} data segments`);
    } finally {
      await driver.close();
    }
  });
});

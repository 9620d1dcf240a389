/**
 * The TUN driver against the real kernel: the kernel routes datagrams into the device and the
 * driver reads them; the driver writes datagrams and the kernel delivers them to a socket. Runs
 * as root with /dev/net/tun; otherwise every test is skipped with the reason.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { DriverError } from "../../src/io/driver.js";
import { openTun } from "../../src/io/tun.js";
import { addressEquals, parseAddress } from "../../src/wire/address.js";
import { parseUdpPacket, pattern, udpPacket } from "./packets.js";
import type { UdpView } from "./packets.js";
import { configureKernelSide, deleteDevice, deviceExists, ip, threadCount, tunSkipReason, uniqueLink, until } from "./util.js";

const skip = tunSkipReason();
if (skip) console.log(`# TUN tests skipped: ${skip}`);

/** Every device any test here made, deleted at the end whatever happened. */
const made: string[] = [];
after(() => {
  for (const device of made) deleteDevice(device);
});

async function setUp(opts: { mtu?: number; maxBatch?: number; maxBatchesInFlight?: number } = {}) {
  const link = uniqueLink();
  made.push(link.device);
  const driver = await openTun({ device: link.device, ...opts });
  try {
    configureKernelSide(link.device, link.v4.kernel, link.v6.kernel);
  } catch (e) {
    await driver.close();
    throw e;
  }
  const packets: Uint8Array[] = [];
  const batches: number[] = [];
  driver.onPackets((ps) => {
    batches.push(ps.length);
    packets.push(...ps);
  });
  return { link, driver, packets, batches };
}

/** The UDP datagrams to `port` among what the driver read (the kernel also sends MLD and the like). */
function udpTo(packets: Uint8Array[], port: number): UdpView[] {
  return packets.map(parseUdpPacket).filter((u): u is UdpView => u !== undefined && u.dstPort === port);
}

async function socketOn(family: 4 | 6, address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket(family === 4 ? "udp4" : "udp6");
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, address, () => resolve());
  });
  return s;
}

async function closeSocket(s: dgram.Socket): Promise<void> {
  await new Promise<void>((r) => s.close(() => r()));
}

// The timeout only keeps a broken test from hanging the run; no test measures time.
describe("TUN driver", { skip, timeout: 60_000 }, () => {
  for (const family of [4, 6] as const) {
    test(`IPv${family}: the kernel routes a datagram into the device and the driver reads it`, async () => {
      const { link, driver, packets } = await setUp();
      const addrs = family === 4 ? link.v4 : link.v6;
      const s = await socketOn(family, addrs.kernel);
      try {
        const payload = pattern(family, 1000);
        s.send(payload, 9999, addrs.stack);
        await until(() => udpTo(packets, 9999).length > 0, "the datagram in the TUN");
        const [u] = udpTo(packets, 9999);
        assert.equal(u!.ip.version, family);
        assert.ok(addressEquals(u!.ip.src, parseAddress(addrs.kernel)!));
        assert.ok(addressEquals(u!.ip.dst, parseAddress(addrs.stack)!));
        assert.equal(u!.srcPort, s.address().port);
        assert.deepEqual(u!.payload, payload);
        assert.ok(u!.checksumOk);
        assert.ok(driver.stats.rxPackets >= 1);
        assert.equal(driver.stats.rxMalformed, 0);
      } finally {
        await closeSocket(s);
        await driver.close();
      }
    });

    test(`IPv${family}: a datagram the driver writes is delivered by the kernel to a socket`, async () => {
      const { link, driver } = await setUp();
      const addrs = family === 4 ? link.v4 : link.v6;
      const s = await socketOn(family, addrs.kernel);
      try {
        const received: Array<{ msg: Buffer; from: dgram.RemoteInfo }> = [];
        s.on("message", (msg, from) => received.push({ msg, from }));
        const payload = pattern(10 + family, 1200);
        const packet = udpPacket(parseAddress(addrs.stack)!, parseAddress(addrs.kernel)!, 4242, s.address().port, payload);
        driver.send(packet);
        assert.equal(driver.stats.txPackets, 1);
        assert.equal(driver.stats.txBytes, packet.length);
        await until(() => received.length > 0, "the datagram at the socket");
        assert.deepEqual(new Uint8Array(received[0]!.msg), payload);
        assert.equal(received[0]!.from.address, addrs.stack);
        assert.equal(received[0]!.from.port, 4242);
      } finally {
        await closeSocket(s);
        await driver.close();
      }
    });
  }

  test("a burst arrives in batches, in order, within the in-flight limit", async () => {
    const { link, driver, packets, batches } = await setUp({ maxBatch: 8, maxBatchesInFlight: 1 });
    const s = await socketOn(4, link.v4.kernel);
    try {
      // Under the device's queue of 500: none is dropped however late the reader is.
      for (let i = 0; i < 300; i++) s.send(pattern(i, 100 + i), 7777, link.v4.stack);
      await until(() => udpTo(packets, 7777).length === 300, "300 datagrams");
      const got = udpTo(packets, 7777);
      got.forEach((u, i) => assert.deepEqual(u.payload, pattern(i, 100 + i), `datagram ${i}`));
      assert.ok(batches.every((n) => n >= 1 && n <= 8), `batch sizes ${batches.join(",")}`);
      assert.ok(batches.length < packets.length, `${packets.length} packets in ${batches.length} batches`);
      assert.equal(driver.stats.rxBatches, batches.length);
    } finally {
      await closeSocket(s);
      await driver.close();
    }
  });

  test("two devices at once, each with its own reader and its own traffic", async () => {
    const one = await setUp();
    const two = await setUp();
    const s1 = await socketOn(4, one.link.v4.kernel);
    const s2 = await socketOn(4, two.link.v4.kernel);
    try {
      s1.send(pattern(21, 300), 6001, one.link.v4.stack);
      s2.send(pattern(22, 300), 6001, two.link.v4.stack);
      await until(() => udpTo(one.packets, 6001).length > 0 && udpTo(two.packets, 6001).length > 0, "a datagram on each");
      assert.deepEqual(udpTo(one.packets, 6001).map((u) => u.payload), [pattern(21, 300)]);
      assert.deepEqual(udpTo(two.packets, 6001).map((u) => u.payload), [pattern(22, 300)]);
    } finally {
      await Promise.all([closeSocket(s1), closeSocket(s2)]);
      await Promise.all([one.driver.close(), two.driver.close()]);
    }
    assert.equal(deviceExists(one.link.device) || deviceExists(two.link.device), false);
  });

  // Node delivers a worker's messages in one loop until the port's queue is empty (at least 1000
  // of them): a reader credited at once kept it full, and other devices and timers waited.
  test("a flooded device hands the event loop back after at most 2 × maxBatchesInFlight batches", async () => {
    const { link, driver } = await setUp({ maxBatch: 1, maxBatchesInFlight: 2 });
    let run = 0;
    let longest = 0;
    let got = 0;
    let flooding = true;
    // A turn of the event loop ends with its immediates: between two, `run` counts the batches
    // delivered without the loop getting a chance to serve anything else.
    const tick = (): void => {
      run = 0;
      if (flooding) setImmediate(tick);
    };
    setImmediate(tick);
    driver.onPackets((ps) => {
      got += udpTo(ps, 7777).length;
      longest = Math.max(longest, ++run);
      // A consumer slower than the reader, as the stack under a bulk transfer.
      const until = performance.now() + 0.2;
      while (performance.now() < until);
    });
    const flood = `const s = require("node:dgram").createSocket("udp4");
      s.bind(0, "${link.v4.kernel}", () => {
        for (let i = 0; i < 400; i++) s.send(Buffer.alloc(32, i), 7777, "${link.v4.stack}", i === 399 ? () => s.close() : undefined);
      });`;
    try {
      execFileSync(process.execPath, ["-e", flood]);
      await until(() => got === 400, "400 datagrams", 20_000);
      assert.ok(longest >= 2, `the reader ran ahead of the consumer (longest run ${longest})`);
      assert.ok(longest <= 4, `${longest} batches in one turn`);
    } finally {
      flooding = false;
      await driver.close();
    }
  });

  test("a stalled consumer makes the kernel drop at the device, not the driver buffer", async () => {
    const link = uniqueLink();
    made.push(link.device);
    const driver = await openTun({ device: link.device, maxBatch: 8, maxBatchesInFlight: 1 });
    const txDropped = () => Number(readFileSync(`/sys/class/net/${link.device}/statistics/tx_dropped`, "utf8"));
    const received: Uint8Array[] = [];
    let stalled = false;
    driver.onPackets((ps) => {
      received.push(...ps);
      if (stalled) return;
      stalled = true;
      // Block this thread while another process floods the device: the reader has no credit
      // left, so it reads nothing, and the device queue of 50 overflows.
      const flood = `const s = require("node:dgram").createSocket("udp4");
        s.bind(0, "${link.v4.kernel}", () => {
          for (let i = 0; i < 300; i++) s.send(Buffer.alloc(64, i), 7777, "${link.v4.stack}", i === 299 ? () => s.close() : undefined);
        });`;
      execFileSync(process.execPath, ["-e", flood]);
    });
    ip("addr", "add", `${link.v4.kernel}/30`, "dev", link.device);
    ip("link", "set", link.device, "up", "txqueuelen", "50");
    const before = txDropped();
    const s = await socketOn(4, link.v4.kernel);
    try {
      // Whatever arrives first (this datagram, or the kernel's IPv6 multicast report) stalls.
      s.send(new Uint8Array(8), 7777, link.v4.stack);
      await until(() => stalled && txDropped() > before, "drops at the device");
      // The queue drains once the handler returns; each datagram was delivered or dropped.
      await until(() => udpTo(received, 7777).length + (txDropped() - before) >= 301, "every datagram accounted for");
      const delivered = udpTo(received, 7777).length;
      assert.ok(delivered > 1 && delivered < 301, `${delivered} delivered`);
      assert.ok(delivered <= 1 + 50 + 8, `${delivered} delivered: no more than the device queue and one batch`);
    } finally {
      await closeSocket(s);
      await driver.close();
    }
  });

  test("the MTU is set on the device; a larger datagram is not sent", async () => {
    const { link, driver } = await setUp({ mtu: 1400 });
    try {
      assert.equal(driver.mtu, 1400);
      assert.match(ip("link", "show", link.device), /mtu 1400 /);
      const src = parseAddress(link.v4.stack)!;
      const dst = parseAddress(link.v4.kernel)!;
      driver.send(udpPacket(src, dst, 1, 9, new Uint8Array(1400 - 28 + 1)));
      assert.equal(driver.stats.txErrors, 1);
      assert.equal(driver.stats.txPackets, 0);
      driver.send(udpPacket(src, dst, 1, 9, new Uint8Array(1400 - 28)));
      assert.equal(driver.stats.txPackets, 1);
    } finally {
      await driver.close();
    }
  });

  test("close stops the reader thread and deletes the device it created", async () => {
    // Start the libuv pool now, so its threads do not appear in the middle of the count.
    await readFile("/proc/self/status");
    const threadsBefore = threadCount();
    const { link, driver } = await setUp();
    assert.equal(driver.created, true);
    assert.equal(driver.name, `tun:${link.device}`);
    assert.ok(deviceExists(link.device));
    assert.ok(threadCount() > threadsBefore, "a reader thread while open");
    const closed = driver.close();
    assert.equal(driver.close(), closed, "close is idempotent");
    await closed;
    assert.equal(threadCount(), threadsBefore, "no thread left");
    assert.equal(deviceExists(link.device), false);
    driver.send(new Uint8Array(20));
    assert.equal(driver.stats.txErrors, 1);
  });

  test("a persistent device is attached to and left in place", async () => {
    const link = uniqueLink();
    made.push(link.device);
    ip("tuntap", "add", link.device, "mode", "tun");
    const driver = await openTun({ device: link.device });
    assert.equal(driver.created, false);
    await driver.close();
    assert.ok(deviceExists(link.device));
    deleteDevice(link.device);
  });

  test("a %d template lets the kernel pick the name", async () => {
    const driver = await openTun({ device: `mtst${process.pid % 100000}t%d` });
    made.push(driver.device);
    try {
      assert.match(driver.device, new RegExp(`^mtst${process.pid % 100000}t\\d+$`));
      assert.ok(deviceExists(driver.device));
    } finally {
      await driver.close();
    }
    assert.equal(deviceExists(driver.device), false);
  });

  test("a device already attached elsewhere is busy; a TAP device is not a TUN device", async () => {
    const { link, driver } = await setUp();
    const tap = uniqueLink().device;
    made.push(tap);
    try {
      await assert.rejects(openTun({ device: link.device }), (e: unknown) => e instanceof DriverError && e.kind === "busy" && e.code === "EBUSY");
      ip("tuntap", "add", tap, "mode", "tap");
      await assert.rejects(openTun({ device: tap }), (e: unknown) => e instanceof DriverError && e.kind === "invalid" && e.code === "EINVAL");
    } finally {
      await driver.close();
      deleteDevice(tap);
    }
  });

  test("a device deleted under the driver is reported once through onError", async () => {
    const { link, driver } = await setUp();
    const errors: DriverError[] = [];
    driver.onError((e) => errors.push(e));
    ip("link", "del", link.device);
    await until(() => errors.length > 0, "the error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.kind, "io");
    assert.match(errors[0]!.message, new RegExp(link.device));
    await driver.close();
    assert.equal(errors.length, 1);
  });
});

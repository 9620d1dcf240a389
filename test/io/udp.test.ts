import { describe, test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { DriverError } from "../../src/io/driver.js";
import { openUdp, parseUdpPath } from "../../src/io/udp.js";
import type { UdpDriver } from "../../src/io/udp.js";
import { parseAddress } from "../../src/wire/address.js";
import { parseIpPacket } from "../../src/wire/ip.js";
import { isParseError } from "../../src/wire/error.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { pattern, tcpPacket, udpPacket } from "./packets.js";
import { until } from "./util.js";

const A4 = parseAddress("10.9.1.1")!;
const B4 = parseAddress("10.9.1.2")!;
const A6 = parseAddress("fd00:9::1")!;
const B6 = parseAddress("fd00:9::2")!;

/** A port free on `host` right now (bound and released; loopback only, so the race is moot). */
async function freePort(host: string): Promise<number> {
  const s = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Two drivers over loopback, each connected to the other. */
async function pair(host: string, opts: { mtu?: number } = {}): Promise<[UdpDriver, UdpDriver]> {
  const portA = await freePort(host);
  const b = await openUdp({ local: { host, port: 0 }, remote: { host, port: portA }, ...opts });
  const a = await openUdp({ local: { host, port: portA }, remote: { host, port: b.localPort }, ...opts });
  return [a, b];
}

/** Sends `packets` from `from`, a few per event-loop turn so no socket buffer overflows. */
async function sendAll(from: UdpDriver, to: UdpDriver, packets: Uint8Array[]): Promise<void> {
  for (let i = 0; i < packets.length; i += 25) {
    for (const p of packets.slice(i, i + 25)) from.send(p);
    const want = Math.min(i + 25, packets.length);
    await until(() => to.stats.rxPackets + to.stats.rxDropped >= want, `${want} datagrams`);
  }
}

describe("UDP driver over loopback", () => {
  for (const [outer, inner] of [["127.0.0.1", [A4, B4]], ["::1", [A6, B6]], ["::1", [A4, B4]]] as const) {
    test(`IPv${inner[0].length === 4 ? 4 : 6} TCP packets over ${outer}: order, bytes, batches`, async () => {
      const [a, b] = await pair(outer, { mtu: 9000 });
      try {
        const got: Uint8Array[] = [];
        const batches: number[] = [];
        b.onPackets((ps) => {
          batches.push(ps.length);
          got.push(...ps);
        });
        const sent = Array.from({ length: 200 }, (_, i) => tcpPacket(inner[0], inner[1], i, (i * 37) % 1400));
        await sendAll(a, b, sent);
        assert.equal(got.length, sent.length);
        for (let i = 0; i < sent.length; i++) {
          assert.deepEqual(got[i], sent[i], `packet ${i}`);
          assert.equal(Object.getPrototypeOf(got[i]), Uint8Array.prototype, "a plain Uint8Array, not a Buffer");
        }
        const seg = parseIpPacket(got[7]!);
        assert.ok(!isParseError(seg));
        const tcp = parseTcp(seg.payload);
        assert.ok(!isParseError(tcp));
        assert.deepEqual(tcp.payload, pattern(7, 7 * 37));
        assert.ok(batches.length < got.length, `${got.length} packets in ${batches.length} batches`);
        assert.equal(b.stats.rxBatches, batches.length);
        assert.equal(b.stats.rxPackets, 200);
        assert.equal(b.stats.rxBytes, sent.reduce((n, p) => n + p.length, 0));
        assert.equal(a.stats.txPackets, 200);
        assert.equal(a.stats.txBytes, b.stats.rxBytes);
        assert.equal(b.stats.rxDropped, 0);
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  test("both directions at once", async () => {
    const [a, b] = await pair("127.0.0.1");
    try {
      const atA: Uint8Array[] = [];
      const atB: Uint8Array[] = [];
      a.onPackets((ps) => atA.push(...ps));
      b.onPackets((ps) => atB.push(...ps));
      const toB = udpPacket(A4, B4, 1000, 2000, pattern(1, 100));
      const toA = udpPacket(B4, A4, 2000, 1000, pattern(2, 100));
      a.send(toB);
      b.send(toA);
      await until(() => atA.length === 1 && atB.length === 1, "one datagram each way");
      assert.deepEqual(atB[0], toB);
      assert.deepEqual(atA[0], toA);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("malformed datagrams are counted and dropped, the rest delivered", async () => {
    const [a, b] = await pair("127.0.0.1");
    try {
      const got: Uint8Array[] = [];
      b.onPackets((ps) => got.push(...ps));
      const good = udpPacket(A4, B4, 1, 2, pattern(3, 50));
      const shortLength = good.slice();
      shortLength[3]! -= 1; // IPv4 total length one less than the datagram
      const v5 = good.slice();
      v5[0] = 0x55;
      const v6Bad = tcpPacket(A6, B6, 1, 10);
      v6Bad[5]! += 1; // IPv6 payload length one more than carried
      for (const p of [good, shortLength, v5, new Uint8Array([0x45]), v6Bad, good]) a.send(p);
      await until(() => b.stats.rxPackets + b.stats.rxDropped === 6, "six datagrams");
      assert.deepEqual(got, [good, good]);
      assert.equal(b.stats.rxMalformed, 4);
      assert.equal(b.stats.rxDropped, 4);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("datagrams with no handler set are dropped and counted", async () => {
    const [a, b] = await pair("127.0.0.1");
    try {
      a.send(udpPacket(A4, B4, 1, 2, pattern(4, 10)));
      await until(() => b.stats.rxDropped === 1, "the drop");
      assert.equal(b.stats.rxPackets, 0);
      assert.equal(b.stats.rxMalformed, 0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("send refuses a datagram over the MTU; the default MTU leaves room for the outer headers", async () => {
    const [a, b] = await pair("127.0.0.1");
    const [c, d] = await pair("::1");
    try {
      assert.equal(a.mtu, 1472);
      assert.equal(c.mtu, 1452);
      a.send(tcpPacket(A4, B4, 1, 1472 - 52 + 1));
      assert.equal(a.stats.txErrors, 1);
      assert.equal(a.stats.txPackets, 0);
      const fits = tcpPacket(A4, B4, 1, 1472 - 52);
      assert.equal(fits.length, 1472);
      const got: Uint8Array[] = [];
      b.onPackets((ps) => got.push(...ps));
      a.send(fits);
      await until(() => got.length === 1, "the datagram that fits");
      assert.deepEqual(got[0], fits);
    } finally {
      await Promise.all([a.close(), b.close(), c.close(), d.close()]);
    }
  });

  test("close releases the port, stops delivery, and send afterwards counts an error", async () => {
    const [a, b] = await pair("127.0.0.1");
    const port = b.localPort;
    let closing = false;
    let late = 0;
    b.onPackets(() => {
      if (closing) late++;
    });
    a.send(udpPacket(A4, B4, 1, 2, pattern(5, 10)));
    const closed = b.close();
    closing = true;
    assert.equal(b.close(), closed, "close is idempotent");
    await closed;
    a.send(udpPacket(A4, B4, 1, 2, pattern(5, 10)));
    b.send(udpPacket(B4, A4, 2, 1, pattern(6, 10)));
    assert.equal(b.stats.txErrors, 1);
    // Rebinding the same port exclusively works only if the socket is really gone.
    const again = await openUdp({ local: { host: "127.0.0.1", port }, remote: { host: "127.0.0.1", port: a.localPort } });
    await again.close();
    await a.close();
    assert.equal(late, 0, "nothing delivered once close was called");
  });

  test("a bound port is busy for a second driver", async () => {
    const [a, b] = await pair("127.0.0.1");
    try {
      await assert.rejects(
        openUdp({ local: { host: "127.0.0.1", port: a.localPort }, remote: { host: "127.0.0.1", port: 9 } }),
        (e: unknown) => e instanceof DriverError && e.kind === "busy" && e.code === "EADDRINUSE" && !e.message.includes("\n"),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("an absent peer is counted as refused, not raised", async () => {
    const port = await freePort("127.0.0.1");
    const a = await openUdp({ local: { host: "127.0.0.1", port: 0 }, remote: { host: "127.0.0.1", port } });
    try {
      let errors = 0;
      a.onError(() => errors++);
      a.send(udpPacket(A4, B4, 1, 2, pattern(7, 10)));
      await until(() => a.refused > 0, "ICMP port unreachable");
      assert.equal(errors, 0);
    } finally {
      await a.close();
    }
  });

  test("bad options are rejected with a one-line DriverError", async () => {
    const invalid = (e: unknown) => e instanceof DriverError && e.kind === "invalid" && !e.message.includes("\n");
    const local = { host: "127.0.0.1", port: 0 };
    const remote = { host: "127.0.0.1", port: 9 };
    await assert.rejects(openUdp({ local: { host: "localhost", port: 0 }, remote }), invalid);
    await assert.rejects(openUdp({ local, remote: { host: "::1", port: 9 } }), invalid);
    await assert.rejects(openUdp({ local, remote: { host: "127.0.0.1", port: 0 } }), invalid);
    await assert.rejects(openUdp({ local, remote, mtu: 67 }), invalid);
    await assert.rejects(openUdp({ local, remote, mtu: 65508 }), invalid);
    await assert.rejects(openUdp({ local: { host: "192.0.2.1", port: 0 }, remote: { host: "192.0.2.2", port: 9 } }), invalid);
  });
});

describe("parseUdpPath (the --udp flag)", () => {
  test("stack address defaults to the local UDP address", () => {
    assert.deepEqual(parseUdpPath("127.0.0.1:7001=127.0.0.2:7001"), {
      stackAddress: "127.0.0.1",
      local: { host: "127.0.0.1", port: 7001 },
      remote: { host: "127.0.0.2", port: 7001 },
    });
  });

  test("an explicit stack address, IPv6 endpoints in brackets", () => {
    assert.deepEqual(parseUdpPath("fd00::1@[::1]:7001=[::1]:7101"), {
      stackAddress: "fd00::1",
      local: { host: "::1", port: 7001 },
      remote: { host: "::1", port: 7101 },
    });
    assert.deepEqual(parseUdpPath("10.0.0.1@[::1]:0=[::1]:1").stackAddress, "10.0.0.1");
  });

  for (const bad of [
    "", "127.0.0.1:7001", "127.0.0.1=127.0.0.2:1", "127.0.0.1:1=127.0.0.2:1=x", "::1:7001=::1:7002",
    "[127.0.0.1]:1=[::1]:2", "host:1=127.0.0.1:2", "127.0.0.1:70000=127.0.0.1:1", "nope@127.0.0.1:1=127.0.0.1:2",
  ]) {
    test(`rejects "${bad}"`, () => {
      assert.throws(() => parseUdpPath(bad), (e: unknown) => e instanceof DriverError && e.kind === "invalid");
    });
  }
});

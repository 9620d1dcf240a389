import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkIpDatagram, DriverError } from "../../src/io/driver.js";
import { checkDeviceName, openTun, parseTunPath } from "../../src/io/tun.js";
import { parseAddress } from "../../src/wire/address.js";
import { tcpPacket, udpPacket } from "./packets.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

const A4 = parseAddress("192.0.2.1")!;
const B4 = parseAddress("192.0.2.2")!;
const A6 = parseAddress("2001:db8::1")!;
const B6 = parseAddress("2001:db8::2")!;

describe("checkIpDatagram", () => {
  test("accepts emitted IPv4 and IPv6 packets of every size", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 2000 }), fc.nat(), (v6, n, seed) => {
        const p = v6 ? tcpPacket(A6, B6, seed, n) : udpPacket(A4, B4, 1, 2, new Uint8Array(n));
        assert.equal(checkIpDatagram(p), undefined);
      }),
    );
  });

  test("says why a datagram is not one IP packet", () => {
    const v4 = udpPacket(A4, B4, 1, 2, new Uint8Array(10));
    const v6 = tcpPacket(A6, B6, 1, 10);
    assert.match(checkIpDatagram(new Uint8Array(0))!, /0 bytes/);
    assert.match(checkIpDatagram(v4.subarray(0, 19))!, /19 bytes/);
    assert.match(checkIpDatagram(v4.subarray(0, v4.length - 1))!, /total length 38 in 37 bytes/);
    assert.match(checkIpDatagram(Uint8Array.of(...v4, 0))!, /total length 38 in 39 bytes/);
    const ihl4 = v4.slice();
    ihl4[0] = 0x44;
    assert.match(checkIpDatagram(ihl4)!, /header length 16/);
    const ihl15 = v4.slice(0, 24);
    ihl15[0] = 0x4f;
    ihl15[3] = 24;
    assert.match(checkIpDatagram(ihl15)!, /header length 60 beyond total length 24/);
    assert.match(checkIpDatagram(v6.subarray(0, 39))!, /shorter than an IPv6 header/);
    assert.match(checkIpDatagram(v6.subarray(0, v6.length - 1))!, /IPv6 payload length/);
    const v0 = v4.slice();
    v0[0] = 0x05;
    assert.equal(checkIpDatagram(v0), "IP version 0");
  });

  test("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const r = checkIpDatagram(bytes);
        assert.ok(r === undefined || typeof r === "string");
      }),
    );
  });
});

describe("TUN names and the --tun flag", () => {
  test("parseTunPath splits DEV=ADDR", () => {
    assert.deepEqual(parseTunPath("mptcp0=10.0.1.2"), { device: "mptcp0", stackAddress: "10.0.1.2" });
    assert.deepEqual(parseTunPath("t1=fd00::2"), { device: "t1", stackAddress: "fd00::2" });
  });

  for (const bad of ["mptcp0", "=10.0.0.1", "mptcp0=", "mptcp0=host", "a/b=10.0.0.1", "0123456789abcdef=10.0.0.1"]) {
    test(`parseTunPath rejects "${bad}"`, () => {
      assert.throws(() => parseTunPath(bad), (e: unknown) => e instanceof DriverError && e.kind === "invalid");
    });
  }

  test("device names follow the kernel's rules", () => {
    for (const ok of ["t", "mptcp0", "0123456789abcde", "mp%d", "é"]) checkDeviceName(ok);
    for (const bad of ["", "0123456789abcdef", ".", "..", "a b", "a:b", "a/b", "a%s", "%d%d", "ééééééééé"]) {
      assert.throws(() => checkDeviceName(bad), (e: unknown) => e instanceof DriverError && e.kind === "invalid", bad);
    }
  });

  test("openTun rejects bad options before touching the system", async () => {
    const invalid = (e: unknown) => e instanceof DriverError && e.kind === "invalid";
    await assert.rejects(openTun({ device: "a:b" }), invalid);
    await assert.rejects(openTun({ device: "mtstbad", mtu: 67 }), invalid);
    await assert.rejects(openTun({ device: "mtstbad", mtu: 65536 }), invalid);
    await assert.rejects(openTun({ device: "mtstbad", maxBatch: 0 }), invalid);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ADD_ADDR_HMAC_LENGTH, addAddrHmac, hmacSha256 } from "../../src/crypto/index.js";
import { readU64, writeU16 } from "../../src/wire/bytes.js";
import { keyBytes } from "../../src/crypto/index.js";
import { parseAddress } from "../../src/wire/address.js";
import { V1, V1_IPV6, V1_PORT } from "./vectors.js";
import { runs } from "../support/fuzz.js";

describe("ADD_ADDR HMAC (RFC 8684 §3.4.1)", () => {
  const { addrId, addr, hmac } = V1.addAddr;

  test("live Linux 6.18: ADD_ADDR from the server, id 1, 10.0.2.1, no port", () => {
    const h = addAddrHmac(V1.keyB, V1.keyA, addrId, Uint8Array.from(addr), undefined);
    assert.equal(h.length, ADD_ADDR_HMAC_LENGTH);
    assert.equal(readU64(h, 0), hmac);
  });

  test("Linux 6.18: ADD_ADDR 10.0.2.1 with port 10100 (kernel-add-addr-port.pcap)", () => {
    const { addrId, addr, port, hmac } = V1_PORT.addAddr;
    assert.equal(readU64(addAddrHmac(V1_PORT.keyB, V1_PORT.keyA, addrId, Uint8Array.from(addr), port), 0), hmac);
  });

  test("Linux 6.18: ADD_ADDR fd00:2::1 without port (kernel-ipv6.pcap)", () => {
    const { addrId, addr, hmac } = V1_IPV6.addAddr;
    const ip = parseAddress(addr);
    assert.ok(ip);
    assert.equal(readU64(addAddrHmac(V1_IPV6.keyB, V1_IPV6.keyA, addrId, ip, undefined), 0), hmac);
  });

  test("it is the rightmost 64 bits, not the leftmost", () => {
    const h = addAddrHmac(V1.keyB, V1.keyA, addrId, Uint8Array.from(addr), undefined);
    assert.notEqual(readU64(h, 0), V1.addAddrLeftmost);
    const full = hmacSha256(
      Uint8Array.from([...keyBytes(V1.keyB), ...keyBytes(V1.keyA)]),
      Uint8Array.of(addrId, ...addr, 0, 0),
    );
    assert.equal(readU64(full, 0), V1.addAddrLeftmost);
  });

  test("the key order is sender‖receiver", () => {
    const h = addAddrHmac(V1.keyA, V1.keyB, addrId, Uint8Array.from(addr), undefined);
    assert.notEqual(readU64(h, 0), hmac);
  });

  test("no port hashes like port 0; a port changes the HMAC", () => {
    const a = Uint8Array.from(addr);
    assert.deepEqual(addAddrHmac(V1.keyB, V1.keyA, 1, a, undefined), addAddrHmac(V1.keyB, V1.keyA, 1, a, 0));
    assert.notDeepEqual(addAddrHmac(V1.keyB, V1.keyA, 1, a, undefined), addAddrHmac(V1.keyB, V1.keyA, 1, a, 10000));
  });

  test("IPv4 and IPv6, with and without a port: message AddrID‖IP‖Port(2)", () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const address = fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }));
    fc.assert(
      fc.property(u64, u64, fc.integer({ min: 0, max: 255 }), address, fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }), (ks, kr, id, ip, port) => {
        const msg = new Uint8Array(1 + ip.length + 2);
        msg[0] = id;
        msg.set(ip, 1);
        writeU16(msg, 1 + ip.length, port ?? 0);
        const full = hmacSha256(Uint8Array.from([...keyBytes(ks), ...keyBytes(kr)]), msg);
        assert.deepEqual(addAddrHmac(ks, kr, id, ip, port), full.subarray(24));
      }),
      { numRuns: runs(100) },
    );
  });
});

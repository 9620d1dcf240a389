import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ParseError } from "../../src/wire/error.js";
import { decodeLinkLayer } from "../../src/wire/pcap/link-layer.js";
import { LinkType } from "../../src/wire/pcap/packet.js";
import { concat } from "./builders.js";

const ipv4 = Uint8Array.of(0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2);
const ipv6 = concat(Uint8Array.of(0x60, 0, 0, 0, 0, 0, 6, 64), new Uint8Array(32));
const macs = new Uint8Array(12).fill(0xaa);
const be16 = (v: number): Uint8Array => Uint8Array.of(v >>> 8, v & 0xff);

function expectIp(result: Uint8Array | null | ParseError, ip: Uint8Array): void {
  assert.ok(result instanceof Uint8Array, `expected an IP packet, got ${String(result)}`);
  assert.deepEqual(result, ip);
}

function expectError(result: Uint8Array | null | ParseError, layer: string, reason: string): void {
  assert.ok(result instanceof ParseError, `expected an error, got ${String(result)}`);
  assert.equal(result.layer, layer);
  assert.equal(result.reason, reason);
}

describe("decodeLinkLayer", () => {
  test("raw IP link types", () => {
    for (const t of [LinkType.RAW, LinkType.RAW_DLT12, LinkType.RAW_DLT14]) {
      expectIp(decodeLinkLayer(t, ipv4), ipv4);
      expectIp(decodeLinkLayer(t, ipv6), ipv6);
      assert.equal(decodeLinkLayer(t, Uint8Array.of(0x10, 0)), null);
      expectError(decodeLinkLayer(t, new Uint8Array(0)), "raw", "truncated");
    }
    expectIp(decodeLinkLayer(LinkType.IPV4, ipv4), ipv4);
    expectIp(decodeLinkLayer(LinkType.IPV6, ipv6), ipv6);
  });

  test("Ethernet, untagged and with stacked VLAN tags, as a view", () => {
    const frame = concat(macs, be16(0x0800), ipv4);
    const ip = decodeLinkLayer(LinkType.ETHERNET, frame);
    expectIp(ip, ipv4);
    assert.equal((ip as Uint8Array).buffer, frame.buffer);
    expectIp(decodeLinkLayer(LinkType.ETHERNET, concat(macs, be16(0x8100), be16(5), be16(0x86dd), ipv6)), ipv6);
    const qinq = concat(macs, be16(0x88a8), be16(100), be16(0x8100), be16(200), be16(0x0800), ipv4);
    expectIp(decodeLinkLayer(LinkType.ETHERNET, qinq), ipv4);
  });

  test("Ethernet carrying something else, or cut short", () => {
    assert.equal(decodeLinkLayer(LinkType.ETHERNET, concat(macs, be16(0x0806), new Uint8Array(28))), null);
    assert.equal(decodeLinkLayer(LinkType.ETHERNET, concat(macs, be16(46), new Uint8Array(46))), null);
    expectError(decodeLinkLayer(LinkType.ETHERNET, new Uint8Array(13)), "ethernet", "truncated");
    expectError(decodeLinkLayer(LinkType.ETHERNET, concat(macs, be16(0x8100), be16(1))), "ethernet", "truncated");
  });

  test("Linux cooked capture v1 and v2", () => {
    const sll = (proto: number): Uint8Array => concat(Uint8Array.of(0, 0, 0, 1, 0, 6), new Uint8Array(8), be16(proto));
    expectIp(decodeLinkLayer(LinkType.LINUX_SLL, concat(sll(0x0800), ipv4)), ipv4);
    expectIp(decodeLinkLayer(LinkType.LINUX_SLL, concat(sll(0x86dd), ipv6)), ipv6);
    expectIp(decodeLinkLayer(LinkType.LINUX_SLL, concat(sll(0x8100), be16(7), be16(0x0800), ipv4)), ipv4);
    assert.equal(decodeLinkLayer(LinkType.LINUX_SLL, concat(sll(0x0806), new Uint8Array(28))), null);
    expectError(decodeLinkLayer(LinkType.LINUX_SLL, new Uint8Array(15)), "sll", "truncated");
    const sll2 = (proto: number): Uint8Array => concat(be16(proto), new Uint8Array(18));
    expectIp(decodeLinkLayer(LinkType.LINUX_SLL2, concat(sll2(0x86dd), ipv6)), ipv6);
    expectIp(decodeLinkLayer(LinkType.LINUX_SLL2, concat(sll2(0x0800), ipv4)), ipv4);
    assert.equal(decodeLinkLayer(LinkType.LINUX_SLL2, concat(sll2(0x0806), new Uint8Array(28))), null);
    expectError(decodeLinkLayer(LinkType.LINUX_SLL2, new Uint8Array(19)), "sll2", "truncated");
  });

  test("BSD null loopback in either host order, and OpenBSD loop in network order", () => {
    expectIp(decodeLinkLayer(LinkType.NULL, concat(Uint8Array.of(2, 0, 0, 0), ipv4)), ipv4);
    expectIp(decodeLinkLayer(LinkType.NULL, concat(Uint8Array.of(0, 0, 0, 2), ipv4)), ipv4);
    for (const af6 of [24, 28, 30]) {
      expectIp(decodeLinkLayer(LinkType.NULL, concat(Uint8Array.of(af6, 0, 0, 0), ipv6)), ipv6);
      expectIp(decodeLinkLayer(LinkType.NULL, concat(Uint8Array.of(0, 0, 0, af6), ipv6)), ipv6);
    }
    assert.equal(decodeLinkLayer(LinkType.NULL, concat(Uint8Array.of(7, 0, 0, 0), ipv4)), null);
    expectIp(decodeLinkLayer(LinkType.LOOP, concat(Uint8Array.of(0, 0, 0, 24), ipv6)), ipv6);
    expectError(decodeLinkLayer(LinkType.NULL, Uint8Array.of(2, 0)), "loopback", "truncated");
  });

  test("PPP with and without address/control, with a compressed protocol field", () => {
    expectIp(decodeLinkLayer(LinkType.PPP, concat(be16(0x0057), ipv6)), ipv6);
    expectIp(decodeLinkLayer(LinkType.PPP, concat(Uint8Array.of(0xff, 0x03, 0x00, 0x21), ipv4)), ipv4);
    expectIp(decodeLinkLayer(LinkType.PPP_HDLC, concat(Uint8Array.of(0x21), ipv4)), ipv4);
    assert.equal(decodeLinkLayer(LinkType.PPP, concat(be16(0xc021), new Uint8Array(4))), null);
    expectError(decodeLinkLayer(LinkType.PPP, Uint8Array.of(0xff, 0x03, 0x00)), "ppp", "truncated");
  });

  test("an unknown link type is unsupported", () => {
    expectError(decodeLinkLayer(147, ipv4), "link", "unsupported");
  });
});

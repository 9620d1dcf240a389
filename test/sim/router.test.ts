import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Router, parseCidr } from "../../src/sim/router.js";
import { parseAddress } from "../../src/wire/address.js";
import { udpDatagram } from "./toy-nodes.js";

function v6Packet(dst: string): Uint8Array {
  const p = new Uint8Array(40);
  p[0] = 0x60;
  p.set(parseAddress(dst)!, 24);
  return p;
}

const v4 = (dst: string): Uint8Array => udpDatagram("192.0.2.1", dst, 0, 60);

describe("Router", () => {
  const r = new Router({
    "0.0.0.0/0": 0,
    "10.0.0.0/8": 1,
    "10.1.0.0/16": 2,
    "10.1.2.0/24": 3,
    "10.1.2.3/32": 4,
    "10.128.0.0/9": 5,
    "::/0": 6,
    "2001:db8::/32": 7,
    "2001:db8:1::/48": 8,
    "2001:db8:1:ff80::/57": 9,
  });

  test("IPv4 longest-prefix match", () => {
    assert.equal(r.lookup(v4("10.1.2.3")), 4);
    assert.equal(r.lookup(v4("10.1.2.4")), 3);
    assert.equal(r.lookup(v4("10.1.3.1")), 2);
    assert.equal(r.lookup(v4("10.2.0.1")), 1);
    assert.equal(r.lookup(v4("10.127.255.255")), 1);
    assert.equal(r.lookup(v4("10.128.0.0")), 5);
    assert.equal(r.lookup(v4("10.255.0.1")), 5);
    assert.equal(r.lookup(v4("192.168.0.1")), 0);
  });

  test("IPv6 longest-prefix match, including a prefix that ends mid-byte", () => {
    assert.equal(r.lookup(v6Packet("2001:db8:1:ff80::1")), 9);
    assert.equal(r.lookup(v6Packet("2001:db8:1:ffff::1")), 9);
    assert.equal(r.lookup(v6Packet("2001:db8:1:ff7f::1")), 8);
    assert.equal(r.lookup(v6Packet("2001:db8:2::1")), 7);
    assert.equal(r.lookup(v6Packet("2001:db9::1")), 6);
  });

  test("no route and malformed datagrams are counted and dropped", () => {
    const only = new Router({ "10.0.0.0/8": 1 });
    only.receive(v4("11.0.0.1"), 0, 0);
    only.receive(v6Packet("::1"), 0, 0);
    only.receive(new Uint8Array([0x45, 0, 0]), 0, 0);
    only.receive(new Uint8Array(0), 0, 0);
    only.receive(new Uint8Array(40).fill(0x20), 0, 0); // version 2
    only.receive(v4("10.9.9.9"), 0, 0);
    assert.deepEqual(only.counters, { forwarded: 1, noRoute: 2, malformed: 3 });
  });

  test("forwards unchanged, in arrival order, on the routed interface", () => {
    const rr = new Router({ "10.0.0.0/8": 1, "::/0": 2 });
    const a = v4("10.0.0.1"), b = v6Packet("::2"), c = v4("10.0.0.3");
    const copyA = a.slice();
    for (const p of [a, b, c]) rr.receive(p, 0, 5);
    const out: [Uint8Array, number][] = [];
    for (let t = rr.pollTransmit(5); t !== undefined; t = rr.pollTransmit(5)) out.push([t.packet, t.iface]);
    assert.deepEqual(out, [[a, 1], [b, 2], [c, 1]]);
    assert.deepEqual(a, copyA); // TTL not decremented
    assert.equal(rr.pollTimeout(), undefined);
  });

  test("equal prefixes: the route added first wins", () => {
    const rr = new Router();
    rr.addRoute("10.0.0.0/8", 1);
    rr.addRoute("10.0.0.0/8", 2);
    assert.equal(rr.lookup(v4("10.1.1.1")), 1);
  });

  test("host bits beyond the prefix length are ignored", () => {
    const rr = new Router({ "10.1.2.3/8": 1 });
    assert.equal(rr.lookup(v4("10.200.0.0")), 1);
  });

  test("parseCidr and addRoute reject malformed prefixes", () => {
    assert.deepEqual(parseCidr("10.0.0.1"), { prefix: parseAddress("10.0.0.1"), prefixLength: 32, iface: 0 });
    assert.throws(() => parseCidr("10.0.0/8"), RangeError);
    assert.throws(() => parseCidr("10.0.0.0/x"), RangeError);
    assert.throws(() => new Router({ "10.0.0.0/33": 0 }), RangeError);
    assert.throws(() => new Router({ "::/129": 0 }), RangeError);
    assert.throws(() => new Router({ "10.0.0.0/8": -1 }), RangeError);
  });
});

/**
 * tcpOfIp: the TCP segment of a captured IP packet, whole or cut by the snap length, as `mptcp
 * dump` and `mptcp analyze` both read it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAddress } from "../../src/wire/address.js";
import { isParseError } from "../../src/wire/error.js";
import { emitIpv4 } from "../../src/wire/ipv4.js";
import { emitIpv6, IPV6_NEXT_HEADER } from "../../src/wire/ipv6.js";
import { tcpOfIp } from "../../src/wire/pcap/captured-tcp.js";
import { payload } from "./builders.js";

const A4 = parseAddress("192.0.2.1")!;
const B4 = parseAddress("198.51.100.2")!;
const A6 = parseAddress("2001:db8::1")!;
const B6 = parseAddress("2001:db8::2")!;
/** A 20-byte TCP header (data offset 5) and 1000 bytes of payload. */
const SEGMENT = payload(1020);
SEGMENT[12] = 5 << 4;

function found(r: ReturnType<typeof tcpOfIp>): { tcp: Uint8Array; wireLen: number } {
  assert.ok(r !== undefined && !isParseError(r), `a segment, got ${String(r)}`);
  return r;
}

describe("tcpOfIp", () => {
  test("an IPv4 packet whole, and snapped: the wire length from the total length, the captured bytes as they are", () => {
    const ip = emitIpv4({ src: A4, dst: B4, protocol: 6, options: Uint8Array.of(1, 1, 1, 1) }, SEGMENT);
    const whole = found(tcpOfIp(ip, false));
    assert.equal(whole.wireLen, 1020);
    assert.deepEqual(whole.tcp, SEGMENT);
    const cut = found(tcpOfIp(ip.subarray(0, 96), true));
    assert.equal(cut.wireLen, 1020);
    assert.deepEqual(cut.tcp, SEGMENT.subarray(0, 96 - 24));
    assert.ok(isParseError(tcpOfIp(ip.subarray(0, 96), false)), "unsnapped, a short packet is an error");
  });

  test("a snapped IPv6 packet behind an extension header", () => {
    const opts = { type: IPV6_NEXT_HEADER.DESTINATION_OPTIONS, bytes: Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0) };
    const ip = emitIpv6({ src: A6, dst: B6, protocol: 6, extensionHeaders: [opts] }, SEGMENT);
    const cut = found(tcpOfIp(ip.subarray(0, 100), true));
    assert.equal(cut.wireLen, 1020);
    assert.deepEqual(cut.tcp, SEGMENT.subarray(0, 100 - 48));
    assert.deepEqual(cut.tcp.subarray(0, 20), found(tcpOfIp(ip, false)).tcp.subarray(0, 20));
    assert.ok(isParseError(tcpOfIp(ip.subarray(0, 44), true)), "the extension header cut: no TCP byte");
  });

  test("not TCP, or a fragment after the first: nothing; an IP header cut short: an error", () => {
    assert.equal(tcpOfIp(emitIpv4({ src: A4, dst: B4, protocol: 17 }, SEGMENT).subarray(0, 60), true), undefined);
    const later = emitIpv4({ src: A4, dst: B4, protocol: 6, fragmentOffset: 1480 }, SEGMENT);
    assert.equal(tcpOfIp(later.subarray(0, 60), true), undefined);
    const frag = { type: IPV6_NEXT_HEADER.FRAGMENT, bytes: Uint8Array.of(0, 0, 0x05, 0xc8, 0, 0, 0, 1) };
    assert.equal(tcpOfIp(emitIpv6({ src: A6, dst: B6, protocol: 6, extensionHeaders: [frag] }, SEGMENT).subarray(0, 90), true), undefined);
    assert.ok(isParseError(tcpOfIp(emitIpv4({ src: A4, dst: B4, protocol: 6 }, SEGMENT).subarray(0, 16), true)));
    assert.ok(isParseError(tcpOfIp(emitIpv6({ src: A6, dst: B6, protocol: 6 }, SEGMENT).subarray(0, 36), true)));
  });
});

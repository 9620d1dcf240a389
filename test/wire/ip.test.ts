import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/wire/bytes.js";
import { ParseError } from "../../src/wire/error.js";
import { IPPROTO_TCP, emitIp, emitIpHeaderInto, emitIpv6, ipHeaderLength, parseIpPacket } from "../../src/wire/ip.js";
import type { IpHeader, IpRepr } from "../../src/wire/ip.js";
import { emitTcpInto, parseTcp, tcpHeaderLength } from "../../src/wire/tcp.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { TcpRepr } from "../../src/wire/tcp-types.js";

// Linux 6.18 MPTCP SYNs on loopback (IPv4 and IPv6), checksums confirmed by tshark.
const SYN_TCP4 = "c3b415e1fc7d14d300000000b002ffd73ad100000204ffd70402080a96b76486000000000103030a1e040101";
const SYN4 = fromHex("45000040009d400040063c197f0000017f000001" + SYN_TCP4);
const LOOPBACK6 = "00000000000000000000000000000001";
const SYN_TCP6 = "815a15e2bb5a483c00000000b002ffc4056f00000204ffc40402080aba93c446000000000103030a1e040101";
const SYN6 = fromHex("60037bd8002c0640" + LOOPBACK6 + LOOPBACK6 + SYN_TCP6);

function common(r: IpRepr): unknown {
  return { version: r.version, src: toHex(r.src), dst: toHex(r.dst), protocol: r.protocol, payload: toHex(r.payload), isFragment: r.isFragment };
}

describe("parseIpPacket", () => {
  test("dispatches on the version nibble; both reprs share the common fields", () => {
    const r4 = parseIpPacket(SYN4, { verifyChecksum: true }) as IpRepr;
    assert.deepEqual(common(r4), { version: 4, src: "7f000001", dst: "7f000001", protocol: 6, payload: SYN_TCP4, isFragment: false });
    const r6 = parseIpPacket(SYN6, { verifyChecksum: true }) as IpRepr;
    assert.deepEqual(common(r6), { version: 6, src: LOOPBACK6, dst: LOOPBACK6, protocol: 6, payload: SYN_TCP6, isFragment: false });
  });

  test("the TCP segment inside verifies against the packet's addresses", () => {
    for (const pkt of [SYN4, SYN6]) {
      const ip = parseIpPacket(pkt) as IpRepr;
      assert.ok(!(parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } }) instanceof ParseError));
    }
  });

  test("errors: empty input, unknown version, and the version's own errors", () => {
    const empty = parseIpPacket(new Uint8Array(0));
    assert.ok(empty instanceof ParseError && empty.layer === "ip" && empty.reason === "truncated");
    const v5 = parseIpPacket(fromHex("50"));
    assert.ok(v5 instanceof ParseError && v5.reason === "unsupported" && v5.field === "version");
    const short4 = parseIpPacket(SYN4.subarray(0, 30));
    assert.ok(short4 instanceof ParseError && short4.layer === "ipv4");
    const bad = SYN4.slice();
    bad[8] = 1;
    const sum = parseIpPacket(bad, { verifyChecksum: true });
    assert.ok(sum instanceof ParseError && sum.reason === "bad-checksum");
  });
});

describe("building IP packets around a segment", () => {
  test("emitIp picks the version from the address length and re-creates the captures", () => {
    const r4 = parseIpPacket(SYN4) as IpRepr;
    const r6 = parseIpPacket(SYN6) as IpRepr;
    assert.equal(toHex(emitIp(r4, r4.payload)), toHex(SYN4));
    assert.equal(toHex(emitIp(r6, r6.payload)), toHex(SYN6));
    assert.equal(toHex(emitIpv6({ src: r6.src, dst: r6.dst, protocol: 6, flowLabel: 0x37bd8 }, r6.payload)), toHex(SYN6));
  });

  test("one buffer, no copies: TCP written after the room for the IP header, then the header", () => {
    const seg: TcpRepr = {
      srcPort: 1234,
      dstPort: 80,
      seq: 1,
      ack: 2,
      flags: TCP_FLAG.ACK,
      window: 100,
      checksum: 0,
      urgentPointer: 0,
      options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 5, tsEcr: 6 }],
      payload: fromHex("68656c6c6f"),
    };
    for (const [src, dst] of [
      [fromHex("0a000001"), fromHex("0a000002")],
      [fromHex("20010db8000000000000000000000001"), fromHex("20010db8000000000000000000000002")],
    ] as const) {
      const hdr: IpHeader = { src, dst, protocol: IPPROTO_TCP };
      const hl = ipHeaderLength(hdr);
      const buf = new Uint8Array(hl + tcpHeaderLength(seg) + seg.payload.length);
      const n = emitTcpInto(buf, hl, seg, src, dst);
      assert.equal(emitIpHeaderInto(buf, 0, hdr, n), hl);
      const ip = parseIpPacket(buf, { verifyChecksum: true }) as IpRepr;
      assert.equal(ip.version, src.length === 4 ? 4 : 6);
      const tcp = parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } }) as TcpRepr;
      assert.deepEqual(tcp, { ...seg, checksum: tcp.checksum });
    }
  });
});

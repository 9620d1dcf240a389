import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { emitIpv4, emitIpv6 } from "../../src/wire/ip.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { drain, host, ip, packet, seg } from "./util.js";
import { runs } from "../support/fuzz.js";

const syn = seg({ srcPort: 40000, dstPort: 80, seq: 1, flags: TCP_FLAG.SYN });

describe("receive drops and counts what it cannot use", () => {
  test("each reason has its counter and nothing is sent", () => {
    const h = host([["10.0.0.2", "2001:db8::2"]]);
    h.listen(80);
    const good = packet("10.0.0.1", "10.0.0.2", syn);

    const badIpSum = good.slice();
    badIpSum[10]! ^= 0xff;
    h.receive(badIpSum, 0, 0);

    const badTcpSum = good.slice();
    badTcpSum[20 + 16]! ^= 0xff;
    h.receive(badTcpSum, 0, 0);

    h.receive(good.subarray(0, 10), 0, 0);
    h.receive(good.subarray(0, 30), 0, 0); // IPv4 total length beyond the buffer
    const shortTcp = emitIpv4({ src: ip("10.0.0.1"), dst: ip("10.0.0.2"), protocol: 6 }, new Uint8Array(8));
    h.receive(shortTcp, 0, 0);
    h.receive(emitIpv4({ src: ip("10.0.0.1"), dst: ip("10.0.0.2"), protocol: 17 }, new Uint8Array(8)), 0, 0);
    h.receive(emitIpv6({ src: ip("2001:db8::1"), dst: ip("2001:db8::2"), protocol: 17 }, new Uint8Array(8)), 0, 0);
    h.receive(emitIpv4({ src: ip("10.0.0.1"), dst: ip("10.0.0.2"), protocol: 6, moreFragments: true, dontFragment: false }, good.subarray(20)), 0, 0);
    h.receive(packet("10.0.0.1", "10.0.0.9", syn), 0, 0);
    h.receive(new Uint8Array([0x75, 0, 0, 0]), 0, 0);

    assert.deepEqual(drain(h, 0), []);
    const c = h.counters;
    assert.deepEqual(
      {
        ipIn: c.ipIn, dropIpChecksum: c.dropIpChecksum, dropTcpChecksum: c.dropTcpChecksum, dropIpMalformed: c.dropIpMalformed,
        dropTcpMalformed: c.dropTcpMalformed, dropNotTcp: c.dropNotTcp, dropFragment: c.dropFragment, dropNotLocal: c.dropNotLocal, tcpIn: c.tcpIn,
      },
      { ipIn: 10, dropIpChecksum: 1, dropTcpChecksum: 1, dropIpMalformed: 3, dropTcpMalformed: 1, dropNotTcp: 2, dropFragment: 1, dropNotLocal: 1, tcpIn: 0 },
    );
    assert.equal(h.connectionCount, 0);
  });
});

describe("receive never throws", () => {
  test("random datagrams, and random mutations of valid ones, are dropped or handled", () => {
    const h = host([["10.0.0.2"]]);
    h.listen(80);
    const valid = packet("10.0.0.1", "10.0.0.2", syn);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (junk, flips) => {
        h.receive(junk, 0, 0);
        const p = valid.slice();
        for (const [i, v] of flips) p[i] = v;
        h.receive(p, 0, 0);
        for (let t = h.pollTransmit(0); t !== undefined; t = h.pollTransmit(0));
      }),
      { numRuns: runs(500) },
    );
    // Every datagram has exactly one outcome, and each outcome is counted.
    const c = h.counters;
    const dropped = c.dropIpMalformed + c.dropIpChecksum + c.dropFragment + c.dropNotLocal + c.dropNotTcp + c.dropTcpMalformed + c.dropTcpChecksum;
    const handled = c.tcpIn + c.dropSynQueueFull + c.dropBacklogFull + c.rstSent + c.dropRstForNothing + c.dropListen + c.dropAcceptOverflow;
    assert.equal(dropped + handled, c.ipIn);
    assert.ok(dropped > 0);
  });
});

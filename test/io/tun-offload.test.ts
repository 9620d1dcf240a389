/**
 * Segmentation offload of the TUN driver: the virtio-net header codec, the joining of TCP
 * segments into super-segments (checked byte for byte, and against a reference segmentation that
 * cuts them up again as the kernel's GSO would), and, as root, a TCP transfer through a TUN
 * device opened with offload to a kernel socket.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import fc from "fast-check";
import { completeChecksum, GsoJoiner } from "../../src/io/gso.js";
import { openTun } from "../../src/io/tun.js";
import {
  emitVnetHeader, parseVnetHeader, PLAIN_VNET_HEADER, VNET_F_NEEDS_CSUM, VNET_GSO_NONE, VNET_GSO_TCPV4, VNET_GSO_TCPV6, VNET_HDR_LEN,
} from "../../src/io/vnet.js";
import type { VnetHeader } from "../../src/io/vnet.js";
import { createStack } from "../../src/runtime/stack.js";
import { checksumAdd, checksumFinish, internetChecksum, pseudoHeaderSum } from "../../src/wire/checksum.js";
import { isParseError } from "../../src/wire/error.js";
import { configureKernelSide, deleteDevice, tunSkipReason, uniqueLink } from "./util.js";
import { runs } from "../support/fuzz.js";

describe("virtio-net header", () => {
  test("emits the legacy 10-byte layout, 16-bit fields little-endian", () => {
    const out = new Uint8Array(12).fill(0xee);
    emitVnetHeader({ flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 0x0034, gsoSize: 0x05a8, csumStart: 0x0014, csumOffset: 0x0010 }, out, 1);
    assert.deepEqual([...out], [0xee, 0x01, 0x01, 0x34, 0x00, 0xa8, 0x05, 0x14, 0x00, 0x10, 0x00, 0xee]);
  });

  test("parses what it emits", () => {
    const h: VnetHeader = { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV6, hdrLen: 72, gsoSize: 1428, csumStart: 40, csumOffset: 16 };
    const bytes = new Uint8Array(VNET_HDR_LEN + 100);
    emitVnetHeader(h, bytes);
    assert.deepEqual(parseVnetHeader(bytes), h);
    emitVnetHeader(PLAIN_VNET_HEADER, bytes);
    assert.deepEqual([...bytes.subarray(0, VNET_HDR_LEN)], new Array(VNET_HDR_LEN).fill(0));
  });

  test("returns a typed error for a short header, an unknown GSO type, or a checksum beyond the end", () => {
    const short = parseVnetHeader(new Uint8Array(9));
    assert.ok(isParseError(short) && short.reason === "truncated");
    const unknown = parseVnetHeader(Uint8Array.of(0, 2, 0, 0, 0, 0, 0, 0, 0, 0));
    assert.ok(isParseError(unknown) && unknown.field === "gso_type");
    const beyond = new Uint8Array(VNET_HDR_LEN + 30);
    emitVnetHeader({ ...PLAIN_VNET_HEADER, flags: VNET_F_NEEDS_CSUM, csumStart: 20, csumOffset: 16 }, beyond);
    assert.ok(isParseError(parseVnetHeader(beyond)));
  });
});

// ---------------------------------------------------------------------------------------------
// Segments built by hand, and the reference segmentation.
// ---------------------------------------------------------------------------------------------

const ACK = 0x10;
const PSH = 0x08;
const SRC4 = Uint8Array.of(10, 0, 0, 2);
const DST4 = Uint8Array.of(10, 0, 0, 1);
const SRC6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xfd : i === 15 ? 2 : 0));
const DST6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xfd : i === 15 ? 1 : 0));

interface Seg {
  v6?: boolean;
  seq: number;
  payload: Uint8Array;
  flags?: number;
  ack?: number;
  /** TCP options, a multiple of 4 bytes. */
  options?: Uint8Array;
  id?: number;
}

/** An IPv4 (DF, TTL 64) or IPv6 datagram carrying one TCP segment, checksums right. */
function segment(s: Seg): Uint8Array {
  const opts = s.options ?? new Uint8Array(0);
  const ipLen = s.v6 ? 40 : 20;
  const tcpLen = 20 + opts.length;
  const p = new Uint8Array(ipLen + tcpLen + s.payload.length);
  const v = new DataView(p.buffer);
  if (s.v6) {
    p[0] = 0x60;
    v.setUint16(4, tcpLen + s.payload.length);
    p[6] = 6;
    p[7] = 64;
    p.set(SRC6, 8);
    p.set(DST6, 24);
  } else {
    p[0] = 0x45;
    v.setUint16(2, p.length);
    v.setUint16(4, s.id ?? 0);
    p[6] = 0x40;
    p[8] = 64;
    p[9] = 6;
    p.set(SRC4, 12);
    p.set(DST4, 16);
    v.setUint16(10, internetChecksum(p, 0, 20));
  }
  v.setUint16(ipLen, 40000);
  v.setUint16(ipLen + 2, 5201);
  v.setUint32(ipLen + 4, s.seq >>> 0);
  v.setUint32(ipLen + 8, s.ack ?? 777);
  p[ipLen + 12] = (tcpLen / 4) << 4;
  p[ipLen + 13] = s.flags ?? ACK;
  v.setUint16(ipLen + 14, 512);
  p.set(opts, ipLen + 20);
  p.set(s.payload, ipLen + tcpLen);
  const src = s.v6 ? SRC6 : SRC4;
  const dst = s.v6 ? DST6 : DST4;
  v.setUint16(ipLen + 16, checksumFinish(checksumAdd(pseudoHeaderSum(src, dst, 6, tcpLen + s.payload.length), p, ipLen)));
  return p;
}

/**
 * What the kernel's GSO makes of a write (tcp_gso_segment()): a plain datagram as it is; a
 * super-segment cut into `gsoSize` pieces with the headers copied, the sequence number advanced,
 * lengths and checksums redone, PSH only on the last piece, the IPv4 identification counting up.
 */
function resegment(write: Uint8Array): Uint8Array[] {
  const h = parseVnetHeader(write);
  assert.ok(!isParseError(h));
  const d = write.slice(VNET_HDR_LEN);
  if (h.gsoType === VNET_GSO_NONE) {
    assert.equal(h.flags, 0);
    return [d];
  }
  assert.equal(h.flags, VNET_F_NEEDS_CSUM);
  const ipLen = h.csumStart;
  const v6 = h.gsoType === VNET_GSO_TCPV6;
  assert.equal(ipLen, v6 ? 40 : 20);
  assert.equal(h.csumOffset, 16);
  // The partial checksum: the pseudo-header sum over the super-segment's TCP length.
  const src = d.subarray(v6 ? 8 : 12, v6 ? 24 : 16);
  const dst = d.subarray(v6 ? 24 : 16, v6 ? 40 : 20);
  assert.equal((d[ipLen + 16]! << 8) | d[ipLen + 17]!, pseudoHeaderSum(src, dst, 6, d.length - ipLen) & 0xffff);
  if (!v6) assert.equal(internetChecksum(d, 0, 20), 0, "IPv4 header checksum of the super-segment");
  const out: Uint8Array[] = [];
  const dv = new DataView(d.buffer);
  const seq0 = dv.getUint32(ipLen + 4);
  const id0 = v6 ? 0 : dv.getUint16(4);
  const flags = d[ipLen + 13]!;
  for (let off = h.hdrLen, i = 0; off < d.length; off += h.gsoSize, i++) {
    const body = d.subarray(off, Math.min(d.length, off + h.gsoSize));
    const last = off + body.length === d.length;
    const s = segment({
      v6,
      seq: seq0 + (off - h.hdrLen),
      payload: body,
      flags: last ? flags : flags & ~PSH,
      ack: dv.getUint32(ipLen + 8),
      options: d.slice(ipLen + 20, h.hdrLen),
      id: (id0 + i) & 0xffff,
    });
    out.push(s);
  }
  return out;
}

/** Pushes `packets` through a joiner and returns every write it asks for. */
function joinAll(packets: Uint8Array[], joiner = new GsoJoiner()): Uint8Array[] {
  const writes: Uint8Array[] = [];
  for (const p of packets) {
    const w = joiner.push(p);
    // A copy: the joiner reuses its buffers.
    if (w !== undefined) writes.push(w.slice());
  }
  const last = joiner.flush();
  if (last !== undefined) writes.push(last.slice());
  return writes;
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
/** A DSS option as Linux sends it (Data ACK 64 and a 64-bit DSN mapping), and a NOP-padded TS. */
const DSS = Uint8Array.of(0x1e, 0x1c, 0x20, 0x0f, ...bytes(24, 5));
const TS = Uint8Array.of(1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0);

describe("GsoJoiner", () => {
  test("joins three segments of one mapping into one write, byte for byte", () => {
    const opts = Uint8Array.of(...TS, ...DSS);
    const segs = [
      segment({ seq: 1000, payload: bytes(100, 1), options: opts, id: 7 }),
      segment({ seq: 1100, payload: bytes(100, 2), options: opts, id: 8 }),
      segment({ seq: 1200, payload: bytes(60, 3), options: opts, id: 9, flags: ACK | PSH }),
    ];
    const joiner = new GsoJoiner();
    const writes = joinAll(segs, joiner);
    assert.equal(writes.length, 1);
    const w = writes[0]!;
    const headers = 20 + 20 + opts.length;
    // virtio-net: NEEDS_CSUM, TCPV4, headers, MSS 100, checksum at 20 + 16.
    assert.deepEqual([...w.subarray(0, VNET_HDR_LEN)], [1, 1, headers, 0, 100, 0, 20, 0, 16, 0]);
    const d = w.subarray(VNET_HDR_LEN);
    assert.equal(d.length, headers + 260);
    assert.deepEqual([d[2], d[3]], [(headers + 260) >> 8, (headers + 260) & 0xff]);
    // The first segment's identification stays; the header checksum is redone.
    assert.deepEqual([d[4], d[5]], [0, 7]);
    assert.equal(internetChecksum(d, 0, 20), 0);
    assert.deepEqual([...d.subarray(20, 33)], [...segs[0]!.subarray(20, 33)], "ports, seq, ack, data offset");
    assert.deepEqual([...d.subarray(34, 36)], [...segs[0]!.subarray(34, 36)], "window");
    assert.equal(d[20 + 13], ACK | PSH, "the last segment's PSH");
    assert.deepEqual([...d.subarray(40, headers)], [...opts]);
    assert.deepEqual([...d.subarray(headers)], [...bytes(100, 1), ...bytes(100, 2), ...bytes(60, 3)]);
    assert.deepEqual(joiner.stats, { superSegments: 1, segments: 3 });
    assert.equal(joiner.lastSegments, 3);
    assert.equal(joiner.lastBytes, segs.reduce((a, s) => a + s.length, 0));
    // Finished as the kernel finishes a partial checksum, the TCP checksum verifies.
    completeChecksum(d, 20, 16);
    assert.equal(checksumFinish(checksumAdd(pseudoHeaderSum(SRC4, DST4, 6, d.length - 20), d, 20)), 0);
  });

  test("IPv6 segments join too", () => {
    const segs = [0, 1, 2].map((i) => segment({ v6: true, seq: 5 + i * 80, payload: bytes(80, i), options: TS }));
    const writes = joinAll(segs);
    assert.equal(writes.length, 1);
    assert.deepEqual([...writes[0]!.subarray(0, 2)], [VNET_F_NEEDS_CSUM, VNET_GSO_TCPV6]);
    assert.deepEqual(resegment(writes[0]!), segs);
  });

  const apart: [string, Seg][] = [
    ["a sequence gap", { seq: 1201, payload: bytes(100, 2) }],
    ["another acknowledgment number", { seq: 1200, payload: bytes(100, 2), ack: 778 }],
    ["other options (a new DSS mapping)", { seq: 1200, payload: bytes(100, 2), options: Uint8Array.of(...TS.subarray(0, 11), 3) }],
    ["a larger payload", { seq: 1200, payload: bytes(101, 2) }],
    ["a FIN", { seq: 1200, payload: bytes(100, 2), flags: ACK | 0x01 }],
    ["an ECE", { seq: 1200, payload: bytes(100, 2), flags: ACK | 0x40 }],
    ["no payload", { seq: 1200, payload: new Uint8Array(0) }],
    ["another address family", { v6: true, seq: 1200, payload: bytes(100, 2) }],
  ];
  for (const [what, next] of apart) {
    test(`a segment with ${what} starts a new write`, () => {
      const first = segment({ seq: 1000, payload: bytes(100, 0), options: TS, id: 0 });
      const second = segment({ seq: 1100, payload: bytes(100, 1), options: TS, id: 1 });
      const third = segment({ options: TS, id: 2, ...next });
      const writes = joinAll([first, second, third]);
      assert.equal(writes.length, 2);
      assert.deepEqual(writes.flatMap(resegment), [first, second, third]);
    });
  }

  test("SYNs, pure ACKs and non-TCP datagrams go alone, unchanged, with a plain header", () => {
    const syn = segment({ seq: 1, payload: new Uint8Array(0), flags: 0x02 });
    const pureAck = segment({ seq: 2, payload: new Uint8Array(0) });
    const udp = Uint8Array.from(segment({ seq: 2, payload: bytes(30, 0) }));
    udp[9] = 17;
    const writes = joinAll([syn, pureAck, udp, pureAck]);
    assert.equal(writes.length, 4);
    for (const [i, p] of [syn, pureAck, udp, pureAck].entries()) {
      assert.deepEqual([...writes[i]!.subarray(0, VNET_HDR_LEN)], new Array(VNET_HDR_LEN).fill(0));
      assert.deepEqual(writes[i]!.subarray(VNET_HDR_LEN), p);
    }
  });

  test("a write never exceeds the largest IP datagram", () => {
    const segs = Array.from({ length: 60 }, (_, i) => segment({ seq: i * 1448, payload: bytes(1448, i), id: i }));
    const writes = joinAll(segs);
    for (const w of writes) assert.ok(w.length - VNET_HDR_LEN <= 65535);
    assert.equal(writes.length, 2);
    assert.deepEqual(writes.flatMap(resegment), segs);
  });

  test("property: cutting the writes up again as GSO does gives back every segment, in order", () => {
    const step = fc.record({
      kind: fc.constantFrom("next", "next", "next", "gap", "opts", "short", "push", "ack", "v6"),
      size: fc.integer({ min: 1, max: 1448 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 1448 }), fc.array(step, { minLength: 1, maxLength: 80 }), (mss, steps) => {
        let seq = 0xfffff000; // crosses the 2^32 wrap
        let ack = 1;
        let opts = TS;
        const segs: Uint8Array[] = [];
        for (const [i, s] of steps.entries()) {
          if (s.kind === "gap") seq = (seq + 7) >>> 0;
          if (s.kind === "opts") opts = Uint8Array.of(...TS.subarray(0, 11), i & 0xff);
          if (s.kind === "ack") ack++;
          const size = s.kind === "short" ? Math.min(s.size, mss) : mss;
          const flags = s.kind === "push" ? ACK | PSH : ACK;
          // IPv4 identifications count up within a run, as Linux's do and GSO's output does.
          segs.push(segment({ v6: s.kind === "v6", seq, payload: bytes(size, i), flags, ack, options: opts, id: i }));
          seq = (seq + size) >>> 0;
        }
        const writes = joinAll(segs);
        const back = writes.flatMap(resegment);
        assert.equal(back.length, segs.length);
        // The identification of a piece is the first's plus its index, so compare without it.
        const noId = (p: Uint8Array) => (p[0] === 0x45 ? [...p.subarray(0, 4), ...p.subarray(6, 10), ...p.subarray(12)] : [...p]);
        assert.deepEqual(back.map(noId), segs.map(noId));
      }),
      { numRuns: runs(200) },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// As root: the kernel takes the super-segments in.
// ---------------------------------------------------------------------------------------------

const skip = tunSkipReason();
const made: string[] = [];
after(() => {
  for (const device of made) deleteDevice(device);
});

// The timeout only keeps a broken test from hanging the run; no test measures time.
describe("TUN driver with offload", { skip, timeout: 60_000 }, () => {
  test("a TCP transfer both ways with a kernel socket: every byte intact, super-segments both ways", async () => {
    const link = uniqueLink();
    made.push(link.device);
    const driver = await openTun({ device: link.device, offload: true });
    const kernelGot = createHash("sha256");
    let kernelBytes = 0;
    const size = 3_000_000;
    const sent = Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 11)) & 0xff);
    const back = Uint8Array.from({ length: size }, (_, i) => (i * 13 + 1) & 0xff);
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on("data", (d: Buffer) => {
        kernelGot.update(d);
        kernelBytes += d.length;
      });
      s.on("end", () => s.end(back));
    });
    const stack = createStack({ drivers: [{ driver, address: link.v4.stack }], mptcp: { enabled: false } });
    try {
      configureKernelSide(link.device, link.v4.kernel);
      await new Promise<void>((r) => server.listen(0, link.v4.kernel, () => r()));
      const port = (server.address() as net.AddressInfo).port;
      const ours = createHash("sha256");
      let ourBytes = 0;
      await new Promise<void>((resolve, reject) => {
        const socket = stack.connect({ host: link.v4.kernel, port, allowHalfOpen: true });
        socket.on("data", (d: Uint8Array) => {
          ours.update(d);
          ourBytes += d.length;
        });
        socket.once("end", () => resolve());
        socket.once("error", reject);
        socket.end(sent);
      });
      assert.equal(kernelBytes, size);
      assert.equal(kernelGot.digest("hex"), createHash("sha256").update(sent).digest("hex"));
      assert.equal(ourBytes, size);
      assert.equal(ours.digest("hex"), createHash("sha256").update(back).digest("hex"));
      const g = driver.gsoStats!;
      assert.ok(g.superSegments > 0 && g.segments > g.superSegments, `joined ${g.segments} segments in ${g.superSegments} writes`);
      assert.ok(g.received > 0, "the kernel sent super-segments");
      assert.equal(driver.stats.txErrors, 0);
      assert.equal(driver.stats.rxMalformed, 0);
    } finally {
      server.close();
      await stack.close();
    }
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checksumAdd, checksumFinish, internetChecksum, pseudoHeaderSum } from "../../src/wire/checksum.js";
import { isParseError } from "../../src/wire/error.js";
import { Ipv4Packet, emitIpv4 } from "../../src/wire/ipv4.js";
import { emitTcp, parseTcp, parseTcpIn } from "../../src/wire/tcp.js";
import { parseTcpOptions, parseTcpOptionsIn } from "../../src/wire/tcp-options.js";
import type { TcpRepr } from "../../src/wire/tcp-types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { runs } from "../support/fuzz.js";

const SRC = new Uint8Array([10, 0, 0, 1]);
const DST = new Uint8Array([10, 0, 0, 2]);

/** Byte-at-a-time RFC 1071 reference. */
function reference(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i++) sum += i % 2 === 0 ? b[i]! << 8 : b[i]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** `bytes` at offset `at` of a larger buffer filled with `fill`. */
function embed(bytes: Uint8Array, at: number, after: number, fill: number): Uint8Array {
  const buf = new Uint8Array(at + bytes.length + after).fill(fill);
  buf.set(bytes, at);
  return buf;
}

const segment: TcpRepr = {
  srcPort: 40000,
  dstPort: 80,
  seq: 0xfffffff0,
  ack: 0x80000001,
  flags: TCP_FLAG.ACK | TCP_FLAG.PSH,
  window: 512,
  checksum: 0,
  urgentPointer: 0,
  options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 0x90000000, tsEcr: 7 }],
  payload: Uint8Array.from({ length: 300 }, (_, i) => (i * 31) & 0xff),
};

describe("parseTcpIn reads a segment in place", () => {
  test("a segment inside a datagram parses as its copy does, with the payload a view of the datagram", () => {
    const bytes = emitTcp(segment, SRC, DST);
    const buf = embed(bytes, 20, 6, 0xee);
    const inPlace = parseTcpIn(buf, 20, 20 + bytes.length, pseudoHeaderSum(SRC, DST, 6, bytes.length));
    assert.ok(!isParseError(inPlace));
    assert.deepEqual(inPlace, parseTcp(bytes, { checksum: { src: SRC, dst: DST } }));
    assert.equal(inPlace.payload.buffer, buf.buffer);
    assert.equal(inPlace.payload.byteOffset, 20 + 32);
  });

  test("any bytes at any offset give what parseTcp gives on a copy, errors included", () => {
    const valid = emitTcp(segment, SRC, DST);
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.constant(valid)),
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.nat(7),
        fc.nat(5),
        fc.boolean(),
        (base, flips, at, after, verify) => {
          const bytes = base.slice();
          for (const [i, v] of flips) if (i < bytes.length) bytes[i] = v;
          const buf = embed(bytes, at, after, 0xa5);
          const pseudo = verify ? pseudoHeaderSum(SRC, DST, 6, bytes.length) : undefined;
          const expected = parseTcp(bytes, verify ? { checksum: { src: SRC, dst: DST } } : undefined);
          assert.deepEqual(parseTcpIn(buf, at, at + bytes.length, pseudo), expected);
        },
      ),
      { numRuns: runs(400) },
    );
  });

  test("parseTcpOptionsIn of an area in place equals parseTcpOptions of its copy", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(5), (area, at) => {
        const buf = embed(area, at, 3, 0x08);
        assert.deepEqual(parseTcpOptionsIn(buf, at, at + area.length), parseTcpOptions(area.slice()));
      }),
      { numRuns: runs(400) },
    );
  });
});

describe("Ipv4Packet.pseudoHeaderSum", () => {
  test("verifies the TCP checksum exactly as the pseudo-header built from the fields does", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(3),
        (src, dst, protocol, payload, optionWords) => {
          const options = new Uint8Array(optionWords * 4).fill(1);
          const packet = Ipv4Packet.check(emitIpv4({ src, dst, protocol, options }, payload));
          assert.ok(!isParseError(packet));
          const fromFields = pseudoHeaderSum(src, dst, protocol, payload.length);
          assert.equal(
            checksumFinish(checksumAdd(packet.pseudoHeaderSum(), payload)),
            checksumFinish(checksumAdd(fromFields, payload)),
          );
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe("checksumAdd over views of several buffers", () => {
  test("going back and forth between three buffers and offsets gives the reference sum each time", () => {
    const a = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);
    const b = Uint8Array.from({ length: 2048 }, (_, i) => (i * 13 + 1) & 0xff);
    const c = Uint8Array.from({ length: 1100 }, (_, i) => (i * 3 + 5) & 0xff);
    const buffers = [a, b, c];
    fc.assert(
      fc.property(fc.nat(2), fc.nat(1000), fc.integer({ min: 64, max: 100 }), (which, start, len) => {
        const v = buffers[which]!.subarray(start, start + len);
        assert.equal(internetChecksum(v), reference(v));
      }),
      { numRuns: runs(300) },
    );
  });

  test("a buffer that shrank since it was last summed is summed correctly", () => {
    const ResizableBuffer = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
    const buffer = new ResizableBuffer(1024, { maxByteLength: 1024 });
    const bytes = new Uint8Array(buffer, 0, 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 5 + 11) & 0xff;
    const late = bytes.subarray(512, 1024);
    assert.equal(internetChecksum(late), reference(late));
    buffer.resize(200);
    const early = new Uint8Array(buffer, 64, 128);
    assert.equal(internetChecksum(early), reference(early.slice()));
  });
});

describe("parseTcpOptionsIn", () => {
  test("the NOP, NOP, timestamps layout and its near misses parse as the general rules say", () => {
    const area = Uint8Array.from([1, 1, 8, 10, 0x90, 0, 0, 1, 0, 0, 0, 2]);
    assert.deepEqual(parseTcpOptionsIn(area, 0, 12), [
      { kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 0x90000001, tsEcr: 2 },
    ]);
    // A timestamps option of the wrong length, and the layout cut short, take the general path.
    const badLength = area.slice();
    badLength[3] = 12;
    assert.equal(parseTcpOptionsIn(badLength, 0, 12)[2]!.kind, "malformed");
    assert.deepEqual(parseTcpOptionsIn(area, 0, 11).map((o) => o.kind), ["nop", "nop", "malformed"]);
    const shifted = Uint8Array.from([1, ...area.subarray(0, 11)]);
    assert.deepEqual(parseTcpOptionsIn(shifted, 0, 12).map((o) => o.kind), ["nop", "nop", "nop", "malformed"]);
  });
});

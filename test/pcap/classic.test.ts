import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CaptureParser } from "../../src/wire/pcap/parser.js";
import { classicPcap, payload } from "./builders.js";
import { collect } from "./collect.js";

describe("classic pcap", () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [false, true]) {
      test(`${littleEndian ? "little" : "big"}-endian, ${nanosecond ? "ns" : "µs"}`, () => {
        const frac = nanosecond ? 123456789 : 654321;
        const file = classicPcap({ littleEndian, nanosecond, linkType: 1 }, [
          { sec: 1700000000, frac, data: payload(60, 1) },
          { sec: 4294967295, frac: 0, data: payload(3, 9), origLen: 1500 },
        ]);
        const { packets, fatal, skipped } = collect(file);
        assert.equal(fatal, undefined);
        assert.deepEqual(skipped, []);
        assert.equal(packets.length, 2);
        const [a, b] = packets;
        assert.equal(a!.tsSec, 1700000000);
        assert.equal(a!.tsNsec, nanosecond ? 123456789 : 654321000);
        assert.equal(a!.time, 1700000000 + a!.tsNsec / 1e9);
        assert.equal(a!.linkType, 1);
        assert.equal(a!.interfaceId, 0);
        assert.deepEqual(a!.data, payload(60, 1));
        assert.equal(a!.origLen, 60);
        assert.equal(b!.tsSec, 4294967295);
        assert.equal(b!.tsNsec, 0);
        assert.deepEqual(b!.data, payload(3, 9));
        assert.equal(b!.origLen, 1500);
      });
    }
  }

  test("reports the format and returns views into the pushed chunk", () => {
    const file = classicPcap({ littleEndian: true, nanosecond: false }, [{ sec: 1, frac: 2, data: payload(8) }]);
    const parser = new CaptureParser();
    parser.push(file);
    const p = parser.next();
    assert.ok(p !== undefined && !("layer" in p));
    assert.equal(parser.format, "pcap");
    assert.equal(p.data.buffer, file.buffer);
    assert.equal(parser.next(), undefined);
    assert.equal(parser.end(), undefined);
  });

  test("a fractional field past one second carries into the seconds", () => {
    const file = classicPcap({ littleEndian: true, nanosecond: false }, [{ sec: 10, frac: 2500000, data: payload(1) }]);
    const [p] = collect(file).packets;
    assert.equal(p!.tsSec, 12);
    assert.equal(p!.tsNsec, 500000000);
  });

  test("a captured length over 256 KiB is a final error naming the field", () => {
    const file = classicPcap({ littleEndian: false, nanosecond: false }, [{ sec: 1, frac: 0, data: payload(4) }]);
    const bad = file.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 262145);
    const { packets, fatal } = collect(bad);
    assert.equal(packets.length, 0);
    assert.equal(fatal?.layer, "pcap");
    assert.equal(fatal?.field, "captured packet length");
    assert.equal(fatal?.reason, "overlong");
  });

  test("a record cut short is reported by end(), with its offset", () => {
    const file = classicPcap({ littleEndian: true, nanosecond: true }, [
      { sec: 1, frac: 0, data: payload(10) },
      { sec: 2, frac: 0, data: payload(10) },
    ]);
    const { packets, fatal } = collect(file.subarray(0, file.length - 3));
    assert.equal(packets.length, 1);
    assert.equal(fatal?.reason, "truncated");
    assert.equal(fatal?.field, "record");
    assert.match(fatal!.detail, /at byte 73, inside the record at offset 50/);
  });

  test("a file header cut short, an empty input and a foreign magic are errors", () => {
    const file = classicPcap({ littleEndian: true, nanosecond: false }, []);
    assert.equal(collect(file).fatal, undefined);
    assert.equal(collect(file.subarray(0, 20)).fatal?.field, "file header");
    assert.equal(collect(new Uint8Array(0)).fatal?.reason, "truncated");
    const elf = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0);
    const fatal = collect(elf).fatal;
    assert.equal(fatal?.field, "magic number");
    assert.equal(fatal?.reason, "unsupported");
  });

  test("a major version other than 2 is unsupported", () => {
    const file = classicPcap({ littleEndian: true, nanosecond: false }, []);
    file[4] = 3;
    assert.equal(collect(file).fatal?.field, "major version");
  });

  test("final errors are returned again by every later call", () => {
    const parser = new CaptureParser();
    parser.push(Uint8Array.of(1, 2, 3, 4));
    const e = parser.next();
    assert.ok(e !== undefined && "layer" in e);
    parser.push(payload(100));
    assert.equal(parser.next(), e);
    assert.equal(parser.end(), e);
    assert.equal(parser.finalError, e);
  });
});

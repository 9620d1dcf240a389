import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaptureFileError, openPcapWriter, readCapture } from "../../src/io/capture-file.js";
import { LinkType } from "../../src/wire/pcap/packet.js";
import { PcapWriter, pcapFileHeader, pcapRecordHeader } from "../../src/wire/pcap/writer.js";
import { classicPcap, concat, payload, shb } from "./builders.js";

async function readAll(path: string): Promise<{ count: number; error: unknown }> {
  let count = 0;
  try {
    for await (const _ of readCapture(path)) count++;
  } catch (e) {
    return { count, error: e };
  }
  return { count, error: undefined };
}

function expectFileError(error: unknown, kind: string): CaptureFileError {
  assert.ok(error instanceof CaptureFileError, `expected CaptureFileError, got ${String(error)}`);
  assert.equal(error.kind, kind);
  assert.ok(!error.message.includes("\n"));
  return error;
}

describe("pcap writer", () => {
  test("header and record layout", () => {
    assert.deepEqual(
      Array.from(pcapFileHeader()),
      [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 101, 0, 0, 0],
    );
    assert.deepEqual(Array.from(pcapFileHeader(LinkType.ETHERNET, 1500).subarray(16)), [0xdc, 0x05, 0, 0, 1, 0, 0, 0]);
    assert.deepEqual(Array.from(pcapRecordHeader(0x01020304, 999999, 60, 1514)), [4, 3, 2, 1, 0x3f, 0x42, 0x0f, 0, 60, 0, 0, 0, 0xea, 5, 0, 0]);
  });

  test("splits microseconds, truncates to the snaplen, rejects times the format cannot hold", () => {
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c), { snaplen: 4 });
    w.write(12_345678, payload(10));
    assert.equal(chunks.length, 2);
    assert.deepEqual(chunks[1], concat(pcapRecordHeader(12, 345678, 4, 10), payload(4)));
    assert.throws(() => w.write(-1, payload(1)), RangeError);
    assert.throws(() => w.write(1.5, payload(1)), RangeError);
    assert.throws(() => w.write(2 ** 32 * 1e6, payload(1)), RangeError);
  });
});

describe("capture files", () => {
  const dir = mkdtempSync(join(tmpdir(), "mptcp-capfile-"));

  test("openPcapWriter and readCapture round-trip more than one write buffer", async () => {
    const path = join(dir, "big.pcap");
    const w = openPcapWriter(path);
    for (let i = 0; i < 1000; i++) w.write(1_000_000 * i + i, payload(1500, i));
    w.close();
    w.close();
    assert.throws(() => w.write(0, payload(1)));
    assert.equal(readFileSync(path).length, 24 + 1000 * (16 + 1500));
    let i = 0;
    for await (const p of readCapture(path)) {
      assert.equal(p.tsSec, i);
      assert.equal(p.tsNsec, i * 1000);
      assert.equal(p.linkType, LinkType.RAW);
      assert.deepEqual(p.data, payload(1500, i));
      i++;
    }
    assert.equal(i, 1000);
  });

  test("a missing file", async () => {
    const { error } = await readAll(join(dir, "nope.pcap"));
    assert.match(expectFileError(error, "not-found").message, /nope\.pcap: no such file/);
  });

  test("a directory is unreadable", async () => {
    expectFileError((await readAll(dir)).error, "unreadable");
  });

  test("an empty file and a text file are not captures", async () => {
    const empty = join(dir, "empty.pcap");
    writeFileSync(empty, "");
    expectFileError((await readAll(empty)).error, "not-capture");
    const text = join(dir, "notes.txt");
    writeFileSync(text, "hello, world\n");
    const e = expectFileError((await readAll(text)).error, "not-capture");
    assert.equal(e.parseError?.field, "magic number");
  });

  test("a corrupt record names the packet number and byte offset, after the good packets", async () => {
    const file = classicPcap({ littleEndian: true, nanosecond: false }, [
      { sec: 1, frac: 0, data: payload(10) },
      { sec: 2, frac: 0, data: payload(10) },
      { sec: 3, frac: 0, data: payload(10) },
    ]);
    new DataView(file.buffer).setUint32(24 + 2 * 26 + 8, 1 << 20, true);
    const path = join(dir, "corrupt.pcap");
    writeFileSync(path, file);
    const { count, error } = await readAll(path);
    assert.equal(count, 2);
    const e = expectFileError(error, "corrupt");
    assert.equal(e.packetNumber, 3);
    assert.equal(e.byteOffset, 76);
    assert.match(e.message, /packet 3 at byte 76: pcap: captured packet length: overlong/);
    const cut = join(dir, "cut.pcap");
    writeFileSync(cut, file.subarray(0, 60));
    const t = expectFileError((await readAll(cut)).error, "corrupt");
    assert.equal(t.parseError?.reason, "truncated");
    assert.equal(t.packetNumber, 2);
  });

  test("a damaged file header is named as such, not as packet 1", async () => {
    const good = classicPcap({ littleEndian: true, nanosecond: false }, [{ sec: 1, frac: 0, data: payload(10) }]);
    const cut = join(dir, "header10.pcap");
    writeFileSync(cut, good.subarray(0, 10));
    const short = expectFileError((await readAll(cut)).error, "corrupt");
    assert.match(short.message, /header10\.pcap: capture: file header: truncated \(input ends at byte 10/);
    assert.doesNotMatch(short.message, /packet/);
    assert.equal(short.packetNumber, undefined);
    assert.equal(short.byteOffset, 0);
    const version = good.slice();
    version[4] = 9;
    const bad = join(dir, "version9.pcap");
    writeFileSync(bad, version);
    const v = expectFileError((await readAll(bad)).error, "corrupt");
    assert.match(v.message, /version9\.pcap: file header: pcap: major version: unsupported/);
    const ng = join(dir, "shb.pcapng");
    writeFileSync(ng, shb(true).subarray(0, 10));
    assert.match(expectFileError((await readAll(ng)).error, "corrupt").message, /shb\.pcapng: file header: pcapng: block: truncated/);
  });

  test("cleanup", () => {
    rmSync(dir, { recursive: true, force: true });
    assert.throws(() => readFileSync(dir));
  });
});

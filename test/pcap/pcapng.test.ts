import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LinkType } from "../../src/wire/pcap/packet.js";
import { block, concat, epb, idb, opb, payload, shb, spb } from "./builders.js";
import { collect } from "./collect.js";

describe("pcapng", () => {
  for (const le of [true, false]) {
    test(`two interfaces with different link types and resolutions (${le ? "little" : "big"}-endian)`, () => {
      const file = concat(
        shb(le, [{ code: 4, value: new TextEncoder().encode("test app") }]),
        idb(le, LinkType.ETHERNET, 65535),
        idb(le, LinkType.LINUX_SLL, 0, { tsresol: 9, tsoffset: 100n }),
        idb(le, LinkType.RAW, 0, { tsresol: 0x80 | 10 }),
        // µs default: 1 700 000 000.123456 s
        epb(le, 0, 1700000000123456n, payload(60, 1), 1514),
        // ns, past 2^53 ticks: 1 700 000 001.987654321 s, plus if_tsoffset 100 s
        epb(le, 1, 1700000001987654321n, payload(44, 2)),
        // 2^-10 s ticks: 5 s + 3/1024 s = 5.0029296875 s
        epb(le, 2, 5n * 1024n + 3n, payload(20, 3), 20, [{ code: 1, value: new TextEncoder().encode("comment") }]),
      );
      const { packets, fatal, skipped } = collect(file);
      assert.equal(fatal, undefined);
      assert.deepEqual(skipped, []);
      assert.deepEqual(
        packets.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.origLen, p.data.length]),
        [
          [0, LinkType.ETHERNET, 1700000000, 123456000, 1514, 60],
          [1, LinkType.LINUX_SLL, 1700000101, 987654321, 44, 44],
          [2, LinkType.RAW, 5, 2929687, 20, 20],
        ],
      );
      assert.deepEqual(packets[1]!.data, payload(44, 2));
    });
  }

  test("a negative if_tsoffset moves timestamps back", () => {
    const file = concat(shb(true), idb(true, 101, 0, { tsresol: 3, tsoffset: -3600n }), epb(true, 0, 7200500n, payload(4)));
    const [p] = collect(file).packets;
    assert.equal(p!.tsSec, 7200 - 3600);
    assert.equal(p!.tsNsec, 500000000);
  });

  test("simple packet blocks use the first interface and its snaplen", () => {
    const file = concat(
      shb(true),
      idb(true, LinkType.RAW, 8),
      idb(true, LinkType.ETHERNET, 0),
      spb(true, 20, payload(8, 7)),
      spb(true, 5, payload(5, 1)),
    );
    const { packets, fatal } = collect(file);
    assert.equal(fatal, undefined);
    assert.deepEqual(
      packets.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.origLen, Array.from(p.data)]),
      [
        [0, LinkType.RAW, 0, 0, 20, Array.from(payload(8, 7))],
        [0, LinkType.RAW, 0, 0, 5, Array.from(payload(5, 1))],
      ],
    );
  });

  test("obsolete packet blocks are read like enhanced ones", () => {
    const file = concat(shb(false), idb(false, 1, 0), opb(false, 0, 1000001n, payload(9)));
    const [p] = collect(file).packets;
    assert.equal(p!.tsSec, 1);
    assert.equal(p!.tsNsec, 1000);
    assert.deepEqual(p!.data, payload(9));
  });

  test("name resolution, statistics, secrets and custom blocks are skipped", () => {
    const file = concat(
      shb(true),
      block(true, 4, payload(30)), // NRB
      idb(true, 101, 0),
      block(true, 5, payload(24)), // ISB
      epb(true, 0, 1n, payload(4, 1)),
      block(true, 0x0a, payload(1000)), // DSB
      block(true, 0x40000bad, payload(5)), // custom, not to be copied
      block(true, 0x12345678, new Uint8Array(0)),
      epb(true, 0, 2n, payload(4, 2)),
    );
    for (const chunks of [[], [1], [7, 13], [3000]]) {
      const { packets, fatal } = collect(file, chunks);
      assert.equal(fatal, undefined);
      assert.deepEqual(
        packets.map((p) => p.data[0]),
        [1, 2],
      );
    }
  });

  test("a second section in the other byte order restarts the interface list", () => {
    const file = concat(
      shb(true),
      idb(true, LinkType.ETHERNET, 0),
      idb(true, LinkType.RAW, 0),
      epb(true, 1, 10n, payload(4, 1)),
      shb(false),
      idb(false, LinkType.LINUX_SLL2, 0, { tsresol: 9 }),
      epb(false, 0, 20n, payload(4, 2)),
      epb(false, 1, 30n, payload(4, 3)),
    );
    const { packets, skipped, fatal } = collect(file);
    assert.equal(fatal, undefined);
    assert.deepEqual(
      packets.map((p) => [p.interfaceId, p.linkType, p.tsNsec, p.data[0]]),
      [
        [1, LinkType.RAW, 10000, 1],
        [0, LinkType.LINUX_SLL2, 20, 2],
      ],
    );
    // Interface 1 does not exist in the second section: that one block is rejected.
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]!.field, "interface id");
  });

  test("an enhanced packet block whose data overruns it is skipped with an error", () => {
    const good = epb(true, 0, 1n, payload(8));
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(20, 9, true);
    const { packets, skipped, fatal } = collect(concat(shb(true), idb(true, 1, 0), bad, good));
    assert.equal(fatal, undefined);
    assert.equal(packets.length, 1);
    assert.equal(skipped[0]?.field, "captured packet length");
    assert.equal(skipped[0]?.reason, "inconsistent");
  });

  describe("framing errors are final and name the field", () => {
    const head = concat(shb(true), idb(true, 1, 0));
    const packet = epb(true, 0, 1n, payload(8));
    const setU32 = (b: Uint8Array, off: number, v: number): Uint8Array => {
      const c = b.slice();
      new DataView(c.buffer).setUint32(off, v, true);
      return c;
    };
    const cases: [string, Uint8Array, string, string][] = [
      ["length not a multiple of 4", setU32(packet, 4, 42), "block total length", "bad-length"],
      ["length under the block's minimum", setU32(packet, 4, 28), "block total length", "bad-length"],
      ["length under any block's minimum", setU32(block(true, 99, payload(4)), 4, 8), "block total length", "bad-length"],
      ["decoded block over the limit", setU32(packet, 4, 400000), "block total length", "overlong"],
      ["trailing length differs", setU32(packet, packet.length - 4, 36), "trailing block total length", "inconsistent"],
      [
        "trailing length of a skipped block differs",
        setU32(block(true, 99, payload(8)), 16, 24),
        "trailing block total length",
        "inconsistent",
      ],
    ];
    for (const [name, bytes, field, reason] of cases) {
      test(name, () => {
        const { fatal } = collect(concat(head, bytes, packet));
        assert.equal(fatal?.layer, "pcapng");
        assert.equal(fatal?.field, field);
        assert.equal(fatal?.reason, reason);
      });
    }

    test("bad byte-order magic, unsupported major version, truncated block", () => {
      const badBom = shb(true);
      badBom[8] = 0;
      assert.equal(collect(badBom).fatal?.field, "byte-order magic");
      const v2 = shb(true);
      v2[12] = 2;
      assert.equal(collect(v2).fatal?.field, "major version");
      const cut = concat(head, packet).subarray(0, head.length + packet.length - 1);
      const r = collect(cut);
      assert.equal(r.fatal?.field, "block");
      assert.equal(r.fatal?.reason, "truncated");
      const skippedCut = concat(head, block(true, 99, payload(100))).subarray(0, head.length + 50);
      assert.equal(collect(skippedCut).fatal?.reason, "truncated");
    });

    test("option overrunning an interface description", () => {
      const bad = idb(true, 1, 0, { tsresol: 9 });
      bad[18] = 200; // the option's length
      assert.equal(collect(concat(shb(true), bad)).fatal?.field, "option length");
    });
  });
});

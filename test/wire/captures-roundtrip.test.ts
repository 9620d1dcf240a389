/**
 * Real captures as fixtures (issue [wire] item 7): every TCP option area of every segment in the
 * Linux-kernel v1 captures and the public v0 captures parses without a malformed option and
 * re-emits byte-identical, MPTCP options included.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { readCapture } from "../../src/io/capture-file.js";
import { decodeLinkLayer } from "../../src/wire/pcap/index.js";
import { isParseError } from "../../src/wire/error.js";
import { IPPROTO_TCP, parseIpPacket } from "../../src/wire/ip.js";
import { TcpPacket } from "../../src/wire/tcp.js";
import { emitTcpOptions, parseTcpOptions, tcpOptionsLength } from "../../src/wire/tcp-options.js";
import { toHex } from "../../src/wire/bytes.js";
import { fixture, sharedCapture } from "../util/paths.js";

const captures = [
  ...(existsSync(fixture("")) ? readdirSync(fixture("")).filter((f) => f.endsWith(".pcap")).map(fixture) : []),
  sharedCapture("iperf-mptcp-0-0.v0.pcap"),
  sharedCapture("pymptcpanalyzer-client_2.v0.pcap"),
].filter((f) => existsSync(f));

describe("TCP and MPTCP options of real captures re-emit byte-identical", () => {
  test("the captures are there", () => assert.ok(captures.length >= 6, captures.join(" ")));
  const allSubtypes = new Set<string>();

  for (const file of captures) {
    test(file.replace(/^.*\//, ""), async () => {
      let segments = 0;
      const subtypes = new Map<string, number>();
      for await (const pkt of readCapture(file)) {
        const ipBytes = decodeLinkLayer(pkt.linkType, pkt.data);
        if (ipBytes === null || isParseError(ipBytes)) continue;
        const ip = parseIpPacket(ipBytes);
        assert.ok(!isParseError(ip), String(ip));
        if (ip.protocol !== IPPROTO_TCP) continue;
        const tcp = TcpPacket.check(ip.payload);
        assert.ok(!isParseError(tcp), String(tcp));
        const area = tcp.optionArea;
        const options = parseTcpOptions(area);
        for (const o of options) {
          assert.notEqual(o.kind, "malformed", `malformed option in segment ${segments}: ${JSON.stringify(o, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
          if (o.kind === "mptcp") {
            subtypes.set(o.option.subtype, (subtypes.get(o.option.subtype) ?? 0) + 1);
            allSubtypes.add(o.option.subtype);
          }
        }
        const out = new Uint8Array(tcpOptionsLength(options));
        emitTcpOptions(options, out, 0);
        assert.equal(toHex(out), toHex(area), `segment ${segments} re-emits byte-identical`);
        segments++;
      }
      assert.ok(segments > 0 && subtypes.size > 0, `${segments} segments, MPTCP subtypes ${[...subtypes.keys()].join(",")}`);
    });
  }

  test("between them, the captures carry every subtype Linux sends", () => {
    for (const s of ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR", "REMOVE_ADDR", "MP_PRIO", "MP_FASTCLOSE", "MP_TCPRST"]) {
      assert.ok(allSubtypes.has(s), `${s} in some capture (have ${[...allSubtypes].join(",")})`);
    }
  });
});

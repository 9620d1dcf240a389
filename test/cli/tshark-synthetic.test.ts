/**
 * Independent-decoder check of our emitters (issue [wire] item 9): one TCP segment per MPTCP
 * option variant of the canonical table, over IPv4 and IPv6, written with our pcap writer; tshark
 * must decode the same field values and report nothing malformed and no expert error.
 */
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAddress } from "../../src/wire/address.js";
import { emitIp, IPPROTO_TCP } from "../../src/wire/ip.js";
import { emitTcp } from "../../src/wire/tcp.js";
import { TCP_FLAG, type TcpRepr } from "../../src/wire/tcp-types.js";
import type { MptcpOption } from "../../src/wire/mptcp/types.js";
import { PcapWriter } from "../../src/wire/pcap/writer.js";
import { decodeIpPacket } from "../../src/dump/segment.js";
import { isParseError } from "../../src/wire/error.js";
import type { JsonObject } from "../../src/dump/mptcp-json.js";
import { MPTCP_CASES } from "../support/mptcp-cases.js";
import { NO_TSHARK, tsharkAvailable, tsharkFields } from "../support/tshark.js";
import { MPTCP_TSHARK_FIELDS, expectedTsharkFields, normalise } from "../support/mptcp-tshark.js";

/** The TCP flags under which each option variant is sent (RFC 8684 §3.1, §3.2). */
function flagsFor(opt: MptcpOption): number {
  const { SYN, ACK, RST } = TCP_FLAG;
  switch (opt.subtype) {
    case "MP_CAPABLE":
      if (opt.sendKey === undefined) return SYN;
      if (opt.recvKey === undefined) return opt.version === 0 ? SYN : SYN | ACK;
      return ACK;
    case "MP_JOIN":
      return opt.form === "syn" ? SYN : opt.form === "synack" ? SYN | ACK : ACK;
    case "MP_TCPRST":
    case "MP_FASTCLOSE":
      return RST | ACK;
    default:
      return ACK;
  }
}

/** Payload that matches the option's data-level length, where it carries one. */
function payloadFor(opt: MptcpOption): Uint8Array {
  const len = opt.subtype === "MP_CAPABLE" ? opt.dataLen ?? 0 : opt.subtype === "DSS" && opt.dsn !== undefined ? opt.dataLen ?? 0 : 0;
  return new Uint8Array(Math.min(len, 200)).fill(0x61);
}

const dir = mkdtempSync(join(tmpdir(), "mptcp-ts-tshark-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("tshark decodes every MPTCP option variant we emit", { skip: tsharkAvailable() ? false : NO_TSHARK }, () => {
  const file = join(dir, "variants.pcap");
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((c) => chunks.push(c));
  const frames: Array<{ name: string; mptcp: JsonObject[] }> = [];
  const families = [
    { src: parseAddress("192.0.2.1")!, dst: parseAddress("198.51.100.2")! },
    { src: parseAddress("2001:db8::1")!, dst: parseAddress("2001:db8:1::2")! },
  ];
  for (const [fi, fam] of families.entries()) {
    for (const [i, [name, opt]] of MPTCP_CASES.entries()) {
      const flags = flagsFor(opt);
      const seg: TcpRepr = {
        srcPort: 20000 + i, dstPort: 443, seq: 1000, ack: flags & TCP_FLAG.ACK ? 5000 : 0, flags, window: 512,
        checksum: 0, urgentPointer: 0, options: [{ kind: "mptcp", option: opt }], payload: payloadFor(opt),
      };
      const ip = emitIp({ src: fam.src, dst: fam.dst, protocol: IPPROTO_TCP }, emitTcp(seg, fam.src, fam.dst));
      writer.write(1_000_000 * (fi * 1000 + i + 1), ip);
      const rec = decodeIpPacket(0, ip);
      assert.ok(rec && !isParseError(rec) && !("error" in rec), `${name} decodes with our own parser`);
      frames.push({ name: `${name} (${fam.src.length === 4 ? "IPv4" : "IPv6"})`, mptcp: rec.mptcp as JsonObject[] });
    }
  }
  writeFileSync(file, Buffer.concat(chunks));

  test("no malformed packet, no expert error, every TCP checksum good", () => {
    const rows = tsharkFields(file, ["_ws.malformed", "_ws.expert.severity", "_ws.expert.message", "tcp.checksum.status"], [
      "-o", "tcp.check_checksum:TRUE", "-o", "mptcp.analyze_mptcp:FALSE",
    ]);
    assert.equal(rows.size, frames.length);
    for (const [n, row] of rows) {
      const name = frames[n - 1]!.name;
      assert.equal(row.get("_ws.malformed"), undefined, `${name}: malformed`);
      const errors = (row.get("_ws.expert.severity") ?? []).filter((s) => Number(s) >= 0x00800000);
      assert.deepEqual(errors, [], `${name}: expert errors ${row.get("_ws.expert.message")?.join("; ")}`);
      assert.deepEqual(row.get("tcp.checksum.status"), ["1"], `${name}: TCP checksum (1 = good)`);
    }
  });

  test("tshark's field values equal ours for every variant", () => {
    const rows = tsharkFields(file, MPTCP_TSHARK_FIELDS, ["-o", "mptcp.analyze_mptcp:FALSE"]);
    const mismatches: string[] = [];
    for (const [n, row] of rows) {
      const { name, mptcp } = frames[n - 1]!;
      const expected = expectedTsharkFields(mptcp);
      for (const field of new Set([...expected.keys(), ...row.keys()])) {
        if (field === "tcp.options.mptcp.checksum" && mptcp[0]!.subtype === "DSS" && !row.has(field)) continue; // tshark 4.0 omits it
        const ours = JSON.stringify(expected.get(field)?.map(normalise));
        const theirs = JSON.stringify(row.get(field)?.map(normalise));
        if (ours !== theirs) mismatches.push(`${name}: ${field}: ours ${ours} tshark ${theirs}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});

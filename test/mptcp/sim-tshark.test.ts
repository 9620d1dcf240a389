/**
 * Captures of the MPTCP built-ins checked by an independent decoder (issue 4 item 9): tshark with
 * its MPTCP mapping analysis must find no malformed packet, no echoed-key mismatch, no data
 * segment without a mapping, and the token it expects on every MP_JOIN.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { pcapTap } from "../../src/sim/tap.js";
import { NO_TSHARK, tsharkAvailable, tsharkFields } from "../support/tshark.js";

const PREFS = ["-o", "mptcp.analyze_mappings:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE"];

/** One host's interfaces in one pcap, as tcpdump -i any would see them. */
function capture(name: string, bytes: number, host = "client"): Buffer {
  const chunks: Uint8Array[] = [];
  const tap = pcapTap((c) => chunks.push(c.slice()));
  const r = runScenario(builtinScenario(name)!, { bytes, seed: 9, capture: (h) => (h === host ? tap : undefined) });
  assert.equal(r.flows[0]!.integrity, true);
  return Buffer.concat(chunks);
}

describe("tshark decodes the MPTCP built-ins' captures", { skip: tsharkAvailable() ? false : NO_TSHARK }, () => {
  for (const name of ["mptcp-two-paths", "mptcp-checksum"]) {
    test(`${name}: no malformed packets, no key mismatch, every data segment mapped, MP_JOIN tokens as expected`, () => {
      const dir = mkdtempSync(join(tmpdir(), "mptcp-tshark-"));
      try {
        const file = join(dir, `${name}.pcap`);
        writeFileSync(file, capture(name, 600_000));
        const frames = (filter: string, fields: string[]): Map<string, string[]>[] => [...tsharkFields(file, fields, [...PREFS, "-Y", filter]).values()];
        assert.deepEqual(frames("_ws.malformed || mptcp.connection.echoed_key_mismatch", ["frame.number"]), []);
        const unmapped = frames("mptcp.dss.missing_mapping && tcp.len > 0", ["frame.number", "tcp.stream"]);
        assert.deepEqual(unmapped.map((f) => f.get("frame.number")![0]), []);
        // tshark derives the token from the server's key on the SYN/ACK (mptcp.expected_token);
        // each MP_JOIN SYN carries the token of the connection it joins.
        const synAck = frames("tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.mptcp.sendkey", ["mptcp.expected_token", "mptcp.stream"]);
        assert.equal(synAck.length, 1);
        const expected = synAck[0]!.get("mptcp.expected_token")![0]!;
        const joins = frames("tcp.options.mptcp.recvtok", ["tcp.options.mptcp.recvtok", "mptcp.stream"]);
        assert.ok(joins.length >= 1);
        for (const j of joins) {
          assert.equal(Number(j.get("tcp.options.mptcp.recvtok")![0]), Number(expected));
          assert.deepEqual(j.get("mptcp.stream"), synAck[0]!.get("mptcp.stream"));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  // What the server receives after a box that rewrites sequence numbers, addresses or segment
  // boundaries is still well-formed MPTCP with every data segment mapped.
  for (const name of ["mbox-seq-rewrite", "mbox-nat", "mbox-split"]) {
    test(`${name}: the server's capture decodes cleanly`, () => {
      const dir = mkdtempSync(join(tmpdir(), "mptcp-tshark-"));
      try {
        const file = join(dir, `${name}.pcap`);
        writeFileSync(file, capture(name, 300_000, "server"));
        const filter = "_ws.malformed || mptcp.connection.echoed_key_mismatch || (mptcp.dss.missing_mapping && tcp.len > 0)";
        assert.deepEqual([...tsharkFields(file, ["frame.number"], [...PREFS, "-Y", filter]).keys()], []);
        // And it is MPTCP: DSS mappings were decoded.
        assert.ok(tsharkFields(file, ["tcp.options.mptcp.rawdataseqno"], [...PREFS, "-Y", "tcp.options.mptcp.rawdataseqno"]).size > 10);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

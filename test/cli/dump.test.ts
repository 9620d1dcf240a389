/**
 * `mptcp dump` as a user runs it: output shape, the public JSON field names, and one-line errors
 * with exit code 2.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, repoRoot, sharedCapture, skipUnlessShared } from "../util/paths.js";
import { CLI_SCRIPT, runCli } from "../support/cli.js";
import { NO_TSHARK, tsharkAvailable } from "../support/tshark.js";
import { MPTCP_CASES } from "../support/mptcp-cases.js";
import { parseAddress } from "../../src/wire/address.js";
import { emitIp, IPPROTO_TCP } from "../../src/wire/ip.js";
import { emitTcp } from "../../src/wire/tcp.js";
import { TCP_FLAG, type TcpOption } from "../../src/wire/tcp-types.js";
import { PcapWriter } from "../../src/wire/pcap/writer.js";

const SUBTYPES = new Set(["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR", "REMOVE_ADDR", "MP_PRIO", "MP_FAIL", "MP_FASTCLOSE", "MP_TCPRST", "MP_EXPERIMENTAL"]);

function assertOneLineError(res: ReturnType<typeof runCli>, pattern: RegExp): void {
  assert.equal(res.status, 2, `exit code 2, stderr: ${res.stderr}`);
  const lines = res.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line: ${res.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(res.stderr, /\n\s+at /, "no stack trace");
}

function mptcpCase(name: string): TcpOption {
  return { kind: "mptcp", option: MPTCP_CASES.find(([n]) => n === name)![1] };
}

/** An IP packet around a TCP segment from `src` to `dst` (4- or 16-byte addresses). */
function ipSegment(src: string, dst: string, flags: number, options: TcpOption[], payloadLen: number): Uint8Array {
  const s = parseAddress(src)!;
  const d = parseAddress(dst)!;
  const tcp = emitTcp({
    srcPort: 5201, dstPort: 40000, seq: 1000, ack: 5000, flags, window: 512, checksum: 0, urgentPointer: 0,
    options, payload: new Uint8Array(payloadLen).fill(0x61),
  }, s, d);
  return emitIp({ src: s, dst: d, protocol: IPPROTO_TCP }, tcp);
}

/** A raw-IP pcap of `packets`, each cut to `snaplen` bytes (its original length kept), as tcpdump -s writes. */
function pcapFile(path: string, packets: Uint8Array[], snaplen?: number): void {
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter((c) => chunks.push(c.slice()), snaplen === undefined ? {} : { snaplen });
  packets.forEach((p, i) => w.write(1_000_000 + i, p));
  writeFileSync(path, Buffer.concat(chunks));
}

describe("mptcp dump", () => {
  test("prints one line per TCP segment, with MPTCP options and all their fields", { skip: tsharkAvailable() ? false : NO_TSHARK }, () => {
    const file = fixture("kernel-mpc-join.pcap");
    const res = runCli(["dump", file]);
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.trimEnd().split("\n");
    const tcpFrames = spawnSync("tshark", ["-r", file, "-Y", "tcp", "-T", "fields", "-e", "frame.number"], { encoding: "utf8" });
    assert.equal(lines.length, tcpFrames.stdout.trimEnd().split("\n").length, "one line per TCP segment (counted by tshark)");
    assert.match(lines[0]!, /^\d+\.\d{6} 10\.0\.1\.2\.\d+ > 10\.0\.1\.1\.\d+: \[S\] seq \d+ ack 0 win \d+ len 0 <mss 1460, sackOK, TS val \d+ ecr 0, nop, wscale \d+, MP_CAPABLE version=1 flags=H>$/);
    assert.ok(lines.some((l) => /MP_JOIN form=syn backup=false addrId=\d+ token=\d+ nonce=\d+/.test(l)));
    assert.ok(lines.some((l) => /DSS flags=AMm fin=false dataAck=\d+ dsn=\d+ ssn=\d+ dataLen=\d+/.test(l)));
    assert.ok(lines.some((l) => /ADD_ADDR version=1 echo=false addrId=\d+ addr=10\.0\.2\.1 hmac=[0-9a-f]{16}/.test(l)));
  });

  test("--json prints one object per segment with the documented fields", () => {
    const res = runCli(["dump", "--json", fixture("kernel-fastclose.pcap")]);
    assert.equal(res.status, 0, res.stderr);
    const records = res.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(records.length > 10);
    const seen = new Set<string>();
    for (const r of records) {
      assert.equal(typeof r.t, "number");
      for (const k of ["src", "dst", "flags"]) assert.equal(typeof r[k], "string", k);
      for (const k of ["sport", "dport", "seq", "ack", "len"]) assert.equal(typeof r[k], "number", k);
      assert.match(r.flags as string, /^S?A?F?R?P?U?E?C?$/);
      for (const m of r.mptcp as Array<Record<string, unknown>>) {
        assert.ok(SUBTYPES.has(m.subtype as string), String(m.subtype));
        seen.add(m.subtype as string);
        for (const k of ["sendKey", "recvKey", "key"]) if (k in m) assert.match(m[k] as string, /^\d+$/, `${k} is a decimal string`);
        if (m.subtype === "DSS" && "dsn" in m) assert.equal(typeof m.dsn, (m.flags as { m: boolean }).m ? "string" : "number");
      }
    }
    assert.ok(records.every((r, i) => i === 0 || (r.t as number) >= (records[i - 1]!.t as number)), "time runs forward");
    for (const s of ["MP_CAPABLE", "MP_JOIN", "DSS", "MP_FASTCLOSE", "MP_TCPRST"]) assert.ok(seen.has(s), `${s} present`);
  });

  test("reads pcapng with Linux cooked headers (the public v0 capture)", { skip: skipUnlessShared("pymptcpanalyzer-client_2.v0.pcap") }, () => {
    const res = runCli(["dump", "--json", sharedCapture("pymptcpanalyzer-client_2.v0.pcap")]);
    assert.equal(res.status, 0, res.stderr);
    const first = JSON.parse(res.stdout.split("\n")[0]!) as { mptcp: Array<{ subtype: string; version: number }> };
    assert.deepEqual(first.mptcp.map((m) => [m.subtype, m.version]), [["MP_CAPABLE", 0]]);
  });

  test("a snapped capture: every segment shown, with its length on the wire, and a header the snap length cut is MALFORMED", () => {
    const dir = mkdtempSync(join(tmpdir(), "mptcp-dump-"));
    try {
      const { SYN, ACK, PSH } = TCP_FLAG;
      const synAck = ipSegment("10.0.0.1", "10.0.0.2", SYN | ACK, [{ kind: "mss", mss: 1460 }, mptcpCase("MP_CAPABLE v1 SYN/ACK")], 0);
      const dss = [mptcpCase("DSS Data ACK 8, mapping 8 (Linux data)")];
      const data4 = ipSegment("10.0.0.1", "10.0.0.2", ACK | PSH, dss, 1000);
      const data6 = ipSegment("2001:db8::1", "2001:db8::2", ACK | PSH, dss, 1000);
      // Headers in bytes: IP, then TCP from its data offset; what the 96-byte snap leaves of the payload.
      const kept = (ip: Uint8Array, ipHeader: number): number => 96 - ipHeader - (ip[ipHeader + 12]! >>> 4) * 4;
      const snapped = join(dir, "snap96.pcap");
      pcapFile(snapped, [synAck, data4, data6], 96);

      const res = runCli(["dump", snapped]);
      assert.equal(res.status, 0, res.stderr);
      const lines = res.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 3, res.stdout);
      assert.match(lines[0]!, /: \[SA\] seq 1000 ack 5000 win 512 len 0 <mss 1460, MP_CAPABLE version=1 flags=H sendKey=\d+>$/);
      assert.match(lines[1]!, new RegExp(`^\\S+ 10\\.0\\.0\\.1\\.5201 > 10\\.0\\.0\\.2\\.40000: \\[AP\\] seq 1000 ack 5000 win 512 len 1000 \\(captured ${kept(data4, 20)}\\) <DSS `));
      assert.match(lines[2]!, new RegExp(`^\\S+ \\[2001:db8::1\\]\\.5201 > \\[2001:db8::2\\]\\.40000: \\[AP\\] seq 1000 .* len 1000 \\(captured ${kept(data6, 40)}\\) <DSS `));

      const json = runCli(["dump", "--json", snapped]);
      assert.equal(json.status, 0, json.stderr);
      const records = json.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(records.map((r) => [r.frame, r.len, r.captured]), [[1, 0, undefined], [2, 1000, kept(data4, 20)], [3, 1000, kept(data6, 40)]]);
      const keys = Object.keys(records[1]!);
      assert.equal(keys.indexOf("captured"), keys.indexOf("len") + 1, "captured follows len");
      assert.equal((records[1]!.mptcp as Array<{ dataLen: number }>)[0]!.dataLen, 13, "the options decode in full");

      // Cut inside the SYN/ACK's options (20 + 30 of its 20 + 36 bytes): shown, as MALFORMED with the reason.
      const cutOptions = join(dir, "snap50.pcap");
      pcapFile(cutOptions, [synAck], 50);
      const cut = runCli(["dump", cutOptions]);
      assert.equal(cut.status, 0, cut.stderr);
      assert.match(cut.stdout, /^\S+ 10\.0\.0\.1 > 10\.0\.0\.2: MALFORMED TCP \(snapped frame: tcp: data offset: truncated \(need 36 bytes, have 30\)\)\n$/);
      const cutJson = JSON.parse(runCli(["dump", "--json", cutOptions]).stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(cutJson), ["frame", "t", "src", "dst", "error"]);

      // Not snapped, but the IP total length points past the frame's end: shown too, with the IP reason.
      const short = join(dir, "short.pcap");
      pcapFile(short, [data4.subarray(0, 100)]);
      assert.match(runCli(["dump", short]).stdout, /: MALFORMED TCP \(ipv4: total length: truncated \(need 1068 bytes, have 100\)\)\n$/);

      // Cut inside the IP header: no TCP byte was captured, nothing to show.
      const ipOnly = join(dir, "snap30.pcap");
      pcapFile(ipOnly, [data6], 30);
      assert.equal(runCli(["dump", ipOnly]).stdout, "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a missing file is a one-line error, exit code 2", () => {
    assertOneLineError(runCli(["dump", join(repoRoot, "no-such-file.pcap")]), /^mptcp: .*no-such-file\.pcap/);
  });

  test("a file that is not a capture is a one-line error, exit code 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "mptcp-dump-"));
    try {
      const text = join(dir, "notes.txt");
      writeFileSync(text, "this is not a capture\n".repeat(10));
      assertOneLineError(runCli(["dump", text]), /^mptcp: .*notes\.txt/);
      const cut = join(dir, "cut.pcap");
      const whole = spawnSync("cat", [fixture("kernel-mpc-join.pcap")], { encoding: "buffer" }).stdout;
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6) + 3));
      const res = runCli(["dump", cut]);
      assert.equal(res.status, 2);
      assert.ok(res.stdout.split("\n").length > 2, "the segments before the damage are printed");
      assert.match(res.stderr.trim(), /^mptcp: .*cut\.pcap.*truncated/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a directory, a bad flag and a missing argument are one-line errors, exit code 2", () => {
    assertOneLineError(runCli(["dump", repoRoot]), /^mptcp: /);
    assertOneLineError(runCli(["dump", "--bogus", fixture("kernel-mpc-join.pcap")]), /unknown option/);
    assertOneLineError(runCli(["dump"]), /missing required argument/);
  });

  test("a reader that goes away early (| head) is not an error", () => {
    const res = spawnSync("sh", ["-c", `"${process.execPath}" --input-type=module -e '${CLI_SCRIPT}' dump ${fixture("kernel-mpc-join.pcap")} | head -2`], { encoding: "utf8" });
    assert.equal(res.status, 0);
    assert.equal(res.stdout.trimEnd().split("\n").length, 2);
    assert.equal(res.stderr, "");
  });
});

/** `mptcp analyze` as a user runs it: outputs, the public JSON field names, CSV files, errors. */
import { after, test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeCaptures } from "../../src/analyze/analyze.js";
import { connectionText } from "../../src/analyze/text.js";
import { runCli } from "../support/cli.js";
import { fixture } from "../util/paths.js";

const work = mkdtempSync(join(tmpdir(), "mptcp-analyze-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("mptcp analyze", () => {
  test("--json: the fields of the issue, keys as decimal strings", () => {
    const r = runCli(["analyze", fixture("kernel-mpc-join.pcap"), "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { connections: Array<Record<string, unknown>> };
    assert.equal(out.connections.length, 1);
    const c = out.connections[0]!;
    assert.equal(c.version, 1);
    assert.equal(c.clientKey, "9742373231029811085");
    assert.equal(c.serverKey, "205957974289363722");
    assert.equal(c.fallback, false);
    assert.deepEqual(c.bytes, { c2s: 70021, s2c: 70000 });
    assert.deepEqual(c.reinjectedBytes, { c2s: 0, s2c: 0 });
    const subflows = c.subflows as Array<Record<string, unknown>>;
    assert.equal(subflows.length, 3);
    for (const s of subflows) {
      for (const f of ["src", "sport", "dst", "dport", "join", "backup", "bytes", "rttMs"]) assert.ok(f in s, f);
      assert.deepEqual(Object.keys(s.bytes as object).sort(), ["c2s", "s2c"]);
      assert.equal(typeof s.rttMs, "number");
    }
    assert.deepEqual(subflows.map((s) => [s.src, s.sport, s.dst, s.dport, s.join]), [
      ["10.0.1.2", 56988, "10.0.1.1", 10000, false],
      ["10.0.2.2", 58055, "10.0.1.1", 10000, true],
      ["10.0.2.2", 52379, "10.0.2.1", 10000, true],
    ]);
  });

  test("text summary by default", () => {
    const r = runCli(["analyze", fixture("kernel-fastclose.pcap")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /MPTCP connection 0: v1 10\.0\.1\.2:\d+ -> 10\.0\.1\.1:10000/);
    assert.match(r.stdout, /MP_FASTCLOSE/);
    assert.match(r.stdout, /subflow-reset ×2/);
  });

  test("--csv DIR: tables with headers, one segments row per MPTCP segment", () => {
    const dir = join(work, "csv");
    const r = runCli(["analyze", fixture("kernel-mpc-join.pcap"), "--csv", dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ["anomalies.csv", "connections.csv", "goodput.csv", "ooo_delay.csv", "rtt.csv", "segments.csv", "signals.csv", "subflows.csv"]);
    const segs = readFileSync(join(dir, "segments.csv"), "utf8").trim().split("\n");
    assert.equal(segs[0], "capture,frame,t,connection,subflow,dir,seq,len,dsn,data_ack,retransmitted,reinjected,fresh");
    assert.equal(segs.length - 1, 235);
    const fresh = segs.slice(1).reduce((n, l) => n + Number(l.split(",")[12]), 0);
    assert.equal(fresh, 70021 + 70000);
    const subs = readFileSync(join(dir, "subflows.csv"), "utf8").trim().split("\n");
    assert.equal(subs.length, 4);
  });

  test("a missing or unreadable capture: one line, exit code 2", () => {
    const missing = runCli(["analyze", join(work, "nope.pcap")]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    assert.match(missing.stderr, /no such file/);
    const notPcap = runCli(["analyze", "package.json"]);
    assert.equal(notPcap.status, 2);
    assert.match(notPcap.stderr, /not a pcap or pcapng file/);
  });

  test("the second capture missing, unreadable or not a capture: one line, exit code 2", () => {
    const good = fixture("kernel-mpc-join.pcap");
    for (const [second, message] of [
      [join(work, "nope.pcap"), /nope\.pcap: no such file/],
      [work, /cannot read/],
      ["package.json", /not a pcap or pcapng file/],
    ] as const) {
      const r = runCli(["analyze", good, second]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^mptcp: /);
      assert.match(r.stderr, message);
    }
  });

  test("a capture cut short is analyzed up to the damage, with a warning", () => {
    const whole = readFileSync(fixture("kernel-mpc-join.pcap"));
    const cut = join(work, "cut.pcap");
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const r = runCli(["analyze", cut, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^mptcp: warning: .*cut\.pcap.*\(analyzed the 246 frames before it\)\n$/);
    const out = JSON.parse(r.stdout) as { captures: Array<{ frames: number; warning?: string }>; connections: unknown[] };
    assert.equal(out.captures[0]!.frames, 246);
    assert.ok(out.captures[0]!.warning);
    assert.equal(out.connections.length, 1);
  });

  test("bad options and unwritable outputs: one line, exit code 2", () => {
    for (const value of ["-1", "0", "0.5abc", "", "Infinity"]) {
      const bin = runCli(["analyze", fixture("kernel-checksum.pcap"), "--bin", value]);
      assert.equal(bin.status, 2, value);
      assert.equal(bin.stderr, `mptcp: --bin: expected a positive number of seconds, got "${value}"\n`);
    }
    // A width that would make more bins than the limit stops the analysis at once, with a line.
    const tiny = runCli(["analyze", fixture("kernel-checksum.pcap"), "--bin", "1e-9"]);
    assert.equal(tiny.status, 2);
    assert.equal(tiny.stdout, "");
    assert.match(tiny.stderr, /^mptcp: --bin 1e-9: more than 100000 goodput bins \(the limit\) for a connection that lasts [\d.]+ s or more: choose a wider bin\n$/);
    const report = runCli(["analyze", fixture("kernel-checksum.pcap"), "--report", join(work, "no", "such", "dir", "r.html")]);
    assert.equal(report.status, 2);
    assert.equal(report.stderr.trim().split("\n").length, 1);
    // Node's message already begins with the error code: it is not repeated.
    assert.match(report.stderr, /^mptcp: cannot write .*r\.html: ENOENT: no such file or directory/);
    assert.doesNotMatch(report.stderr, /ENOENT\W+ENOENT/);
  });

  test("--csv with a capture that is rejected: no table left behind, an earlier run's kept", () => {
    const garbage = join(work, "garbage.pcap");
    writeFileSync(garbage, "this is not a capture, nor anything else\n");
    const fresh = join(work, "csv-fail", "nested");
    const r = runCli(["analyze", garbage, "--csv", fresh]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not a pcap or pcapng file/);
    assert.throws(() => readdirSync(join(work, "csv-fail")), /ENOENT/);

    const kept = join(work, "csv-kept");
    assert.equal(runCli(["analyze", fixture("kernel-checksum.pcap"), "--csv", kept]).status, 0);
    const before = readFileSync(join(kept, "segments.csv"), "utf8");
    assert.ok(before.split("\n").length > 2);
    assert.equal(runCli(["analyze", garbage, "--csv", kept]).status, 2);
    assert.equal(readFileSync(join(kept, "segments.csv"), "utf8"), before);
    assert.ok(!readdirSync(kept).some((f) => f.endsWith(".partial")));
  });

  test("text: the directions that sent a DATA_FIN, one space apart, or none", async () => {
    const report = await analyzeCaptures([fixture("kernel-checksum.pcap")]);
    const c = report.connections[0]!;
    const line = (): string => connectionText(c).find((l) => l.includes("; DATA_FIN "))!;
    assert.match(line(), /; DATA_FIN c2s s2c$/);
    c.dataFin = { c2s: false, s2c: true };
    assert.match(line(), /; DATA_FIN s2c$/);
    c.dataFin = { c2s: false, s2c: false };
    assert.match(line(), /; DATA_FIN none$/);
  });
});

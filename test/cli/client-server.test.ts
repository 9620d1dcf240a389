/**
 * `mptcp client` and `mptcp server` as two processes over UDP loopback with two paths: the JSON
 * summaries, the bytes and their hashes at both ends, two subflows, the netcat mode, refusal,
 * an interrupted client, and one-line usage errors.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { once } from "node:events";
import { CLI_SCRIPT, runCli } from "../support/cli.js";
import { SeededBytes } from "../../src/cli/transfer-report.js";
import { sha256 } from "../support/mptcp-sim.js";

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  done: Promise<number | null>;
}

function start(args: string[], input?: string): Run {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CLI_SCRIPT, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  const run: Run = { child, stdout: "", stderr: "", done: Promise.resolve(null) };
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (run.stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (run.stderr += d));
  run.done = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  child.stdin!.end(input ?? "");
  return run;
}

/** Free UDP ports on 127.0.0.1 (bound and released: another process could take one in between, rarely). */
async function freePorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = dgram.createSocket("udp4");
      s.bind(0, "127.0.0.1");
      await once(s, "listening");
      return s;
    }),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Two UDP paths: path i is client 10.0.i.1 to server 10.0.i.2. */
async function twoPaths(): Promise<{ client: string[]; server: string[] }> {
  const [c0, s0, c1, s1] = await freePorts(4);
  return {
    client: ["--udp", `10.0.0.1@127.0.0.1:${c0}=127.0.0.1:${s0}`, "--udp", `10.0.1.1@127.0.0.1:${c1}=127.0.0.1:${s1},peer=10.0.1.2`],
    server: ["--udp", `10.0.0.2@127.0.0.1:${s0}=127.0.0.1:${c0}`, "--udp", `10.0.1.2@127.0.0.1:${s1}=127.0.0.1:${c1}`],
  };
}

async function listening(server: Run): Promise<void> {
  while (!server.stderr.includes("listening on port")) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.stderr}`);
    await once(server.child.stderr!, "data");
  }
}

/** The bytes `--send N --seed S` and `--source N --seed S` produce. */
function seeded(length: number, seed: number): string {
  const src = new SeededBytes(seed, length);
  const parts: Uint8Array[] = [];
  for (let b = src.next(); b !== undefined; b = src.next()) parts.push(b);
  return sha256(Buffer.concat(parts));
}

const JSON_FIELDS = ["bytesSent", "sha256Sent", "bytesAcked", "bytesReceived", "sha256Received", "seconds", "goodputMbps", "fallback", "subflows"];

describe("mptcp client / mptcp server over UDP loopback", { timeout: 60_000 }, () => {
  test("--send to --sink over two paths: JSON summaries, equal hashes, two subflows", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5201", ...p.server, "--sink", "--once", "--json"]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5201", ...p.client, "--send", "8M", "--seed", "7", "--json"]);
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as Record<string, unknown> & { subflows: { local: string; remote: string; backup: boolean; bytesSent: number; bytesReceived: number }[] };
    const s = JSON.parse(server.stdout) as typeof c;
    for (const f of JSON_FIELDS) {
      assert.ok(f in c, `client JSON has ${f}`);
      assert.ok(f in s, `server JSON has ${f}`);
    }
    assert.equal(c.bytesSent, 8_000_000);
    assert.equal(c.bytesAcked, 8_000_000);
    assert.equal(c.sha256Sent, seeded(8_000_000, 7));
    assert.equal(s.bytesReceived, 8_000_000);
    assert.equal(s.sha256Received, c.sha256Sent);
    assert.equal(c.bytesReceived, 0);
    assert.equal(c.fallback, false);
    assert.deepEqual(
      c.subflows.map((x) => `${x.local}>${x.remote}`),
      ["10.0.0.1>10.0.0.2", "10.0.1.1>10.0.1.2"],
    );
    assert.equal(s.subflows.length, 2);
    for (const x of c.subflows) assert.equal(typeof x.backup, "boolean");
    const carried = c.subflows.reduce((n, x) => n + x.bytesSent, 0);
    assert.ok(carried >= 8_000_000, `the subflows carried every byte (${carried})`);
  });

  test("--pacing on both ends: every byte intact over two paths, both subflows carrying data", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5207", ...p.server, "--sink", "--once", "--json", "--pacing"]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5207", ...p.client, "--send", "4M", "--seed", "5", "--json", "--pacing"]);
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as { sha256Sent: string; subflows: { bytesSent: number; pacingRate?: number }[] };
    const s = JSON.parse(server.stdout) as { bytesReceived: number; sha256Received: string };
    assert.equal(s.bytesReceived, 4_000_000);
    assert.equal(s.sha256Received, seeded(4_000_000, 5));
    assert.equal(c.sha256Sent, s.sha256Received);
    assert.equal(c.subflows.length, 2);
    assert.ok(c.subflows.every((x) => x.bytesSent > 0), JSON.stringify(c.subflows.map((x) => x.bytesSent)));
    assert.ok(c.subflows.every((x) => typeof x.pacingRate === "number" && x.pacingRate > 0), JSON.stringify(c.subflows));
  });

  test("--cc and --scheduler reach each end's subflows: OLIA and round-robin on the client, BALIA on the server, every byte intact", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5208", ...p.server, "--sink", "--once", "--json", "--cc", "balia", "--cc-floor", "draft"]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5208", ...p.client, "--send", "2M", "--seed", "6", "--json", "--cc", "olia", "--scheduler", "round-robin"]);
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as { sha256Sent: string; subflows: { bytesSent: number; congestion: string }[] };
    const s = JSON.parse(server.stdout) as { sha256Received: string; subflows: { congestion: string }[] };
    assert.equal(s.sha256Received, seeded(2_000_000, 6));
    assert.equal(c.sha256Sent, s.sha256Received);
    assert.deepEqual(c.subflows.map((x) => x.congestion), ["olia", "olia"]);
    assert.deepEqual(s.subflows.map((x) => x.congestion), ["balia", "balia"]);
    // Round-robin gives each subflow data whatever its RTT.
    assert.ok(c.subflows.every((x) => x.bytesSent > 0), JSON.stringify(c.subflows.map((x) => x.bytesSent)));
  });

  test("--source both ways with a backup path: the client's received hash is the server's sent hash", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5202", ...p.server, "--source", "3M", "--seed", "3", "--once", "--json"]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5202", ...p.client, "--send", "1M", "--backup", "1", "--interval", "0.2", "--json"]);
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as { bytesReceived: number; sha256Received: string; sha256Sent: string; subflows: { local: string; backup: boolean }[] };
    const s = JSON.parse(server.stdout) as { bytesSent: number; sha256Sent: string; sha256Received: string };
    assert.equal(c.bytesReceived, 3_000_000);
    assert.equal(c.sha256Received, s.sha256Sent);
    assert.equal(s.sha256Sent, seeded(3_000_000, 3));
    assert.equal(s.sha256Received, c.sha256Sent);
    assert.equal(c.subflows.find((x) => x.local === "10.0.1.1")?.backup, true);
  });

  // The path manager from the command line (RFC 8684 §3.4.1): the server announces its second
  // path's address; the client, allowed one announcement by its limits and opening no subflow of
  // its own, validates the ADD_ADDR, echoes it and joins that address over the path that reaches it.
  test("--endpoint ADDR signal on the server, --limits on the client: the client joins the announced address", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5206", ...p.server, "--endpoint", "10.0.1.2 signal", "--sink", "--once", "--json"]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5206", ...p.client, "--limits", "subflows 2 add_addr_accepted 1", "--send", "2M", "--json"]);
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as { sha256Sent: string; subflows: { local: string; remote: string }[]; counters: Record<string, number> };
    const s = JSON.parse(server.stdout) as { sha256Received: string; counters: Record<string, number> };
    assert.equal(s.sha256Received, c.sha256Sent);
    const why = JSON.stringify({ client: c.counters, server: s.counters });
    assert.equal(s.counters.AddAddrTx, 1, why);
    assert.equal(c.counters.AddAddr, 1, why);
    assert.equal(c.counters.EchoAddTx, 1, why);
    assert.equal(s.counters.EchoAdd, 1, why);
    assert.equal(s.counters.MPJoinAckRx, 1, why);
    assert.deepEqual(
      c.subflows.map((x) => `${x.local}>${x.remote}`),
      ["10.0.0.1>10.0.0.2", "10.0.1.1>10.0.1.2"],
    );
  });

  test("netcat mode against --echo: stdin comes back on stdout", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5203", ...p.server, "--echo", "--once"]);
    await listening(server);
    const text = "multipath says hello\n".repeat(1000);
    const client = start(["client", "10.0.0.2:5203", ...p.client], text);
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    assert.equal(client.stdout, text);
    assert.match(client.stderr, /-> 10\.0\.0\.2:5203: mptcp/);
  });

  test("netcat mode whose stdout reader goes away: the client ends the connection and exits quietly, the server too", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5206", ...p.server, "--echo", "--once"]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5206", ...p.client], "echo me\n".repeat(20_000));
    client.child.stdout!.destroy();
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 0, client.stderr);
    assert.doesNotMatch(client.stderr, /EPIPE|\n {4}at /);
    assert.notEqual(sc, null, "the server ended by itself");
  });

  test("a port nobody listens on: ECONNREFUSED, exit code 1, nothing acknowledged and no goodput", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5204", ...p.server]);
    await listening(server);
    const client = start(["client", "10.0.0.2:5205", ...p.client, "--send", "1M"]);
    assert.equal(await client.done, 1);
    assert.match(client.stderr, /^mptcp: connect ECONNREFUSED 10\.0\.0\.2:5205$/m);
    // What the application wrote is not what left: the summary says so, and shows no rate.
    assert.match(client.stderr, /^ {2}sent +1\.00 MB sha256 [0-9a-f]{64} \(0 B acknowledged\)$/m);
    assert.match(client.stderr, /^ {2}[\d.]+ s, never established$/m);
    const json = start(["client", "10.0.0.2:5205", ...p.client, "--send", "1M", "--json"]);
    assert.equal(await json.done, 1);
    const c = JSON.parse(json.stdout) as { bytesSent: number; bytesAcked: number; goodputMbps: number; mode: string; error: string };
    assert.deepEqual({ bytesSent: c.bytesSent, bytesAcked: c.bytesAcked, goodputMbps: c.goodputMbps, mode: c.mode, error: c.error }, { bytesSent: 1_000_000, bytesAcked: 0, goodputMbps: 0, mode: "handshake", error: "ECONNREFUSED" });
    server.child.kill("SIGTERM");
    assert.equal(await server.done, 0);
  });

  // A kernel socket resets its peer when its process dies; the client's stack must say it too
  // (MP_FASTCLOSE, RFC 8684 §3.5), or a `--once` server keeps the dead connection for ever.
  test("SIGINT on a sending client: MP_FASTCLOSE to the server, which exits by itself; exit code 130 with a summary", async () => {
    const p = await twoPaths();
    const server = start(["server", "--port", "5209", ...p.server, "--sink", "--once", "--json"]);
    await listening(server);
    // Far more than can go in the test's time: the transfer is under way when the signal comes.
    const client = start(["client", "10.0.0.2:5209", ...p.client, "--send", "100G", "--interval", "0.1", "--json"]);
    while (!/ESTABLISHED tx [1-9]/.test(client.stderr)) {
      if (client.child.exitCode !== null) throw new Error(`client exited: ${client.stderr}`);
      await once(client.child.stderr!, "data");
    }
    client.child.kill("SIGINT");
    const [cc, sc] = await Promise.all([client.done, server.done]);
    assert.equal(cc, 130, client.stderr);
    assert.match(client.stderr, /^mptcp: interrupted by SIGINT$/m);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as { error: string; bytesSent: number; bytesAcked: number; counters: Record<string, number> };
    const s = JSON.parse(server.stdout) as { error: string; bytesReceived: number; counters: Record<string, number> };
    assert.equal(c.error, "SIGINT");
    assert.ok(c.bytesAcked <= c.bytesSent, `${c.bytesAcked} of ${c.bytesSent} acknowledged`);
    assert.equal(s.error, "ECONNRESET");
    assert.ok(s.bytesReceived >= c.bytesAcked, `server received ${s.bytesReceived}, client saw ${c.bytesAcked} acknowledged`);
    // One per subflow up (RFC 8684 §3.5: a RST carrying MP_FASTCLOSE on each).
    assert.ok((c.counters.MPFastcloseTx ?? 0) >= 1, JSON.stringify(c.counters));
    assert.ok((s.counters.MPFastcloseRx ?? 0) >= 1, JSON.stringify(s.counters));
  });

  test("usage errors are one line with exit code 2", () => {
    for (const [args, pattern] of [
      [["client", "10.0.0.2:5201", "--send", "1M"], /no path: give at least one --tun/],
      [["client", "nowhere:5201", "--udp", "127.0.0.1:1=127.0.0.1:2"], /expected HOST:PORT/],
      [["client", "10.0.0.2:5201", "--udp", "127.0.0.1:1"], /--udp/],
      [["client", "10.0.0.2:5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--send", "lots"], /--send: expected a size/],
      [["server", "--port", "5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--sink", "--echo"], /exclude each other/],
      [["server", "--port", "5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--endpoint", "10.9.9.9 signal"], /10\.9\.9\.9 is not the address of any path/],
      [["server", "--port", "5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--endpoint", "127.0.0.1 signal loudly"], /--endpoint .*unknown keyword "loudly"/],
      [["client", "10.0.0.2:5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--limits", "subflows 9"], /--limits .*subflows takes 0 to 8/],
      [["client", "10.0.0.2:5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--limits", "joins 2"], /--limits .*unknown keyword "joins"/],
      [["client", "10.0.0.2:5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--cc", "vegas"], /^mptcp: --cc: one of reno, cubic, lia, olia, balia, coupled, kelly-voice, got "vegas"$/],
      [["server", "--port", "5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--cc-floor", "rfc"], /^mptcp: --cc-floor: one of linux, draft, got "rfc"$/],
      [["server", "--port", "5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--scheduler", "fastest"], /^mptcp: --scheduler: one of /],
      // Two paths with one stack address (ADDR@ left out on loopback): the Host would refuse it.
      [["client", "127.0.0.1:5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--udp", "127.0.0.1:3=127.0.0.1:4"], /^mptcp: --udp "127\.0\.0\.1:1=127\.0\.0\.1:2" and --udp "127\.0\.0\.1:3=127\.0\.0\.1:4" have the same stack address 127\.0\.0\.1: .*ADDR@/],
      [["server", "--port", "5201", "--udp", "10.0.0.2@127.0.0.1:1=127.0.0.1:2", "--udp", "10.0.0.2@127.0.0.1:3=127.0.0.1:4"], /same stack address 10\.0\.0\.2: .*ADDR@/],
      // What `ip mptcp endpoint add` refuses, as a scenario file's endpoints are checked.
      [["client", "10.0.0.2:5201", "--udp", "10.0.0.1@127.0.0.1:1=127.0.0.1:2", "--endpoint", "10.0.0.1 port 80"], /^mptcp: --endpoint "10\.0\.0\.1 port 80": flags must have signal and not subflow when using port \(EINVAL\)$/],
      [["client", "10.0.0.2:5201", "--udp", "10.0.0.1@127.0.0.1:1=127.0.0.1:2", "--endpoint", "10.0.0.1 id 1", "--endpoint", "10.0.0.1 id 1"], /^mptcp: --endpoint "10\.0\.0\.1 id 1": address id in use \(EBUSY\)$/],
      [["server", "--port", "5201", "--udp", "10.0.0.1@127.0.0.1:1=127.0.0.1:2", "--udp", "10.0.1.1@127.0.0.1:3=127.0.0.1:4", "--endpoint", "10.0.0.1 id 1", "--endpoint", "10.0.1.1 id 1"], /^mptcp: --endpoint "10\.0\.1\.1 id 1": address id in use \(EBUSY\)$/],
      // Node's timers overflow above 2^31 - 1 ms (and then fire every millisecond).
      [["client", "10.0.0.2:5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--interval", "1e9"], /^mptcp: --interval: expected a number of seconds from 0\.05 to 86400 \(24 h\), got "1e9"$/],
      [["server", "--port", "5201", "--udp", "127.0.0.1:1=127.0.0.1:2", "--interval", "86401"], /^mptcp: --interval: expected a number of seconds from 0\.05 to 86400/],
    ] as const) {
      const res = runCli([...args]);
      assert.equal(res.status, 2, `${args.join(" ")}: ${res.stderr}`);
      const lines = res.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, res.stderr);
      assert.match(lines[0]!, pattern);
    }
  });
});

/**
 * `mptcp client` and `mptcp server` against the Linux kernel's MPTCP: our client `--send`s to a
 * kernel server and reads its answer, and a kernel client talks to our `server --source --once`.
 * Each test runs in a network namespace of its own, holding two TUN links (made persistent
 * beforehand, so their kernel side is configured before our process attaches), the kernel peer
 * (a Python socket of protocol IPPROTO_MPTCP, 262) and our CLI process; deleting the namespace
 * removes everything. Bytes and SHA-256 are checked at both ends, and the namespace's MPTcpExt
 * counters show what the kernel saw. A last test runs our client against our server over TUN,
 * through the kernel's forwarding. Needs root, /dev/net/tun, python3 and kernel MPTCP;
 * otherwise skipped with the reason.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededBytes } from "../../src/cli/transfer-report.js";
import { assertCleanCapture, captureSkipReason, startCapture, type Capture } from "../support/capture.js";
import { sha256 } from "../support/mptcp-sim.js";

function skipReason(): string | false {
  if (process.platform !== "linux") return "needs Linux";
  if (process.getuid?.() !== 0) return "needs root (network namespaces, TUN devices)";
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun does not exist";
  try {
    if (readFileSync("/proc/sys/net/mptcp/enabled", "utf8").trim() !== "1") return "net.mptcp.enabled is 0";
  } catch {
    return "the kernel has no MPTCP";
  }
  try {
    execFileSync("python3", ["-c", "pass"], { stdio: "ignore" });
  } catch {
    return "python3 is missing (the kernel peer is a Python socket)";
  }
  return false;
}

const skip = skipReason();
if (skip) console.log(`# kernel client/server tests skipped: ${skip}`);
const captureSkip = skip ? false : captureSkipReason();
if (captureSkip) console.log(`# kernel client/server tests run without checking their captures: ${captureSkip}`);

// The CLI runs from a file, not with `node -e`: the TUN driver's reader thread inherits the
// process's exec arguments, and a worker refuses `--input-type`.
const scriptDir = mkdtempSync(join(tmpdir(), "mptcp-rt-"));
chmodSync(scriptDir, 0o755);
const CLI_FILE = join(scriptDir, "mptcp.mjs");
const MAIN = new URL("../../src/cli/main.js", import.meta.url).href;
writeFileSync(CLI_FILE, `import { main } from ${JSON.stringify(MAIN)};\nprocess.exitCode = await main(process.argv.slice(2));\n`);

const namespaces: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  rmSync(scriptDir, { recursive: true, force: true });
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const ns of namespaces) {
    try {
      execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    } catch {
      // Already gone.
    }
  }
});

let counter = 0;

interface Testbed {
  ns: string;
  exec: (cmd: string[]) => string;
  /** tcpdump on every device of the namespace, unless tcpdump or tshark is missing. */
  capture: Capture | undefined;
}

/**
 * A namespace with two point-to-point TUN links: path i is the kernel's 10.77.i.1 and our
 * 10.77.i.2 on device `mtrt<i>` (addresses are private to the namespace).
 */
async function testbed(): Promise<Testbed> {
  const ns = `mtrt${process.pid}x${counter++}`;
  const exec = (cmd: string[]): string => execFileSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  execFileSync("ip", ["netns", "add", ns]);
  namespaces.push(ns);
  exec(["ip", "link", "set", "lo", "up"]);
  for (const i of [0, 1]) {
    exec(["ip", "tuntap", "add", `mtrt${i}`, "mode", "tun"]);
    exec(["ip", "addr", "add", `10.77.${i}.1/30`, "dev", `mtrt${i}`]);
    exec(["ip", "link", "set", `mtrt${i}`, "up"]);
  }
  // The kernel accepts (and may open) up to 2 more subflows per connection.
  exec(["ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2"]);
  const capture = captureSkip ? undefined : await startCapture(join(scriptDir, `${ns}.pcap`), "any", children, ns);
  return { ns, exec, capture };
}

/** MPTcpExt counters of the namespace, from /proc/net/netstat. */
function mptcpCounters(exec: (cmd: string[]) => string): Record<string, number> {
  const lines = exec(["cat", "/proc/net/netstat"]).split("\n");
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!lines[i]!.startsWith("MPTcpExt:")) continue;
    const names = lines[i]!.split(/\s+/).slice(1);
    const values = lines[i + 1]!.split(/\s+/).slice(1);
    names.forEach((n, j) => (out[n] = Number(values[j])));
  }
  return out;
}

/**
 * The kernel peer: in `listen` mode it reads to the end, then sends LENGTH bytes; in `connect`
 * mode it sends first, then reads to the end. The bytes sent are (i*7+3) mod 256. Prints
 * "ready" once listening, "mark" once it has read MARK bytes (if given), then
 * "<received> <sha256 received> <sha256 sent>".
 */
const PEER = `
import hashlib, socket, sys
mode, addr, port, length = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
mark = int(sys.argv[5]) if len(sys.argv) > 5 else -1
data = bytes((i * 7 + 3) & 255 for i in range(length))
if mode == 'listen':
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(1)
    print('ready', flush=True)
    c, _ = s.accept()
else:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    c.connect((addr, port))
    c.sendall(data); c.shutdown(socket.SHUT_WR)
h = hashlib.sha256(); n = 0
while True:
    b = c.recv(262144)
    if not b: break
    h.update(b); n += len(b)
    if 0 <= mark <= n:
        print('mark', flush=True); mark = -1
if mode == 'listen':
    c.sendall(data); c.shutdown(socket.SHUT_WR)
    while c.recv(65536): pass
c.close()
print(n, h.hexdigest(), hashlib.sha256(data).hexdigest(), flush=True)
`;

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  done: Promise<number | null>;
}

function run(ns: string, argv: string[]): Proc {
  const child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const p: Proc = { child, stdout: "", stderr: "", done: Promise.resolve(null) };
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (p.stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (p.stderr += d));
  p.done = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  return p;
}

const cli = (ns: string, args: string[]): Proc => run(ns, [process.execPath, CLI_FILE, ...args]);

async function waitFor(p: Proc, stream: "stdout" | "stderr", text: string): Promise<void> {
  while (!p[stream].includes(text)) {
    if (p.child.exitCode !== null) throw new Error(`exited early: ${p.stderr}`);
    await new Promise((r) => p.child[stream]!.once("data", r));
  }
}

/** `p`'s exit code; after `ms` a failure with the end of its stderr (a safety net, not a timing assertion). */
async function exitWithin(p: Proc, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms / 1000} s; stdout ${p.stdout.slice(-500)}; stderr ${p.stderr.slice(-3000)}`)), ms);
  });
  try {
    return await Promise.race([p.done, late]);
  } finally {
    clearTimeout(timer);
  }
}

function seeded(length: number, seed: number): string {
  const src = new SeededBytes(seed, length);
  const parts: Uint8Array[] = [];
  for (let b = src.next(); b !== undefined; b = src.next()) parts.push(b);
  return sha256(Buffer.concat(parts));
}

const PATHS = ["--tun", "mtrt0=10.77.0.2", "--tun", "mtrt1=10.77.1.2,peer=10.77.1.1"];

interface ClientJson {
  bytesSent: number;
  sha256Sent: string;
  bytesReceived: number;
  sha256Received: string;
  fallback: unknown;
  subflows: { local: string; bytesSent: number }[];
  counters: Record<string, number>;
}

/** The kernel's last line: what it received (count, SHA-256) and the SHA-256 of what it sent. */
function peerVerdict(peer: Proc): { received: number; sha256Received: string; sha256Sent: string } {
  const [n, got, sent] = peer.stdout.trim().split("\n").at(-1)!.split(" ");
  return { received: Number(n), sha256Received: got!, sha256Sent: sent! };
}

const nonZero = (k: Record<string, number>): string => JSON.stringify(Object.fromEntries(Object.entries(k).filter(([, v]) => v !== 0)));

describe("mptcp client / mptcp server against kernel MPTCP", { skip, timeout: 120_000 }, () => {
  test("our client --send 32M to a kernel server over two paths, the kernel accepts our join, and its 1 MB comes back", async () => {
    const bed = await testbed();
    const peer = run(bed.ns, ["python3", "-c", PEER, "listen", "0.0.0.0", "5201", "1000000"]);
    await waitFor(peer, "stdout", "ready");
    const client = cli(bed.ns, ["client", "10.77.0.1:5201", ...PATHS, "--send", "32M", "--seed", "5", "--json"]);
    const [cc, pc] = await Promise.all([client.done, peer.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(pc, 0, peer.stderr);
    const r = JSON.parse(client.stdout) as ClientJson;
    const k = peerVerdict(peer);
    assert.equal(r.fallback, false);
    assert.equal(k.received, 32_000_000);
    assert.equal(k.sha256Received, r.sha256Sent);
    assert.equal(r.sha256Sent, seeded(32_000_000, 5));
    assert.equal(r.bytesReceived, 1_000_000);
    assert.equal(r.sha256Received, k.sha256Sent);
    const c = mptcpCounters(bed.exec);
    const why = `ours ${JSON.stringify(r.counters)}; kernel ${nonZero(c)}`;
    assert.ok(c.MPCapableSYNRX! >= 1 && c.MPCapableACKRX! >= 1, why);
    // The join is opened once the connection is fully established (RFC 8684 §3.2); the kernel
    // answers it, takes its third ACK (HMAC valid, connection fully established) and rejects none.
    assert.equal(r.counters.MPJoinSynAckRx, 1, why);
    assert.equal(c.MPJoinAckRx, 1, why);
    assert.equal(c.MPJoinRejected ?? 0, 0, why);
    assert.equal(r.counters.DSSNotMatching ?? 0, 0, why);
    assert.equal(r.subflows.length, 2, why);
    if (bed.capture !== undefined) await assertCleanCapture(bed.capture);
  });

  test("--offload (TUN segmentation offload both ways): our client sends 16 MB over two paths to a kernel server and reads its 4 MB, intact", async () => {
    const bed = await testbed();
    const peer = run(bed.ns, ["python3", "-c", PEER, "listen", "0.0.0.0", "5204", "4000000"]);
    await waitFor(peer, "stdout", "ready");
    const client = cli(bed.ns, ["client", "10.77.0.1:5204", ...PATHS, "--offload", "--send", "16M", "--seed", "6", "--json"]);
    const [cc, pc] = await Promise.all([exitWithin(client, 90_000), peer.done]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(pc, 0, peer.stderr);
    const r = JSON.parse(client.stdout) as ClientJson;
    const k = peerVerdict(peer);
    const why = `ours ${JSON.stringify(r.counters)}; kernel ${nonZero(mptcpCounters(bed.exec))}`;
    assert.equal(r.fallback, false, why);
    assert.equal(k.received, 16_000_000, why);
    assert.equal(k.sha256Received, r.sha256Sent);
    assert.equal(r.sha256Sent, seeded(16_000_000, 6));
    assert.equal(r.bytesReceived, 4_000_000, why);
    assert.equal(r.sha256Received, k.sha256Sent);
    assert.equal(r.counters.DSSNotMatching ?? 0, 0, why);
    if (bed.capture !== undefined) await assertCleanCapture(bed.capture);
  });

  test("a kernel client sends 4 MB to our server --source 2M --once and reads its 2 MB", async () => {
    const bed = await testbed();
    const server = cli(bed.ns, ["server", "--port", "5202", ...PATHS, "--source", "2M", "--seed", "9", "--once", "--json"]);
    await waitFor(server, "stderr", "listening on port");
    const peer = run(bed.ns, ["python3", "-c", PEER, "connect", "10.77.0.2", "5202", "4000000"]);
    const [sc, pc] = await Promise.all([server.done, peer.done]);
    assert.equal(sc, 0, server.stderr);
    assert.equal(pc, 0, peer.stderr);
    const r = JSON.parse(server.stdout) as ClientJson;
    const k = peerVerdict(peer);
    assert.equal(r.fallback, false);
    assert.equal(r.bytesReceived, 4_000_000);
    assert.equal(r.sha256Received, k.sha256Sent);
    assert.equal(k.received, 2_000_000);
    assert.equal(k.sha256Received, r.sha256Sent);
    assert.equal(r.sha256Sent, seeded(2_000_000, 9));
    const c = mptcpCounters(bed.exec);
    assert.ok(c.MPCapableSYNACKRX! >= 1, `the kernel's MP_CAPABLE SYN was answered: ${nonZero(c)}`);
    if (bed.capture !== undefined) await assertCleanCapture(bed.capture);
  });

  // The path manager from the command line: our server announces its second path's address
  // (ADD_ADDR with a valid HMAC, RFC 8684 §3.4.1); the kernel client echoes it and joins it.
  test('our server --endpoint "10.77.1.2 signal": the kernel client joins the announced address', async () => {
    const bed = await testbed();
    const server = cli(bed.ns, ["server", "--port", "5203", ...PATHS, "--endpoint", "10.77.1.2 signal", "--source", "2M", "--once", "--json"]);
    await waitFor(server, "stderr", "listening on port");
    const peer = run(bed.ns, ["python3", "-c", PEER, "connect", "10.77.0.2", "5203", "4000000"]);
    const [sc, pc] = await Promise.all([server.done, peer.done]);
    assert.equal(sc, 0, server.stderr);
    assert.equal(pc, 0, peer.stderr);
    const r = JSON.parse(server.stdout) as ClientJson;
    const k = peerVerdict(peer);
    const c = mptcpCounters(bed.exec);
    const why = `ours ${JSON.stringify(r.counters)}; kernel ${nonZero(c)}`;
    assert.equal(c.AddAddr, 1, why);
    assert.equal(c.AddAddrDrop ?? 0, 0, why);
    assert.equal(c.EchoAddTx, 1, why);
    assert.equal(c.MPJoinSynAckRx, 1, why);
    assert.equal(r.counters.EchoAdd, 1, why);
    assert.equal(r.counters.MPJoinAckRx, 1, why);
    assert.deepEqual(r.subflows.map((x) => x.local).sort(), ["10.77.0.2", "10.77.1.2"], why);
    assert.equal(r.bytesReceived, 4_000_000);
    assert.equal(r.sha256Received, k.sha256Sent);
    assert.equal(k.received, 2_000_000);
    assert.equal(k.sha256Received, r.sha256Sent);
    if (bed.capture !== undefined) await assertCleanCapture(bed.capture);
  });

  // Issue 5 item 6, RFC 8684 §3.3.6: the second path dies under the transfer (its device goes
  // down on the kernel's side, so nothing crosses it either way); what was in flight there is
  // reinjected on the first path, and the kernel's answer comes back on the first path alone.
  test("the second path goes down mid-transfer (ip link set mtrt1 down): 16 MB up and 2 MB down arrive intact", async () => {
    const bed = await testbed();
    const peer = run(bed.ns, ["python3", "-c", PEER, "listen", "0.0.0.0", "5201", "2000000", "6000000"]);
    await waitFor(peer, "stdout", "ready");
    // --interval: if the transfer ever stalls, the failure shows what each subflow was doing.
    const client = cli(bed.ns, ["client", "10.77.0.1:5201", ...PATHS, "--send", "16M", "--seed", "7", "--json", "--interval", "1"]);
    await waitFor(peer, "stdout", "mark");
    const before = mptcpCounters(bed.exec);
    bed.exec(["ip", "link", "set", "mtrt1", "down"]);
    const [cc, pc] = await Promise.all([exitWithin(client, 60_000), exitWithin(peer, 60_000)]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(pc, 0, peer.stderr);
    const r = JSON.parse(client.stdout) as ClientJson;
    const k = peerVerdict(peer);
    const why = `ours ${JSON.stringify(r.counters)}; kernel ${nonZero(mptcpCounters(bed.exec))}`;
    // The join was up when the path went down, so the path carried part of the transfer.
    assert.equal(before.MPJoinAckRx, 1, `the join was accepted before the path went down: ${nonZero(before)}`);
    assert.equal(r.fallback, false);
    assert.equal(k.received, 16_000_000, why);
    assert.equal(k.sha256Received, r.sha256Sent);
    assert.equal(r.sha256Sent, seeded(16_000_000, 7));
    assert.equal(r.bytesReceived, 2_000_000, why);
    assert.equal(r.sha256Received, k.sha256Sent);
    if (bed.capture !== undefined) await assertCleanCapture(bed.capture);
  });
});

/**
 * Our client and our server, each on two TUN devices of one namespace whose kernel forwards
 * between them (it runs no MPTCP of its own here): client path i is 10.78.i.2 behind the kernel's
 * 10.78.i.1, server path i is 10.79.i.2 behind 10.79.i.1.
 */
function forwardingTestbed(): { ns: string; exec: (cmd: string[]) => string } {
  const ns = `mtrf${process.pid}x${counter++}`;
  const exec = (cmd: string[]): string => execFileSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  execFileSync("ip", ["netns", "add", ns]);
  namespaces.push(ns);
  exec(["ip", "link", "set", "lo", "up"]);
  exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  for (const [dev, net] of [["mtrc0", "10.78.0"], ["mtrc1", "10.78.1"], ["mtrs0", "10.79.0"], ["mtrs1", "10.79.1"]] as const) {
    exec(["ip", "tuntap", "add", dev, "mode", "tun"]);
    exec(["ip", "addr", "add", `${net}.1/30`, "dev", dev]);
    exec(["ip", "link", "set", dev, "up"]);
  }
  return { ns, exec };
}

describe("mptcp client against mptcp server over TUN", { skip, timeout: 120_000 }, () => {
  test("--send 8M to --source 1M --once over two TUN paths each, through the kernel's forwarding: hashes equal, two subflows", async () => {
    const { ns } = forwardingTestbed();
    const server = cli(ns, ["server", "--port", "5301", "--tun", "mtrs0=10.79.0.2", "--tun", "mtrs1=10.79.1.2", "--source", "1M", "--seed", "4", "--once", "--json"]);
    await waitFor(server, "stderr", "listening on port");
    const client = cli(ns, ["client", "10.79.0.2:5301", "--tun", "mtrc0=10.78.0.2", "--tun", "mtrc1=10.78.1.2,peer=10.79.1.2", "--send", "8M", "--seed", "3", "--json"]);
    const [cc, sc] = await Promise.all([exitWithin(client, 90_000), exitWithin(server, 90_000)]);
    assert.equal(cc, 0, client.stderr);
    assert.equal(sc, 0, server.stderr);
    const c = JSON.parse(client.stdout) as ClientJson;
    const s = JSON.parse(server.stdout) as ClientJson;
    assert.equal(c.fallback, false);
    assert.equal(c.sha256Sent, seeded(8_000_000, 3));
    assert.equal(s.bytesReceived, 8_000_000);
    assert.equal(s.sha256Received, c.sha256Sent);
    assert.equal(s.sha256Sent, seeded(1_000_000, 4));
    assert.equal(c.bytesReceived, 1_000_000);
    assert.equal(c.sha256Received, s.sha256Sent);
    assert.equal(c.subflows.length, 2, JSON.stringify(c.subflows));
  });
});

function unprivilegedSkip(): string | false {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return "needs root (to drop to an unprivileged user)";
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
  } catch {
    return "setpriv (util-linux) is missing";
  }
  return false;
}

describe("mptcp client without privileges", { skip: unprivilegedSkip(), timeout: 30_000 }, () => {
  test("--tun as an unprivileged user is one line saying what is needed, exit code 2", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI_FILE, "client", "10.0.0.2:5201", "--tun", `mtq${process.pid % 100000}=10.0.0.1`, "--send", "1k"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      const err = e as { status: number; stderr: string };
      status = err.status;
      stderr = err.stderr;
    }
    assert.equal(status, 2, stderr);
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.match(stderr, /^mptcp: .*needs root or CAP_NET_ADMIN/);
  });
});

/**
 * Bulk goodput of one connection, mptcp-ts against the Linux kernel's MPTCP, side by side with
 * kernel to kernel, in one run (`node dist/bench/kernel-goodput.js [MB] [--no-offload] [--only TEXT]`,
 * as root).
 *
 * - ours → kernel: a testbed (src/testbed/, a namespace with one TUN device per path) made for
 *   the run; mptcp-ts runs in a child process inside it (`ip netns exec`: a TUN device is found
 *   by name in the caller's namespace) and sends MB megabytes of a constant buffer to a python
 *   sink on an IPPROTO_MPTCP socket.
 * - kernel → kernel: two namespaces joined by one veth pair per path, the same python sink, and
 *   a python sender that writes the same bytes with sendall().
 * - kernel → ours (one path): a python sender to an mptcp-ts server.
 *
 * Each at IP MTU 1500 and 9000, one path and two (for two, the server's kernel announces its
 * second address, as the testbed does, and the client joins it). Goodput is the receiver's: bytes
 * over the time from accept() to end of stream. CPU is what the two processes of the transfer
 * used (getrusage, all threads, user + system, including the kernel's protocol work done in
 * their context), per gigabyte: for mptcp-ts its Node process (main thread and TUN reader) and
 * the kernel peer; for kernel to kernel the sender and the sink. Softirq work the kernel does
 * outside these processes is not in it; the last column, the whole machine's busy time from
 * /proc/stat, has it, and also whatever else runs on the machine meanwhile.
 *
 * Everything made is named after this process and removed at the end.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openTun } from "../src/io/tun.js";
import type { TunDriver } from "../src/io/tun.js";
import { createStack } from "../src/runtime/stack.js";
import type { MptcpSocket } from "../src/runtime/socket.js";
import { testbedDown, testbedUp } from "../src/testbed/testbed.js";
import { parseUpFlags } from "../src/testbed/spec.js";

const PORT = 5201;

/** What a child (either side, ours or the kernel's) prints as its last line. */
interface Report {
  bytes: number;
  /** Receiver: accept to end of stream. Sender: 0. */
  seconds: number;
  /** CPU seconds of the process over the transfer. */
  cpu: number;
  note?: string;
}

interface ChildConfig {
  role: "client" | "server";
  paths: { device: string; address: string }[];
  mtu: number;
  offload: boolean;
  server: string;
  bytes: number;
}

// ---------------------------------------------------------------------------------------------
// python peers: IPPROTO_MPTCP is 262 (linux/in.h); a kernel without MPTCP refuses the socket.
// Both use CUBIC (TCP_CONGESTION is 13, linux/tcp.h), mptcp-ts's default, whatever the system's
// default is: with BBR, kernel MPTCP over veth idles between pacing slots (0.3 Gbit/s on the
// development machine, against 30 with CUBIC), which would make a poor yardstick.
// ---------------------------------------------------------------------------------------------

const PY_SINK = `
import socket, sys, time, resource, json
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, 13, b"cubic")
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
c0 = cpu(); t0 = time.monotonic(); n = 0; buf = bytearray(1 << 20)
while True:
    k = c.recv_into(buf)
    if k == 0: break
    n += k
t = time.monotonic() - t0
c.close()
print(json.dumps({"bytes": n, "seconds": t, "cpu": cpu() - c0}), flush=True)
`;

const PY_SENDER = `
import socket, sys, resource, json
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
total = int(sys.argv[3]); buf = bytes(range(256)) * 1024
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.setsockopt(socket.IPPROTO_TCP, 13, b"cubic")
c0 = cpu()
s.connect((sys.argv[1], int(sys.argv[2])))
left = total
while left > 0:
    k = min(left, len(buf)); s.sendall(buf[:k] if k < len(buf) else buf); left -= k
s.shutdown(socket.SHUT_WR)
while s.recv(65536): pass
s.close()
print(json.dumps({"bytes": total, "seconds": 0, "cpu": cpu() - c0}), flush=True)
`;

// ---------------------------------------------------------------------------------------------
// The mptcp-ts side, run as a child inside the testbed's namespace.
// ---------------------------------------------------------------------------------------------

async function child(cfg: ChildConfig): Promise<void> {
  const drivers: TunDriver[] = [];
  for (const p of cfg.paths) drivers.push(await openTun({ device: p.device, mtu: cfg.mtu, offload: cfg.offload }));
  const stack = createStack({
    drivers: drivers.map((driver, i) => ({ driver, address: cfg.paths[i]!.address })),
    mptcp: { subflows: Math.max(2, cfg.paths.length - 1) },
  });
  const report = cfg.role === "client" ? await sendAll(stack.connect({ host: cfg.server, port: PORT, localAddress: cfg.paths[0]!.address, allowHalfOpen: true }), cfg.bytes) : await receiveOne(stack);
  const gso = drivers.map((d) => d.gsoStats!).filter((g) => g !== undefined);
  if (gso.length > 0) {
    const sup = gso.reduce((a, g) => a + g.superSegments, 0);
    const seg = gso.reduce((a, g) => a + g.segments, 0);
    const received = gso.reduce((a, g) => a + g.received, 0);
    report.note = cfg.role === "client" ? `${(seg / Math.max(1, sup)).toFixed(1)} segments per offloaded write` : `${received} super-segments read`;
  }
  await stack.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Writes `total` bytes of a constant buffer, half-closes, and waits for the peer's end. */
async function sendAll(socket: MptcpSocket, total: number): Promise<Report> {
  const chunk = new Uint8Array(1 << 16).map((_, i) => i & 0xff);
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    let left = total;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
      }
      socket.end();
    };
    socket.once("connect", pump);
    socket.on("drain", pump);
    socket.on("data", () => {});
    socket.once("close", () => resolve());
    socket.on("error", reject);
  });
  return { bytes: total, seconds: 0, cpu: cpuSeconds(process.cpuUsage(cpu0)) };
}

/** Accepts one connection, reads it to its end, and closes it (both DATA_FINs acknowledged). */
function receiveOne(stack: ReturnType<typeof createStack>): Promise<Report> {
  return new Promise((resolve, reject) => {
    const server = stack.createServer({ allowHalfOpen: true });
    server.on("connection", (socket: MptcpSocket) => {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      let bytes = 0;
      let report: Report | undefined;
      socket.on("data", (d: Uint8Array) => (bytes += d.length));
      socket.once("end", () => {
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        report = { bytes, seconds, cpu: cpuSeconds(process.cpuUsage(cpu0)) };
        socket.end();
      });
      socket.on("error", reject);
      socket.once("close", () => (report !== undefined ? resolve(report) : reject(new Error("closed before its end"))));
    });
    server.listen(PORT);
    process.stdout.write("ready\n");
  });
}

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// The parent: builds the networks, runs each case, prints the table.
// ---------------------------------------------------------------------------------------------

interface Result {
  goodputMbps: number;
  /** CPU s/GB of the two processes, and of the whole machine. */
  cpuPerGb: number;
  machinePerGb: number;
  detail: string;
}

/** Starts `argv`; resolves with its last output line parsed, after its first line if `ready`. */
function run(argv: string[]): { ready: Promise<void>; done: Promise<Report> } {
  const p = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let readyFn: () => void = () => {};
  const ready = new Promise<void>((r) => (readyFn = r));
  p.stdout.setEncoding("utf8");
  p.stdout.on("data", (d: string) => {
    out += d;
    if (out.startsWith("ready\n")) readyFn();
  });
  const done = new Promise<Report>((resolve, reject) => {
    p.once("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`${argv.includes("--child") ? "mptcp-ts" : "the kernel's python peer"} exited with ${code}: ${last}`));
      else resolve(JSON.parse(last) as Report);
    });
  });
  // A child that fails before saying ready must not leave the caller waiting.
  done.catch(() => readyFn());
  return { ready, done };
}

/** Busy and total jiffies of all CPUs (/proc/stat, first line). */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - (f[4] ?? 0), total };
}
const HZ = 100;

async function measure(server: string[], clientArgv: string[], receiverIsServer: boolean): Promise<Result> {
  const srv = run(server);
  await srv.ready;
  const m0 = machineJiffies();
  const cli = run(clientArgv);
  const [s, c] = await Promise.all([srv.done, cli.done]);
  const m1 = machineJiffies();
  const recv = receiverIsServer ? s : c;
  const gb = recv.bytes / 1e9;
  return {
    goodputMbps: (recv.bytes * 8) / recv.seconds / 1e6,
    cpuPerGb: (s.cpu + c.cpu) / gb,
    machinePerGb: (m1.busy - m0.busy) / HZ / gb,
    detail: `server ${(s.cpu / gb).toFixed(2)} + client ${(c.cpu / gb).toFixed(2)} CPU s/GB${s.note ? `; ${s.note}` : ""}${c.note ? `; ${c.note}` : ""}`,
  };
}

function sh(argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
}

/** Two namespaces, `${name}a` (client) and `${name}b` (server), one veth pair per path. */
function vethUp(name: string, paths: number, mtu: number): void {
  const [a, b] = [`${name}a`, `${name}b`];
  sh(["ip", "netns", "add", a]);
  sh(["ip", "netns", "add", b]);
  for (const ns of [a, b]) {
    sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
    sh(["ip", "-n", ns, "mptcp", "limits", "set", "subflows", "8", "add_addr_accepted", "8"]);
  }
  for (let i = 0; i < paths; i++) {
    sh(["ip", "-n", a, "link", "add", `va${i}`, "mtu", String(mtu), "type", "veth", "peer", "name", `vb${i}`, "netns", b, "mtu", String(mtu)]);
    sh(["ip", "-n", a, "addr", "add", `10.124.${i}.2/24`, "dev", `va${i}`]);
    sh(["ip", "-n", b, "addr", "add", `10.124.${i}.1/24`, "dev", `vb${i}`]);
    sh(["ip", "-n", a, "link", "set", `va${i}`, "up"]);
    sh(["ip", "-n", b, "link", "set", `vb${i}`, "up"]);
    // As in the testbed: the server's kernel announces its other addresses, the client joins.
    if (i > 0) sh(["ip", "-n", b, "mptcp", "endpoint", "add", `10.124.${i}.1`, "dev", `vb${i}`, "id", String(i), "signal"]);
  }
}

function vethDown(name: string): void {
  for (const ns of [`${name}a`, `${name}b`]) {
    try {
      sh(["ip", "netns", "del", ns]);
    } catch {
      // Not made (a failure before it): nothing to remove.
    }
  }
}

async function parent(): Promise<void> {
  const args = process.argv.slice(2);
  const mb = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
  const offload = !args.includes("--no-offload");
  // --only TEXT: the cases whose name contains TEXT (e.g. "ours → kernel, MTU 1500").
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1]! : "";
  const bytes = mb * 1e6;
  const self = fileURLToPath(import.meta.url);
  const tag = `gp${process.pid % 100_000}`;
  const py = (ns: string, script: string, ...rest: string[]) => ["ip", "netns", "exec", ns, "python3", "-c", script, ...rest];
  const ours = (ns: string, cfg: ChildConfig) => ["ip", "netns", "exec", ns, process.execPath, self, "--child", JSON.stringify(cfg)];
  const cases: [string, () => Promise<Result>][] = [];
  for (const mtu of [1500, 9000]) {
    for (const paths of [1, 2]) {
      const tb = `${tag}m${mtu === 1500 ? 1 : 9}p${paths}`;
      const label = `MTU ${mtu}, ${paths} path${paths > 1 ? "s" : ""}`;
      cases.push([`ours → kernel, ${label}`, async () => {
        const state = testbedUp(parseUpFlags({ name: tb, paths: String(paths) }));
        try {
          const cfg: ChildConfig = { role: "client", paths: state.paths.map((p) => ({ device: p.device, address: p.tun.split("=")[1]! })), mtu, offload, server: state.paths[0]!.kernel.ipv4, bytes };
          // The sink binds the wildcard: a join arrives on the second path's address.
          return await measure(py(tb, PY_SINK, "0.0.0.0", String(PORT)), ours(tb, cfg), true);
        } finally {
          testbedDown(tb);
        }
      }]);
      cases.push([`kernel → kernel, ${label}`, async () => {
        try {
          vethUp(tb, paths, mtu);
          return await measure(py(`${tb}b`, PY_SINK, "0.0.0.0", String(PORT)), py(`${tb}a`, PY_SENDER, "10.124.0.1", String(PORT), String(bytes)), true);
        } finally {
          vethDown(tb);
        }
      }]);
      if (paths === 1) {
        cases.push([`kernel → ours, ${label}`, async () => {
          const state = testbedUp(parseUpFlags({ name: tb, paths: "1" }));
          try {
            const p = state.paths[0]!;
            const ourAddr = p.tun.split("=")[1]!;
            const cfg: ChildConfig = { role: "server", paths: [{ device: p.device, address: ourAddr }], mtu, offload, server: "", bytes };
            return await measure(ours(tb, cfg), py(tb, PY_SENDER, ourAddr, String(PORT), String(bytes)), true);
          } finally {
            testbedDown(tb);
          }
        }]);
      }
    }
  }

  console.log(`${mb} MB per transfer, one connection; mptcp-ts TUN offload ${offload ? "on (IFF_VNET_HDR, GSO writes)" : "off"}; ${cpuCount()} CPUs`);
  console.log("case | goodput Mbit/s | CPU s/GB (both processes) | machine CPU s/GB | detail");
  const results = new Map<string, Result>();
  for (const [name, f] of cases) {
    if (!name.includes(only)) continue;
    try {
      const r = await f();
      results.set(name, r);
      console.log(`${name} | ${r.goodputMbps.toFixed(0)} | ${r.cpuPerGb.toFixed(2)} | ${r.machinePerGb.toFixed(2)} | ${r.detail}`);
    } catch (e) {
      console.log(`${name} | failed: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  console.log("\nratios, ours / kernel (goodput: higher is better; CPU per GB: lower is better)");
  for (const [name, r] of results) {
    const k = results.get(name.replace(/^ours → kernel|^kernel → ours/, "kernel → kernel"));
    if (name.startsWith("kernel → kernel") || k === undefined) continue;
    console.log(`${name}: goodput ${(r.goodputMbps / k.goodputMbps).toFixed(2)}, CPU per GB ${(r.cpuPerGb / k.cpuPerGb).toFixed(2)}`);
  }
}

function cpuCount(): number {
  return readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((l) => l.startsWith("processor")).length;
}

function kernelReady(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces and TUN devices)";
  if (!existsSync("/dev/net/tun")) return "needs /dev/net/tun";
  if (!existsSync("/proc/sys/net/mptcp/enabled")) return "needs a kernel with MPTCP (CONFIG_MPTCP)";
  try {
    execFileSync("python3", ["-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262).close()"], { stdio: "ignore" });
  } catch {
    return "needs python3 and IPPROTO_MPTCP sockets (net.mptcp.enabled=1)";
  }
  return undefined;
}

const at = process.argv.indexOf("--child");
if (at >= 0) {
  try {
    await child(JSON.parse(process.argv[at + 1]!) as ChildConfig);
  } catch (e) {
    // One line for the parent's table; the connection's own error says what went wrong.
    process.stdout.write(`mptcp-ts ${(e as Error & { code?: string }).code ?? ""} ${(e as Error).message.split("\n")[0]}\n`);
    process.exit(1);
  }
} else {
  const why = kernelReady();
  if (why !== undefined) console.log(`skipped: ${why}`);
  else await parent();
}

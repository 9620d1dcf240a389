/**
 * ADD_ADDR against the Linux kernel's MPTCP (DESIGN.md §8): an MptcpHost on a TUN device whose
 * kernel side lives in a network namespace of its own (so its `ip mptcp` endpoints and limits
 * touch nothing else), driven in real time, with a Python IPPROTO_MPTCP socket in that namespace.
 * - The kernel server has a `signal` endpoint: it announces its second address, we check its
 *   HMAC, echo it and join it.
 * - Our server has a `signal` endpoint: the kernel client checks our HMAC (it echoes only a valid
 *   one) and joins the address.
 * Both transfers must arrive intact. Runs as root with /dev/net/tun, `ip netns` and MPTCP;
 * otherwise skipped with the reason.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cryptoRandom } from "../../src/runtime/clock.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTun } from "../../src/io/tun.js";
import type { TunDriver } from "../../src/io/tun.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { nonZeroCounters } from "../../src/mptcp/counters.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { assertCleanCapture, captureSkipReason, startCapture, type Capture } from "../support/capture.js";
import { kernelPeer, pattern, realTimeLoop, type KernelPeer } from "../support/kernel.js";
import { tsharkFields } from "../support/tshark.js";
import { sha256 } from "../support/mptcp-sim.js";
import { parseAddress } from "../../src/wire/address.js";
import { tunSkipReason, uniqueLink, until } from "../io/util.js";

function skipReason(): string | false {
  const tun = tunSkipReason();
  if (tun) return tun;
  try {
    if (readFileSync("/proc/sys/net/mptcp/enabled", "utf8").trim() !== "1") return "net.mptcp.enabled is 0";
    execFileSync("ip", ["netns", "list"], { stdio: "ignore" });
  } catch {
    return "no kernel MPTCP or no `ip netns`";
  }
  return false;
}

const skip = skipReason();
if (skip) console.log(`# kernel path-manager tests skipped: ${skip}`);

const captureSkip = skip ? false : captureSkipReason();
if (captureSkip) console.log(`# kernel path-manager tests run without checking their captures: ${captureSkip}`);

const namespaces: string[] = [];
const children: ChildProcess[] = [];
const captures = skip ? "" : mkdtempSync(join(tmpdir(), "mptcp-pm-"));
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  if (captures) rmSync(captures, { recursive: true, force: true });
  for (const ns of namespaces) {
    try {
      execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    } catch {
      // Already gone.
    }
  }
});

const ip = (...args: string[]): string => execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const LENGTH = 300_000;



/**
 * The kernel side (listening on every address of its namespace, so that joins to its second
 * address find the listener): reads until our DATA_FIN (slowly at first, so that a join has time to come),
 * sends LENGTH bytes of (i*7+3) mod 256, closes; prints its port, then the count and SHA-256 of
 * what it read.
 */
const PEER_SCRIPT = `
import hashlib, socket, sys, time
mode, addr, port, length, proto = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if mode == 'listen':
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    s.bind(('', 0)); s.listen(1)
    print(s.getsockname()[1], flush=True)
    c, _ = s.accept()
else:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    c.connect((addr, port))
    print(0, flush=True)
h = hashlib.sha256(); n = 0
while True:
    b = c.recv(4096)
    if not b: break
    h.update(b); n += len(b)
    if n < 100000: time.sleep(0.002)
c.sendall(bytes((i * 7 + 3) & 255 for i in range(length)))
c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()
print(n, h.hexdigest(), flush=True)
`;

/** The kernel's side of a transfer in namespace `ns`; `proto` 262 is IPPROTO_MPTCP, 6 plain TCP. */
function peerIn(ns: string, mode: "listen" | "connect", addr: string, port: number, proto: number): KernelPeer {
  return kernelPeer(["ip", "netns", "exec", ns, "python3", "-c", PEER_SCRIPT, mode, addr, String(port), String(LENGTH), String(proto)], children);
}

/** One MPTcpExt counter of namespace `ns`. */
function kernelCounter(ns: string, name: string): number {
  const out = execFileSync("ip", ["netns", "exec", ns, "nstat", "-az", name], { encoding: "utf8" });
  return Number(/\s(\d+)\s/.exec(out.split("\n").find((l) => l.startsWith(name)) ?? "")?.[1] ?? 0);
}

/** Our application: sends `data`, shuts down, reads everything; keeps the multipath events. */
class App {
  private sent = 0;
  readonly chunks: Uint8Array[] = [];
  readonly paths: MptcpEvent[] = [];
  closed = false;
  reset = false;
  conn: MptcpConnection | undefined;
  /** Called once when a joined subflow is up. */
  onJoinUp: ((conn: MptcpConnection) => void) | undefined;

  constructor(private readonly data: Uint8Array) {}

  onEvent(e: MptcpEvent): void {
    switch (e.type) {
      case "incoming":
        this.conn = e.listener.accept();
        this.push();
        return;
      case "connected":
      case "writable":
        this.push();
        return;
      case "readable":
        for (let b = this.conn!.read(); b !== undefined; b = this.conn!.read()) this.chunks.push(b.slice());
        return;
      case "closed":
        this.closed = true;
        return;
      case "reset":
      case "timed-out":
        this.reset = true;
        return;
      case "subflow-up":
        this.paths.push(e);
        if (e.subflow.kind === "join" && this.onJoinUp !== undefined) {
          const f = this.onJoinUp;
          this.onJoinUp = undefined;
          f(e.connection);
        }
        return;
      case "subflow-down":
      case "address-announced":
      case "address-removed":
      case "priority-changed":
        this.paths.push(e);
        return;
      default:
        return;
    }
  }

  push(): void {
    const c = this.conn!;
    while (this.sent < this.data.length) {
      const n = c.write(this.data.subarray(this.sent));
      if (n === 0) return;
      this.sent += n;
    }
    c.shutdown();
  }
}


/**
 * A TUN link whose kernel side is in a fresh namespace: addresses K1 and K2 there, S1 and S2 ours
 * (two /30s on the one link).
 */
async function nsLink(): Promise<{ driver: TunDriver; ns: string; k1: string; k2: string; s1: string; s2: string; device: string; capture: Capture | undefined }> {
  const a = uniqueLink();
  const b = uniqueLink();
  const ns = `mptcppm${process.pid % 100000}${namespaces.length}`;
  ip("netns", "add", ns);
  namespaces.push(ns);
  const driver = await openTun({ device: a.device });
  ip("link", "set", "dev", a.device, "netns", ns);
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "addr", "add", `${a.v4.kernel}/30`, "dev", a.device);
  ip("-n", ns, "addr", "add", `${b.v4.kernel}/30`, "dev", a.device);
  ip("-n", ns, "link", "set", a.device, "up");
  const capture = captureSkip ? undefined : await startCapture(join(captures, `${ns}.pcap`), "any", children, ns);
  return { driver, ns, device: a.device, k1: a.v4.kernel, k2: b.v4.kernel, s1: a.v4.stack, s2: b.v4.stack, capture };
}

type NsLink = Awaited<ReturnType<typeof nsLink>>;

/**
 * Our side sends `sendBytes` (the kernel sends LENGTH back). `watch`, when given, is polled every
 * millisecond until it returns true: an action to take mid-transfer.
 */
async function transfer(role: "client" | "server", mptcp: (l: NsLink) => MptcpOptions, kernelSetup: (l: NsLink) => void, onJoinUp?: (conn: MptcpConnection, host: MptcpHost, l: NsLink) => void, kernelProto = 262, sendBytes = LENGTH, watch?: (app: App, l: NsLink) => boolean) {
  const link = await nsLink();
  let poll: ReturnType<typeof setInterval> | undefined;
  try {
    kernelSetup(link);
    const host = new MptcpHost({ interfaces: [{ addresses: [parseAddress(link.s1)!, parseAddress(link.s2)!], mtu: link.driver.mtu }], random: cryptoRandom, mptcp: mptcp(link) });
    const mine = pattern(sendBytes, 13, 5);
    const app = new App(mine);
    if (onJoinUp !== undefined) app.onJoinUp = (conn) => onJoinUp(conn, host, link);
    const loop = realTimeLoop(host, link.driver, (e) => app.onEvent(e));
    let peer;
    if (role === "client") {
      peer = peerIn(link.ns, "listen", link.k1, 0, kernelProto);
      app.conn = host.connect(parseAddress(link.k1)!, await peer.port, loop.now(), { local: parseAddress(link.s1)! });
    } else {
      host.listen(5201);
      peer = peerIn(link.ns, "connect", link.s1, 5201, kernelProto);
    }
    loop.drain();
    if (watch !== undefined) {
      poll = setInterval(() => {
        if (watch(app, link)) {
          clearInterval(poll);
          poll = undefined;
        }
      }, 1);
    }
    await until(() => app.closed, "the connection to close", 20_000);
    await link.capture?.stop();
    await loop.close();
    const result = await peer.result;
    // MPTCP options are on the wire when the SYN offers MPTCP (RFC 8684 §3.1): the initiator's choice.
    if (link.capture !== undefined) await assertCleanCapture(link.capture, role === "client" ? mptcp(link).enabled !== false : kernelProto === 262);
    // The kernel's own view (its namespace's MPTcpExt counters), for the assertion messages.
    const nstat = execFileSync("ip", ["netns", "exec", link.ns, "nstat", "-az"], { encoding: "utf8" });
    const kernel = nstat.split("\n").filter((x) => x.startsWith("MPTcpExt") && !/\s0\s/.test(x)).map((x) => x.split(/\s+/).slice(0, 2).join("=")).join(" ");
    return { host, app, mine, result, link, why: `ours ${JSON.stringify(nonZeroCounters(host.counters))}; kernel ${kernel}` };
  } finally {
    if (poll !== undefined) clearInterval(poll);
    await link.driver.close();
  }
}

/** The kernel side of the fast-close tests: reads, and with `abort` closes with SO_LINGER 0 after 50 kB. */
const FASTCLOSE_SCRIPT = `
import socket, struct, sys, time
mode = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.bind(('', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
n = 0
try:
    while True:
        b = c.recv(65536)
        if not b: break
        n += len(b)
        # A slow reader: the sender stays window-limited, so it is still sending when it aborts.
        time.sleep(0.005)
        if mode == 'abort' and n >= 50000:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            c.close()
            print('aborted', n, flush=True)
            sys.exit(0)
    print('eof', n, flush=True)
except ConnectionResetError:
    print('reset', n, flush=True)
`;

/** Our client sends to a kernel server until one side aborts (`who`); what both ends saw. */
async function fastclose(who: "kernel" | "us") {
  const link = await nsLink();
  try {
    const host = new MptcpHost({ interfaces: [{ addresses: [parseAddress(link.s1)!], mtu: link.driver.mtu }], random: cryptoRandom });
    const app = new App(pattern(16_000_000, 13, 5));
    const loop = realTimeLoop(host, link.driver, (e) => app.onEvent(e));
    // We abort as soon as the kernel has acknowledged 100 kB (no event says so: look often).
    const watch = setInterval(() => {
      const c = app.conn;
      if (who === "us" && c !== undefined && c.mode === "mptcp" && c.dataLevel.sndUna > 100_000) {
        clearInterval(watch);
        c.abort();
        loop.drain();
      }
    }, 1);
    const child = spawn("ip", ["netns", "exec", link.ns, "python3", "-c", FASTCLOSE_SCRIPT, who === "kernel" ? "abort" : "read"], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => (out += d));
    await until(() => out.includes("\n"), "the kernel to listen", 10_000);
    app.conn = host.connect(parseAddress(link.k1)!, Number(out.split("\n")[0]), loop.now(), { local: parseAddress(link.s1)! });
    loop.drain();
    await until(() => out.split("\n").length > 2 && (app.closed || app.reset), "both ends to see the end", 10_000);
    clearInterval(watch);
    await link.capture?.stop();
    await loop.close();
    if (link.capture !== undefined) await assertCleanCapture(link.capture);
    const nstat = execFileSync("ip", ["netns", "exec", link.ns, "nstat", "-az"], { encoding: "utf8" });
    const kernel = nstat.split("\n").filter((x) => x.startsWith("MPTcpExt") && !/\s0\s/.test(x)).map((x) => x.split(/\s+/).slice(0, 2).join("=")).join(" ");
    return { host, app, kernel: out.split("\n")[1]!, why: `ours ${JSON.stringify(nonZeroCounters(host.counters))}; kernel ${kernel}; peer said ${out.split("\n")[1]}` };
  } finally {
    await link.driver.close();
  }
}

describe("the path manager against Linux MPTCP", { skip, timeout: 60_000 }, () => {
  test("the kernel announces its second address: HMAC valid, echoed, joined; bytes intact", async () => {
    const r = await transfer("client", () => ({ limits: { addAddrAccepted: 1 } }), (l) => {
      ip("-n", l.ns, "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2");
      ip("-n", l.ns, "mptcp", "endpoint", "add", l.k2, "dev", l.device, "signal");
    });
    const c = r.host.counters;
    const why = r.why;
    assert.equal(r.app.conn!.mode, "mptcp");
    // Linux retransmits an ADD_ADDR whose echo is late (it adapts the timeout to the subflow's
    // RTO), so a loaded machine may see it twice: each is echoed, one join follows.
    assert.ok(c.AddAddr >= 1, why);
    assert.equal(c.AddAddrDrop, 0, why);
    assert.equal(c.EchoAddTx, c.AddAddr, why);
    assert.equal(c.MPJoinSynAckRx, 1, why);
    assert.equal(c.MPJoinSynAckHMacFailure, 0, why);
    const announced = r.app.paths.find((e) => e.type === "address-announced");
    assert.ok(announced?.type === "address-announced");
    assert.equal(announced.address, r.link.k2);
    assert.equal(r.app.paths.filter((e) => e.type === "subflow-up").length, 2, "the initial subflow and the join were up");
    assert.equal(r.result.received, LENGTH);
    assert.equal(r.result.sha256, sha256(r.mine));
    assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
  });

  test("we announce our second address: the kernel echoes it (our HMAC is valid) and joins it; bytes intact", async () => {
    const r = await transfer(
      "server",
      (l) => ({ endpoints: [`${l.s2} signal`] }),
      (l) => void ip("-n", l.ns, "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2"),
    );
    const c = r.host.counters;
    const why = r.why;
    assert.ok(c.AddAddrTx >= 1, why);
    // The kernel took our ADD_ADDR (it drops one with a bad HMAC, AddAddrDrop), echoed it, joined.
    assert.match(why, /kernel .*MPTcpExtAddAddr=1/);
    assert.doesNotMatch(why, /MPTcpExtAddAddrDrop/);
    assert.match(why, /kernel .*MPTcpExtEchoAddTx=1/);
    assert.match(why, /kernel .*MPTcpExtMPJoinSynAckRx=1/);
    assert.equal(c.EchoAdd, 1, why);
    assert.equal(c.MPJoinSynRx, 1, why);
    assert.equal(c.MPJoinAckRx, 1, why);
    assert.equal(r.result.received, LENGTH);
    assert.equal(r.result.sha256, sha256(r.mine));
    assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
  });

  test("MP_PRIO and REMOVE_ADDR to the kernel mid-transfer: it takes both, and the bytes still arrive intact", async () => {
    const r = await transfer(
      "server",
      (l) => ({ endpoints: [`${l.s2} signal`] }),
      (l) => void ip("-n", l.ns, "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2"),
      (conn, host, l) => {
        // The join is up: mark it backup, then, once the kernel took the MP_PRIO, withdraw its
        // address (removed first, the subflow would be gone before the MP_PRIO counted).
        assert.ok(conn.setBackup(conn.joinedSubflows[0]!, true));
        void (async () => {
          for (let i = 0; i < 500 && kernelCounter(l.ns, "MPTcpExtMPPrioRx") === 0; i++) await new Promise((res) => setTimeout(res, 10));
          host.removeAddress(parseAddress(l.s2)!);
        })();
      },
    );
    const why = r.why;
    assert.match(why, /kernel .*MPTcpExtMPPrioRx=1/);
    assert.match(why, /kernel .*MPTcpExtRmAddr=1/);
    assert.ok(r.host.counters.RmAddrTx === 1 && r.host.counters.MPPrioTx === 1, why);
    const down = r.app.paths.find((e) => e.type === "subflow-down");
    assert.ok(down?.type === "subflow-down" && down.reason === "removed", why);
    assert.equal(r.result.received, LENGTH);
    assert.equal(r.result.sha256, sha256(r.mine));
    assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
  });

  // The kernel keeps a connection whose last subflow is gone for net.mptcp.close_timeout (Linux
  // 6.5+, `__mptcp_close_ssk`), and so do we (close-timeout.ts): the kernel kills our only subflow
  // mid-transfer (`ss -K`, a RST), our single-path policy joins again from the same address, the
  // kernel takes the join into the connection it kept, and the transfer ends intact.
  test("the kernel resets our only subflow mid-transfer: both ends wait, our policy joins again, bytes intact", async () => {
    let killedAt: number | undefined;
    const r = await transfer(
      "client",
      () => ({ pathManager: "single-path" }),
      (l) => void ip("-n", l.ns, "mptcp", "limits", "set", "subflows", "2"),
      undefined,
      262,
      8_000_000,
      (app, l) => {
        const c = app.conn;
        if (c === undefined || c.mode !== "mptcp" || c.dataLevel.sndUna < 1_000_000) return false;
        killedAt = c.dataLevel.sndUna;
        const port = c.subflow!.localPort;
        execFileSync("ip", ["netns", "exec", l.ns, "ss", "-K", "-t", `dport = :${port}`], { stdio: "ignore" });
        return true;
      },
    );
    const why = `${r.why}; killed at ${killedAt}`;
    const down = r.app.paths.find((e) => e.type === "subflow-down");
    assert.ok(down?.type === "subflow-down" && down.reason === "reset" && down.subflow.kind === "initial", why);
    assert.ok(r.app.paths.some((e) => e.type === "subflow-up" && e.subflow.kind === "join"), why);
    assert.ok(r.host.counters.MPJoinSynTx >= 1, why);
    assert.match(why, /kernel .*MPTcpExtMPJoinAckRx=1/);
    assert.ok(killedAt !== undefined && killedAt < 8_000_000, why);
    assert.equal(r.app.reset, false, why);
    assert.equal(r.result.received, 8_000_000, why);
    assert.equal(r.result.sha256, sha256(r.mine));
    assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
  });

  // §3.1 flag C (Linux `allow_join_initial_addr_port` 0): the kernel server tells us not to open
  // subflows to its initial address and port. Our `subflow` endpoint would otherwise join exactly
  // that (Linux `fill_remote_addresses_vec`); we join only the address the kernel announces.
  test("flag C: a kernel server with allow_join_initial_addr_port=0 is joined only at the address it announces", async () => {
    const r = await transfer("client", (l) => ({ endpoints: [`${l.s2} subflow`], limits: { addAddrAccepted: 1, subflows: 2 } }), (l) => {
      ip("netns", "exec", l.ns, "sysctl", "-qw", "net.mptcp.allow_join_initial_addr_port=0");
      ip("-n", l.ns, "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2");
      ip("-n", l.ns, "mptcp", "endpoint", "add", l.k2, "dev", l.device, "signal");
    });
    const c = r.host.counters;
    const why = r.why;
    assert.equal(r.app.conn!.mode, "mptcp", why);
    assert.equal(c.MPJoinSynTx, 1, why);
    assert.equal(c.MPJoinSynAckRx, 1, why);
    assert.match(why, /kernel .*MPTcpExtMPJoinAckRx=1/);
    assert.doesNotMatch(why, /MPTcpExtMPJoinRejected/);
    if (r.link.capture !== undefined) {
      const file = r.link.capture.file;
      const synAck = [...tsharkFields(file, ["tcp.options.mptcp.nomoresubflows.flag"], ["-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.mptcp.subtype == 0"]).values()];
      assert.equal(synAck.length, 1);
      assert.equal(synAck[0]!.get("tcp.options.mptcp.nomoresubflows.flag")?.[0], "1", "the kernel's SYN/ACK sets C");
      const joinSyns = [...tsharkFields(file, ["ip.dst"], ["-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mptcp.subtype == 1"]).values()];
      assert.deepEqual(joinSyns.map((f) => f.get("ip.dst")?.[0]), [r.link.k2], "every MP_JOIN SYN goes to the announced address");
    }
    assert.equal(r.result.received, LENGTH);
    assert.equal(r.result.sha256, sha256(r.mine));
    assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
  });

  // Fallback both ways (RFC 8684 §3.1, §3.7): one end does not offer MPTCP; the other goes on as
  // plain TCP and no byte is lost.
  for (const role of ["client", "server"] as const) {
    test(`a plain-TCP kernel ${role === "client" ? "server" : "client"}: our ${role} falls back, bytes intact`, async () => {
      const r = await transfer(role, () => ({}), () => {}, undefined, 6);
      assert.equal(r.app.conn!.mode, "fallback", r.why);
      assert.equal(r.app.conn!.fallbackReason, role === "client" ? "SYN/ACK without MP_CAPABLE" : "SYN without MP_CAPABLE", r.why);
      if (role === "client") assert.equal(r.host.counters.MPCapableFallbackSYNACK, 1, r.why);
      assert.equal(r.result.received, LENGTH);
      assert.equal(r.result.sha256, sha256(r.mine));
      assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
    });

    test(`MPTCP off on our ${role}: the kernel's MPTCP ${role === "client" ? "server" : "client"} falls back, bytes intact`, async () => {
      const r = await transfer(role, () => ({ enabled: false }), () => {});
      assert.equal(r.app.conn!.mode, "fallback", r.why);
      // The kernel client saw our SYN/ACK without MP_CAPABLE and counted its fallback.
      if (role === "server") assert.match(r.why, /kernel .*MPTcpExtMPCapableFallbackSYNACK=1/);
      assert.equal(r.result.received, LENGTH);
      assert.equal(r.result.sha256, sha256(r.mine));
      assert.equal(sha256(Buffer.concat(r.app.chunks)), sha256(pattern(LENGTH, 7, 3)));
    });
  }

  // MP_FASTCLOSE both ways (§3.5): the connection ends at once on both ends, and says so.
  test("the kernel aborts (SO_LINGER 0 with unread data): its MP_FASTCLOSE resets our connection", async () => {
    const r = await fastclose("kernel");
    assert.equal(r.kernel.split(" ")[0], "aborted");
    assert.ok(r.app.reset, r.why);
    assert.ok(r.host.counters.MPFastcloseRx >= 1, r.why);
    assert.match(r.why, /kernel .*MPTcpExtMPFastcloseTx=1/);
    for (const s of r.app.conn!.stats().subflows) assert.equal(s.state, "CLOSED");
  });

  test("we abort: our MP_FASTCLOSE resets the kernel's connection", async () => {
    const r = await fastclose("us");
    assert.equal(r.kernel.split(" ")[0], "reset", r.why);
    assert.ok(r.host.counters.MPFastcloseTx >= 1, r.why);
    assert.match(r.why, /kernel .*MPTcpExtMPFastcloseRx=1/);
  });
});

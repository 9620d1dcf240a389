/**
 * The runtime and its `net`-style API, in process: two stacks over in-memory links, driven by
 * real time. Bulk transfer with backpressure both ways, half-close, destroy, refusal, multipath
 * events, and a process that exits by itself once the stacks are closed.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createStack, memoryLink } from "../../src/runtime/index.js";
import type { MptcpSocket, Stack } from "../../src/runtime/index.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import type { TcpConfig } from "../../src/tcp/config.js";
import { payload, sha256 } from "../support/mptcp-sim.js";

interface Pair {
  client: Stack;
  server: Stack;
  close(): Promise<void>;
}

/**
 * Buffers small enough that a few MB overflow them: the connection's backpressure must then reach
 * `write()` and the sender must wait for a reader that does not read.
 */
const SMALL_BUFFERS: MptcpOptions = { sendBufferSize: 256 * 1024, recvBufferSize: 256 * 1024 };

/** Two stacks joined by `paths` links; path i is 10.0.i.1 (client) to 10.0.i.2 (server). */
function pair(paths = 1, mptcp: MptcpOptions = SMALL_BUFFERS, tcp: Partial<TcpConfig> = {}): Pair {
  const links = Array.from({ length: paths }, () => memoryLink());
  const client = createStack({ drivers: links.map(([a], i) => ({ driver: a, address: `10.0.${i}.1` })), mptcp, tcp });
  const server = createStack({ drivers: links.map(([, b], i) => ({ driver: b, address: `10.0.${i}.2` })), mptcp, tcp });
  return {
    client,
    server,
    close: async () => {
      await Promise.all([client.close(), server.close()]);
    },
  };
}

/** Collects a readable side to its end (not with `for await`, which destroys the socket). */
function readAll(s: MptcpSocket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    s.once("end", () => resolve(Buffer.concat(chunks)));
    s.once("error", reject);
  });
}

/** Writes `data` in 64 kB pieces honouring backpressure; returns how often write() said "wait". */
async function writeAll(s: MptcpSocket, data: Uint8Array): Promise<number> {
  let waits = 0;
  for (let off = 0; off < data.length; off += 65536) {
    if (!s.write(data.subarray(off, off + 65536))) {
      waits++;
      await once(s, "drain");
    }
  }
  return waits;
}

describe("runtime: net-style sockets over two stacks", { timeout: 60_000 }, () => {
  test("4 MB each way with backpressure, half-close both ways, SHA-256 equal", async () => {
    const p = pair();
    try {
      const up = payload(4_000_000, 1);
      const down = payload(4_000_000, 2);
      let serverWaits = 0;
      const served = new Promise<Buffer>((resolve, reject) => {
        const srv = p.server.createServer({ allowHalfOpen: true }, (s) => {
          s.on("error", reject);
          // The server reads everything first (the client's half-close ends it), then answers
          // on its own half of the connection.
          readAll(s)
            .then(async (got) => {
              assert.equal(s.writable, true, "allowHalfOpen keeps the writable side open");
              serverWaits = await writeAll(s, down);
              s.end();
              resolve(got);
            })
            .catch(reject);
        });
        srv.listen(5201);
      });
      const sock = p.client.connect({ port: 5201, host: "10.0.0.2", allowHalfOpen: true });
      sock.on("error", (e) => assert.fail(e));
      await once(sock, "connect");
      assert.equal(sock.remoteAddress, "10.0.0.2");
      assert.equal(sock.remotePort, 5201);
      assert.equal(sock.localAddress, "10.0.0.1");
      const received = readAll(sock);
      const clientWaits = await writeAll(sock, up);
      sock.end();
      const atServer = await served;
      const atClient = await received;
      assert.equal(atServer.length, up.length);
      assert.equal(sha256(atServer), sha256(up));
      assert.equal(atClient.length, down.length);
      assert.equal(sha256(atClient), sha256(down));
      assert.ok(clientWaits > 0 && serverWaits > 0, `write() returned false (client ${clientWaits}, server ${serverWaits} times)`);
      if (!sock.destroyed) await once(sock, "close");
      assert.equal(sock.mptcp.mode, "mptcp");
      assert.equal(sock.mptcp.fallback, false);
    } finally {
      await p.close();
    }
  });

  test("a slow reader holds the sender back without losing a byte", async () => {
    const p = pair();
    try {
      const data = payload(1_500_000, 3);
      const got = new Promise<Buffer>((resolve) => {
        p.server
          .createServer((s) => {
            s.pause();
            // Nothing is read for a while: the connection's receive buffer and window fill up.
            setTimeout(() => {
              resolve(readAll(s));
              s.resume();
            }, 300);
          })
          .listen(5202);
      });
      const sock = p.client.connect(5202, "10.0.0.2");
      const waits = await writeAll(sock, data);
      sock.end();
      const b = await got;
      assert.equal(sha256(b), sha256(data));
      assert.ok(waits > 0);
    } finally {
      await p.close();
    }
  });

  test("without allowHalfOpen a socket ends when its peer does; both see 'close'", async () => {
    const p = pair();
    try {
      const serverClosed = new Promise<void>((resolve) => {
        p.server
          .createServer((s) => {
            s.resume();
            s.on("close", () => resolve());
          })
          .listen(5203);
      });
      const sock = p.client.connect(5203, "10.0.0.2", () => sock.end("bye"));
      sock.resume();
      await Promise.all([once(sock, "close"), serverClosed]);
      assert.equal(sock.readableEnded, true);
      assert.equal(sock.writableFinished, true);
    } finally {
      await p.close();
    }
  });

  // The peer's end comes while our last window is in flight: the socket closes, the connection
  // finishes in the background, and what it acknowledged is counted once the stack is closed.
  for (const enabled of [true, false]) {
    test(`connection.bytesAcked counts every byte once the close is done${enabled ? "" : ", after a fallback (the last ACK is the FIN's)"}`, async () => {
      const p = pair(1, { ...SMALL_BUFFERS, enabled });
      try {
        const up = payload(1_000_000, 3);
        const received = new Promise<Buffer>((resolve) => {
          p.server
            .createServer({ allowHalfOpen: true }, (s) => {
              resolve(readAll(s));
              s.end("bye");
            })
            .listen(5209);
        });
        const sock = p.client.connect({ port: 5209, host: "10.0.0.2", allowHalfOpen: true });
        sock.resume();
        const closed = once(sock, "close");
        await writeAll(sock, up);
        sock.end();
        await closed;
        assert.equal(sock.connection.mode, enabled ? "mptcp" : "fallback");
        await p.client.close();
        assert.equal(sha256(await received), sha256(up));
        assert.equal(sock.connection.bytesAcked, up.length);
      } finally {
        await p.close();
      }
    });
  }

  test("destroy() resets the peer with ECONNRESET (MP_FASTCLOSE)", async () => {
    const p = pair();
    try {
      const peerError = new Promise<NodeJS.ErrnoException>((resolve) => {
        p.server.createServer((s) => s.on("error", resolve)).listen(5204);
      });
      const sock = p.client.connect(5204, "10.0.0.2");
      await once(sock, "connect");
      sock.write("x");
      await new Promise((r) => setTimeout(r, 20));
      sock.destroy();
      const e = await peerError;
      assert.equal(e.code, "ECONNRESET");
      assert.equal(e.syscall, "read");
    } finally {
      await p.close();
    }
  });

  test("a port nobody listens on refuses with ECONNREFUSED", async () => {
    const p = pair();
    try {
      const sock = p.client.connect(5299, "10.0.0.2");
      const [e] = (await once(sock, "error")) as [NodeJS.ErrnoException & { address: string; port: number }];
      assert.equal(e.code, "ECONNREFUSED");
      assert.equal(e.syscall, "connect");
      assert.equal(e.address, "10.0.0.2");
      assert.equal(e.port, 5299);
      assert.match(e.message, /^connect ECONNREFUSED 10\.0\.0\.2:5299/);
    } finally {
      await p.close();
    }
  });

  test("listen errors and addresses are those of net", async () => {
    const p = pair();
    try {
      const a = p.server.createServer();
      a.listen(0);
      await once(a, "listening");
      const port = a.address()!.port;
      assert.ok(port >= 49152 && port <= 65535);
      const b = p.server.createServer().listen(port);
      const [e] = (await once(b, "error")) as [NodeJS.ErrnoException];
      assert.equal(e.code, "EADDRINUSE");
      const c = p.server.createServer().listen(5205, "10.9.9.9");
      const [e2] = (await once(c, "error")) as [NodeJS.ErrnoException];
      assert.equal(e2.code, "EADDRNOTAVAIL");
      const closed = once(a, "close");
      a.close();
      await closed;
      assert.equal(a.address(), null);
    } finally {
      await p.close();
    }
  });

  // Paced (tcp.pacing), the runtime lets segments leave up to a timer tick early
  // (RUNTIME_PACING_SLACK_US) so that millisecond timers do not hold them one per tick.
  for (const [pacing, port] of [[false, 5206], [true, 5209]] as const) {
    test(`a second path${pacing ? ", paced subflows" : ""}: subflow-up for both subflows, per-subflow statistics`, async () => {
      const p = pair(2, SMALL_BUFFERS, { pacing });
      try {
        const data = payload(2_000_000, 4);
        const got = new Promise<Buffer>((resolve) => {
          p.server.createServer((s) => resolve(readAll(s))).listen(port);
        });
        const sock = p.client.connect(port, "10.0.0.2");
        const ups: string[] = [];
        sock.on("subflow-up", (e: { subflow: { local: string; remote: string } }) => ups.push(`${e.subflow.local}>${e.subflow.remote}`));
        await once(sock, "connect");
        assert.ok(sock.connection.openSubflow(new Uint8Array([10, 0, 1, 1]), new Uint8Array([10, 0, 1, 2]), port));
        p.client.schedule();
        await writeAll(sock, data);
        sock.end();
        assert.equal(sha256(await got), sha256(data));
        const subs = sock.mptcp.subflows;
        assert.equal(subs.length, 2);
        assert.deepEqual(ups.sort(), ["10.0.0.1>10.0.0.2", "10.0.1.1>10.0.1.2"]);
        const path1 = subs.find((s) => s.local === "10.0.1.1")!;
        assert.equal(path1.remote, "10.0.1.2");
        assert.ok(path1.bytesSent > 0, "the joined subflow carried data");
        assert.equal(p.server.loop.drivers[1]!.stats.rxPackets > 0, true);
      } finally {
        await p.close();
      }
    });
  }

  test("the process exits by itself once the stacks are closed (no stray timers or handles)", async () => {
    const runtime = fileURLToPath(new URL("../../src/runtime/index.js", import.meta.url));
    const script = `
      import { createStack, memoryLink } from ${JSON.stringify(runtime)};
      const [a, b] = memoryLink();
      const client = createStack({ drivers: [{ driver: a, address: "10.0.0.1" }] });
      const server = createStack({ drivers: [{ driver: b, address: "10.0.0.2" }] });
      server.createServer((s) => s.pipe(s)).listen(7);
      const sock = client.connect(7, "10.0.0.2", () => sock.end("ping"));
      let echoed = "";
      sock.on("data", (d) => (echoed += d));
      sock.on("close", async () => {
        await client.close();
        await server.close();
        console.log(echoed);
      });
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const limit = setTimeout(() => child.kill(), 20_000);
    const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
    clearTimeout(limit);
    assert.equal(signal, null, "the child had to be killed: something kept it alive");
    assert.equal(code, 0);
    assert.equal(out.trim(), "ping");
  });
});

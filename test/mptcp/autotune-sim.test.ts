/**
 * Receive-buffer autotuning in the simulator (mptcp/rcv-space.ts): a download over one 20 Mbit/s
 * path of 40 ms RTT (a bandwidth-delay product of 100 KB) whose queue is deeper than the cap, so
 * that nothing is lost and the window alone limits the sender; the window read from the
 * receiver's subflow every 10 ms. Autotuned, it starts at 128 KB, grows past what the
 * path holds and never above the cap; with only a buffer size given it is that size throughout.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import { parseAddress } from "../../src/wire/address.js";
import { BulkSink, BulkSource } from "../../src/sim/bulk.js";
import { HostNode } from "../../src/sim/host-node.js";
import { Simulator } from "../../src/sim/simulator.js";
import { pathLink } from "../../src/sim/experiments/transfer.js";

const KB = 1024;
const CAP = 1024 * KB;
const BYTES = 4_000_000;
/** TCP rounds the window it advertises up to its scale unit (RFC 7323 §2.3): 2^5 for 1 MB. */
const UNIT = 32;

interface Run {
  windows: number[];
  /** When 90% of the bytes had been read, µs: the transfer without its last round trips. */
  at90: number;
  intact: boolean;
}

function download(mptcp: MptcpOptions): Run {
  const sim = new Simulator({ seed: 1 });
  const client = parseAddress("10.1.0.1")!;
  const server = parseAddress("10.1.0.2")!;
  const host = (a: typeof client, name: string) => new MptcpHost({ interfaces: [{ addresses: [a] }], random: sim.rng.fork(name), mptcp });
  const ch = host(client, "client");
  const sh = host(server, "server");
  const source = new BulkSource(BYTES, sim.rng.fork("payload"));
  const sink = new BulkSink();
  let done: number | undefined;
  let at90 = Infinity;
  const cn = sim.addNode("client", new HostNode(ch, (e, now) => {
    if (e.type === "incoming") return;
    if (e.type === "connected") e.connection.shutdown();
    else if (e.type === "readable") sink.drain(e.connection, now, () => void (sink.received >= 0.9 * BYTES && (at90 = Math.min(at90, now))));
    else if (e.type === "peer-closed") done = now;
  }));
  const sn = sim.addNode("server", new HostNode(sh, (e) => void source.serve(e)));
  // A queue deeper than the cap: no loss, so the window alone decides how fast data moves.
  sim.addDuplexLink(cn, 0, sn, 0, pathLink({ name: "p", rateMbps: 20, delayMs: 20, queuePackets: 1000 }));
  sh.listen(5201);
  const conn: MptcpConnection = ch.connect(server, 5201, 0, { local: client });
  sim.wake(cn);
  const windows: number[] = [];
  const sample = (now: number) => {
    const st = conn.subflow?.stats();
    if (st !== undefined && st.state === "ESTABLISHED" && st.bytesReceived > 0) windows.push(st.rcvWnd);
    if (done === undefined) sim.at(now + 10_000, sample);
  };
  sim.at(10_000, sample);
  sim.runUntilDone(() => done !== undefined, 60e6);
  return { windows, at90, intact: sink.received === BYTES && sink.digest() === source.digest() };
}

describe("autotuning in the simulator: one 20 Mbit/s, 40 ms path", () => {
  const tuned = download({ recvBufferSize: CAP, autotune: true });
  const fixed = download({ recvBufferSize: CAP });

  test("autotuned: from 128 KB up past what the path holds, never above the cap", () => {
    assert.ok(tuned.intact);
    assert.ok(tuned.windows[0]! <= 128 * KB + UNIT, `first window ${tuned.windows[0]}`);
    const max = Math.max(...tuned.windows);
    // The path holds 100 KB in flight, and the queue what the window lets in.
    assert.ok(max >= 400 * KB, `largest window ${max}`);
    assert.ok(max <= CAP + UNIT, `largest window ${max}`);
  });

  test("a buffer size given without `autotune` is a fixed buffer", () => {
    assert.ok(fixed.intact);
    // The whole buffer from the first data on (less what the connection holds at that moment).
    assert.ok(fixed.windows[0]! > CAP - 64 * KB, `first window ${fixed.windows[0]}`);
  });

  test("the autotuned download is as fast as with the fixed buffer", () => {
    assert.ok(tuned.at90 <= fixed.at90 * 1.01, `90% read at ${tuned.at90} µs against ${fixed.at90} µs`);
  });
});

/**
 * Mapping ahead of the window through the simulator (src/mptcp/map-ahead.ts): an upload whose
 * receive buffer (64 KB) limits the sender, with the DSS once per mapping (the default) and on
 * every segment. Both deliver every byte and put none beyond the data-level window (§3.3.5, the
 * receiver's NoDSSInWindow); mapped ahead, a mapping spans tens of segments instead of about two.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { LinkConfig } from "../../src/sim/link.js";
import { Simulator } from "../../src/sim/simulator.js";
import { RecordingTap } from "../../src/sim/tap.js";
import { parseAddress } from "../../src/wire/address.js";
import { MappingCount } from "../support/mappings.js";
import { sha256, upload } from "../support/mptcp-sim.js";

const C = parseAddress("10.0.0.1")!;
const S = parseAddress("10.0.0.2")!;
const PATH: LinkConfig = { rateBps: 20_000_000, delayUs: 20_000, queueLimitPackets: 100 };
const BYTES = 2_000_000;

function run(dssEverySegment: boolean): { intact: boolean; outOfWindow: number; dataSegments: number; declaring: number } {
  const sim = new Simulator({ seed: 3 });
  const buffers = { recvBufferSize: 64 * 1024 };
  const mptcp = { dssEverySegment, ...buffers };
  const client = new MptcpHost({ interfaces: [{ addresses: [C] }], random: sim.rng.fork("client"), tcp: buffers, mptcp });
  const server = new MptcpHost({ interfaces: [{ addresses: [S] }], random: sim.rng.fork("server"), tcp: buffers, mptcp });
  const r = upload(sim, client, server, [PATH], BYTES, [C, S]);
  const tap = new RecordingTap();
  sim.tapInterface(sim.node("client")!, 0, tap);
  assert.ok(sim.runUntilDone(r.done, 60_000_000));
  // The client's data segments (the server's port is 5201).
  const count = new MappingCount((seg) => seg.srcPort !== 5201);
  for (const { packet } of tap.records) count.add(packet);
  return { intact: sha256(r.sink.bytes) === sha256(r.app.data), outOfWindow: server.counters.NoDSSInWindow, dataSegments: count.data, declaring: count.declaring };
}

/** Two paths, the faster going down for good at 0.5 s, with the receive buffer `kb` KB. */
function failover(kb: number): { intact: boolean; outOfWindow: number; reinjected: number; ahead: number } {
  const sim = new Simulator({ seed: 4 });
  const C2 = parseAddress("10.0.1.1")!;
  const S2 = parseAddress("10.0.1.2")!;
  const buffers = { recvBufferSize: kb * 1024 };
  const opts = (name: string, addrs: Uint8Array[]) => ({ interfaces: addrs.map((a) => ({ addresses: [a] })), random: sim.rng.fork(name), tcp: { maxRetries: 4, ...buffers }, mptcp: buffers });
  const client = new MptcpHost(opts("client", [C, C2]));
  const server = new MptcpHost(opts("server", [S, S2]));
  const fast: LinkConfig = { ...PATH, schedule: [{ atUs: 500_000, up: false }] };
  const slow: LinkConfig = { rateBps: 5_000_000, delayUs: 40_000, queueLimitPackets: 50 };
  const r = upload(sim, client, server, [fast, slow], BYTES, [C, S]);
  r.clientNode.onConnected = (k) => {
    k.openSubflow(C2, S2, 5201);
  };
  let ahead = 0;
  sim.at(490_000, () => {
    ahead = r.conn.dataLevel.sndNxt - r.conn.dataLevel.sndUna;
  });
  assert.ok(sim.runUntilDone(r.done, 120_000_000));
  return { intact: sha256(r.sink.bytes) === sha256(r.app.data), outOfWindow: server.counters.NoDSSInWindow, reinjected: client.counters.MPTCPRetrans, ahead };
}

describe("mapping ahead of the window (RFC 8684 §3.3.1, §3.3.5)", () => {
  test("the subflow holding data mapped ahead fails: the other carries it, never beyond the window", () => {
    for (const kb of [32, 64]) {
      const f = failover(kb);
      assert.ok(f.intact, `${kb} KB`);
      assert.equal(f.outOfWindow, 0, `${kb} KB`);
      assert.ok(f.reinjected > 0, `${kb} KB: the failed subflow's data went again`);
      // Before the failure more was handed out than the window holds: data mapped ahead.
      assert.ok(f.ahead > kb * 1024, `${kb} KB: ${f.ahead} bytes handed out before the failure`);
    }
  });

  test("a window-limited upload: intact, nothing beyond the window, a mapping every tens of segments", () => {
    const ahead = run(false);
    assert.ok(ahead.intact);
    assert.equal(ahead.outOfWindow, 0);
    assert.ok(ahead.declaring * 20 < ahead.dataSegments, `${ahead.declaring} mappings declared over ${ahead.dataSegments} data segments`);
    const every = run(true);
    assert.ok(every.intact);
    assert.equal(every.outOfWindow, 0);
    assert.equal(every.declaring, every.dataSegments, "with the DSS on every segment, every one declares");
    assert.ok(ahead.dataSegments < every.dataSegments, "fewer segments: more payload in each");
  });
});

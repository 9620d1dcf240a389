/**
 * Linux's stale rule through the simulator (MptcpOptions.staleLossCount; src/mptcp/stale-loss.ts,
 * data-rtx.ts) against ours ("first-timeout", stall.ts): an upload over two paths, one of which
 * goes silent, or only loses packets.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import type { LinkConfig } from "../../src/sim/link.js";
import { Simulator } from "../../src/sim/simulator.js";
import { parseAddress } from "../../src/wire/address.js";
import { sha256, upload } from "../support/mptcp-sim.js";

const C = ["10.0.0.1", "10.0.1.1"].map((a) => parseAddress(a)!);
const S = ["10.0.0.2", "10.0.1.2"].map((a) => parseAddress(a)!);
const PATH1: LinkConfig = { rateBps: 20_000_000, delayUs: 10_000, queueLimitPackets: 100 };
const PATH2: LinkConfig = { rateBps: 20_000_000, delayUs: 20_000, queueLimitPackets: 100 };
const DOWN_AT = 400_000;

interface Run extends ReturnType<typeof upload> {
  sim: Simulator;
  client: MptcpHost;
}

function run(bytes: number, staleLossCount: MptcpOptions["staleLossCount"], path1: LinkConfig): Run {
  const sim = new Simulator({ seed: 5 });
  const opts = { random: sim.rng.fork("client"), tcp: { maxRetries: 4 }, mptcp: { staleLossCount } };
  const client = new MptcpHost({ ...opts, interfaces: C.map((a) => ({ addresses: [a] })) });
  const server = new MptcpHost({ ...opts, random: sim.rng.fork("server"), interfaces: S.map((a) => ({ addresses: [a] })) });
  const r = upload(sim, client, server, [path1, PATH2], bytes, [C[0]!, S[0]!]);
  r.clientNode.onConnected = (k) => {
    k.openSubflow(C[1]!, S[1]!, 5201);
  };
  return { ...r, sim, client };
}

describe("Linux's stale rule in the simulator (staleLossCount)", () => {
  test("a path that goes silent: its subflow is stale only after five expiries of the connection-level timer, and every byte arrives", () => {
    const r = run(2_500_000, 4, { ...PATH1, schedule: [{ atUs: DOWN_AT, up: false }] });
    // Five expiries: the first after the failure (the last Data ACK may precede it), four more at
    // least TCP_RTO_MIN (200 ms) apart.
    r.sim.runUntil(DOWN_AT + 4 * 200_000);
    assert.equal(r.client.counters.SubflowStale, 0);
    assert.ok(r.sim.runUntilDone(r.done, 60_000_000));
    assert.equal(r.client.counters.SubflowStale, 1);
    assert.equal(sha256(r.sink.bytes), sha256(r.app.data));
  });

  test("staleLossCount 0: never stale; the timer's resend at the head and the subflow's end still deliver every byte", () => {
    const r = run(1_500_000, 0, { ...PATH1, schedule: [{ atUs: DOWN_AT, up: false }] });
    assert.ok(r.sim.runUntilDone(r.done, 120_000_000));
    assert.equal(r.client.counters.SubflowStale, 0);
    assert.ok(r.client.counters.MPTCPRetrans > 0);
    assert.equal(sha256(r.sink.bytes), sha256(r.app.data));
  });

  test("a lossy path that still answers: timeouts make it stale under the first-timeout rule, never under Linux's", () => {
    const lossy: LinkConfig = { ...PATH1, loss: { kind: "bernoulli", p: 0.05 } };
    // 4 MB: long enough for a retransmission timeout on the lossy path whichever way the DSS is
    // sent (with the DSS once per mapping, 2 MB on seed 5 has none).
    const ours = run(4_000_000, "first-timeout", lossy);
    assert.ok(ours.sim.runUntilDone(ours.done, 60_000_000));
    const linux = run(4_000_000, 4, lossy);
    assert.ok(linux.sim.runUntilDone(linux.done, 60_000_000));
    assert.equal(sha256(ours.sink.bytes), sha256(ours.app.data));
    assert.equal(sha256(linux.sink.bytes), sha256(linux.app.data));
    assert.ok(ours.client.counters.SubflowStale > 0, `${ours.client.counters.SubflowStale}`);
    assert.equal(linux.client.counters.SubflowStale, 0);
    assert.ok(linux.client.counters.MPTCPRetrans < ours.client.counters.MPTCPRetrans);
  });
});

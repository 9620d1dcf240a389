/**
 * exp-handover (Paasch et al., "Exploring Mobile/WiFi Handover with Multipath TCP", CellNet'12):
 * a phone downloads over WiFi (20 Mbit/s, 10 ms) with cellular (8 Mbit/s, 40 ms) beside it, and
 * the WiFi disappears at t = 10 s. The phone notices its interface going down at once and removes
 * the address (REMOVE_ADDR, §3.4.2, once a subflow can carry it); the three handover modes of the
 * paper differ in what the cellular path does before that:
 * - full: a regular subflow over cellular from the start (both paths carry data);
 * - backup: a backup subflow (MP_JOIN with B, §3.3.8), set regular with MP_PRIO when WiFi goes;
 * - single-path: no cellular subflow until WiFi goes (break before make), then MP_JOIN.
 * Measured per mode: the longest stretch after the failure with no byte delivered (the stall),
 * and bytes lost (must be 0). Expected: full ≈ backup < single-path.
 */
import type { JoinSubflow } from "../../mptcp/join.js";
import type { MptcpConnection } from "../../mptcp/connection.js";
import { MptcpHost } from "../../stack/mptcp-host.js";
import { parseAddress } from "../../wire/address.js";
import { BulkSink, BulkSource } from "../bulk.js";
import { HostNode } from "../host-node.js";
import { Simulator } from "../simulator.js";
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { check } from "./experiment.js";
import { pathLink, type FlowResult } from "./transfer.js";

export type HandoverMode = "full" | "backup" | "single-path";

const WIFI = { name: "wifi", rateMbps: 20, delayMs: 10, queuePackets: 100 };
const CELL = { name: "cellular", rateMbps: 8, delayMs: 40, queuePackets: 200 };
const C = ["10.1.0.1", "10.2.0.1"].map((a) => parseAddress(a)!);
const S = ["10.1.0.2", "10.2.0.2"].map((a) => parseAddress(a)!);
const PORT = 443;

export interface HandoverRun {
  mode: HandoverMode;
  stallSeconds: number;
  bytesLost: number;
  flow: FlowResult;
  events: number;
  simulatedSeconds: number;
}

export function runHandover(mode: HandoverMode, seed: number, bytes: number, failAtSeconds = 10, mptcp: ExperimentOptions["mptcp"] = {}): HandoverRun {
  const sim = new Simulator({ seed });
  const failUs = failAtSeconds * 1e6;
  const ifaces = (a: Uint8Array[]) => a.map((x) => ({ addresses: [x] }));
  const clientHost = new MptcpHost({ interfaces: ifaces(C), random: sim.rng.fork("client"), tcp: { maxRetries: 4 }, mptcp });
  const serverHost = new MptcpHost({ interfaces: ifaces(S), random: sim.rng.fork("server"), tcp: { maxRetries: 4 }, mptcp });
  const source = new BulkSource(bytes, sim.rng.fork("payload"));
  const sink = new BulkSink();
  let last = 0;
  let stall = 0;
  let doneAt: number | undefined;
  let conn: MptcpConnection | undefined;
  let cell: JoinSubflow | undefined;

  const server = new HostNode(serverHost, (e) => {
    if (e.type === "incoming") for (let c = e.listener.accept(); c !== undefined; c = e.listener.accept()) source.pump(c);
    else if (e.type === "writable") source.pump(e.connection);
  });
  const client = new HostNode(clientHost, (e, now) => {
    if (e.type === "incoming") return;
    if (e.type === "connected") {
      conn = e.connection;
      if (mode !== "single-path") cell = conn.openSubflow(C[1]!, S[1]!, PORT, { backup: mode === "backup" });
      conn.shutdown();
    } else if (e.type === "readable") {
      sink.drain(e.connection, now, (_n, t) => {
        if (t > failUs) stall = Math.max(stall, t - Math.max(last, failUs));
        last = t;
      });
    } else if (e.type === "peer-closed") {
      doneAt = now;
      e.connection.close();
    } else if (e.type === "subflow-up" && mode === "single-path" && now >= failUs) {
      // Break before make: the new subflow is up, now the dead address goes.
      clientHost.removeAddress(C[0]!);
    }
  });
  const ch = sim.addNode("client", client);
  const sh = sim.addNode("server", server);
  sim.addDuplexLink(ch, 0, sh, 0, { ...pathLink(WIFI), schedule: [{ atUs: failUs, up: false }] });
  sim.addDuplexLink(ch, 1, sh, 1, pathLink(CELL));
  // The phone sees its WiFi interface go down: the address goes (REMOVE_ADDR on the cellular
  // subflow, if there is one), and the cellular path takes over in the way of the mode.
  sim.at(failUs, () => {
    if (conn === undefined) return;
    if (mode === "single-path") {
      // No other subflow to carry a REMOVE_ADDR yet: that waits for the join (below).
      cell = conn.openSubflow(C[1]!, S[1]!, PORT);
    } else {
      if (mode === "backup" && cell !== undefined) conn.setBackup(cell, false);
      clientHost.removeAddress(C[0]!);
    }
    sim.wake(ch);
  });
  serverHost.listen(PORT);
  clientHost.connect(S[0]!, PORT, 0, { local: C[0]! });
  sim.wake(ch);
  sim.runUntilDone(() => doneAt !== undefined, 600e6);
  const end = doneAt ?? sim.now;
  const intact = sink.received === bytes && source.written === bytes && sink.digest() === source.digest();
  return {
    mode,
    stallSeconds: stall / 1e6,
    bytesLost: bytes - sink.received,
    flow: {
      name: mode,
      bytesSent: source.written,
      bytesDelivered: sink.received,
      integrity: doneAt !== undefined && intact,
      completionSeconds: end / 1e6,
      goodputMbps: (sink.received * 8) / (end / 1e6) / 1e6,
      steadyGoodputMbps: 0,
    },
    events: sim.eventCount,
    simulatedSeconds: sim.now / 1e6,
  };
}

export const handover: Experiment = {
  name: "exp-handover",
  description: "WiFi disappears at t = 10 s during a download, once per handover mode (full, backup, single-path): stall and bytes lost",
  run(opts: ExperimentOptions): ExperimentResult {
    const seed = opts.seed ?? 1;
    const bytes = opts.bytes ?? 40_000_000;
    const runs = (["full", "backup", "single-path"] as const).map((m) => runHandover(m, seed, bytes, 10, opts.mptcp));
    const [full, backup, single] = runs as [HandoverRun, HandoverRun, HandoverRun];
    const worstOfTwo = Math.max(full.stallSeconds, backup.stallSeconds);
    return {
      name: this.name,
      seed,
      flows: runs.map((r) => r.flow),
      table: [
        ["mode", "stall (s)", "bytes lost", "completion (s)", "goodput (Mbit/s)"],
        ...runs.map((r) => [r.mode, r.stallSeconds.toFixed(3), String(r.bytesLost), r.flow.completionSeconds.toFixed(2), r.flow.goodputMbps.toFixed(2)]),
      ],
      checks: [
        check("bytes lost, all modes", runs.reduce((a, r) => a + r.bytesLost, 0), "0", runs.every((r) => r.bytesLost === 0 && r.flow.integrity)),
        check("stall: full and backup below single-path (s)", worstOfTwo, `< ${single.stallSeconds.toFixed(3)} (single-path)`, worstOfTwo < single.stallSeconds),
        check("stall: full ≈ backup (difference, s)", Math.abs(full.stallSeconds - backup.stallSeconds), "<= 0.2", Math.abs(full.stallSeconds - backup.stallSeconds) <= 0.2),
      ],
      simulatedSeconds: runs.reduce((a, r) => a + r.simulatedSeconds, 0),
      events: runs.reduce((a, r) => a + r.events, 0),
    };
  },
};

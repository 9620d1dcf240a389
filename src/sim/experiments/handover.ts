/**
 * exp-handover (Paasch et al., "Exploring Mobile/WiFi Handover with Multipath TCP", CellNet'12):
 * a phone downloads over WiFi with cellular beside it, and its WiFi interface goes down for good
 * at t = 10 s (the link dies, and the phone's link monitor reports it: `interfaceDown`). The phone
 * runs one of the handover path managers (src/mptcp/pm/handover.ts), the server the default one:
 * - full: a regular cellular subflow from the start; at the failure, REMOVE_ADDR for the WiFi
 *   address and its window reinjected on cellular;
 * - backup: a backup cellular subflow from the start (MP_JOIN B), made regular with MP_PRIO at
 *   the failure, with the REMOVE_ADDR;
 * - single-path: break before make: the cellular MP_JOIN at the failure (SYN, SYN/ACK, ACK,
 *   fourth ACK), the REMOVE_ADDR once it is up, then slow start from the initial window.
 * The cellular radio has to be promoted from idle before it carries anything (cellular-radio.ts):
 * at the start in full and backup modes, at the failure in single-path mode (and in backup mode
 * if the backup subflow sat idle longer than the radio's tail timer).
 *
 * Measured per mode: the stall (the longest gap in in-order delivery at the receiver from the
 * failure until every byte the server had sent before it is delivered), that recovery time, and
 * bytes lost (must be 0). Expected: full ≈ backup < single-path.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import type { HandoverMode } from "../../mptcp/pm/handover.js";
import { HANDOVER_MODES } from "../../mptcp/pm/handover.js";
import { MptcpHost } from "../../stack/mptcp-host.js";
import { formatAddress, parseAddress } from "../../wire/address.js";
import { BulkSink, BulkSource } from "../bulk.js";
import { HostNode } from "../host-node.js";
import type { SimNode, Transmit } from "../node.js";
import { Router } from "../router.js";
import { Simulator } from "../simulator.js";
import { CellularRadio, type RadioConfig } from "./cellular-radio.js";
import { RateBins } from "./rate-bins.js";
import type { Experiment, ExperimentOptions, ExperimentResult } from "./experiment.js";
import { check, type Plot } from "./experiment.js";
import { pathLink, type FlowResult, type PathSpec } from "./transfer.js";

export type { HandoverMode } from "../../mptcp/pm/handover.js";

export interface HandoverScenario {
  wifi: PathSpec;
  cellular: PathSpec;
  /** The cellular radio's promotion and tail timer; undefined: always connected. */
  radio: RadioConfig | undefined;
  failAtSeconds: number;
  /** When the WiFi comes back (link and interface), if it does. */
  returnAtSeconds?: number;
}

/**
 * The paper's setting in round figures: WiFi 20 Mbit/s, 10 ms; cellular 8 Mbit/s, 40 ms; queues
 * of one bandwidth-delay product (`pathLink`'s default); an LTE radio (promotion 260 ms, tail
 * 11.6 s, Huang et al. MobiSys'12); WiFi lost at 10 s.
 */
export const HANDOVER_SCENARIO: HandoverScenario = {
  wifi: { name: "wifi", rateMbps: 20, delayMs: 10 },
  cellular: { name: "cellular", rateMbps: 8, delayMs: 40 },
  radio: { promotionMs: 260, tailMs: 11_600 },
  failAtSeconds: 10,
};

/** The phone's WiFi and cellular addresses (interfaces 0 and 1), and the server's one address. */
const C = ["10.1.0.1", "10.2.0.1"].map((a) => parseAddress(a)!);
const SERVER = parseAddress("10.9.0.2")!;
const PORT = 443;
const CELL = 1;

/** Payload bytes the server's subflows sent, per path. */
export interface PathBytes {
  wifi: number;
  cellular: number;
}

export interface HandoverRun {
  mode: HandoverMode;
  /** Longest gap in in-order delivery from the failure until the pre-failure data is in. */
  stallSeconds: number;
  /** From the failure until every byte sent before it is delivered in order. */
  recoverySeconds: number;
  bytesLost: number;
  /** What the server's subflows sent before the failure, and after it. */
  sentBefore: PathBytes;
  sentAfter: PathBytes;
  /** What they had sent when the WiFi came back (`returnAtSeconds`). */
  sentAtReturn: PathBytes | undefined;
  /** Cellular radio promotions from idle (0 without a radio model). */
  promotions: number;
  /** In-order goodput at the receiver in each BIN_SECONDS of the run, in Mbit/s. */
  binsMbps: number[];
  flow: FlowResult;
  events: number;
  simulatedSeconds: number;
}

/** The width of `HandoverRun.binsMbps`' bins: fine enough to show a stall of a few tenths. */
export const BIN_SECONDS = 0.1;

/** A node whose sends on interface `iface` wake the radio of that interface's link. */
class RadioGate implements SimNode {
  constructor(
    private readonly inner: SimNode,
    private readonly iface: number,
    private readonly radio: CellularRadio,
  ) {}

  receive(packet: Uint8Array, iface: number, now: number): void {
    this.inner.receive(packet, iface, now);
  }

  handleTimeout(now: number): void {
    this.inner.handleTimeout(now);
  }

  pollTransmit(now: number): Transmit | undefined {
    const t = this.inner.pollTransmit(now);
    if (t !== undefined && t.iface === this.iface) this.radio.activity(now);
    return t;
  }

  pollTimeout(): number | undefined {
    return this.inner.pollTimeout();
  }
}

/** What the server's subflows sent, by the phone's address they go to. */
function sentByPath(conn: MptcpConnection | undefined): PathBytes {
  const out: PathBytes = { wifi: 0, cellular: 0 };
  for (const s of conn?.stats().subflows ?? []) {
    if (s.remote === formatAddress(C[0]!)) out.wifi += s.bytesSent;
    else if (s.remote === formatAddress(C[1]!)) out.cellular += s.bytesSent;
  }
  return out;
}

export function runHandover(
  mode: HandoverMode,
  seed: number,
  bytes: number,
  scenario: HandoverScenario = HANDOVER_SCENARIO,
  mptcp: ExperimentOptions["mptcp"] = {},
  pacing = false,
): HandoverRun {
  const sim = new Simulator({ seed });
  const failUs = scenario.failAtSeconds * 1e6;
  const clientHost = new MptcpHost({ interfaces: C.map((a) => ({ addresses: [a] })), random: sim.rng.fork("client"), tcp: { maxRetries: 4, pacing }, mptcp: { ...mptcp, pathManager: mode } });
  const serverHost = new MptcpHost({ interfaces: [{ addresses: [SERVER] }], random: sim.rng.fork("server"), tcp: { maxRetries: 4, pacing }, mptcp: { ...mptcp, pathManager: "kernel" } });
  const radio = scenario.radio === undefined ? undefined : new CellularRadio(sim, scenario.radio);
  const source = new BulkSource(bytes, sim.rng.fork("payload"));
  const sink = new BulkSink();
  let serverConn: MptcpConnection | undefined;
  /** The server's data-level SND.NXT at the failure: what the receiver must get to recover. */
  let sentAtFailure: number | undefined;
  let last = 0;
  let stall = 0;
  let recoveredAt: number | undefined;
  let doneAt: number | undefined;
  let sentBefore: PathBytes = { wifi: 0, cellular: 0 };
  let sentAtReturn: PathBytes | undefined;
  const bins = new RateBins(BIN_SECONDS * 1e6);

  const server = new HostNode(serverHost, (e) => {
    serverConn = source.serve(e) ?? serverConn;
  });
  const client = new HostNode(clientHost, (e, now) => {
    if (e.type === "connected") e.connection.shutdown();
    else if (e.type === "readable") {
      sink.drain(e.connection, now, (n, t) => {
        bins.add(n, t);
        if (sentAtFailure !== undefined && recoveredAt === undefined) {
          stall = Math.max(stall, t - Math.max(last, failUs));
          // Relative DSNs start at 1: `sink.received` bytes in order reach DSN received + 1.
          if (sink.received + 1 >= sentAtFailure) recoveredAt = t;
        }
        last = t;
      });
    } else if (e.type === "peer-closed") {
      doneAt = now;
      e.connection.close();
    }
  });
  // The phone's two access links meet at a router in front of the server (one address): the
  // paths differ only on the phone's side, as on the Internet.
  const router = new Router({ "10.1.0.0/16": 0, "10.2.0.0/16": CELL, "10.9.0.0/16": 2 });
  const ch = sim.addNode("client", radio === undefined ? client : new RadioGate(client, CELL, radio));
  const rh = sim.addNode("router", radio === undefined ? router : new RadioGate(router, CELL, radio));
  const sh = sim.addNode("server", server);
  const returnUs = scenario.returnAtSeconds === undefined ? undefined : scenario.returnAtSeconds * 1e6;
  const wifiSchedule = [{ atUs: failUs, up: false }, ...(returnUs === undefined ? [] : [{ atUs: returnUs, up: true }])];
  sim.addDuplexLink(ch, 0, rh, 0, { ...pathLink(scenario.wifi), schedule: wifiSchedule });
  const cellLink = pathLink(scenario.cellular);
  if (radio === undefined) sim.addDuplexLink(ch, CELL, rh, CELL, cellLink);
  else radio.attach(sim.addDuplexLink(ch, CELL, rh, CELL, radio.linkConfig(cellLink)));
  sim.addDuplexLink(rh, 2, sh, 0);
  sim.at(failUs, (now) => {
    sentAtFailure = serverConn?.dataLevel.sndNxt;
    sentBefore = sentByPath(serverConn);
    // The phone's link monitor sees the WiFi go with its link.
    clientHost.interfaceDown(0, now);
    sim.wake(ch);
  });
  if (returnUs !== undefined) {
    sim.at(returnUs, (now) => {
      sentAtReturn = sentByPath(serverConn);
      clientHost.interfaceUp(0, now);
      sim.wake(ch);
    });
  }
  serverHost.listen(PORT);
  clientHost.connect(SERVER, PORT, 0, { local: C[0]! });
  sim.wake(ch);
  sim.runUntilDone(() => doneAt !== undefined, 600e6);
  const end = doneAt ?? sim.now;
  const intact = sink.received === bytes && source.written === bytes && sink.digest() === source.digest();
  const total = sentByPath(serverConn);
  return {
    mode,
    stallSeconds: stall / 1e6,
    recoverySeconds: recoveredAt === undefined ? Number.NaN : (recoveredAt - failUs) / 1e6,
    bytesLost: bytes - sink.received,
    sentBefore,
    sentAfter: { wifi: total.wifi - sentBefore.wifi, cellular: total.cellular - sentBefore.cellular },
    sentAtReturn,
    promotions: radio?.promotions ?? 0,
    binsMbps: bins.mbps(),
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
  description: "WiFi goes at t = 10 s during a download, once per handover path manager (full, backup, single-path): stall and bytes lost",
  run(opts: ExperimentOptions): ExperimentResult {
    const seed = opts.seed ?? 1;
    const bytes = opts.bytes ?? 40_000_000;
    // The experiment sets the path manager itself; the other options apply.
    const { pathManager: _ignored, ...mptcp } = opts.mptcp ?? {};
    const runs = HANDOVER_MODES.map((m) => runHandover(m, seed, bytes, HANDOVER_SCENARIO, mptcp, opts.pacing === true));
    const [full, backup, single] = runs as [HandoverRun, HandoverRun, HandoverRun];
    // A download over before the WiFi goes (a small --bytes) shows no handover: nothing to compare.
    const handedOver = runs.every((r) => r.flow.completionSeconds > HANDOVER_SCENARIO.failAtSeconds);
    const worstOfTwo = handedOver ? Math.max(full.stallSeconds, backup.stallSeconds) : NaN;
    const stallGap = handedOver ? Math.abs(full.stallSeconds - backup.stallSeconds) : NaN;
    return {
      name: this.name,
      seed,
      flows: runs.map((r) => r.flow),
      table: [
        ["mode", "stall (s)", "recovery (s)", "bytes lost", "promotions", "completion (s)", "goodput (Mbit/s)"],
        ...runs.map((r) => [
          r.mode,
          r.stallSeconds.toFixed(3),
          Number.isNaN(r.recoverySeconds) ? "-" : r.recoverySeconds.toFixed(3),
          String(r.bytesLost),
          String(r.promotions),
          r.flow.completionSeconds.toFixed(2),
          r.flow.goodputMbps.toFixed(2),
        ]),
      ],
      checks: [
        check("bytes lost, all modes", runs.reduce((a, r) => a + r.bytesLost, 0), "0", runs.every((r) => r.bytesLost === 0 && r.flow.integrity)),
        check("stall: full and backup below single-path (s)", worstOfTwo, `< ${single.stallSeconds.toFixed(3)} (single-path)`, worstOfTwo < single.stallSeconds),
        check("stall: full ≈ backup (difference, s)", stallGap, "<= 0.2", stallGap <= 0.2),
      ],
      plots: [handoverPlot(runs, HANDOVER_SCENARIO.failAtSeconds)],
      simulatedSeconds: runs.reduce((a, r) => a + r.simulatedSeconds, 0),
      events: runs.reduce((a, r) => a + r.events, 0),
    };
  },
};

/** In-order goodput per bin of each mode's run, from 2 s before the failure to 4 s after it. */
function handoverPlot(runs: readonly HandoverRun[], failAtSeconds: number): Plot {
  const first = Math.round((failAtSeconds - 2) / BIN_SECONDS);
  const last = Math.round((failAtSeconds + 4) / BIN_SECONDS);
  const x = Array.from({ length: last - first }, (_, i) => Math.round((first + i) * BIN_SECONDS * 10) / 10);
  return {
    title: `In-order goodput at the phone in each ${BIN_SECONDS * 1000} ms, around the WiFi's loss at ${failAtSeconds} s, per handover mode`,
    xLabel: "seconds",
    yLabel: "Mbit/s",
    x,
    series: runs.map((r) => ({ label: r.mode, values: x.map((_, i) => r.binsMbps[first + i] ?? 0) })),
  };
}

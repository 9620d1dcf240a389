/**
 * Random MPTCP scenarios (a property test over the simulator). Four generators, and the first
 * again with a corrupting box:
 *
 * - paths: two or three paths with random rates, delays, queues, loss, reordering, outages, black
 *   holes and rate or delay changes; every scheduler and congestion controller; DSS checksums,
 *   the DSS on every segment, RACK, small buffers, Linux's stale rule, pacing and receive-buffer
 *   autotuning at random; joins by hand, by ADD_ADDR or by fullmesh endpoints; sometimes a
 *   middlebox on the first path of a kind MPTCP must get through
 *   (it splits or rewrites segments, strips options, drops MPTCP SYNs or NATs the client);
 * - handover: one to three paths, IPv4 or IPv6, MTUs from 1280 to 9000, the handover path
 *   managers (full, backup, single-path) and ndiffports, several flows, aborts, 16 KB buffers,
 *   Nagle, SACK and timestamps off;
 * - mixed: MPTCP and plain TCP hosts in every combination, a path of each address family,
 *   window scaling off, initial windows of 1 to 10 segments, up to six flows both ways;
 * - host events: the first generator's scenarios with interfaces going down and up and endpoints
 *   deleted, added and made backup during the run (`ip mptcp endpoint`).
 *
 * Every link comes back, so every flow must end intact (an aborted one with what arrived the
 * start of what was sent). Each case is seeded: the same run every time, re-run alone by its
 * name. Such scenarios found the faults of test/mptcp/fallback-edges.test.ts and the join
 * refused for arriving before the key (scenario-mptcp.test.ts). Boxes that legitimately end
 * connections whose every path crosses them (corrupting payloads, merging segments across
 * mappings) are left out: their reactions have tests of their own.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import type { RunOptions } from "../../src/sim/scenario/runner.js";
import { validateScenario } from "../../src/sim/scenario/validate.js";
import { Rng } from "../../src/util/rng.js";
import { runs } from "../support/fuzz.js";

type Obj = Record<string, unknown>;

const BOXES = ["mbox-split", "mbox-seq-rewrite", "mbox-strip-data", "mbox-strip-syn", "mbox-eol-after-syn", "mbox-drop-mptcp-syn", "mbox-nat"];
const CONGESTION = ["lia", "olia", "balia", "coupled", "kelly-voice", "cubic", "reno"] as const;
const SCHEDULERS = ["lowest-rtt", "round-robin", "redundant", "blest", "ecf"] as const;

interface Case {
  raw: Obj;
  opts: RunOptions;
  label: string;
}

/** The draws of one case. */
class Draw {
  private readonly r: Rng;
  constructor(seed: number) {
    this.r = Rng.seeded(seed);
  }
  chance(p: number): boolean {
    return this.r.nextFloat() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.r.nextFloat() * a.length)]!;
  }
  /** One event on link `name` or none: down for a while, a black hole, a rate or delay change. */
  event(name: string): Obj | undefined {
    const k = this.r.nextFloat();
    if (k < 0.25) return { at: `${this.pick([0.3, 1, 2, 4])}s`, link: name, action: "down", for: `${this.pick([0.2, 1, 3, 8])}s` };
    if (k < 0.4) return { at: `${this.pick([0.5, 1, 3])}s`, link: name, direction: this.pick(["both", "forward", "reverse"]), action: "blackhole", for: `${this.pick([0.3, 2, 6])}s` };
    if (k < 0.5) return { at: `${this.pick([0.5, 2])}s`, link: name, action: "rate", rate: this.pick(["500Kbit", "100Mbit"]) };
    if (k < 0.55) return { at: `${this.pick([0.5, 2])}s`, link: name, action: "delay", delay: this.pick(["1ms", "200ms"]) };
    return undefined;
  }
  /** A link's impairments. */
  link(): Obj {
    const l: Obj = {
      rate: this.pick(["2Mbit", "10Mbit", "50Mbit"]),
      delay: this.pick(["2ms", "10ms", "40ms", "100ms"]),
      queue: this.pick(["20 packets", "100 packets", "50ms", "300ms"]),
      loss: this.pick(["0", "0", "0.5%", "2%", "6%"]),
    };
    if (this.chance(0.3)) Object.assign(l, { jitter: this.pick(["1ms", "5ms", "20ms"]), reorder: true });
    if (this.chance(0.3)) l.reverse = { loss: this.pick(["0", "1%", "5%"]) };
    return l;
  }
  /**
   * `count` paths client.i - server.i with their impairments and an event each or none; with a
   * `box`, path 0 goes through it (node mb, the far side 1 ms and as fast).
   */
  paths(count: number, box: string | undefined): { links: Obj[]; events: Obj[] } {
    const links: Obj[] = [];
    const events: Obj[] = [];
    for (let p = 0; p < count; p++) {
      const l = this.link();
      if (p === 0 && box !== undefined) links.push({ name: "path0", from: "client.0", to: "mb.0", ...l }, { name: "path0b", from: "mb.1", to: "server.0", rate: l.rate, delay: "1ms" });
      else links.push({ name: `path${p}`, from: `client.${p}`, to: `server.${p}`, ...l });
      const e = this.event(`path${p}`);
      if (e !== undefined) events.push(e);
    }
    return { links, events };
  }
  /**
   * Sometimes Linux's stale rule (`net.mptcp.stale_loss_cnt`) or receive-buffer autotuning on
   * both hosts, and then sometimes pacing (TcpConfig.pacing), each drawn after everything before
   * it so that the rest of a case stays as it was drawn before; returns them for the label.
   */
  hostRules(hosts: Obj[]): string {
    const stale = this.chance(0.3) ? this.pick([0, 2, 4]) : undefined;
    const autotune = this.chance(0.2);
    for (const h of hosts) Object.assign(h.mptcp as Obj, stale === undefined ? {} : { staleLossCount: stale }, autotune ? { autotune } : {});
    const pacing = this.chance(0.2);
    if (pacing) for (const h of hosts) h.tcp = { ...(h.tcp as Obj), pacing };
    return `${stale === undefined ? "" : `, stale_loss_cnt ${stale}`}${autotune ? ", autotune" : ""}${pacing ? ", paced" : ""}`;
  }

  /** The run's controller and scheduler. */
  run(index: number, extra: Obj = {}): RunOptions {
    return { seed: index, mptcp: { congestion: this.pick(CONGESTION), scheduler: this.pick(SCHEDULERS), ...extra } };
  }
}

const address = (v6: boolean, host: number, path: number): string => (v6 ? `2001:db8:${path}::${host}` : `10.0.${path}.${host}`);
const describeRun = (o: RunOptions): string => `${o.mptcp!.congestion}, ${o.mptcp!.scheduler}`;

/**
 * The first generator: paths, events, joins, a box MPTCP gets through. `corrupting`: instead, a
 * box corrupting payloads on the first path, and DSS checksums at both ends (the fourth
 * generator).
 */
function pathsCase(index: number, corrupting = false): Case {
  const d = new Draw(corrupting ? 0x636f72 + index * 15485863 : 0x6d70 + index * 7919);
  const paths = d.pick([2, 2, 3]);
  const box = corrupting ? "mbox-corrupt-payload" : d.chance(0.4) ? d.pick(BOXES) : undefined;
  const tcp = { rack: d.chance(0.3), sendBuffer: d.pick(["64KB", "256KB", "4MB"]), recvBuffer: d.pick(["64KB", "256KB", "4MB"]), congestion: d.pick(["cubic", "reno"]) };
  const mptcp: Obj = { enabled: true, checksums: corrupting || d.chance(0.3), dssEverySegment: d.chance(0.3), subflows: 4, addAddrAccepted: 2 };
  const addr = (host: number, path: number): string => address(false, host, path);
  const iface = (host: number): Obj[] => Array.from({ length: paths }, (_, p) => ({ addresses: [addr(host, p)] }));
  const client: Obj = { name: "client", interfaces: iface(1), tcp, mptcp };
  const server: Obj = { name: "server", interfaces: iface(2), tcp, mptcp: { ...mptcp } };
  const { links, events } = d.paths(paths, box);
  const joins = d.pick(["explicit", "explicit", "signal", "fullmesh"]);
  const subflows: Obj[] = [];
  if (joins === "explicit") for (let p = 1; p < paths; p++) subflows.push({ from: addr(1, p), to: addr(2, p), backup: d.chance(0.2) });
  else (server.mptcp as Obj).endpoints = Array.from({ length: paths - 1 }, (_, j) => `${addr(2, j + 1)} id ${j + 2} signal`);
  if (joins === "fullmesh") (client.mptcp as Obj).endpoints = Array.from({ length: paths - 1 }, (_, j) => `${addr(1, j + 1)} id ${j + 2} subflow fullmesh`);
  const flows: Obj[] = [{ name: "up", from: "client", to: "server", port: 5001, bytes: d.pick(["50KB", "300KB", "1MB"]), subflows }];
  // A server cannot open a connection into the NAT.
  if (box !== "mbox-nat" && d.chance(0.5)) flows.push({ name: "down", from: "server", to: "client", port: 5002, bytes: d.pick(["20KB", "300KB"]), start: d.pick(["0s", "0.3s"]) });
  const raw = { name: `paths-${index}`, duration: "900s", hosts: [client, server], links, flows, events, ...(box === undefined ? {} : { middleboxes: [{ name: "mb", boxes: [box] }] }) };
  const opts = d.run(index);
  const rules = d.hostRules([client, server]);
  return { raw, opts, label: `${paths} paths, ${box ?? "no box"}, ${describeRun(opts)}${rules}, joins ${joins}${mptcp.checksums === true ? ", checksums" : ""}, ${events.length} events` };
}

/** The second generator: handover path managers and ndiffports, IPv6, MTUs, aborts. */
function handoverCase(index: number): Case {
  const d = new Draw(0x68616e + index * 104729);
  const v6 = d.chance(0.3);
  const paths = d.pick([1, 2, 2, 3]);
  const box = d.chance(0.25) ? d.pick(BOXES.filter((b) => b !== "mbox-nat")) : undefined;
  const tcp = { rack: d.chance(0.3), sendBuffer: d.pick(["16KB", "64KB", "4MB"]), recvBuffer: d.pick(["16KB", "64KB", "256KB", "4MB"]), congestion: d.pick(["cubic", "reno"]), nagle: d.chance(0.8), sack: d.chance(0.9), timestamps: d.chance(0.9) };
  const mptcp = { enabled: true, checksums: d.chance(0.3), subflows: 4, addAddrAccepted: 2 };
  const iface = (host: number): Obj[] => Array.from({ length: paths }, (_, p) => ({ addresses: [address(v6, host, p)], mtu: d.pick([1280, 1500, 1500, 9000]) }));
  const hosts: Obj[] = [
    { name: "client", interfaces: iface(1), tcp, mptcp },
    { name: "server", interfaces: iface(2), tcp, mptcp: { ...mptcp } },
  ];
  const { links, events } = d.paths(paths, box);
  if (paths > 1 && d.chance(0.3)) (hosts[1]!.mptcp as Obj).endpoints = Array.from({ length: paths - 1 }, (_, j) => `${address(v6, 2, j + 1)} id ${j + 2} signal`);
  const pm = paths > 1 ? d.pick(["full", "backup", "single-path", "kernel"]) : "kernel";
  const drawnPorts = paths === 1 && d.chance(0.5) ? d.pick([2, 3, 4]) : undefined;
  // Not beside a box stripping the DSS of data segments on the only path: with joins across it
  // every subflow loses its mappings once they are up, and the connection ends (§3.7), as Linux's
  // does (found on case 81865).
  const ndiffports = box === "mbox-strip-data" ? undefined : drawnPorts;
  const subflows = pm === "kernel" ? Array.from({ length: paths - 1 }, (_, j) => ({ from: address(v6, 1, j + 1), to: address(v6, 2, j + 1) })) : [];
  const flows: Obj[] = [];
  const ups = d.pick([1, 1, 2, 3]);
  for (let f = 0; f < ups; f++) {
    flows.push({ name: `up${f}`, from: "client", to: "server", port: 5001 + f, bytes: d.pick(["1KB", "100KB", "1MB"]), start: d.pick(["0s", "0.2s", "1s"]), subflows, ...(d.chance(0.15) ? { abortAfter: d.pick(["0.5s", "2s"]) } : {}) });
  }
  if (d.chance(0.5)) flows.push({ name: "down", from: "server", to: "client", port: 6001, bytes: d.pick(["10KB", "1MB"]), start: d.pick(["0s", "0.5s"]) });
  const raw = { name: `handover-${index}`, duration: "1800s", hosts, links, flows, events, ...(box === undefined ? {} : { middleboxes: [{ name: "mb", boxes: [box] }] }) };
  const opts = d.run(index, { pathManager: pm, ...(ndiffports === undefined ? {} : { ndiffports }) });
  const rules = d.hostRules(hosts);
  return { raw, opts, label: `${paths} paths ${v6 ? "IPv6" : "IPv4"}, ${box ?? "no box"}, pm ${pm}${ndiffports === undefined ? "" : `, ndiffports ${ndiffports}`}, ${describeRun(opts)}${rules}, ${flows.length} flows, ${events.length} events` };
}

/** The third generator: MPTCP and TCP hosts mixed, a path of each family, many flows. */
function mixedCase(index: number): Case {
  const d = new Draw(0x6d6978 + index * 15485863);
  const paths = d.pick([1, 2, 2, 3]);
  const v6 = Array.from({ length: paths }, () => d.chance(0.3));
  const addr = (host: number, path: number): string => address(v6[path]!, host, path);
  const tcp = (): Obj => ({
    sack: d.chance(0.8), timestamps: d.chance(0.8), windowScaling: d.chance(0.8), nagle: d.chance(0.7), rack: d.chance(0.3),
    sendBuffer: d.pick(["8KB", "64KB", "1MB"]), recvBuffer: d.pick(["8KB", "64KB", "1MB"]), delayedAck: d.pick(["40ms", "1ms", "200ms"]), initialCwnd: d.pick([1, 4, 10]),
  });
  const stack = (): Obj => (d.chance(0.8) ? { mptcp: { enabled: true, checksums: d.chance(0.3), subflows: 4, addAddrAccepted: 4 } } : d.chance(0.5) ? { mptcp: { enabled: false } } : {});
  const iface = (host: number): Obj[] => Array.from({ length: paths }, (_, p) => ({ addresses: [addr(host, p)], mtu: d.pick([1280, 1500, 1500]) }));
  const client: Obj = { name: "client", interfaces: iface(1), tcp: tcp(), ...stack() };
  const server: Obj = { name: "server", interfaces: iface(2), tcp: tcp(), ...stack() };
  const multipath = (h: Obj): boolean => (h.mptcp as Obj | undefined)?.enabled === true;
  const links: Obj[] = [];
  const events: Obj[] = [];
  for (let p = 0; p < paths; p++) {
    links.push({ name: `path${p}`, from: `client.${p}`, to: `server.${p}`, ...d.link() });
    if (d.chance(0.3)) events.push({ at: `${d.pick([0.2, 1, 3])}s`, link: `path${p}`, action: "down", for: `${d.pick([0.1, 1, 5])}s` });
  }
  const subflows: Obj[] = [];
  if (multipath(client) && multipath(server) && d.chance(0.6)) for (let p = 1; p < paths; p++) subflows.push({ from: addr(1, p), to: addr(2, p) });
  if (multipath(server) && paths > 1 && d.chance(0.4)) (server.mptcp as Obj).endpoints = Array.from({ length: paths - 1 }, (_, j) => `${addr(2, j + 1)} id ${j + 2} signal`);
  const flows: Obj[] = [];
  const count = d.pick([1, 2, 4, 6]);
  for (let f = 0; f < count; f++) {
    const up = d.chance(0.6);
    flows.push({
      name: `f${f}`, from: up ? "client" : "server", to: up ? "server" : "client", address: up ? addr(2, 0) : addr(1, 0), port: 7000 + f,
      bytes: d.pick(["1B", "2KB", "200KB", "2MB"]), start: d.pick(["0s", "0.1s", "0.5s", "2s"]), ...(up ? { subflows } : {}),
    });
  }
  const raw = { name: `mixed-${index}`, duration: "1800s", hosts: [client, server], links, flows, events };
  const opts = d.run(index);
  const kind = (h: Obj): string => (multipath(h) ? "MPTCP" : "TCP");
  return { raw, opts, label: `${kind(client)} to ${kind(server)}, ${paths} paths (${v6.map((v) => (v ? "v6" : "v4")).join(" ")}), ${describeRun(opts)}, ${count} flows, ${events.length} events` };
}

function check(c: Case): void {
  const result = runScenario(validateScenario(c.raw, c.raw.name as string), c.opts);
  for (const f of result.flows) {
    const aborted = f.abortedAtSeconds !== undefined;
    if (!aborted) assert.equal(f.failure, null, `${f.name}: ${f.failure}`);
    assert.equal(f.integrity, true, `${f.name}: ${f.bytesDelivered} of ${f.bytes} bytes, ${JSON.stringify(f.mptcp?.fallback ?? null)}`);
  }
}

/**
 * The fifth generator: the first one's scenarios with host events during the run (docs/scenarios.md
 * "Events"): an interface going down (and mostly up again) or an endpoint deleted (and mostly added
 * again) on either side, new endpoints added, endpoints made (no) backup, and sometimes a
 * handover policy instead of the endpoints. The links stay up and another subflow is left, so every
 * flow must still end intact.
 */
function hostEventsCase(index: number): Case {
  const c = pathsCase(index);
  const d = new Draw(0x686576 + index * 31337);
  const hosts = c.raw.hosts as Obj[];
  const events = c.raw.events as Obj[];
  const endpoints = (h: Obj): string[] => ((h.mptcp as Obj).endpoints as string[] | undefined) ?? [];
  const idOf = (e: string): number => Number(/ id (\d+)/.exec(e)![1]);
  const at = (): number => d.pick([0.2, 0.5, 1, 1.5, 2, 3, 4]);
  const later = (t: number): number => Math.round((t + d.pick([0.1, 0.5, 2])) * 1000) / 1000;
  const touched = new Set<string>();
  // One address withdrawn at most (an interface down, an endpoint deleted): two, on both sides,
  // can take away every subflow between them, and the connection ends, as it must.
  let withdrawn = false;
  const count = d.pick([1, 2, 3]);
  for (let k = 0; k < count; k++) {
    const h = d.pick(hosts);
    const name = h.name as string;
    const kind = d.pick(["interface", "interface", "delete", "add", "backup"]);
    if (kind === "interface" || kind === "delete") {
      if (withdrawn) continue;
      withdrawn = true;
    }
    if (kind === "interface") {
      const iface = d.pick([0, 1, 2]) % (h.interfaces as Obj[]).length;
      const t = at();
      events.push({ at: `${t}s`, host: name, action: "interface-down", interface: iface });
      if (d.chance(0.8)) events.push({ at: `${later(t)}s`, host: name, action: "interface-up", interface: iface });
      continue;
    }
    const own = endpoints(h).filter((e) => !touched.has(`${name}/${idOf(e)}`));
    if (kind === "add") {
      const taken = (a: string): boolean => endpoints(h).some((e) => e.startsWith(`${a} `)) || touched.has(`${name}/${a}`);
      const free = (h.interfaces as Obj[]).slice(1).map((i) => (i.addresses as string[])[0]!).filter((a) => !taken(a));
      if (free.length === 0) continue;
      const a = d.pick(free);
      touched.add(`${name}/${a}`);
      events.push({ at: `${at()}s`, host: name, action: "endpoint-add", endpoint: `${a} id ${20 + k} ${d.pick(["signal", "subflow", "subflow fullmesh"])}` });
      continue;
    }
    if (own.length === 0) continue;
    const e = d.pick(own);
    touched.add(`${name}/${idOf(e)}`);
    touched.add(`${name}/${e.split(" ")[0]}`);
    const t = at();
    if (kind === "backup") {
      events.push({ at: `${t}s`, host: name, action: "endpoint-backup", id: idOf(e), backup: d.chance(0.7) });
      continue;
    }
    events.push({ at: `${t}s`, host: name, action: "endpoint-delete", id: idOf(e) });
    if (d.chance(0.7)) events.push({ at: `${later(t)}s`, host: name, action: "endpoint-add", endpoint: e });
  }
  const mine = events.filter((e) => e.host !== undefined).length;
  // Sometimes a handover policy on both hosts (the client's acts, a server only follows): drawn
  // last, so the rest of each case is as it was drawn before. It must ride out the same events,
  // a connection left without subflows included (close-timeout.ts).
  const pm = d.chance(0.3) ? d.pick(["full", "backup", "single-path"] as const) : undefined;
  const opts = pm === undefined ? c.opts : { ...c.opts, mptcp: { ...c.opts.mptcp, pathManager: pm } };
  return { raw: { ...c.raw, name: `host-events-${index}` }, opts, label: `${c.label}, ${mine} host events${pm === undefined ? "" : `, pm ${pm}`}` };
}

const GENERATORS: [string, (i: number) => Case, number][] = [
  ["paths", pathsCase, 64],
  ["handover", handoverCase, 64],
  ["mixed", mixedCase, 32],
  ["host events", hostEventsCase, 32],
];

for (const [name, generate, cases] of GENERATORS) {
  describe(`random MPTCP scenarios (${name}): every flow ends intact`, () => {
    for (let i = 0; i < runs(cases); i++) {
      const c = generate(i);
      test(`${name} ${i}: ${c.label}`, () => check(c));
    }
  });
}

/**
 * A box corrupting payloads on the first path, DSS checksums on: a connection whose every path
 * crosses it may end (a reset once a join has been up, §3.7), and one that falls back to TCP
 * delivers what the box made of its bytes, as TCP through it would (also after a fallback in the
 * handshake: an out-of-order DSS segment that completes it when the third ACK and the first data
 * were lost carries no MP_CAPABLE, and Linux falls back there too). What must never happen is a
 * flow left hanging, or corrupted bytes delivered by a connection that neither fell back nor
 * saw a checksum fail. (Found with it: a receiver that reset its only working subflow for a join
 * whose SYN nobody answered; random-found.test.ts.)
 */
describe("random MPTCP scenarios (corrupting): every flow ends, no corruption goes unseen", () => {
  for (let i = 0; i < runs(32); i++) {
    const c = pathsCase(i, true);
    test(`corrupting ${i}: ${c.label}`, () => {
      const result = runScenario(validateScenario(c.raw, c.raw.name as string), c.opts);
      const seen = new Map(result.hosts.map((h) => [h.name, h.mptcp?.DataCsumErr ?? 0]));
      for (const f of result.flows) {
        assert.ok(f.completionSeconds !== null || f.failure !== null, `${f.name}: neither ended nor failed`);
        const fellBack = f.mptcp?.fallback !== false || (f.mptcp?.serverFallback ?? false) !== false;
        if (!f.integrity && f.failure === null) assert.ok(fellBack || (seen.get(f.to) ?? 0) > 0, `${f.name}: corrupted bytes delivered without a fallback or a failed checksum at ${f.to} (${JSON.stringify(f.mptcp?.counters)})`);
      }
    });
  }
});

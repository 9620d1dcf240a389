/**
 * Random MPTCP scenarios (a property test over the simulator): two or three paths with random
 * rates, delays, queues, loss, reordering, outages, black holes and rate or delay changes; every
 * scheduler and congestion controller; DSS checksums, the DSS on every segment, RACK and small
 * buffers at random; joins by hand, by ADD_ADDR or by fullmesh endpoints; sometimes a middlebox
 * on the first path of a kind MPTCP must get through (it splits or rewrites segments, strips
 * options, drops MPTCP SYNs or NATs the client). Every link comes back, so every flow must end
 * intact. The generator is seeded: each case is the same run every time, and a failing one is
 * re-run alone by its index.
 *
 * Such scenarios found the three fallback faults of test/mptcp/fallback-edges.test.ts. Boxes
 * that legitimately end connections whose every path crosses them (corrupting payloads, merging
 * segments across mappings) are left out: their reactions have tests of their own.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import type { RunOptions } from "../../src/sim/scenario/runner.js";
import { validateScenario } from "../../src/sim/scenario/validate.js";
import { Rng } from "../../src/util/rng.js";

const BOXES = ["mbox-split", "mbox-seq-rewrite", "mbox-strip-data", "mbox-strip-syn", "mbox-eol-after-syn", "mbox-drop-mptcp-syn", "mbox-nat"];
const CONGESTION = ["lia", "olia", "balia", "coupled", "cubic", "reno"] as const;
const SCHEDULERS = ["lowest-rtt", "round-robin", "redundant", "blest", "ecf"] as const;

interface Case {
  raw: Record<string, unknown>;
  opts: RunOptions;
  label: string;
}

/** Case `index` of the property: a scenario file's object and the run's options. */
function randomCase(index: number): Case {
  const r = Rng.seeded(0x6d70 + index * 7919);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r.nextFloat() * a.length)]!;
  const paths = pick([2, 2, 3]);
  const box = r.nextFloat() < 0.4 ? pick(BOXES) : undefined;
  const tcp = { rack: r.nextFloat() < 0.3, sendBuffer: pick(["64KB", "256KB", "4MB"]), recvBuffer: pick(["64KB", "256KB", "4MB"]), congestion: pick(["cubic", "reno"]) };
  const mptcp = { enabled: true, checksums: r.nextFloat() < 0.3, dssEverySegment: r.nextFloat() < 0.3, subflows: 4, addAddrAccepted: 2 };
  const addr = (host: number, path: number): string => `10.0.${path}.${host}`;
  const iface = (host: number) => Array.from({ length: paths }, (_, p) => ({ addresses: [addr(host, p)] }));
  const client: Record<string, unknown> = { name: "client", interfaces: iface(1), tcp, mptcp };
  const server: Record<string, unknown> = { name: "server", interfaces: iface(2), tcp, mptcp: { ...mptcp } };
  const links: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  for (let p = 0; p < paths; p++) {
    const l: Record<string, unknown> = {
      rate: pick(["2Mbit", "10Mbit", "50Mbit"]),
      delay: pick(["2ms", "10ms", "40ms", "100ms"]),
      queue: pick(["20 packets", "100 packets", "50ms", "300ms"]),
      loss: pick(["0", "0", "0.5%", "2%", "6%"]),
    };
    if (r.nextFloat() < 0.3) Object.assign(l, { jitter: pick(["1ms", "5ms", "20ms"]), reorder: true });
    if (r.nextFloat() < 0.3) l.reverse = { loss: pick(["0", "1%", "5%"]) };
    if (p === 0 && box !== undefined) {
      links.push({ name: "path0", from: "client.0", to: "mb.0", ...l }, { name: "path0b", from: "mb.1", to: "server.0", rate: l.rate, delay: "1ms" });
    } else {
      links.push({ name: `path${p}`, from: `client.${p}`, to: `server.${p}`, ...l });
    }
    const k = r.nextFloat();
    if (k < 0.25) events.push({ at: `${pick([0.5, 1, 2, 4])}s`, link: `path${p}`, action: "down", for: `${pick([0.2, 1, 3, 8])}s` });
    else if (k < 0.4) events.push({ at: `${pick([0.5, 1, 3])}s`, link: `path${p}`, direction: pick(["both", "forward", "reverse"]), action: "blackhole", for: `${pick([0.3, 2, 6])}s` });
    else if (k < 0.5) events.push({ at: `${pick([0.5, 2])}s`, link: `path${p}`, action: "rate", rate: pick(["500Kbit", "100Mbit"]) });
    else if (k < 0.55) events.push({ at: `${pick([0.5, 2])}s`, link: `path${p}`, action: "delay", delay: pick(["1ms", "200ms"]) });
  }
  const joins = pick(["explicit", "explicit", "signal", "fullmesh"]);
  const subflows: Record<string, unknown>[] = [];
  const signal = Array.from({ length: paths - 1 }, (_, j) => `${addr(2, j + 1)} id ${j + 2} signal`);
  if (joins === "explicit") for (let p = 1; p < paths; p++) subflows.push({ from: addr(1, p), to: addr(2, p), backup: r.nextFloat() < 0.2 });
  else (server.mptcp as Record<string, unknown>).endpoints = signal;
  if (joins === "fullmesh") (client.mptcp as Record<string, unknown>).endpoints = Array.from({ length: paths - 1 }, (_, j) => `${addr(1, j + 1)} id ${j + 2} subflow fullmesh`);
  const flows: Record<string, unknown>[] = [{ name: "up", from: "client", to: "server", port: 5001, bytes: pick(["50KB", "300KB", "1MB"]), subflows }];
  // A server cannot open a connection into the NAT.
  if (box !== "mbox-nat" && r.nextFloat() < 0.5) flows.push({ name: "down", from: "server", to: "client", port: 5002, bytes: pick(["20KB", "300KB"]), start: pick(["0s", "0.3s"]) });
  const raw = { name: `random-${index}`, duration: "900s", hosts: [client, server], links, flows, events, ...(box === undefined ? {} : { middleboxes: [{ name: "mb", boxes: [box] }] }) };
  const congestion = pick(CONGESTION);
  const scheduler = pick(SCHEDULERS);
  const label = `${paths} paths, ${box ?? "no box"}, ${congestion}, ${scheduler}, joins ${joins}${mptcp.checksums ? ", checksums" : ""}, ${events.length} events`;
  return { raw, opts: { seed: index, mptcp: { congestion, scheduler } }, label };
}

const CASES = 64;

describe("random MPTCP scenarios: every flow ends intact", () => {
  for (let i = 0; i < CASES; i++) {
    const c = randomCase(i);
    test(`case ${i}: ${c.label}`, () => {
      const result = runScenario(validateScenario(c.raw, c.raw.name as string), c.opts);
      for (const f of result.flows) {
        assert.equal(f.failure, null, `${f.name}: ${f.failure}`);
        assert.equal(f.integrity, true, `${f.name}: ${f.bytesDelivered} of ${f.bytes} bytes, ${JSON.stringify(f.mptcp?.fallback ?? null)}`);
      }
    });
  }
});

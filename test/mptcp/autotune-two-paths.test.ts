/**
 * Autotuning with two subflows (the paths of `mptcp-two-paths`: 20 Mbit/s at 20 ms and 40 ms RTT,
 * queues of 50 and 100 KB), a download read as it arrives. While the receive window is still
 * growing it stops the sender often; the default scheduler's BLEST correction must not learn
 * from that (sched/arrival.ts `slowerHoldsWindow`), or it keeps the second subflow idle with a
 * full congestion window, which then leaves at once into its queue when the window opens (one
 * retransmission timeout on it, measured before the fix). Figures sampled every 10 ms.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { MptcpOptions } from "../../src/stack/mptcp-host.js";
import { parseAddress } from "../../src/wire/address.js";
import type { IpAddress } from "../../src/wire/address.js";
import { BulkSink, BulkSource } from "../../src/sim/bulk.js";
import { HostNode } from "../../src/sim/host-node.js";
import { Simulator } from "../../src/sim/simulator.js";

const BYTES = 12_000_000;
/** The sampling period (µs): an idle stretch is measured to within it. */
const SAMPLE = 10_000;
const PORT = 5201;

interface Run {
  intact: boolean;
  /** Retransmission timeouts of the sender's joined subflow. */
  joinTimeouts: number;
  /** The longest time the joined subflow sent nothing, from its first data to 90% read, µs. */
  longestIdle: number;
  /** Share of the data the joined subflow carried. */
  joinShare: number;
  /** When the last byte was read, µs. */
  done: number;
}

function download(mptcp: MptcpOptions): Run {
  const sim = new Simulator({ seed: 1 });
  const c = (i: number): IpAddress => parseAddress(`10.${i + 1}.0.1`)!;
  const s = (i: number): IpAddress => parseAddress(`10.${i + 1}.0.2`)!;
  const host = (a: (i: number) => IpAddress, name: string) => new MptcpHost({ interfaces: [{ addresses: [a(0)] }, { addresses: [a(1)] }], random: sim.rng.fork(name), mptcp: { subflows: 2, ...mptcp } });
  const ch = host(c, "client");
  const sh = host(s, "server");
  const source = new BulkSource(BYTES, sim.rng.fork("payload"));
  const sink = new BulkSink();
  let sender: MptcpConnection | undefined;
  let done: number | undefined;
  let at90: number | undefined;
  const cn = sim.addNode("client", new HostNode(ch, (e, now) => {
    if (e.type === "incoming") return;
    if (e.type === "connected") {
      e.connection.openSubflow(c(1), s(1), PORT);
      e.connection.shutdown();
    } else if (e.type === "readable") sink.drain(e.connection, now, () => void (at90 === undefined && sink.received >= 0.9 * BYTES && (at90 = now)));
    else if (e.type === "peer-closed") done = now;
  }));
  const sn = sim.addNode("server", new HostNode(sh, (e) => void (sender = source.serve(e) ?? sender)));
  sim.addDuplexLink(cn, 0, sn, 0, { rateBps: 20e6, delayUs: 10_000, queueLimitBytes: 50_000 });
  sim.addDuplexLink(cn, 1, sn, 1, { rateBps: 20e6, delayUs: 20_000, queueLimitBytes: 100_000 });
  sh.listen(PORT);
  ch.connect(s(0), PORT, 0, { local: c(0) });
  sim.wake(cn);
  let lastSent = 0;
  let lastChange: number | undefined;
  let longestIdle = 0;
  const sample = (now: number) => {
    const join = sender?.joinedSubflows[0]?.subflow;
    const sent = join?.tcp.stats().bytesSent ?? 0;
    if (sent !== lastSent) {
      if (lastChange !== undefined && lastSent > 0) longestIdle = Math.max(longestIdle, now - lastChange);
      lastSent = sent;
      lastChange = now;
    }
    if (at90 === undefined) sim.at(now + SAMPLE, sample);
  };
  sim.at(SAMPLE, sample);
  sim.runUntilDone(() => done !== undefined, 60e6);
  const join = sender!.joinedSubflows[0]!.subflow!.tcp.stats();
  return { done: done ?? Number.POSITIVE_INFINITY, intact: sink.received === BYTES && sink.digest() === source.digest(), joinTimeouts: join.timeouts, longestIdle, joinShare: join.bytesSent / BYTES };
}

describe("autotuning over two paths: the second subflow is not idled while the window grows", () => {
  const tuned = download({ autotune: true });
  const fixed = download({});

  test("autotuned: no timeout on the joined subflow, never idle for longer than its RTT", () => {
    assert.ok(tuned.intact);
    assert.equal(tuned.joinTimeouts, 0);
    // Its RTT is 40 ms without queueing; the sampling resolves an idle stretch to one period.
    assert.ok(tuned.longestIdle <= 40_000 + SAMPLE, `idle for ${tuned.longestIdle} µs`);
  });

  test("it carries about the share it carries with a fixed buffer", () => {
    assert.ok(fixed.intact);
    assert.ok(tuned.joinShare >= 0.9 * fixed.joinShare, `${tuned.joinShare} against ${fixed.joinShare}`);
  });

  test("and finishes as soon: within 2% of the fixed buffer's time (29.3 against 34.1 Mbit/s before a slower subflow was given one window at a time)", () => {
    assert.ok(tuned.done <= fixed.done * 1.02, `${tuned.done} µs against ${fixed.done} µs`);
  });
});

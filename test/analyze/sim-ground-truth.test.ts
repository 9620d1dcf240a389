/**
 * `mptcp analyze` against the simulator's ground truth (issue [analyze] item 6): two MptcpHosts
 * transfer data over links whose losses, delays and reordering come from fixed seeds or a fixed
 * schedule, each host's interface is captured, and what analyze reports from the captures must
 * equal what the simulator knows: the sending TCP's own counters, the links' counters, the bytes
 * the applications wrote and read, and when each byte reached the receiving application.
 *
 * Mostly one subflow, where the scheduler has no choice to make and nothing is reinjected (which
 * the tests assert too); then two, joined with MP_JOIN over a second path, where each subflow's
 * share is what the scheduler gave its TCP and the receiver waits for data on the slower path.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeCaptures } from "../../src/analyze/analyze.js";
import type { ConnectionReport, DelayStats, RttStats } from "../../src/analyze/types.js";
import type { Link, LinkConfig } from "../../src/sim/link.js";
import type { TcpStats } from "../../src/tcp/tcb.js";
import { PayloadCorrupter } from "../../src/sim/middlebox/corrupt.js";
import { Rng } from "../../src/util/rng.js";
import type { RecordingTap } from "../../src/sim/tap.js";
import { parseTcpOptions } from "../../src/wire/tcp-options.js";
import { CLIENT2_U32, CLIENT_U32, SERVER2_U32, SERVER_U32, fifoOneWayDelays, payload, receiverWaits, runPair, sentBy, withCaptures, type Pair, type TcpInfo, type Waits } from "./sim-pair.js";

const SYN = 0x02;
const FIN = 0x01;
const ACK = 0x10;

async function analyze(...captures: Uint8Array[]): Promise<ConnectionReport> {
  const report = await withCaptures(captures, (paths) => analyzeCaptures(paths));
  assert.equal(report.connections.length, 1);
  return report.connections[0]!;
}

/** SYNs and bare FINs the client sent again (from `src`): its TCP counts them as retransmissions; analyze counts payload only. */
function controlRetransmissions(p: Pair, src = CLIENT_U32): number {
  const sent = sentBy(p.clientTap, src);
  const syns = sent.filter((s) => (s.info.flags & (SYN | ACK)) === SYN).length;
  const finSeqs = sent.filter((s) => (s.info.flags & FIN) !== 0 && s.info.payloadLen === 0).map((s) => s.info.seq);
  return syns - 1 + finSeqs.length - new Set(finSeqs).size;
}

/** The report's reordering delay is the receiver's actual wait, to the µs (report.ts rounds ms to µs). */
function assertWaits(got: DelayStats, truth: Waits): void {
  assert.equal(got.bytes, truth.bytes);
  assert.equal(got.delayedBytes, truth.delayedBytes);
  assert.equal(got.maxMs, truth.maxUs / 1000);
  assert.equal(got.meanMs, Math.round(truth.sumUs / truth.bytes) / 1000);
}

/** One-way delay statistics equal the exact per-packet delays (the median is a histogram estimate). */
function assertDelays(got: RttStats | null | undefined, delaysUs: number[]): void {
  assert.ok(got);
  assert.equal(got.samples, delaysUs.length);
  assert.equal(got.minMs, Math.min(...delaysUs) / 1000);
  assert.equal(got.maxMs, Math.max(...delaysUs) / 1000);
  assert.equal(got.meanMs, Math.round(delaysUs.reduce((a, b) => a + b, 0) / delaysUs.length) / 1000);
}

const LINK: LinkConfig = { rateBps: 20_000_000, delayUs: 5_000 };

const LOSS_CASES: Array<{ name: string; seed: number; forward: LinkConfig }> = [
  { name: "3% random loss (seeded)", seed: 41, forward: { ...LINK, loss: { kind: "bernoulli", p: 0.03 } } },
  {
    name: "a 20 ms black hole in slow start",
    seed: 1,
    forward: { ...LINK, schedule: [{ atUs: 25_000, loss: { kind: "bernoulli", p: 1 } }, { atUs: 45_000, loss: { kind: "none" } }] },
  },
];

for (const lc of LOSS_CASES) {
  describe(`analyze against the simulator: ${lc.name} from client to server`, () => {
    const bytes = 400_000;
    let pair: Pair | undefined;
    // One transfer for the tests of this case. The reverse path is clean and carries only ACKs,
    // at 8 Mbit/s so that each takes a whole number of µs (one per byte).
    const reverse: LinkConfig = { rateBps: 8_000_000, delayUs: 5_000 };
    const run = (): Pair => (pair ??= runPair({ seed: lc.seed, clientData: payload(bytes, lc.seed), forward: lc.forward, reverse }));

    test("the premise: packets were lost on the link, none for another reason", () => {
      const { forward } = run();
      assert.ok(forward.counters.droppedLoss > 0);
      assert.equal(forward.counters.droppedQueue, 0);
      assert.equal(forward.counters.droppedDown, 0);
    });

    test("captured at the sender: retransmissions are the sending TCP's own, unique data the bytes written", async () => {
      const p = run();
      const tcp = p.clientConn.subflow!.stats();
      const c = await analyze(p.clientPcap);
      assert.deepEqual(c.anomalies, []);
      assert.deepEqual(c.bytes, { c2s: bytes, s2c: 0 });
      assert.equal(c.subflows.length, 1);
      const s = c.subflows[0]!;
      assert.ok(tcp.retransmittedBytes > 0);
      assert.equal(s.retransmittedBytes.c2s, tcp.retransmittedBytes);
      assert.equal(s.retransmittedSegments.c2s, tcp.retransmissions - controlRetransmissions(p));
      assert.equal(s.bytes.c2s, tcp.bytesSent + tcp.retransmittedBytes);
      assert.equal(s.freshBytes.c2s, bytes);
      // Everything the client sent is in its capture; of the server's, what the clean link delivered.
      assert.equal(s.segments.c2s, p.forward.counters.offered);
      assert.equal(s.segments.s2c, p.reverse.counters.delivered);
      // One subflow: no reinjection; at the sender the data is in order, nothing waits.
      assert.deepEqual(c.reinjectedBytes, { c2s: 0, s2c: 0 });
      assert.equal(c.oooDelay.c2s.delayedBytes, 0);
    });

    test("captured at the receiver: exactly the segments the link delivered, every byte, and the receiver's own wait", async () => {
      const p = run();
      const c = await analyze(p.serverPcap);
      assert.deepEqual(c.anomalies, []);
      assert.equal(p.server.received, bytes);
      assert.deepEqual(c.bytes, { c2s: bytes, s2c: 0 });
      const { offered, droppedLoss, delivered } = p.forward.counters;
      assert.equal(c.subflows[0]!.segments.c2s, offered - droppedLoss);
      assert.equal(c.subflows[0]!.segments.c2s, delivered);
      // Data behind each hole waited for its retransmission; the report's reordering delay is
      // that wait, byte for byte, as the receiving application saw it.
      const truth = receiverWaits(sentBy(p.serverTap, CLIENT_U32), p.server.deliveries, bytes);
      assert.ok(truth.delayedBytes > 0);
      assertWaits(c.oooDelay.c2s, truth);
    });

    test("both captures: every ACK back is matched, duplicate ACKs included, with the clean path's exact delay", async () => {
      const p = run();
      const c = await analyze(p.clientPcap, p.serverPcap);
      const acks = sentBy(p.serverTap, SERVER_U32);
      assert.ok(acks.some((a, i) => i > 0 && a.info.ack === acks[i - 1]!.info.ack && a.info.seq === acks[i - 1]!.info.seq), "duplicate ACKs");
      assertDelays(c.subflows[0]!.oneWayDelayMs!.s2c, fifoOneWayDelays(acks, reverse.rateBps!, reverse.delayUs!).delays);
      // Data: each copy that arrived is matched once (with the latest copy sent, a retransmission
      // when the original was lost), and none of those that were lost.
      assert.equal(c.subflows[0]!.oneWayDelayMs!.c2s!.samples, p.forward.counters.delivered);
      assert.ok(c.subflows[0]!.oneWayDelayMs!.c2s!.minMs >= LINK.delayUs! / 1000);
      // Sending statistics come from each direction's sender's capture.
      assert.equal(c.subflows[0]!.retransmittedBytes.c2s, p.clientConn.subflow!.stats().retransmittedBytes);
      assertWaits(c.oooDelay.c2s, receiverWaits(sentBy(p.serverTap, CLIENT_U32), p.server.deliveries, bytes));
    });
  });
}

describe("analyze against the simulator: both captures", () => {
  test("one-way delay per direction is propagation plus serialisation (plus queueing), and no reinjection", async () => {
    // 8 Mbit/s: one byte per µs, so every delay is a whole number of µs.
    const rate = 8_000_000;
    const forward: LinkConfig = { rateBps: rate, delayUs: 5_000 };
    const reverse: LinkConfig = { rateBps: rate, delayUs: 7_000 };
    const bytes = 100_000;
    const p = runPair({ seed: 43, clientData: payload(bytes, 43), forward, reverse });
    const c = await analyze(p.clientPcap, p.serverPcap);
    assert.deepEqual(c.anomalies, []);
    assert.deepEqual(c.bytes, { c2s: bytes, s2c: 0 });
    assert.equal(c.subflows.length, 1);
    const owd = c.subflows[0]!.oneWayDelayMs!;

    // The data direction queues behind the sender's bursts: the FIFO link model gives each delay.
    const c2s = fifoOneWayDelays(sentBy(p.clientTap, CLIENT_U32), rate, 5_000);
    assert.ok(c2s.queued > 0);
    assertDelays(owd.c2s, c2s.delays);

    // The server sends only ACKs, never two at once: each takes the propagation delay plus its
    // own serialisation, length bytes at one byte per µs.
    const acks = sentBy(p.serverTap, SERVER_U32);
    const s2c = fifoOneWayDelays(acks, rate, 7_000);
    assert.equal(s2c.queued, 0);
    assert.deepEqual(s2c.delays, acks.map((a) => 7_000 + a.info.length));
    assertDelays(owd.s2c, s2c.delays);

    // One subflow: nothing reinjected, so nothing usefully reinjected.
    assert.deepEqual(c.reinjectedBytes, { c2s: 0, s2c: 0 });
    assert.deepEqual(c.usefulReinjectedBytes, { c2s: 0, s2c: 0 });
  });
});

describe("analyze against the simulator: a payload-corrupting box with DSS checksums", () => {
  test("exactly one checksum failure, the MP_FAIL for its mapping and the infinite mapping", async () => {
    const bytes = 100_000;
    // Corrupts one client-to-server data segment and repairs the TCP checksum (RFC 8041 §3.1).
    const box = new PayloadCorrupter({ limit: 1, directions: "forward" }, Rng.seeded(47));
    const p = runPair({ seed: 47, clientData: payload(bytes, 47), forward: LINK, client: { checksums: true }, boxes: [box] });
    assert.equal(box.counters.modified, 1);
    assert.equal(p.serverHost.counters.DataCsumErr, 1);
    assert.equal(p.server.received, bytes);

    // The damage happens between the capture points: the client's capture still verifies.
    const atClient = await analyze(p.clientPcap);
    assert.equal(atClient.dssChecksums!.failed, 0);
    assert.equal(atClient.anomalyCounts["dss-checksum-failure"], undefined);
    const atServer = await analyze(p.serverPcap);
    assert.equal(atServer.dssChecksums!.failed, 1);

    const c = await analyze(p.clientPcap, p.serverPcap);
    assert.equal(c.checksums, true);
    assert.equal(c.dssChecksums!.failed, 1);
    const failures = c.anomalies.filter((a) => a.type === "dss-checksum-failure");
    assert.equal(failures.length, 1);
    assert.equal(c.anomalyCounts["dss-checksum-failure"], 1);
    assert.equal(failures[0]!.capture, 1);
    assert.equal(failures[0]!.dir, "c2s");
    const failedDsn = /^mapping DSN (\d+) /.exec(failures[0]!.detail)?.[1];
    assert.ok(failedDsn !== undefined);

    // §3.7: the receiver answers with MP_FAIL for the failed mapping's DSN, the sender with the
    // infinite mapping, and the connection is plain TCP from there.
    const mpFail = c.signals.filter((e) => e.type === "MP_FAIL");
    assert.equal(mpFail.length, p.serverHost.counters.MPFailTx);
    for (const e of mpFail) {
      assert.equal(e.dir, "s2c");
      assert.equal(e.detail, `DSN ${failedDsn}`);
    }
    const infinite = c.anomalies.filter((a) => a.type === "infinite-mapping");
    assert.equal(infinite.length, p.clientHost.counters.InfiniteMapTx);
    assert.equal(infinite.length, 1);
    assert.equal(infinite[0]!.dir, "c2s");
    assert.ok(mpFail[0]!.t <= infinite[0]!.t);
    assert.equal(c.fallback, "infinite mapping (RFC 8684 §3.7)");
    assert.deepEqual(Object.keys(c.anomalyCounts).sort(), ["dss-checksum-failure", "infinite-mapping"]);
    assert.deepEqual(c.bytes, { c2s: bytes, s2c: 0 });
  });

  /*
   * The same box behind a lossy or reordering link, the corruption drawn in mid-transfer: the
   * server's capture holds the corrupted mapping with holes filled later (by a retransmission, or
   * a segment overtaken on the path), so its segments are not in order. The checksum covers the whole mapping whatever order its bytes come in
   * (§3.3.1), so the failure is still found, and every other mapping still verifies.
   */
  for (const [name, forward] of [
    ["5% random loss (seeded)", { ...LINK, loss: { kind: "bernoulli", p: 0.05 } }],
    ["reordering jitter", { ...LINK, jitter: { maxUs: 2_000, reorder: true } }],
  ] as const) {
    test(`${name} on the way to the box: the failure is found in the receiver's capture although the mapping came out of order`, async () => {
      const bytes = 200_000;
      const box = new PayloadCorrupter({ limit: 1, directions: "forward", probability: 0.05 }, Rng.seeded(47));
      const p = runPair({ seed: 47, clientData: payload(bytes, 47), forward, client: { checksums: true }, boxes: [box] });
      assert.equal(box.counters.modified, 1);
      assert.equal(p.serverHost.counters.DataCsumErr, 1);
      assert.equal(p.server.received, bytes);

      const c = await analyze(p.serverPcap);
      const failures = c.anomalies.filter((a) => a.type === "dss-checksum-failure");
      assert.equal(failures.length, 1);
      const [, ssn, len] = /^mapping DSN \d+ SSN (\d+) length (\d+) /.exec(failures[0]!.detail)!.map(Number);
      // The premise: the failed mapping's segments reached the server out of order.
      const arrivals = sentBy(p.serverTap, CLIENT_U32);
      const isn = arrivals.find((a) => a.info.flags & SYN)!.info.seq;
      const inMapping = arrivals
        .map((a) => (a.info.seq - isn) >>> 0)
        .filter((rel, i) => arrivals[i]!.info.payloadLen > 0 && rel >= ssn! && rel < ssn! + len!);
      assert.ok(inMapping.some((rel, i) => i > 0 && rel < inMapping[i - 1]!), `out of order: ${inMapping.join(" ")}`);
      assert.deepEqual(c.dssChecksums, { verified: c.dssChecksums!.verified, failed: 1, unverifiable: 0 });
      assert.ok(c.dssChecksums!.verified > 0);
      assert.equal(c.signals.filter((e) => e.type === "MP_FAIL").length, p.serverHost.counters.MPFailTx);
    });
  }

  /*
   * The same lossy path with seed 49: the link drops the client's segment that carries the
   * infinite mapping, its answer to the server's MP_FAIL (§3.7). The server, having sent MP_FAIL,
   * waits for that mapping and holds what arrives after the hole; the retransmission of the
   * segment declares the mapping again (as every copy of a mapping's first segment does, §3.3.1),
   * and the server continues as TCP from there. MP_FAIL went once: nothing from the client, which
   * sends no option after the fallback, showed that it had not arrived.
   */
  test("the segment carrying the infinite mapping lost on the way: its retransmission declares it again, one MP_FAIL", async () => {
    const bytes = 200_000;
    const sent = payload(bytes, 49);
    const box = new PayloadCorrupter({ limit: 1, directions: "forward", probability: 0.05 }, Rng.seeded(49));
    const p = runPair({ seed: 49, clientData: sent, forward: { ...LINK, loss: { kind: "bernoulli", p: 0.05 } }, client: { checksums: true }, boxes: [box], keepReceived: true });
    assert.equal(box.counters.modified, 1);
    // The premise: two copies of the segment left the client, the second reached the server.
    const infinite = (tap: RecordingTap): Array<{ time: number; info: TcpInfo }> =>
      sentBy(tap, CLIENT_U32).filter(({ info }) => info.payloadLen > 0 && parseTcpOptions(info.options).some((o) => o.kind === "mptcp" && o.option.subtype === "DSS" && o.option.dataLen === 0));
    const out = infinite(p.clientTap);
    const arrived = infinite(p.serverTap);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.info.seq, out[1]!.info.seq);
    assert.equal(arrived.length, 1);
    assert.ok(arrived[0]!.time > out[1]!.time);

    const server = p.serverHost.counters;
    const client = p.clientHost.counters;
    assert.deepEqual(
      { DataCsumErr: server.DataCsumErr, MPFailTx: server.MPFailTx, InfiniteMapRx: server.InfiniteMapRx, DssFallback: server.DssFallback, MPFailRx: client.MPFailRx, InfiniteMapTx: client.InfiniteMapTx },
      { DataCsumErr: 1, MPFailTx: 1, InfiniteMapRx: 1, DssFallback: 0, MPFailRx: 1, InfiniteMapTx: 1 },
    );
    assert.equal(p.serverConn.fallbackReason, "infinite mapping received");
    // Every byte arrived, in order: the one the box changed as it changed it (§3.7), the rest intact.
    const got = p.server.receivedData;
    assert.equal(got.length, bytes);
    let changed = 0;
    for (let i = 0; i < bytes; i++) if (got[i] !== sent[i]) changed++;
    assert.equal(changed, 1);

    const atServer = await analyze(p.serverPcap);
    assert.deepEqual(atServer.anomalyCounts, { "dss-checksum-failure": 1, "infinite-mapping": 1 });
    assert.equal(atServer.signals.filter((e) => e.type === "MP_FAIL").length, 1);
    assert.deepEqual(atServer.bytes, { c2s: bytes, s2c: 0 });
    // At the client both copies were captured: one fallback.
    const atClient = await analyze(p.clientPcap);
    assert.deepEqual(atClient.anomalyCounts, { "infinite-mapping": 1 });
  });
});

describe("analyze against the simulator: reordering on the path", () => {
  /*
   * Jitter with reordering on the client-to-server link, one subflow, no loss. analyze measures
   * the reordering delay where the capture was taken (docs/analyze.md): at the receiver's
   * interface, data arriving ahead of earlier DSNs waits for them. With one subflow that is the
   * subflow's own reordering, not data spread over subflows, so it cannot be zero; what must hold
   * is that it equals the wait the receiving application really had, byte for byte. (This stack
   * hands each segment to the data level as it arrives, so its MPTCP reassembly holds them too.)
   */
  test("at the receiver it is exactly the application's wait; at the sender it is zero", async () => {
    const bytes = 300_000;
    const p = runPair({ seed: 53, clientData: payload(bytes, 53), forward: { ...LINK, jitter: { maxUs: 2_000, reorder: true } }, reverse: LINK });
    assert.equal(p.server.received, bytes);
    const truth = receiverWaits(sentBy(p.serverTap, CLIENT_U32), p.server.deliveries, bytes);
    assert.ok(truth.delayedBytes > 0, "the link reordered data");

    const atServer = await analyze(p.serverPcap);
    assert.deepEqual(atServer.anomalies, []);
    assertWaits(atServer.oooDelay.c2s, truth);

    const atClient = await analyze(p.clientPcap);
    assert.equal(atClient.oooDelay.c2s.bytes, bytes);
    assert.equal(atClient.oooDelay.c2s.delayedBytes, 0);

    // With both captures, each direction's reordering comes from its receiver's capture.
    const both = await analyze(p.clientPcap, p.serverPcap);
    assert.deepEqual(both.oooDelay.c2s, atServer.oooDelay.c2s);
    assert.deepEqual(both.reinjectedBytes, { c2s: 0, s2c: 0 });
  });
});

describe("analyze against the simulator: two subflows (MP_JOIN), seeded loss on both paths", () => {
  const bytes = 600_000;
  const path1: LinkConfig = { rateBps: 20_000_000, delayUs: 5_000 };
  const path2: LinkConfig = { rateBps: 10_000_000, delayUs: 15_000 };
  // The paths back are clean and carry only ACKs, at one byte per µs.
  const back1: LinkConfig = { rateBps: 8_000_000, delayUs: 5_000 };
  const back2: LinkConfig = { rateBps: 8_000_000, delayUs: 15_000 };
  let pair: Pair | undefined;
  const run = (): Pair =>
    (pair ??= runPair({
      seed: 59,
      clientData: payload(bytes, 59),
      forward: { ...path1, loss: { kind: "bernoulli", p: 0.02 } },
      reverse: back1,
      second: { forward: { ...path2, loss: { kind: "bernoulli", p: 0.02 } }, reverse: back2 },
    }));
  /** Per subflow: the client's TCP, the path's forward link, the client's address on it. */
  const subflows = (p: Pair): Array<{ tcp: TcpStats; link: Link; src: number }> => [
    { tcp: p.clientConn.subflow!.stats(), link: p.forward, src: CLIENT_U32 },
    { tcp: p.joined[0]!.stats(), link: p.second!.forward, src: CLIENT2_U32 },
  ];

  test("the premise: the join succeeded, both paths lost packets and carried data", () => {
    const p = run();
    assert.equal(p.joined.length, 1);
    assert.equal(p.server.received, bytes);
    for (const s of subflows(p)) {
      assert.ok(s.link.counters.droppedLoss > 0);
      assert.equal(s.link.counters.droppedQueue, 0);
      assert.ok(s.tcp.bytesSent > bytes / 10);
    }
  });

  test("captured at the sender: per subflow, the scheduler's bytes and the subflow TCP's retransmissions", async () => {
    const p = run();
    const c = await analyze(p.clientPcap);
    assert.deepEqual(c.anomalies, []);
    assert.deepEqual(c.bytes, { c2s: bytes, s2c: 0 });
    assert.equal(c.subflows.length, 2);
    assert.equal(c.subflows[1]!.join, true);
    assert.equal(c.subflows[1]!.hmacOk, true);
    // Nothing was reinjected (the client counted no MPTCP-level retransmission).
    assert.equal(p.clientHost.counters.MPTCPRetrans, 0);
    assert.deepEqual(c.reinjectedBytes, { c2s: 0, s2c: 0 });
    subflows(p).forEach(({ tcp, link, src }, i) => {
      const s = c.subflows[i]!;
      // What the scheduler gave the subflow is what its TCP sent once.
      assert.equal(s.bytes.c2s - s.retransmittedBytes.c2s, tcp.bytesSent, `subflow ${i}`);
      assert.equal(s.freshBytes.c2s, tcp.bytesSent, `subflow ${i}`);
      assert.equal(s.retransmittedBytes.c2s, tcp.retransmittedBytes, `subflow ${i}`);
      assert.equal(s.retransmittedSegments.c2s, tcp.retransmissions - controlRetransmissions(p, src), `subflow ${i}`);
      assert.equal(s.segments.c2s, link.counters.offered, `subflow ${i}`);
    });
  });

  test("captured at the receiver: the segments each path delivered, and the application's head-of-line wait", async () => {
    const p = run();
    const c = await analyze(p.serverPcap);
    assert.deepEqual(c.anomalies, []);
    assert.deepEqual(c.bytes, { c2s: bytes, s2c: 0 });
    subflows(p).forEach(({ link }, i) => assert.equal(c.subflows[i]!.segments.c2s, link.counters.delivered, `subflow ${i}`));
    // Data waits at the receiver for earlier DSNs lost or still on the slower path.
    const truth = receiverWaits([...sentBy(p.serverTap, CLIENT_U32), ...sentBy(p.serverTap, CLIENT2_U32)].sort((a, b) => a.time - b.time), p.server.deliveries, bytes);
    assert.ok(truth.delayedBytes > 0);
    assertWaits(c.oooDelay.c2s, truth);
  });

  test("both captures: each subflow's ACKs back take their own path's exact delay", async () => {
    const p = run();
    const c = await analyze(p.clientPcap, p.serverPcap);
    const back = [
      { link: back1, src: SERVER_U32 },
      { link: back2, src: SERVER2_U32 },
    ];
    back.forEach(({ link, src }, i) => {
      assertDelays(c.subflows[i]!.oneWayDelayMs!.s2c, fifoOneWayDelays(sentBy(p.serverTap, src), link.rateBps!, link.delayUs!).delays);
    });
    assert.deepEqual(c.usefulReinjectedBytes, { c2s: 0, s2c: 0 });
  });
});

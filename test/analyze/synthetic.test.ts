/**
 * Synthetic captures with known ground truth: every count and delay below follows from the
 * segments the scenario sends, so the analyzer must give exactly these numbers.
 */
import { after, test, describe } from "node:test";
import assert from "node:assert/strict";
import { analyzeCaptures } from "../../src/analyze/analyze.js";
import type { ConnectionReport } from "../../src/analyze/types.js";
import type { MptcpOption } from "../../src/wire/mptcp/types.js";
import { ACK, C, KEY_C, KEY_S, S, Synth, SynthFlow, ep, removeSaved } from "./synth.js";

after(removeSaved);

const client0 = ep("10.0.0.1", 40000);
const client1 = ep("10.0.1.1", 40001);
const server = ep("10.0.0.2", 80);

interface Scenario {
  synth: Synth;
  reinjectionFrame: number;
}

/**
 * Two subflows; the client sends 10 segments of 1000 bytes, alternately on subflow 0 (even k) and
 * 1 (odd k), at 1.00 + 0.01k s. Subflow 0's client ISN is 4096 bytes below 2^32, so its sequence
 * numbers wrap; segment 9's mapping has a 32-bit DSN. Segment 3 (subflow 1) is lost after the
 * client; it is retransmitted on subflow 1 at 1.20. Segment 7 is sent twice on subflow 1 (1.15);
 * segment 5's data is reinjected on subflow 0 (1.16). The server ACKs subflow 0 5 ms after each
 * segment.
 */
function lossAndReinjection(vantage: "client" | "server"): Scenario {
  const synth = new Synth(1, vantage);
  const sf0 = new SynthFlow(synth, client0, server, 0xfffff000, 1000);
  const sf1 = new SynthFlow(synth, client1, server, 5000, 7000);
  sf0.capable(0.9);
  sf1.join(0.95);
  let seq3 = 0;
  let seq7 = 0;
  for (let k = 0; k < 10; k++) {
    const t = 1.0 + 0.01 * k;
    const sf = k % 2 === 0 ? sf0 : sf1;
    if (k === 3) seq3 = sf1.sndC;
    if (k === 7) seq7 = sf1.sndC;
    sf.data(t, 1 + 1000 * k, 1000, { dsn32: k === 9, lost: k === 3 });
    if (sf === sf0) sf0.send(t + 0.005, "s2c", ACK, []);
  }
  sf1.data(1.15, 7001, 1000, { seq: seq7 });
  const reinjectionFrame = sf0.data(1.16, 5001, 1000);
  sf0.send(1.165, "s2c", ACK, []);
  sf1.data(1.2, 3001, 1000, { seq: seq3 });
  sf0.dataAck(1.21, 10001);
  sf0.dataFin(1.22, 10001);
  return { synth, reinjectionFrame };
}

async function analyzeOne(synth: Synth, name: string, onFrame?: (frame: number, reinjected: number) => void): Promise<ConnectionReport> {
  const path = synth.save(name);
  const r = await analyzeCaptures([path], onFrame ? { onSegment: (row) => onFrame(row.frame, row.reinjected) } : {});
  assert.equal(r.connections.length, 1);
  return r.connections[0]!;
}

describe("analyze: synthetic loss, reinjection and wrap", () => {
  test("receiver-side capture: exact bytes, retransmissions, reinjection, reordering delay", async () => {
    const { synth, reinjectionFrame } = lossAndReinjection("server");
    const reinjected: number[] = [];
    const c = await analyzeOne(synth, "server.pcap", (f, r) => r > 0 && reinjected.push(f));
    assert.equal(c.version, 1);
    assert.equal(c.clientKey, KEY_C.toString());
    assert.equal(c.serverKey, KEY_S.toString());
    assert.equal(c.clientToken, C.token);
    assert.equal(c.serverToken, S.token);
    assert.equal(c.fallback, false);
    assert.deepEqual(c.bytes, { c2s: 10000, s2c: 0 });
    assert.deepEqual(c.reinjectedBytes, { c2s: 1000, s2c: 0 });
    assert.deepEqual(reinjected, [reinjectionFrame]);
    assert.deepEqual(c.anomalyCounts, {});
    assert.equal(c.dataAcked.c2s, 10001);
    assert.equal(c.dataFin.c2s, true);
    const [s0, s1] = c.subflows;
    assert.ok(s0 && s1);
    assert.equal(s0.join, false);
    assert.equal(s1.join, true);
    assert.equal(s1.hmacOk, true);
    // Subflow 0: five segments and the reinjection, across the 2^32 wrap of its sequence numbers.
    assert.deepEqual(s0.bytes, { c2s: 6000, s2c: 0 });
    assert.deepEqual(s0.retransmittedBytes, { c2s: 0, s2c: 0 });
    assert.deepEqual(s0.reinjectedBytes, { c2s: 1000, s2c: 0 });
    // Subflow 1: segments 1, 5, 7, 9, the duplicate of 7 and the late segment 3.
    assert.deepEqual(s1.bytes, { c2s: 6000, s2c: 0 });
    assert.deepEqual(s1.retransmittedBytes, { c2s: 2000, s2c: 0 });
    assert.deepEqual(s1.reinjectedBytes, { c2s: 0, s2c: 0 });
    assert.equal(s0.rttMs, 5);
    assert.equal(s0.handshakeRttMs, 2);
    // Segments 4..9 (arrived at 1.04..1.09) waited for segment 3 (1.20): 160, 150, ..., 110 ms.
    const d = c.oooDelay.c2s;
    assert.equal(d.bytes, 10000);
    assert.equal(d.delayedBytes, 6000);
    assert.equal(d.maxMs, 160);
    assert.equal(d.meanMs, 81);
  });

  test("sender-side capture: the lost segment is there, nothing waits", async () => {
    const { synth } = lossAndReinjection("client");
    const c = await analyzeOne(synth, "client.pcap");
    assert.deepEqual(c.bytes, { c2s: 10000, s2c: 0 });
    assert.deepEqual(c.reinjectedBytes, { c2s: 1000, s2c: 0 });
    assert.deepEqual(c.subflows[1]!.bytes, { c2s: 7000, s2c: 0 });
    assert.deepEqual(c.subflows[1]!.retransmittedBytes, { c2s: 2000, s2c: 0 });
    assert.equal(c.oooDelay.c2s.delayedBytes, 0);
  });
});

/**
 * Two captures of one connection, 20 ms apart each way. Segment 3 (subflow 1) is lost between
 * them; its data is reinjected on subflow 0 at 1.16 (useful: it is the first copy to reach the
 * server) and retransmitted on subflow 1 at 1.20 (too late: the data is there already).
 */
function twoSides(vantage: "client" | "server"): Synth {
  const synth = new Synth(1, vantage, 0.02);
  const sf0 = new SynthFlow(synth, client0, server, 100, 1000);
  const sf1 = new SynthFlow(synth, client1, server, 5000, 7000);
  sf0.capable(0.9);
  sf1.join(0.95);
  let seq3 = 0;
  for (let k = 0; k < 10; k++) {
    const sf = k % 2 === 0 ? sf0 : sf1;
    if (k === 3) seq3 = sf1.sndC;
    sf.data(1.0 + 0.01 * k, 1 + 1000 * k, 1000, { lost: k === 3 });
  }
  sf0.data(1.16, 3001, 1000);
  sf1.data(1.2, 3001, 1000, { seq: seq3 });
  sf0.dataAck(1.21, 10001);
  return synth;
}

describe("analyze: two captures", () => {
  test("one-way delay, useful reinjections, and reordering at the receiver", async () => {
    const a = twoSides("client").save("client.pcap");
    const b = twoSides("server").save("server.pcap");
    const r = await analyzeCaptures([a, b]);
    assert.equal(r.connections.length, 1);
    const c = r.connections[0]!;
    assert.deepEqual(c.bytes, { c2s: 10000, s2c: 0 });
    // Both later copies of segment 3's data are reinjections (its first copy went on subflow 1) ...
    assert.deepEqual(c.reinjectedBytes, { c2s: 2000, s2c: 0 });
    // ... and only the one on subflow 0 brought the server something new.
    assert.deepEqual(c.usefulReinjectedBytes, { c2s: 1000, s2c: 0 });
    for (const s of c.subflows) {
      assert.equal(s.oneWayDelayMs?.c2s?.minMs, 20, `subflow ${s.index} c2s`);
      assert.equal(s.oneWayDelayMs?.c2s?.medianMs, 20, `subflow ${s.index} c2s`);
    }
    // The server sent no data: its pure ACKs give the delay back.
    assert.equal(c.subflows[0]!.oneWayDelayMs?.s2c?.medianMs, 20);
    // Options seen at both ends are listed once.
    assert.deepEqual(c.signals.map((e) => e.type), ["MP_JOIN"]);
    // At the server, segments 4..9 (arrived 1.06..1.11) waited for the reinjection (1.18).
    assert.equal(c.oooDelay.c2s.delayedBytes, 6000);
    assert.equal(c.oooDelay.c2s.maxMs, 120);
    assert.equal(c.oooDelay.c2s.meanMs, 57);
  });
});

describe("analyze: anomalies and fallback", () => {
  test("a bad join HMAC is reported and the subflow marked", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    const sf1 = new SynthFlow(synth, client1, server, 3, 4);
    sf0.capable(1);
    sf1.join(1.1, { badHmac: true });
    const c = await analyzeOne(synth, "badjoin.pcap");
    assert.equal(c.subflows[1]!.hmacOk, false);
    assert.equal(c.anomalyCounts["bad-join-hmac"], 1);
  });

  test("ADD_ADDR: good and bad HMACs", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    sf0.capable(1);
    sf0.addAddr(1.1, "10.9.9.9");
    sf0.addAddr(1.2, "10.9.9.8", true);
    const c = await analyzeOne(synth, "addaddr.pcap");
    assert.equal(c.anomalyCounts["bad-add-addr-hmac"], 1);
    assert.equal(c.anomalies[0]!.detail, "ADD_ADDR id 5 10.9.9.8");
    assert.deepEqual(c.signals.map((s) => s.detail), ["id 5 10.9.9.9, HMAC ok", "id 5 10.9.9.8, HMAC BAD"]);
  });

  test("DSS checksums are verified when negotiated, over mappings that span segments", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    sf0.capable(1, { checksum: true });
    sf0.data(1.1, 1, 500, { checksum: true });
    sf0.data(1.2, 501, 700, { checksum: true, badChecksum: true });
    sf0.data(1.3, 1201, 300, { checksum: true });
    const c = await analyzeOne(synth, "csum.pcap");
    assert.equal(c.checksums, true);
    assert.equal(c.anomalyCounts["dss-checksum-failure"], 1);
    assert.match(c.anomalies[0]!.detail, /mapping DSN 501 SSN 501 length 700/);
    assert.deepEqual(c.dssChecksums, { verified: 2, failed: 1, unverifiable: 0 });
    assert.deepEqual(c.bytes, { c2s: 1500, s2c: 0 });
  });

  test("echoed key mismatch on the third ACK", async () => {
    const synth = new Synth();
    new SynthFlow(synth, client0, server, 1, 2).capable(1, { echoKey: 42n });
    const c = await analyzeOne(synth, "echo.pcap");
    assert.equal(c.anomalyCounts["echoed-key-mismatch"], 1);
  });

  test("SYN/ACK without MP_CAPABLE: fallback with its cause, data counted as TCP", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    sf0.capable(1, { synAckWithout: true });
    sf0.data(1.1, 1, 800, { noMapping: true });
    const c = await analyzeOne(synth, "fallback.pcap");
    assert.equal(c.fallback, "SYN/ACK without MP_CAPABLE (RFC 8684 §3.1)");
    assert.deepEqual(c.bytes, { c2s: 800, s2c: 0 });
    assert.deepEqual(c.anomalyCounts, {});
  });

  test("data without a mapping after DSS began, and an infinite mapping", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    sf0.capable(1);
    sf0.data(1.1, 1, 100);
    sf0.data(1.2, 101, 100, { noMapping: true });
    const ssn = sf0.ssn("c2s");
    sf0.send(1.3, "c2s", ACK, [{ subtype: "DSS", fin: false, dataAck64: false, dsn64: true, dsn: synth.idsnC + 201n, ssn, dataLen: 0 }], new Uint8Array(50));
    const c = await analyzeOne(synth, "unmapped.pcap");
    assert.equal(c.anomalyCounts["data-without-mapping"], 1);
    assert.equal(c.anomalyCounts["infinite-mapping"], 1);
    assert.equal(c.fallback, "infinite mapping (RFC 8684 §3.7)");
    // 100 mapped, 100 unmapped (not counted), then 50 under the infinite mapping.
    assert.deepEqual(c.bytes, { c2s: 150, s2c: 0 });
    assert.deepEqual(c.subflows[0]!.unmappedBytes, { c2s: 100, s2c: 0 });
  });

  test("an infinite mapping declared again by the retransmission of its segment is one fallback", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    sf0.capable(1);
    sf0.data(1.1, 1, 100);
    const ssn = sf0.ssn("c2s");
    const seq = (1 + ssn) >>> 0;
    const infinite: MptcpOption = { subtype: "DSS", fin: false, dataAck64: false, dsn64: true, dsn: synth.idsnC + 101n, ssn, dataLen: 0 };
    sf0.send(1.2, "c2s", ACK, [infinite], new Uint8Array(50));
    sf0.send(1.5, "c2s", ACK, [infinite], new Uint8Array(50), { seq });
    sf0.send(1.6, "c2s", ACK, [], new Uint8Array(50));
    const c = await analyzeOne(synth, "infinite-again.pcap");
    assert.deepEqual(c.anomalyCounts, { "infinite-mapping": 1 });
    assert.equal(c.fallback, "infinite mapping (RFC 8684 §3.7)");
    assert.deepEqual(c.bytes, { c2s: 200, s2c: 0 });
  });

  test("a subflow the server opens: joined by the client's token, its SYN direction is s2c", async () => {
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    const back = new SynthFlow(synth, ep("10.0.0.2", 5555), ep("10.0.1.1", 6666), 3, 4);
    sf0.capable(1);
    sf0.data(1.1, 1, 100);
    back.join(1.2, { fromServer: true });
    back.data(1.3, 1, 300, { serverData: true });
    const c = await analyzeOne(synth, "serverjoin.pcap");
    const s = c.subflows[1]!;
    assert.deepEqual([s.src, s.sport, s.dst, s.dport, s.join, s.synIsC2s, s.hmacOk], ["10.0.0.2", 5555, "10.0.1.1", 6666, true, false, true]);
    assert.deepEqual(s.bytes, { c2s: 0, s2c: 300 });
    assert.deepEqual(c.bytes, { c2s: 100, s2c: 300 });
  });

  test("v0 (RFC 6824): SHA-1 keys, key in the SYN", async () => {
    const synth = new Synth(0);
    const sf0 = new SynthFlow(synth, client0, server, 1, 2);
    const sf1 = new SynthFlow(synth, client1, server, 3, 4);
    sf0.capable(1);
    sf1.join(1.1);
    sf0.data(1.2, 1, 100);
    sf1.data(1.3, 101, 100);
    const c = await analyzeOne(synth, "v0.pcap");
    assert.equal(c.version, 0);
    assert.equal(c.subflows[1]!.hmacOk, true);
    assert.deepEqual(c.bytes, { c2s: 200, s2c: 0 });
  });
});

describe("analyze: state stays bounded", () => {
  test("20,000 segments on two subflows with Data ACKs: the per-connection maps stay small", async () => {
    const { Trace } = await import("../../src/analyze/trace.js");
    const { decodeSegment } = await import("../../src/analyze/segment.js");
    const { readCapture } = await import("../../src/io/capture-file.js");
    const synth = new Synth();
    const sf0 = new SynthFlow(synth, client0, server, 0xffff0000, 1);
    const sf1 = new SynthFlow(synth, client1, server, 7, 9);
    sf0.capable(1);
    sf1.join(1.01);
    for (let k = 0; k < 20000; k++) {
      (k % 2 === 0 ? sf0 : sf1).data(2 + k * 1e-4, 1 + 100 * k, 100);
      if (k % 10 === 9) sf0.dataAck(2 + k * 1e-4 + 5e-5, 1 + 100 * (k + 1));
    }
    const trace = new Trace();
    let frame = 0;
    for await (const p of readCapture(synth.save("bounded.pcap"))) {
      const seg = decodeSegment(p, ++frame, 0);
      if (seg) trace.push(seg);
    }
    const c = trace.connections[0]!;
    assert.equal(c.dirs.c2s.uniqueBytes, 2_000_000);
    // Alternating subflows make one range per segment; pruning below the Data ACK keeps a window.
    assert.ok(c.dirs.c2s.carried.rangeCount < 2 * 1024 + 100, `${c.dirs.c2s.carried.rangeCount} ranges`);
    for (const s of c.subflows) assert.ok(s.fwd.mappings.size <= 1024, `${s.fwd.mappings.size} mappings`);
    assert.equal(c.dirs.c2s.reorder.waiting, 0);
  });
});

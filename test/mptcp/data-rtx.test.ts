/** Linux's connection-level retransmission timer (src/mptcp/data-rtx.ts, net/mptcp/protocol.c). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DATA_ACK_WATCH_MAX, DATA_RTX_MIN_INTERVAL, DataAckWatch, DataRetransmitTimer, dataRtxInterval, onRtxExpiry } from "../../src/mptcp/data-rtx.js";
import type { RtxSubflow } from "../../src/mptcp/data-rtx.js";
import { StaleLoss } from "../../src/mptcp/stale-loss.js";
import { C2, IDSN_A, clientSide, dataAckOpt, drain, ip, mptcpOptions, opt } from "./segment-harness.js";

const HELLO = new TextEncoder().encode("hello mptcp");

interface Sf extends RtxSubflow {
  name: string;
  holdsData: boolean;
  backup: boolean;
  rto: number;
  heard: number;
}

const sf = (name: string, opts: Partial<Omit<Sf, "loss" | "name">> = {}): Sf => ({ name, holdsData: true, backup: false, rto: 300_000, heard: 0, loss: new StaleLoss(), ...opts });

describe("dataRtxInterval (Linux mptcp_set_timeout)", () => {
  test("the longest RTO of the subflows holding data that count no interval yet; else TCP_RTO_MIN", () => {
    assert.equal(DATA_RTX_MIN_INTERVAL, 200_000);
    const a = sf("a", { rto: 250_000 });
    const b = sf("b", { rto: 900_000 });
    const idle = sf("idle", { rto: 2_000_000, holdsData: false });
    assert.equal(dataRtxInterval([a, b, idle]), 900_000);
    b.loss.interval(0);
    assert.equal(dataRtxInterval([a, b, idle]), 250_000);
    a.loss.interval(0);
    assert.equal(dataRtxInterval([a, b, idle]), 200_000);
    assert.equal(dataRtxInterval([]), 200_000);
  });
});

describe("onRtxExpiry (Linux __mptcp_retrans, mptcp_subflow_get_retrans)", () => {
  test("a silent subflow holding data is stale at the fifth expiry while the other keeps being heard", () => {
    const dead = sf("dead", { heard: 40 });
    const live = sf("live", { heard: 100 });
    const verdicts: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const d = onRtxExpiry([dead, live], 4);
      verdicts.push(`${d.stale.map((s) => s.name).join("")}:${dead.loss.count}`);
      live.heard += 3;
      // Both hold data: nothing goes again at the head.
      assert.equal(d.resendOn, undefined);
    }
    assert.deepEqual(verdicts, [":1", ":2", ":3", ":4", "dead:5", ":6"]);
    assert.ok(dead.loss.stale);
    // The live one alternates between its first interval and a restart.
    assert.ok(live.loss.count <= 1 && !live.loss.stale);
  });

  test("no subflow becomes stale when all are silent (no alternative below max(n - 1, 1))", () => {
    const a = sf("a");
    const b = sf("b");
    for (let i = 0; i < 10; i++) assert.deepEqual(onRtxExpiry([a, b], 4).stale, []);
    assert.equal(a.loss.count, 10);
    assert.equal(b.loss.count, 10);
  });

  test("stale_loss_cnt 0 never marks a subflow stale", () => {
    const dead = sf("dead");
    const live = sf("live", { holdsData: false });
    for (let i = 0; i < 20; i++) assert.deepEqual(onRtxExpiry([dead, live], 0).stale, []);
  });

  test("the head goes again on the first regular subflow holding nothing; a backup only when no subflow holding data progresses", () => {
    const busy = sf("busy", { heard: 5 });
    const backup = sf("backup", { holdsData: false, backup: true });
    const idle1 = sf("idle1", { holdsData: false });
    const idle2 = sf("idle2", { holdsData: false });
    assert.equal(onRtxExpiry([busy, backup, idle1, idle2], 4).resendOn?.name, "idle1");
    const b2 = sf("busy2", { heard: 5 });
    // First expiry: busy2 counts 1 interval, so the backup is not used yet.
    assert.equal(onRtxExpiry([b2, backup], 4).resendOn, undefined);
    // Second without progress: every subflow holding data has counted 2: the backup takes it.
    assert.equal(onRtxExpiry([b2, backup], 4).resendOn?.name, "backup");
    // With no subflow holding data, a backup is used at once.
    assert.equal(onRtxExpiry([backup], 4).resendOn?.name, "backup");
  });

  test("a stale subflow heard from again is reported recovered at the expiry", () => {
    const s = sf("s");
    const live = sf("live", { holdsData: false });
    for (let i = 0; i < 5; i++) onRtxExpiry([s, live], 4);
    assert.ok(s.loss.stale);
    s.heard = 1;
    const d = onRtxExpiry([s, live], 4);
    assert.deepEqual(d.recovered.map((x) => x.name), ["s"]);
    assert.ok(!s.loss.stale);
  });
});

describe("DataRetransmitTimer", () => {
  test("starts when idle, restarts on a Data ACK while data is outstanding, stops when all is acked", () => {
    const t = new DataRetransmitTimer();
    t.onSent(1_000, 200_000);
    assert.equal(t.deadline, 201_000);
    // Already running: sending more does not push it back.
    t.onSent(50_000, 200_000);
    assert.equal(t.deadline, 201_000);
    t.onAcked(100_000, true, 300_000);
    assert.equal(t.deadline, 400_000);
    assert.equal(t.fire(399_999), false);
    assert.equal(t.fire(400_000), true);
    assert.equal(t.deadline, undefined);
    t.onSent(400_000, 200_000);
    t.onAcked(450_000, false, 200_000);
    assert.equal(t.deadline, undefined);
    t.onSent(500_000, 200_000);
    t.stop();
    assert.equal(t.fire(1_000_000), false);
  });
});

describe("DataAckWatch (the default stall rule's wait for a lost Data ACK, RFC 8684 §3.3.6)", () => {
  test("runs while started, from one RTO (at least TCP_RTO_MIN), doubling at each expiry until the Data ACK moves", () => {
    const w = new DataAckWatch();
    assert.equal(w.deadline, undefined);
    w.start(1000, 300_000);
    assert.equal(w.deadline, 301_000);
    w.start(5000, 900_000);
    assert.equal(w.deadline, 301_000, "running: not moved");
    assert.equal(w.fire(300_999), false);
    assert.equal(w.fire(301_000), true);
    assert.equal(w.deadline, undefined);
    w.start(400_000, 10_000);
    assert.equal(w.deadline, 400_000 + 2 * DATA_RTX_MIN_INTERVAL, "doubled, from the floor");
    w.stop();
    assert.equal(w.deadline, undefined, "a subflow holds data again: stopped");
    w.acked();
    w.start(500_000, 300_000);
    assert.equal(w.deadline, 800_000, "the Data ACK moved: one RTO again");
    for (let i = 0; i < 40; i++) {
      w.fire(w.deadline!);
      w.start(0, 300_000);
    }
    assert.equal(w.deadline, DATA_ACK_WATCH_MAX, "capped");
  });
});

describe("a Data ACK lost where the subflow ACK was not (RFC 8684 §3.3.6)", () => {
  // Random scenarios found a download that stopped for ever: the client's ACK of the server's last
  // data carried its ADD_ADDR echo in place of the DSS, the pure ACK after it with the Data ACK was
  // lost, and the server, every byte acknowledged at the TCP level and its 8 KB send buffer full of
  // data not data-acknowledged, had no timer left; the client had nothing to send.
  test("every byte TCP-acknowledged, no Data ACK: after an RTO the oldest data goes again, and the peer's Data ACK ends the wait", () => {
    const side = clientSide({ endpoints: [`${C2} id 1 signal`] });
    const { h, c, fromB } = side;
    assert.equal(h.counters.AddAddrTx, 1, "our ADD_ADDR, once fully established");
    c.write(HELLO);
    const [data] = drain(h, 2000);
    assert.equal(data!.seg.payload.length, HELLO.length);
    const dsn = (mptcpOptions(data!.seg)[0] as { dsn: bigint }).dsn;
    // B's ACK of the data carries its echo of our ADD_ADDR, not the DSS; the Data ACK that followed was lost.
    const ackAll = (side.iss + 1 + HELLO.length) >>> 0;
    const echo = opt({ subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: ip(C2) });
    assert.deepEqual(fromB({ ack: ackAll, options: [echo] }, 2100), []);
    const due = h.pollTimeout();
    assert.ok(due !== undefined && due > 2100 && due <= 2100 + 3_000_000, `a timer runs: ${due}`);
    h.handleTimeout(due);
    const [again, ...more] = drain(h, due);
    assert.equal(more.length, 0);
    assert.deepEqual(again!.seg.payload, HELLO, "the oldest data, again");
    assert.equal((mptcpOptions(again!.seg)[0] as { dsn: bigint }).dsn, dsn);
    assert.equal(h.counters.MPTCPRetrans, 1);
    // B acknowledges the copy with its Data ACK: nothing more is due.
    fromB({ ack: (ackAll + HELLO.length) >>> 0, options: [dataAckOpt(IDSN_A + 1n + BigInt(HELLO.length))] }, due + 1000);
    assert.equal(c.dataLevel.sndUna, c.dataLevel.sndNxt);
    assert.equal(h.pollTimeout(), undefined);
  });
});

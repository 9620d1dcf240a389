/**
 * RACK (RFC 8985 §6): the detector on its own (src/tcp/rack.ts), then a connection using it,
 * segment by segment, beside the same exchange decided by DupThresh.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpRepr } from "../../src/wire/tcp-types.js";
import { MIN_RTT_WINDOW, Rack, sentAfter } from "../../src/tcp/rack.js";
import type { RackAckInfo } from "../../src/tcp/rack.js";
import { RangeSet } from "../../src/tcp/range-set.js";
import { ISS, bytes, drain, established, peer, plainConfig } from "./util.js";

const MSS = 1460;

describe("the RACK detector", () => {
  const info = (over: Partial<RackAckInfo> = {}): RackAckInfo => ({
    dsack: false, sndUna: 1, sndNxt: 1, inRecovery: false, exitedRecovery: false,
    sackedBytes: 0, smss: 1000, dupThresh: 3, srtt: 100_000, ...over,
  });
  /** Three 1000-octet segments [1, 3001) sent at 0, 10 and 20 ms; min RTT 40 ms. */
  const three = (): Rack => {
    const r = new Rack();
    r.sampleRtt(40_000, 0);
    r.onSent(1, 1001, 0, false);
    r.onSent(1001, 2001, 10_000, false);
    r.onSent(2001, 3001, 20_000, false);
    return r;
  };

  test("sent-after orders by time, then by end sequence (RACK_sent_after)", () => {
    assert.equal(sentAfter(2, 0, 1, 99), true);
    assert.equal(sentAfter(1, 99, 2, 0), false);
    assert.equal(sentAfter(1, 5, 1, 4), true);
    assert.equal(sentAfter(1, 4, 1, 4), false);
  });

  test("the delivered segment sent last becomes RACK.segment, with its RTT", () => {
    const r = three();
    r.onDelivered([[2001, 3001]], 70_000, undefined);
    assert.equal(r.xmitTs, 20_000);
    assert.equal(r.endSeq, 3001);
    assert.equal(r.rtt, 50_000);
    // An older segment delivered later does not move it back; its RTT is this ACK's.
    r.onDelivered([[1, 1001]], 80_000, undefined);
    assert.equal(r.xmitTs, 20_000);
    assert.equal(r.rtt, 80_000);
  });

  test("what was sent before it is lost once RACK.rtt + reo_wnd passed since its sending; the rest waits", () => {
    const r = three();
    const sacked = new RangeSet();
    const lost = new RangeSet();
    sacked.add(2001, 3001);
    r.onDelivered([[2001, 3001]], 60_000, undefined);
    assert.equal(r.updateReoWnd(info({ sackedBytes: 1000 })), 10_000); // min RTT / 4
    // Segment 1 (sent at 0) is overdue at 0 + 40 + 10 ms; segment 2 (10 ms) at 60 ms.
    let v = r.detectLoss(55_000, 1, sacked, lost);
    assert.deepEqual(v, { marked: 1000, lostRetransmissionAt: undefined, timeout: 5_000 });
    assert.deepEqual(lost.toArray(), [[1, 1001]]);
    v = r.detectLoss(60_000, 1, sacked, lost);
    assert.deepEqual(v, { marked: 1000, lostRetransmissionAt: undefined, timeout: 0 });
    assert.deepEqual(lost.toArray(), [[1, 2001]]);
    // Nothing is judged twice.
    assert.equal(r.detectLoss(90_000, 1, sacked, lost).marked, 0);
  });

  test("nothing sent after the last delivered segment is judged", () => {
    const r = three();
    r.onDelivered([[1, 1001]], 45_000, undefined);
    const lost = new RangeSet();
    assert.deepEqual(r.detectLoss(1_000_000, 1001, new RangeSet(), lost), { marked: 0, lostRetransmissionAt: undefined, timeout: 0 });
    assert.equal(lost.isEmpty, true);
  });

  test("a retransmission replaces its original: the original is no longer judged, the copy is", () => {
    const r = three();
    const sacked = new RangeSet();
    const lost = new RangeSet();
    r.onSent(1, 1001, 30_000, true);
    sacked.add(2001, 3001);
    r.onDelivered([[2001, 3001]], 60_000, undefined); // RACK.segment: segment 3, sent at 20 ms
    r.updateReoWnd(info({ inRecovery: true, sackedBytes: 1000 })); // 0: recovery, no reordering seen
    // Segment 2 is overdue; segment 1's original is replaced, and its copy was sent after RACK.segment.
    const v = r.detectLoss(60_000, 1, sacked, lost);
    assert.deepEqual(lost.toArray(), [[1001, 2001]]);
    assert.equal(v.lostRetransmissionAt, undefined);
    // New data sent after the copy is delivered: the copy is lost too.
    r.onSent(3001, 4001, 35_000, false);
    sacked.add(3001, 4001);
    r.onDelivered([[3001, 4001]], 80_000, undefined);
    const w = r.detectLoss(80_000, 1, sacked, lost);
    assert.deepEqual(lost.toArray(), [[1, 2001]]);
    assert.equal(w.lostRetransmissionAt, 30_000);
  });

  test("a retransmission whose delivery the timestamp echo or the minimum RTT puts in doubt does not move RACK.segment", () => {
    const r = three();
    r.onSent(1, 1001, 30_000, true);
    // The echo names a TSval from before the copy was sent: the original was delivered.
    r.onDelivered([[1, 1001]], 75_000, 29_000);
    assert.equal(r.xmitTs, undefined);
    // Less than the minimum RTT (40 ms) after the copy: too soon to be the copy's.
    r.onDelivered([[1, 1001]], 60_000, undefined);
    assert.equal(r.xmitTs, undefined);
    r.onDelivered([[1, 1001]], 75_000, 30_000);
    assert.equal(r.xmitTs, 30_000);
    assert.equal(r.rtt, 45_000);
  });

  test("the reordering window: 0 in recovery or with DupThresh SACKed until reordering is seen, then min RTT / 4 capped by SRTT", () => {
    const r = three();
    assert.equal(r.updateReoWnd(info()), 10_000);
    assert.equal(r.updateReoWnd(info({ srtt: 8_000 })), 8_000);
    assert.equal(r.updateReoWnd(info({ inRecovery: true })), 0);
    assert.equal(r.updateReoWnd(info({ sackedBytes: 3000 })), 0);
    // Segment 3 SACKed, then segment 1 arrives: an original below RACK.fack.
    r.onDelivered([[2001, 3001]], 60_000, undefined);
    assert.equal(r.reorderingSeen, false);
    r.onDelivered([[1, 1001]], 61_000, undefined);
    assert.equal(r.reorderingSeen, true);
    assert.equal(r.updateReoWnd(info({ inRecovery: true, sackedBytes: 3000 })), 10_000);
  });

  test("D-SACKs widen the window once per round trip; 16 recoveries without one narrow it again", () => {
    const r = three();
    r.onDelivered([[2001, 3001]], 60_000, undefined);
    r.onDelivered([[1, 1001]], 61_000, undefined); // reordering seen
    assert.equal(r.updateReoWnd(info({ dsack: true, sndUna: 1001, sndNxt: 3001 })), 20_000);
    // Another D-SACK in the same round trip (SND.UNA below the SND.NXT of the first): no change.
    assert.equal(r.updateReoWnd(info({ dsack: true, sndUna: 2001, sndNxt: 3001 })), 20_000);
    assert.equal(r.updateReoWnd(info({ dsack: true, sndUna: 3001, sndNxt: 5001 })), 30_000);
    for (let i = 0; i < 15; i++) assert.equal(r.updateReoWnd(info({ sndUna: 6001, exitedRecovery: true })), 30_000);
    assert.equal(r.updateReoWnd(info({ sndUna: 6001, exitedRecovery: true })), 10_000);
  });

  test("the minimum RTT is windowed: a larger sample replaces it once the old one is older than the window", () => {
    const r = new Rack();
    r.sampleRtt(40_000, 0);
    r.sampleRtt(90_000, 1_000_000);
    assert.equal(r.minRtt, 40_000);
    r.sampleRtt(90_000, MIN_RTT_WINDOW + 1);
    assert.equal(r.minRtt, 90_000);
  });
});

describe("a connection with RACK (RFC 8985 §6)", () => {
  const DATA = bytes(40 * MSS);
  const s = (i: number) => ISS + 1 + i * MSS;
  const sackAck = (ack: number, blocks: Array<[number, number]>): TcpRepr =>
    peer({ ack, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks }] });
  const seqs = (segs: TcpRepr[]) => segs.map((x) => (x.seq - ISS - 1) / MSS);

  /**
   * One segment acknowledged after 50 ms (the RTT), then segments 1 and 2 sent at 100 ms; the
   * peer SACKs segment 2 at 150 ms.
   */
  function smallFlight(rack: boolean) {
    const c = established(plainConfig({ sack: true, rack }), {}, [{ kind: "mss", mss: MSS }, { kind: "sack-permitted" }]);
    c.send(DATA.subarray(0, MSS));
    assert.deepEqual(seqs(drain(c, 0)), [0]);
    c.handleSegment(peer({ ack: s(1) }), 50_000);
    c.send(DATA.subarray(MSS, 3 * MSS));
    assert.deepEqual(seqs(drain(c, 100_000)), [1, 2]);
    c.handleSegment(sackAck(s(1), [[s(2), s(3)]]), 150_000);
    assert.deepEqual(drain(c, 150_000), []);
    return c;
  }

  test("one SACKed segment is enough: the hole below it is retransmitted once the reordering window passed", () => {
    const c = smallFlight(true);
    // Segment 1 was sent at 100 ms, before the delivered segment 2 (same time, lower sequence):
    // lost at 100 + RACK.rtt (50) + reo_wnd, min(min RTT / 4, SRTT) = min(12.5, 6.251) ms.
    assert.equal(c.pollTimeout(), 156_251);
    c.handleTimeout(156_250);
    assert.deepEqual(drain(c, 156_250), []);
    c.handleTimeout(156_251);
    assert.deepEqual(seqs(drain(c, 156_251)), [1]);
    const st = c.stats();
    assert.equal(st.reorderTimeouts, 1);
    assert.equal(st.fastRetransmits, 1);
    assert.equal(st.timeouts, 0);
  });

  test("with DupThresh the same hole waits for the retransmission timeout", () => {
    const c = smallFlight(false);
    assert.equal(c.pollTimeout(), 300_000);
    c.handleTimeout(300_000);
    assert.deepEqual(seqs(drain(c, 300_000)), [1]);
    assert.equal(c.stats().timeouts, 1);
  });

  test("a segment that was only late arrives inside the window: nothing is retransmitted and the timer stops", () => {
    const c = smallFlight(true);
    c.handleSegment(peer({ ack: s(3) }), 155_000);
    assert.deepEqual(drain(c, 155_000), []);
    assert.equal(c.pollTimeout(), undefined);
    assert.equal(c.stats().retransmissions, 0);
  });

  test("a lost retransmission is found by time and sent again, without a timeout", () => {
    const c = smallFlight(true);
    c.handleTimeout(156_251);
    assert.deepEqual(seqs(drain(c, 156_251)), [1]);
    // cwnd 2, pipe 1 (segment 2 SACKed, the copy of 1 in flight): one new segment.
    c.send(DATA.subarray(3 * MSS, 10 * MSS));
    assert.deepEqual(seqs(drain(c, 156_251)), [3]);
    // Segment 3, sent with the copy (after it, by sequence), is SACKed a round trip later, the
    // copy not: in recovery, with no reordering seen, reo_wnd is 0, so the copy is lost now.
    c.handleSegment(sackAck(s(1), [[s(3), s(4)], [s(2), s(3)]]), 206_300);
    assert.deepEqual(seqs(drain(c, 206_300)), [1, 4]);
    const st = c.stats();
    assert.equal(st.lostRetransmissions, 1);
    assert.equal(st.timeouts, 0);
    c.handleSegment(sackAck(s(4), [[s(4), s(5)]]), 256_400);
    assert.equal(c.stats().timeouts, 0);
  });

  /**
   * Ten exchanges of one segment with a 50 ms RTT (min RTT 50 ms, SRTT about 37 ms), then
   * segments 10-12 sent at 1 s; at 1.05 s the peer acknowledges 10 and SACKs 12 with `blocks`.
   */
  function afterWarmUp(blocks: Array<[number, number]>) {
    const c = established(plainConfig({ sack: true, rack: true }), {}, [{ kind: "mss", mss: MSS }, { kind: "sack-permitted" }]);
    for (let i = 0; i < 10; i++) {
      c.send(DATA.subarray(i * MSS, (i + 1) * MSS));
      assert.deepEqual(seqs(drain(c, i * 100_000)), [i]);
      c.handleSegment(peer({ ack: s(i + 1) }), i * 100_000 + 50_000);
    }
    c.send(DATA.subarray(10 * MSS, 13 * MSS));
    assert.deepEqual(seqs(drain(c, 1_000_000)), [10, 11, 12]);
    c.handleSegment(sackAck(s(11), blocks), 1_050_000);
    return c;
  }

  test("a D-SACK above the cumulative ACK (the first block inside the second) widens the reordering window", () => {
    // Segment 11 is overdue at 1 s + RACK.rtt (50 ms) + reo_wnd: a quarter of the min RTT...
    assert.equal(afterWarmUp([[s(12), s(13)]]).pollTimeout(), 1_062_500);
    // ...twice that once the peer reported segment 12 twice (RFC 2883 §4: a D-SACK, RFC 8985 §6.2
    // step 4), though the cumulative ACK is below it.
    assert.equal(afterWarmUp([[s(12), s(13)], [s(12), s(13)]]).pollTimeout(), 1_075_000);
  });

  test("a timeout forgets what RACK deemed lost and goes back N over what is not SACKed", () => {
    // No tail loss probe: the retransmission timer, not a probe, answers the silence.
    const c = established(plainConfig({ sack: true, rack: true, tlp: false }), {}, [{ kind: "mss", mss: MSS }, { kind: "sack-permitted" }]);
    c.send(DATA.subarray(0, 10 * MSS));
    assert.deepEqual(seqs(drain(c, 0)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Segments 2-3 SACKed: 0 and 1, sent before them, are lost (no RTT sample yet, so no
    // reordering window). Recovery resends 0; cwnd 5 against a pipe of 10 - 2 - 1 holds 1 back.
    c.handleSegment(sackAck(s(0), [[s(2), s(4)]]), 50_000);
    assert.deepEqual(seqs(drain(c, 50_000)), [0]);
    assert.equal(c.stats().fastRetransmits, 1);
    // Silence: the timeout goes back N from segment 0, one segment of window.
    assert.equal(c.pollTimeout(), 200_000);
    c.handleTimeout(200_000);
    assert.deepEqual(seqs(drain(c, 200_000)), [0]);
    c.handleSegment(sackAck(s(1), [[s(2), s(4)]]), 250_000);
    // Window of two: segment 1 again and, past the SACKed 2-3, segment 4 (as with DupThresh).
    assert.deepEqual(seqs(drain(c, 250_000)), [1, 4]);
    c.handleSegment(peer({ ack: s(10) }), 300_000);
    const st = c.stats();
    assert.equal(st.timeouts, 1);
    assert.equal(st.retransmissions, 4);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { ISS, bytes, drain, established, expectSent, peer, plainConfig } from "./util.js";

/** Data per segment with timestamps on: 1460 - 12. */
const MSS = 1448;
const s = (i: number) => ISS + 1 + i * MSS;
const seqs = (segs: TcpRepr[]) => segs.map((x) => (x.seq - ISS - 1) / MSS);
const ts = (tsVal: number, tsEcr: number): TcpOption => ({ kind: "timestamps", tsVal, tsEcr });
const sack = (...blocks: Array<[number, number]>): TcpOption[] => [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks }];

/** Timestamps and SACK on, ten segments sent at 10 ms (TSval 10). */
function sender(withSack = true) {
  const syn: TcpOption[] = [{ kind: "mss", mss: 1460 }, ts(1, 0)];
  if (withSack) syn.push({ kind: "sack-permitted" });
  const c = established(plainConfig({ timestamps: true, sack: withSack }), {}, syn);
  c.send(bytes(30 * MSS));
  assert.equal(drain(c, 10_000).length, 10);
  return c;
}

describe("reordering (DupThresh adapts, RFC 4653 §3 / Linux)", () => {
  test("a late original below SACKed data raises DupThresh without any retransmission", () => {
    const c = sender();
    c.handleSegment(peer({ ack: s(0), options: [ts(2, 10), ...sack([s(1), s(2)])] }), 20_000);
    c.handleSegment(peer({ ack: s(0), options: [ts(2, 10), ...sack([s(1), s(3)])] }), 20_000);
    // Segment 0 was only late: the cumulative ACK covers it, three segments behind the SACK.
    c.handleSegment(peer({ ack: s(3), options: [ts(3, 10)] }), 21_000);
    assert.equal(c.stats().reordering, 4);
    assert.equal(c.stats().fastRetransmits, 0);
    drain(c, 21_000);
    // Three duplicates no longer mean loss; the fourth does.
    for (const to of [5, 6, 7]) c.handleSegment(peer({ ack: s(3), options: [ts(4, 10), ...sack([s(4), s(to)])] }), 30_000);
    assert.equal(c.stats().fastRetransmits, 0);
    c.handleSegment(peer({ ack: s(3), options: [ts(4, 10), ...sack([s(4), s(8)])] }), 30_000);
    assert.equal(c.stats().fastRetransmits, 1);
  });
});

describe("spurious retransmissions (Eifel, RFC 3522 and RFC 4015)", () => {
  test("a fast retransmit answered by the original's timestamp is undone", () => {
    const c = sender();
    const cwnd = c.stats().cwnd;
    for (const to of [2, 3, 4]) {
      c.handleSegment(peer({ ack: s(0), options: [ts(2, 10), ...sack([s(1), s(to)])] }), 20_000);
    }
    assert.deepEqual(seqs(drain(c, 20_000)), [0]);
    assert.equal(c.stats().fastRetransmits, 1);
    assert.ok(c.stats().cwnd < cwnd);
    // The ACK echoes TSval 10: the original segment 0, not the retransmission (TSval 20).
    c.handleSegment(peer({ ack: s(4), options: [ts(3, 10)] }), 30_000);
    const st = c.stats();
    assert.equal(st.spuriousRecoveries, 1);
    // The window from before the fast retransmit, grown by the ACK (2 SMSS, RFC 3465).
    assert.equal(st.cwnd, cwnd + 2 * MSS);
    // The episode measured four segments of reordering.
    assert.equal(st.reordering, 5);
  });

  test("a real loss (the ACK echoes the retransmission) is not undone", () => {
    const c = sender();
    for (const to of [2, 3, 4]) {
      c.handleSegment(peer({ ack: s(0), options: [ts(2, 10), ...sack([s(1), s(to)])] }), 20_000);
    }
    drain(c, 20_000);
    c.handleSegment(peer({ ack: s(4), options: [ts(3, 20)] }), 30_000);
    assert.equal(c.stats().spuriousRecoveries, 0);
    assert.equal(c.stats().reordering, 3);
  });

  test("a timeout after a fast retransmit: the echo of the first retransmission is no proof the original arrived", () => {
    const c = sender();
    for (const to of [2, 3, 4]) {
      c.handleSegment(peer({ ack: s(0), options: [ts(2, 10), ...sack([s(1), s(to)])] }), 20_000);
    }
    // Segment 0 goes again at 20 ms (TSval 20); no answer, and the timer fires.
    assert.deepEqual(seqs(drain(c, 20_000)).slice(0, 1), [0]);
    const rto = c.pollTimeout()!;
    c.handleTimeout(rto);
    assert.deepEqual(seqs(drain(c, rto)).slice(0, 1), [0]);
    // The fast retransmit was only slow: the ACK echoes its TSval 20, older than the timeout's
    // copy. The original (TSval 10) never arrived, so the loss was real and stays answered.
    c.handleSegment(peer({ ack: s(4), options: [ts(3, 20)] }), rto + 5_000);
    const st = c.stats();
    assert.equal(st.spuriousRecoveries, 0);
    assert.equal(st.reordering, 3);
  });

  test("a spurious timeout restores the window and resumes with new data instead of going back N", () => {
    const c = sender(false);
    c.handleTimeout(210_000);
    assert.deepEqual(seqs(drain(c, 210_000)), [0]);
    assert.equal(c.stats().cwnd, MSS);
    // The first ACK echoes the original transmission (TSval 10): the RTO fired too early.
    c.handleSegment(peer({ ack: s(1), options: [ts(2, 10)] }), 215_000);
    assert.equal(c.stats().spuriousRecoveries, 1);
    // The window from before the timeout, grown by the segment this ACK acknowledged.
    assert.equal(c.stats().cwnd, 11 * MSS);
    // Segments 1..9 are still in flight: only new data goes out.
    assert.deepEqual(seqs(drain(c, 215_000)), [10, 11]);
  });

  test("without timestamps nothing is undone", () => {
    const c = established(plainConfig());
    c.send(bytes(100));
    drain(c, 0);
    c.handleTimeout(200_000);
    drain(c, 200_000);
    c.handleSegment(peer({ ack: ISS + 101 }), 210_000);
    assert.equal(c.stats().spuriousRecoveries, 0);
    expectSent(c, 210_000);
  });
});

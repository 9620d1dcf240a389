import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpRepr } from "../../src/wire/tcp-types.js";
import type { CongestionController, CongestionFactory } from "../../src/tcp/congestion/controller.js";
import { reno } from "../../src/tcp/congestion/reno.js";
import { F, IRS, ISS, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";

const MSS = 1460;
const DATA = bytes(40 * MSS);
/** Wire sequence number of the start of our i-th full segment. */
const s = (i: number) => ISS + 1 + i * MSS;
/** Our i-th full segment, as sent. */
const seg = (i: number): TcpRepr => ours({ seq: s(i), payload: DATA.subarray(i * MSS, (i + 1) * MSS) });
const dupack = (blocks?: Array<[number, number]>) =>
  peer({ ack: ISS + 1, options: blocks === undefined ? [] : [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks }] });
const seqs = (segs: TcpRepr[]) => segs.map((x) => (x.seq - ISS - 1) / MSS);

/** A Reno connection with 10 full segments in flight and 30 more queued. */
function sending(sack = false) {
  const c = established(plainConfig({ sack }), {}, sack ? [{ kind: "mss", mss: 1460 }, { kind: "sack-permitted" }] : undefined);
  c.send(DATA);
  assert.deepEqual(drain(c, 0), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seg));
  return c;
}

describe("retransmission timeout (RFC 6298)", () => {
  test("the segment is retransmitted at the RTO and the timer backs off", () => {
    const c = established();
    c.send(bytes(100));
    drain(c, 0);
    assert.equal(c.pollTimeout(), 200_000);
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ flags: F.ACK | F.PSH, payload: bytes(100) }));
    assert.equal(c.pollTimeout(), 600_000);
    c.handleTimeout(600_000);
    expectSent(c, 600_000, ours({ flags: F.ACK | F.PSH, payload: bytes(100) }));
    assert.equal(c.pollTimeout(), 1_400_000);
    const st = c.stats();
    assert.equal(st.timeouts, 2);
    assert.equal(st.retransmissions, 2);
    // RFC 5681 §3.1: ssthresh = max(FlightSize / 2, 2 * SMSS), cwnd = loss window.
    assert.equal(st.ssthresh, 2 * MSS);
    assert.equal(st.cwnd, MSS);
  });

  test("handleTimeout before the deadline does nothing", () => {
    const c = established();
    c.send(bytes(100));
    drain(c, 0);
    c.handleTimeout(199_999);
    expectSent(c, 199_999);
  });

  test("Karn: the ACK of a retransmitted segment gives no sample and keeps the backoff", () => {
    const c = established();
    c.send(bytes(100));
    drain(c, 0);
    c.handleTimeout(200_000);
    drain(c, 200_000);
    c.handleSegment(peer({ ack: ISS + 101 }), 250_000);
    assert.equal(c.stats().srtt, 1);
    assert.equal(c.stats().rto, 400_000);
    assert.equal(c.pollTimeout(), undefined);
    // The next clean exchange gives a sample and recomputes the RTO (RFC 6298 §5.7).
    c.send(bytes(10));
    drain(c, 300_000);
    c.handleSegment(peer({ ack: ISS + 111 }), 400_000);
    assert.equal(c.stats().srtt, 12_501);
    assert.equal(c.stats().rttvar, 25_001);
    assert.equal(c.stats().rto, 200_000);
  });

  /** With timestamps: 100 bytes sent at 10 ms (TSval 10), sent again at the 210 ms timeout; that copy. */
  function timestampedRetransmission() {
    const c = established(plainConfig({ timestamps: true }), {}, [{ kind: "mss", mss: 1460 }, { kind: "timestamps", tsVal: 1, tsEcr: 0 }]);
    c.send(bytes(100));
    drain(c, 10_000);
    c.handleTimeout(210_000);
    const [rtx] = drain(c, 210_000);
    return { c, rtx };
  }

  test("with timestamps, the ACK of a retransmission does give a sample (RFC 7323 §4)", () => {
    const { c, rtx } = timestampedRetransmission();
    assert.deepEqual(rtx!.options, [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 210, tsEcr: 1 }]);
    c.handleSegment(peer({ ack: ISS + 101, options: [{ kind: "timestamps", tsVal: 2, tsEcr: 210 }] }), 260_000);
    assert.equal(c.stats().srtt, 6_251);
  });

  // The peer got the original, its ACK was lost, and the retransmission arrived as a duplicate:
  // the peer answers it before recording its timestamp (RFC 7323 §5.3, R2 before R3), so the ACK
  // echoes the original's. Taken as a sample, it spans the backed-off timeout: under 20% loss
  // each way, a 3 MB transfer's SRTT grew to 4-22 s and its RTO to 34-120 s, and it did not end
  // within 30 minutes; with this rule it ends in 4-5 minutes (SRTT about 130 ms).
  test("with timestamps, an echo older than the retransmission gives no sample and keeps the backoff", () => {
    const { c } = timestampedRetransmission();
    const before = c.stats();
    c.handleSegment(peer({ ack: ISS + 101, options: [{ kind: "timestamps", tsVal: 2, tsEcr: 10 }] }), 260_000);
    const after = c.stats();
    assert.equal(after.srtt, before.srtt, "no sample");
    assert.equal(after.rto, before.rto, "the backoff stays until a valid sample (RFC 6298 §5.7)");
    // The next exchange times again.
    c.send(bytes(10));
    drain(c, 300_000);
    c.handleSegment(peer({ ack: ISS + 111, options: [{ kind: "timestamps", tsVal: 3, tsEcr: 300 }] }), 350_000);
    assert.notEqual(c.stats().srtt, before.srtt);
  });

  test("too many retransmissions time the connection out (RFC 9293 §3.8.3 R2)", () => {
    const c = established(plainConfig({ maxRetries: 2 }));
    c.send(bytes(100));
    drain(c, 0);
    c.handleTimeout(200_000);
    drain(c, 200_000);
    c.handleTimeout(600_000);
    drain(c, 600_000);
    c.handleTimeout(1_400_000);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "timed-out" }, { type: "closed" }]);
    expectSent(c, 1_400_000);
  });

  test("after a timeout the window restarts at one segment and goes back N", () => {
    const c = sending();
    c.handleTimeout(200_000);
    assert.deepEqual(drain(c, 200_000), [seg(0)]);
    c.handleSegment(peer({ ack: s(1) }), 250_000);
    // Slow start from one segment: two more (RFC 5681 §3.1).
    assert.deepEqual(seqs(drain(c, 250_000)), [1, 2]);
    // The peer had everything up to segment 6: going back N resumes after it.
    c.handleSegment(peer({ ack: s(6) }), 260_000);
    assert.deepEqual(seqs(drain(c, 260_000)), [6, 7, 8, 9]);
  });
});

describe("fast retransmit and NewReno (RFC 5681 §3.2, RFC 6582, RFC 3042)", () => {
  test("the first two duplicate ACKs each release one new segment (limited transmit)", () => {
    const c = sending();
    c.handleSegment(dupack(), 1000);
    assert.deepEqual(drain(c, 1000), [seg(10)]);
    c.handleSegment(dupack(), 1000);
    assert.deepEqual(drain(c, 1000), [seg(11)]);
    assert.equal(c.stats().fastRetransmits, 0);
  });

  test("the third duplicate ACK retransmits the first unacknowledged segment", () => {
    const c = sending();
    for (let i = 0; i < 3; i++) c.handleSegment(dupack(), 1000);
    // Limited transmit and the retransmission, in the order they were allowed.
    const out = drain(c, 1000);
    assert.deepEqual(out[0], seg(0));
    const st = c.stats();
    assert.equal(st.fastRetransmits, 1);
    assert.equal(st.ssthresh, 5 * MSS);
    assert.equal(st.cwnd, 5 * MSS);
  });

  test("fast retransmit, inflation by further duplicates, then new data", () => {
    const c = sending();
    for (let i = 0; i < 2; i++) {
      c.handleSegment(dupack(), 1000);
      drain(c, 1000);
    }
    c.handleSegment(dupack(), 1000);
    assert.deepEqual(drain(c, 1000), [seg(0)]);
    // FlightSize 12 segments: ssthresh 6, cwnd 6 + 3 = 9 segments.
    assert.equal(c.stats().ssthresh, 6 * MSS);
    for (let i = 4; i <= 6; i++) {
      c.handleSegment(dupack(), 1000);
      expectSent(c, 1000);
    }
    c.handleSegment(dupack(), 1000);
    assert.deepEqual(drain(c, 1000), [seg(12)]);
  });

  test("a partial ACK retransmits the next hole at once and a full ACK ends recovery", () => {
    const c = sending();
    for (let i = 0; i < 3; i++) {
      c.handleSegment(dupack(), 1000);
      drain(c, 1000);
    }
    // Segment 5 was lost too: the retransmission of 0 brings an ACK up to 5 only.
    c.handleSegment(peer({ ack: s(5) }), 2000);
    assert.deepEqual(drain(c, 2000), [seg(5)]);
    c.handleSegment(peer({ ack: s(12) }), 3000);
    // cwnd = ssthresh = 6 segments, nothing in flight.
    assert.deepEqual(seqs(drain(c, 3000)), [12, 13, 14, 15, 16, 17]);
    assert.equal(c.stats().cwnd, 6 * MSS);
    assert.equal(c.stats().fastRetransmits, 1);
  });

  test("duplicate ACKs that change the window or carry data are not counted", () => {
    const c = sending();
    c.handleSegment(peer({ ack: ISS + 1, window: 50_000 }), 0);
    c.handleSegment(peer({ ack: ISS + 1, window: 40_000 }), 0);
    c.handleSegment(peer({ ack: ISS + 1, payload: bytes(1) }), 0);
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 1, payload: bytes(1) }), 0);
    assert.equal(c.stats().fastRetransmits, 0);
  });

  test("no second fast retransmit for duplicates of data sent before a timeout (RFC 6582 §3.2 step 2)", () => {
    const c = sending();
    c.handleTimeout(200_000);
    drain(c, 200_000);
    for (let i = 0; i < 5; i++) c.handleSegment(dupack(), 210_000);
    assert.equal(c.stats().fastRetransmits, 0);
  });

  test("a timeout during recovery ends it and restarts from one segment", () => {
    const c = sending();
    for (let i = 0; i < 3; i++) {
      c.handleSegment(dupack(), 1000);
      drain(c, 1000);
    }
    assert.equal(c.pollTimeout(), 200_000);
    c.handleTimeout(200_000);
    assert.deepEqual(drain(c, 200_000), [seg(0)]);
    assert.equal(c.stats().cwnd, MSS);
  });
});

describe("SACK loss recovery (RFC 6675)", () => {
  const b = (from: number, to: number): [number, number] => [s(from), s(to)];

  test("SACKed duplicates enter recovery and the pipe gates new data", () => {
    const c = sending(true);
    c.handleSegment(dupack([b(1, 2)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(10)]);
    c.handleSegment(dupack([b(1, 3)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(11)]);
    c.handleSegment(dupack([b(1, 4)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(0)]);
    assert.equal(c.stats().ssthresh, 6 * MSS);
    // pipe = 8 not-lost un-SACKed + 1 retransmitted segments, cwnd 6: each SACK frees one.
    for (const to of [5, 6, 7]) {
      c.handleSegment(dupack([b(1, to)]), 1000);
      expectSent(c, 1000);
    }
    c.handleSegment(dupack([b(1, 8)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(12)]);
    // A cumulative ACK past the recovery point ends recovery.
    c.handleSegment(peer({ ack: s(12) }), 2000);
    assert.equal(c.stats().cwnd, 6 * MSS);
  });

  test("a second hole is retransmitted once enough is SACKed above it (NextSeg rule 1)", () => {
    const c = sending(true);
    c.handleSegment(dupack([b(1, 2)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(10)]);
    c.handleSegment(dupack([b(3, 4), b(1, 2)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(11)]);
    c.handleSegment(dupack([b(3, 5), b(1, 2)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(0)]);
    for (const to of [6, 7]) {
      c.handleSegment(dupack([b(3, to), b(1, 2)]), 1000);
      expectSent(c, 1000);
    }
    c.handleSegment(dupack([b(3, 8), b(1, 2)]), 1000);
    assert.deepEqual(drain(c, 1000), [seg(2)]);
  });

  test("SACK blocks outside the outstanding data are ignored", () => {
    const c = sending(true);
    for (let i = 0; i < 5; i++) c.handleSegment(dupack([[s(50), s(51)]]), 1000);
    assert.equal(c.stats().fastRetransmits, 0);
  });

  test("after a timeout, going back N skips what was SACKed (RFC 6675 §5.1, Errata 1610)", () => {
    const c = sending(true);
    c.handleSegment(dupack([b(2, 4)]), 1000);
    drain(c, 1000);
    c.handleTimeout(200_000);
    assert.deepEqual(drain(c, 200_000), [seg(0)]);
    c.handleSegment(peer({ ack: s(1), options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [b(2, 4)] }] }), 210_000);
    // A window of two segments, counted in what is in flight (nothing: segment 0 was
    // acknowledged), not in sequence space from 1: segment 1 goes again, and past the SACKed 2-3,
    // segment 4.
    assert.deepEqual(seqs(drain(c, 210_000)), [1, 4]);
    c.handleSegment(peer({ ack: s(4), options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [b(2, 4)] }] }), 220_000);
    // Four segments of window (slow start, two more), segment 4 still in flight: three more.
    assert.equal(c.stats().cwnd, 4 * MSS);
    assert.deepEqual(seqs(drain(c, 220_000)), [5, 6, 7]);
  });

  test("after a timeout, holes between SACKed segments are filled a window at a time, not one per round trip", () => {
    const c = sending(true);
    // The peer holds every odd segment: five holes.
    c.handleSegment(dupack([b(1, 2), b(3, 4), b(5, 6)]), 1000);
    c.handleSegment(dupack([b(7, 8), b(1, 2), b(3, 4)]), 1000);
    c.handleSegment(dupack([b(9, 10), b(5, 6), b(7, 8)]), 1000);
    drain(c, 1000);
    c.handleTimeout(200_000);
    assert.deepEqual(seqs(drain(c, 200_000)), [0]);
    // Segment 0 fills the first hole: the ACK moves to the next one.
    c.handleSegment(peer({ ack: s(2), options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [b(3, 4), b(5, 6), b(7, 8)] }] }), 210_000);
    // Three segments of window (slow start, two more for the two acknowledged), all for holes:
    // 2, 4 and 6. Counted from SND.UNA in sequence space, the window would cover 2 to 4, of which
    // the peer holds 3: two holes a round trip, however far the window grows.
    assert.equal(c.stats().cwnd, 3 * MSS);
    assert.deepEqual(seqs(drain(c, 210_000)), [2, 4, 6]);
    c.handleSegment(peer({ ack: s(4), options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [b(5, 6), b(7, 8), b(9, 10)] }] }), 220_000);
    // Five segments of window, 4 and 6 still in flight: the last hole, 8, and the two segments
    // that limited transmit sent at the first duplicates (10 and 11), not yet acknowledged either.
    assert.equal(c.stats().cwnd, 5 * MSS);
    assert.deepEqual(seqs(drain(c, 220_000)), [8, 10, 11]);
  });

  test("a lost retransmission is sent again once data sent after it is SACKed, without a timeout", () => {
    const c = sending(true);
    for (const to of [2, 3, 4]) c.handleSegment(dupack([b(1, to)]), 1000);
    // Fast retransmit of segment 0 (and what the pipe lets out after it).
    const first = seqs(drain(c, 1000));
    assert.equal(first[0], 0);
    // The peer SACKs everything else sent before the retransmission: new data goes out.
    c.handleSegment(dupack([b(1, 10)]), 2000);
    const sent = seqs(drain(c, 2000));
    assert.ok(sent.length >= 3 && sent.every((x) => x >= 10), `${sent}`);
    // Two segments first sent after it arrive: not yet evidence enough (DupThresh).
    c.handleSegment(dupack([b(1, 12)]), 3000);
    assert.ok(!seqs(drain(c, 3000)).includes(0));
    // A third: the retransmission of segment 0 was lost too, and goes again at once.
    c.handleSegment(dupack([b(1, 13)]), 3100);
    assert.deepEqual(seqs(drain(c, 3100)).slice(0, 1), [0]);
    const st = c.stats();
    assert.equal(st.lostRetransmissions, 1);
    assert.equal(st.timeouts, 0);
    // It arrives: the cumulative ACK jumps over everything SACKed.
    c.handleSegment(peer({ ack: s(13) }), 3200);
    assert.equal(c.stats().timeouts, 0);
  });

  test("data acknowledged during fast recovery reaches the controller's onRecoveryAck, not onAck", () => {
    const heard: string[] = [];
    const congestion: CongestionFactory = (init) => {
      const c = reno()(init);
      return Object.assign(Object.create(c) as CongestionController, {
        onAck: (...a: Parameters<CongestionController["onAck"]>) => {
          heard.push(`ack ${a[1]}`);
          c.onAck(...a);
        },
        onRecoveryAck: (bytes: number) => void heard.push(`recovery ${bytes}`),
      });
    };
    const c = established(plainConfig({ sack: true, congestion }), {}, [{ kind: "mss", mss: 1460 }, { kind: "sack-permitted" }]);
    c.send(DATA);
    drain(c, 0);
    for (const to of [2, 3, 4]) c.handleSegment(dupack([b(1, to)]), 1000);
    drain(c, 1000);
    assert.deepEqual(heard, []);
    // A partial ACK (segment 0 resent, 1-3 SACKed), then the ACK of everything sent before the
    // recovery, which ends it; the ACK of new data after it is an ordinary one.
    c.handleSegment(peer({ ack: s(4) }), 2000);
    c.handleSegment(peer({ ack: s(10) }), 3000);
    drain(c, 3000);
    c.handleSegment(peer({ ack: s(11) }), 4000);
    assert.deepEqual(heard, [`recovery ${4 * MSS}`, `recovery ${6 * MSS}`, `ack ${MSS}`]);
  });

  test("a cumulative ACK stopping at a SACKed block means reneging: the SACK state is dropped", () => {
    const c = sending(true);
    c.handleSegment(dupack([b(1, 3)]), 1000);
    drain(c, 1000);
    c.handleSegment(peer({ ack: s(1) }), 2000);
    // With nothing SACKed any more a tail loss probe runs first (RFC 8985 §7.2); it sends new
    // data (segment 10 went out by limited transmit) and re-arms the RTO (§7.3).
    const pto = c.pollTimeout()!;
    assert.ok(pto < 202_000);
    c.handleTimeout(pto);
    assert.deepEqual(drain(c, pto), [seg(11)]);
    c.handleTimeout(pto + 200_000);
    assert.deepEqual(drain(c, pto + 200_000), [seg(1)]);
  });
});

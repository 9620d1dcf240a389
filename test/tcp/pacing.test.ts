/**
 * Pacing (src/tcp/pacing.ts, Linux's internal pacing): the rate, the departure times, and the
 * segments a connection sends with it, segment by segment.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpRepr } from "../../src/wire/tcp-types.js";
import type { TcpConfig } from "../../src/tcp/config.js";
import { Pacer, UNPACED_SEGMENTS } from "../../src/tcp/pacing.js";
import { F, IRS, ISS, TcpConnection, bytes, drain, events, peer, plainConfig } from "./util.js";

const MSS = 1460;
/** The handshake's RTT sample: SRTT 50 ms. */
const SRTT = 50_000;
/** When the data is queued. */
const T0 = 100_000;
const s = (i: number) => ISS + 1 + i * MSS;
const seqs = (segs: TcpRepr[]) => segs.map((x) => (x.seq - ISS - 1) / MSS);

describe("Pacer", () => {
  test("rate: 200% of cwnd per srtt below half of ssthresh, 120% from there, of the flight when it is larger", () => {
    const p = new Pacer(200, 120);
    // 14,600 bytes per 50 ms is 292,000 B/s.
    assert.equal(p.rate(14_600, Number.POSITIVE_INFINITY, 0, 50_000), 584_000);
    assert.equal(p.rate(14_600, 29_201, 0, 50_000), 584_000);
    assert.equal(p.rate(14_600, 29_200, 0, 50_000), 350_400);
    assert.equal(p.rate(14_600, 20_000, 29_200, 50_000), 700_800);
    assert.equal(p.rate(14_600, 20_000, 0, undefined), Number.POSITIVE_INFINITY);
  });

  test("the first nine segments leave at once; from the tenth each sets the next one's departure", () => {
    const p = new Pacer(200, 120);
    for (let i = 1; i < UNPACED_SEGMENTS; i++) {
      p.sent(1000, 1000, 1e6);
      assert.ok(p.allows(1000), `segment ${i}`);
    }
    // 1,000 bytes at 1,000,000 B/s: 1 ms.
    p.sent(1000, 1000, 1e6);
    assert.equal(p.allows(1999), false);
    assert.equal(p.wakeAt(), 2000);
    assert.ok(p.allows(2000));
  });

  test("a segment that leaves late has up to half of its spacing taken off by its lateness", () => {
    const p = new Pacer(200, 120);
    for (let i = 0; i < UNPACED_SEGMENTS; i++) p.sent(0, 1000, 1e6);
    assert.equal(p.wakeAt(), 1000);
    // 300 µs late: the next departure is 1,300 + 1,000 - 300.
    p.sent(1300, 1000, 1e6);
    assert.equal(p.wakeAt(), 2000);
    // 5 ms late: at most half of the spacing, 500 µs, is taken off.
    p.sent(7000, 1000, 1e6);
    assert.equal(p.wakeAt(), 7500);
    // On time: the full spacing.
    p.sent(7500, 1000, 1e6);
    assert.equal(p.wakeAt(), 8500);
  });

  test("with slack a segment may leave that much before its departure time", () => {
    const p = new Pacer(200, 120, 1000);
    for (let i = 0; i < UNPACED_SEGMENTS; i++) p.sent(0, 1000, 4e6);
    // 250 µs apart: with 1 ms of slack the segments due at 250, 500, 750 and 1,000 µs may leave
    // now; the one due at 1,250 µs waits until 250 µs.
    for (const due of [250, 500, 750, 1000]) {
      assert.ok(p.allows(0), `due ${due}`);
      p.sent(0, 1000, 4e6);
    }
    assert.equal(p.allows(0), false);
    assert.equal(p.allows(249), false);
    assert.equal(p.wakeAt(), 250);
    assert.ok(p.allows(250));
  });

  test("fractions of a microsecond are kept; the wake-up is the next whole microsecond", () => {
    const p = new Pacer(200, 120);
    for (let i = 0; i < UNPACED_SEGMENTS; i++) p.sent(0, 1000, 3e6);
    // 333.33 µs.
    assert.equal(p.wakeAt(), 334);
    assert.equal(p.allows(333), false);
    p.sent(334, 1000, 3e6);
    // 334 + 333.33 - 0.67 (late by two thirds): 666.67.
    assert.equal(p.wakeAt(), 667);
  });
});

/** An established Reno connection with an SRTT of 50 ms. */
function connection(overrides: Partial<TcpConfig> = {}): TcpConnection {
  const c = TcpConnection.accept(plainConfig(overrides), peer({ seq: IRS, flags: F.SYN, options: [{ kind: "mss", mss: MSS }] }), ISS, 0);
  drain(c, 0);
  c.handleSegment(peer({ ack: ISS + 1 }), SRTT);
  events(c);
  assert.equal(c.stats().srtt, SRTT);
  return c;
}

describe("a paced connection", () => {
  /**
   * 20 segments queued at T0: the initial window (10) leaves at once. The ACK of two at T0 + 50 ms
   * grows cwnd to 12 segments (17,520 bytes) and makes room for four; at 200% of 17,520 bytes per
   * 50 ms (700,800 B/s) a segment is 2,083.3 µs. The first leaves with the ACK, late by 47.5 ms
   * for the departure the tenth set (T0 + 2.5 ms: 14,600 bytes in flight then), so it is spaced by
   * half (1,041.7 µs); the others by 2,083.3 µs each, at the next whole microsecond.
   */
  function afterFirstAck(overrides: Partial<TcpConfig>) {
    const c = connection(overrides);
    c.send(bytes(20 * MSS));
    assert.deepEqual(seqs(drain(c, T0)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    c.handleSegment(peer({ ack: s(2) }), T0 + 50_000);
    return c;
  }

  test("the segments an ACK lets out leave one spacing apart, woken by the pace timer", () => {
    const c = afterFirstAck({ pacing: true });
    assert.deepEqual(seqs(drain(c, T0 + 50_000)), [10]);
    assert.equal(c.pollTimeout(), T0 + 51_042);
    assert.deepEqual(drain(c, T0 + 51_041), []);
    const times = [51_042, 53_125, 55_209];
    for (const [i, t] of times.entries()) {
      assert.equal(c.pollTimeout(), T0 + t, `segment ${11 + i}`);
      c.handleTimeout(T0 + t);
      assert.deepEqual(seqs(drain(c, T0 + t)), [11 + i]);
    }
    // cwnd is full: nothing waits for the pace timer, and the next deadline is the RTO's.
    assert.deepEqual(drain(c, T0 + 60_000), []);
    assert.equal(c.pollTimeout(), T0 + 50_000 + c.stats().rto);
  });

  test("without pacing the four leave with the ACK", () => {
    const c = afterFirstAck({});
    assert.deepEqual(seqs(drain(c, T0 + 50_000)), [10, 11, 12, 13]);
    assert.equal("pacingRate" in c.stats(), false);
  });

  test("stats() reports the pacing rate: 200% of 14,600 bytes per 50 ms, then of 17,520", () => {
    const c = connection({ pacing: true });
    assert.equal(c.stats().pacingRate, 584_000);
    c.send(bytes(20 * MSS));
    drain(c, T0);
    c.handleSegment(peer({ ack: s(2) }), T0 + 50_000);
    assert.equal(c.stats().pacingRate, 700_800);
  });

  test("pure ACKs are not paced", () => {
    const c = afterFirstAck({ pacing: true });
    drain(c, T0 + 50_000);
    // Data from the peer at T0 + 50.5 ms, two full segments: the ACK leaves at once, though the
    // next data segment waits until T0 + 51,042 µs.
    const sent = drain(c, T0 + 50_500);
    assert.deepEqual(sent, []);
    c.handleSegment(peer({ ack: s(2), payload: bytes(MSS) }), T0 + 50_500);
    c.handleSegment(peer({ seq: IRS + 1 + MSS, ack: s(2), payload: bytes(MSS) }), T0 + 50_500);
    const out = drain(c, T0 + 50_500);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.payload.length, 0);
    assert.equal(out[0]!.ack, IRS + 1 + 2 * MSS);
    assert.equal(c.pollTimeout(), T0 + 51_042);
  });
});

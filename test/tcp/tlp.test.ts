/**
 * Tail loss probes (RFC 8985 §7), segment by segment: when the PTO runs and for how long (§7.2),
 * what the probe carries (§7.3), and what its ACK means (§7.4).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import type { TcpConfig } from "../../src/tcp/config.js";
import type { TcpOpenOptions } from "../../src/tcp/connection.js";
import type { TcpHook } from "../../src/tcp/hook.js";
import { TailLossProbe, probeTimeout } from "../../src/tcp/tlp.js";
import { F, IRS, ISS, TcpConnection, bytes, drain, events, expectSent, ours, peer, plainConfig } from "./util.js";

const MSS = 1460;
const SYN_SACK: TcpOption[] = [{ kind: "mss", mss: MSS }, { kind: "sack-permitted" }];
/** Wire sequence number of the start of our i-th full segment. */
const s = (i: number) => ISS + 1 + i * MSS;
const sack = (...blocks: Array<[number, number]>): TcpOption[] => [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks }];
const b = (from: number, to: number): [number, number] => [s(from), s(to)];
const seqs = (segs: TcpRepr[]) => segs.map((x) => (x.seq - ISS - 1) / MSS);

/** The handshake's RTT sample is 50 ms: SRTT 50 ms, RTTVAR 25 ms, RTO 200 ms (the floor). */
const SRTT = 50_000;
const RTO = 200_000;
/** When the data goes out. */
const T0 = 100_000;

/** An established Reno connection with SACK and an SRTT of 50 ms. */
function connection(overrides: Partial<TcpConfig> = {}, synOptions = SYN_SACK, opts: TcpOpenOptions = {}): TcpConnection {
  const c = TcpConnection.accept(plainConfig({ sack: true, ...overrides }), peer({ seq: IRS, flags: F.SYN, options: synOptions }), ISS, 0, opts);
  drain(c, 0);
  c.handleSegment(peer({ ack: ISS + 1 }), SRTT);
  events(c);
  assert.equal(c.stats().srtt, SRTT);
  assert.equal(c.stats().rto, RTO);
  return c;
}

/** `n` segments of data queued at T0, the first ten sent (the initial window). */
function sending(n: number, overrides: Partial<TcpConfig> = {}, synOptions = SYN_SACK) {
  const c = connection(overrides, synOptions);
  const data = bytes(n * MSS);
  c.send(data);
  assert.deepEqual(seqs(drain(c, T0)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].slice(0, n));
  /** Our i-th segment, as sent: the one that empties the send queue has PSH. */
  const seg = (i: number): TcpRepr =>
    ours({ seq: s(i), flags: i === n - 1 ? F.ACK | F.PSH : F.ACK, payload: data.subarray(i * MSS, (i + 1) * MSS) });
  return { c, seg };
}

describe("the probe timeout (RFC 8985 §7.2)", () => {
  test("several segments in flight: 2·SRTT after the last transmission", () => {
    const { c } = sending(20);
    assert.equal(c.pollTimeout(), T0 + 2 * SRTT);
  });

  test("an ACK of new data restarts it", () => {
    const { c } = sending(20);
    c.handleSegment(peer({ ack: s(2) }), T0 + 60_000);
    // Slow start sent four more segments with that ACK; the PTO runs from the ACK.
    assert.deepEqual(seqs(drain(c, T0 + 60_000)), [10, 11, 12, 13]);
    assert.equal(c.pollTimeout(), T0 + 60_000 + 2 * c.stats().srtt!);
  });

  test("one segment in flight: TLP.max_ack_delay more, capped by the RTO's expiry", () => {
    const c = connection();
    c.send(bytes(100));
    drain(c, T0);
    // 2·50 ms + 200 ms is beyond the RTO (200 ms): the probe takes the RTO's place.
    assert.equal(c.pollTimeout(), T0 + RTO);
    const short = connection({ tlpMaxAckDelay: 40_000 });
    short.send(bytes(100));
    drain(short, T0);
    assert.equal(short.pollTimeout(), T0 + 2 * SRTT + 40_000);
  });

  test("no RTT sample: one second, capped by the RTO's expiry", () => {
    assert.equal(probeTimeout(undefined, false, 200_000), 1_000_000);
    // The SYN-ACK timed out, so the handshake gives no sample (Karn) and the RTO is 3 s
    // (RFC 6298 §5.7): the PTO of one second comes first.
    const c = TcpConnection.accept(plainConfig({ sack: true }), peer({ seq: IRS, flags: F.SYN, options: SYN_SACK }), ISS, 0);
    drain(c, 0);
    c.handleTimeout(1_000_000);
    drain(c, 1_000_000);
    c.handleSegment(peer({ ack: ISS + 1 }), 1_050_000);
    assert.equal(c.stats().srtt, undefined);
    c.send(bytes(20 * MSS));
    assert.equal(drain(c, 1_100_000).length, 10);
    assert.equal(c.pollTimeout(), 1_100_000 + 1_000_000);
  });
});

describe("the probe (RFC 8985 §7.3)", () => {
  test("new data when there is some and the receive window allows it, beyond cwnd; then the RTO", () => {
    const { c, seg } = sending(20);
    const cwnd = c.stats().cwnd;
    const at = T0 + 2 * SRTT;
    c.handleTimeout(at);
    expectSent(c, at, seg(10));
    const st = c.stats();
    assert.equal(st.lossProbes, 1);
    assert.equal(st.cwnd, cwnd);
    assert.equal(st.timeouts, 0);
    // §7.3: the RTO, not another PTO, runs after the probe.
    assert.equal(c.pollTimeout(), at + RTO);
  });

  test("nothing unsent: the last segment again", () => {
    const { c, seg } = sending(10);
    const at = T0 + 2 * SRTT;
    c.handleTimeout(at);
    expectSent(c, at, seg(9));
    assert.equal(c.stats().retransmissions, 1);
    assert.equal(c.pollTimeout(), at + RTO);
  });

  test("unsent data beyond the receive window: the last segment again", () => {
    const c = connection();
    const data = bytes(20 * MSS);
    c.send(data);
    c.handleSegment(peer({ ack: ISS + 1, window: 10 * MSS }), T0);
    assert.equal(drain(c, T0).length, 10);
    c.handleTimeout(T0 + 2 * SRTT);
    expectSent(c, T0 + 2 * SRTT, ours({ seq: s(9), payload: data.subarray(9 * MSS, 10 * MSS) }));
  });

  test("the last segment with the FIN: the probe sends both again", () => {
    const c = connection();
    c.send(bytes(100));
    c.shutdown();
    const [first] = drain(c, T0);
    assert.equal(first!.flags, F.ACK | F.PSH | F.FIN);
    c.handleTimeout(c.pollTimeout()!);
    assert.deepEqual(drain(c, T0 + RTO), [first]);
    assert.equal(c.stats().lossProbes, 1);
    assert.equal(c.stats().timeouts, 0);
  });

  test("a probe that goes unanswered leaves the rest to the RTO", () => {
    const { c, seg } = sending(20);
    const at = T0 + 2 * SRTT;
    c.handleTimeout(at);
    drain(c, at);
    c.handleTimeout(at + RTO);
    expectSent(c, at + RTO, seg(0));
    const st = c.stats();
    assert.equal(st.timeouts, 1);
    assert.equal(st.cwnd, MSS);
    // RTO recovery: no PTO, the backed-off RTO alone.
    assert.equal(c.pollTimeout(), at + 3 * RTO);
  });

  test("one retransmitted probe at a time: a second PTO in the same episode sends nothing", () => {
    const { c, seg } = sending(10);
    c.handleTimeout(T0 + 2 * SRTT);
    expectSent(c, T0 + 2 * SRTT, seg(9));
    // The ACK of the first five segments restarts the PTO, but the probe is still unanswered.
    const at = T0 + 2 * SRTT + 10_000;
    c.handleSegment(peer({ ack: s(5) }), at);
    const pto = c.pollTimeout()!;
    assert.ok(pto < at + RTO);
    c.handleTimeout(pto);
    expectSent(c, pto);
    assert.equal(c.stats().lossProbes, 1);
    assert.equal(c.pollTimeout(), at + RTO);
  });
});

describe("what the probe's ACK says (RFC 8985 §7.4)", () => {
  /** Ten segments of data, the last lost, its PTO expired and the probe (segment 9) sent. */
  function probed() {
    const r = sending(10);
    r.c.handleSegment(peer({ ack: s(9) }), T0 + SRTT);
    // One segment in flight: the PTO is the RTO's expiry, without the RTO's response.
    const pto = r.c.pollTimeout()!;
    assert.equal(pto, T0 + SRTT + RTO);
    r.c.handleTimeout(pto);
    expectSent(r.c, pto, r.seg(9));
    return { ...r, pto };
  }

  test("a probe that repaired the tail: no RTO, and one congestion response once the next ACK shows it", () => {
    const { c, pto } = probed();
    const before = c.stats();
    // The probe's ACK covers the tail: either copy may have made it, so nothing is decided.
    c.handleSegment(peer({ ack: s(10) }), pto + SRTT);
    assert.equal(c.stats().lossProbeRecoveries, 0);
    c.send(bytes(MSS, 1));
    drain(c, pto + SRTT);
    // An ACK beyond the probe with no D-SACK before it: the original was lost (§7.4.2).
    c.handleSegment(peer({ ack: s(11) }), pto + 2 * SRTT);
    const st = c.stats();
    assert.equal(st.lossProbeRecoveries, 1);
    assert.equal(st.timeouts, 0);
    assert.equal(st.fastRetransmits, 0);
    // Reno: ssthresh = FlightSize / 2 (one segment: at least 2 SMSS), cwnd = ssthresh.
    assert.ok(st.cwnd < before.cwnd);
    assert.equal(st.ssthresh, 2 * MSS);
    assert.equal(st.cwnd, 2 * MSS);
  });

  test("a D-SACK of the probe: the original arrived, no congestion response", () => {
    const { c, pto } = probed();
    const cwnd = c.stats().cwnd;
    c.handleSegment(peer({ ack: s(10) }), pto + SRTT);
    c.handleSegment(peer({ ack: s(10), options: sack(b(9, 10)) }), pto + SRTT);
    c.send(bytes(MSS, 1));
    drain(c, pto + SRTT);
    c.handleSegment(peer({ ack: s(11) }), pto + 2 * SRTT);
    const st = c.stats();
    assert.equal(st.lossProbeRecoveries, 0);
    assert.ok(st.cwnd >= cwnd);
    assert.equal(st.ssthresh, Infinity);
  });

  test("a duplicate ACK without SACK after the probe's ACK: both copies arrived, no response", () => {
    const { c, pto } = probed();
    c.handleSegment(peer({ ack: s(10) }), pto + SRTT);
    c.handleSegment(peer({ ack: s(10) }), pto + SRTT);
    c.send(bytes(MSS, 1));
    drain(c, pto + SRTT);
    c.handleSegment(peer({ ack: s(11) }), pto + 2 * SRTT);
    assert.equal(c.stats().lossProbeRecoveries, 0);
    assert.equal(c.stats().ssthresh, Infinity);
  });

  test("a probe of new data that is acknowledged ends the episode without a response", () => {
    const { c } = sending(20);
    c.handleTimeout(T0 + 2 * SRTT);
    drain(c, T0 + 2 * SRTT);
    c.handleSegment(peer({ ack: s(11) }), T0 + 3 * SRTT);
    drain(c, T0 + 3 * SRTT);
    c.handleSegment(peer({ ack: s(14) }), T0 + 4 * SRTT);
    assert.equal(c.stats().lossProbeRecoveries, 0);
    assert.equal(c.stats().ssthresh, Infinity);
  });
});

describe("when no probe is sent (RFC 8985 §7.2)", () => {
  test("without SACK: the RTO alone", () => {
    const { c } = sending(20, { sack: false }, [{ kind: "mss", mss: MSS }]);
    assert.equal(c.pollTimeout(), T0 + RTO);
    c.handleTimeout(T0 + RTO);
    assert.deepEqual(seqs(drain(c, T0 + RTO)), [0]);
    assert.equal(c.stats().lossProbes, 0);
  });

  test("switched off: the RTO alone", () => {
    const { c } = sending(20, { tlp: false });
    assert.equal(c.pollTimeout(), T0 + RTO);
  });

  test("while the higher layer holds probes back (an MPTCP client before the server has its keys)", () => {
    let allowed = false;
    const hook: TcpHook = { reserve: () => ({ bytes: 0 }), options: () => [], incoming: () => "accept", lossProbesAllowed: () => allowed };
    const c = connection({}, SYN_SACK, { hook });
    c.send(bytes(20 * MSS));
    drain(c, T0);
    assert.equal(c.pollTimeout(), T0 + RTO);
    allowed = true;
    c.handleSegment(peer({ ack: s(1) }), T0 + SRTT);
    drain(c, T0 + SRTT);
    assert.ok(c.pollTimeout()! < T0 + SRTT + RTO);
  });

  test("with SACKed data (a known hole) or in fast recovery: the RTO alone", () => {
    const { c } = sending(20);
    const at = T0 + SRTT;
    c.handleSegment(peer({ ack: s(0), options: sack(b(1, 2)) }), at);
    drain(c, at);
    assert.equal(c.pollTimeout(), T0 + RTO);
    c.handleSegment(peer({ ack: s(0), options: sack(b(1, 3)) }), at);
    c.handleSegment(peer({ ack: s(0), options: sack(b(1, 4)) }), at);
    assert.equal(c.stats().fastRetransmits, 1);
    drain(c, at);
    // A partial ACK in recovery restarts the RTO, not a PTO.
    c.handleSegment(peer({ ack: s(4), options: sack(b(5, 6)) }), at + 10_000);
    drain(c, at + 10_000);
    assert.equal(c.pollTimeout(), at + 10_000 + RTO);
  });

  test("in RTO recovery: the RTO alone until the data sent before the timeout is acknowledged", () => {
    const { c } = sending(20, { tlp: true });
    c.handleTimeout(T0 + 2 * SRTT);
    drain(c, T0 + 2 * SRTT);
    const rto = c.pollTimeout()!;
    c.handleTimeout(rto);
    drain(c, rto);
    c.handleSegment(peer({ ack: s(1) }), rto + SRTT);
    drain(c, rto + SRTT);
    assert.equal(c.pollTimeout(), rto + SRTT + c.stats().rto);
  });
});

describe("TailLossProbe (RFC 8985 §7.4.2 TLP_process_ack)", () => {
  const ack = (a: number, o: { duplicate?: boolean; sack?: boolean; dsack?: [number, number] } = {}) => ({
    ack: a,
    duplicate: o.duplicate ?? false,
    sack: o.sack ?? false,
    dsack: o.dsack,
  });

  test("each outcome of a retransmitted probe ending at 100", () => {
    const t = new TailLossProbe();
    t.sent(100, true, 5);
    assert.equal(t.onAck(ack(90)), false);
    assert.equal(t.endSeq, 100);
    // Exactly the probe's end: ambiguous, the episode stays open.
    assert.equal(t.onAck(ack(100)), false);
    assert.equal(t.endSeq, 100);
    // A duplicate with SACK says nothing either.
    assert.equal(t.onAck(ack(100, { duplicate: true, sack: true })), false);
    assert.equal(t.endSeq, 100);
    assert.equal(t.onAck(ack(120)), true);
    assert.equal(t.endSeq, undefined);
    assert.equal(t.originalSentAt, 5);
    assert.equal(t.onAck(ack(140)), false);

    t.sent(200, true, 6);
    assert.equal(t.onAck(ack(200, { sack: true, dsack: [150, 200] })), false);
    assert.equal(t.endSeq, undefined);

    t.sent(300, true, 7);
    assert.equal(t.onAck(ack(300, { duplicate: true })), false);
    assert.equal(t.endSeq, undefined);
  });

  test("a probe of new data, and new data sent while a retransmitted probe is unanswered", () => {
    const t = new TailLossProbe();
    t.sent(100, false, 1);
    assert.equal(t.onAck(ack(120)), false);
    assert.equal(t.endSeq, undefined);
    t.sent(100, true, 1);
    t.sent(150, false, 2);
    assert.equal(t.isRetrans, true);
    assert.equal(t.onAck(ack(160)), true);
  });
});

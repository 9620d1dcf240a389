/**
 * MP_JOIN (RFC 8684 §3.2) through an MptcpHost, segment by segment, on both sides. The keys and
 * nonces are those of a live Linux 6.18 join (mptcp-facts.md §1), fed through the host's random
 * source, so both HMACs on the wire are the captured ones.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { keyDerive } from "../../src/crypto/keys.js";
import type { MptcpHost, MptcpHostConfig } from "../../src/stack/mptcp-host.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import { nonZeroCounters } from "../../src/mptcp/counters.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { MpJoin } from "../../src/wire/mptcp/types.js";
import { MPC_FLAG, TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import {
  ACK_HMAC, A_ISN, A_PORT, B_ISN, B_JOIN_ISN, C1, C2, KEY_A, KEY_B, R_A, R_B, S1, S2, SYNACK_HMAC, TOKEN_B, ScriptedRandom, be, drain,
  dssOpt, events as hostEvents, ip, joinOpt as join, mpc, mptcpHost, mptcpOptions, packet, seg, types,
} from "./segment-harness.js";
import type { Out } from "./segment-harness.js";

const TOKEN_A = keyDerive(KEY_A, 1).token;
const HELLO = new TextEncoder().encode("hello mptcp");
const NOP: TcpOption = { kind: "nop" };

/** The connection's events, subflow lifecycle aside (pm-live.test.ts checks those). */
function events(h: MptcpHost): string[] {
  return types(hostEvents(h).filter((e) => e.type !== "subflow-up" && e.type !== "subflow-down"));
}

function readAll(c: MptcpConnection): Uint8Array {
  const parts: number[] = [];
  for (let b = c.read(); b !== undefined; b = c.read()) parts.push(...b);
  return Uint8Array.from(parts);
}

// -------------------------------------------------------------------------------------------------
// Responder: our host is B (the server), the test plays A.
// -------------------------------------------------------------------------------------------------

const A_JOIN_ISN = 5000;
const A_JOIN_PORT = 40001;

/** An MPTCP connection accepted by our server, whose key is Key-B; the peer's key is Key-A. */
function acceptedServer(mptcp: MptcpHostConfig["mptcp"] = {}) {
  const random = new ScriptedRandom();
  random.draws8.push(be(KEY_B, 8));
  const h = mptcpHost([S1, S2], random, mptcp);
  const l = h.listen(80);
  h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN, flags: TCP_FLAG.SYN, options: [mpc({ flags: MPC_FLAG.H })] })), 0, 0);
  const [synAck] = drain(h, 0);
  const keys = { sendKey: KEY_A, recvKey: KEY_B };
  h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN + 1, ack: (synAck!.seg.seq + 1) >>> 0, options: [mpc({ flags: MPC_FLAG.H, ...keys })] })), 0, 1000);
  assert.deepEqual(events(h), ["incoming"]);
  const c = l.accept()!;
  assert.equal(c.mode, "mptcp");
  /** Sends A's MP_JOIN SYN from C2 and returns what the server answers. */
  const joinSyn = (now: number, o: Partial<Extract<MpJoin, { form: "syn" }>> = {}, port = A_JOIN_PORT): Out[] => {
    random.draws4.push(be(BigInt(R_B), 4));
    const syn = join({ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: TOKEN_B, nonce: R_A, ...o });
    h.receive(packet(C2, S2, seg({ srcPort: port, dstPort: 80, seq: A_JOIN_ISN, flags: TCP_FLAG.SYN, options: [syn] })), 1, now);
    return drain(h, now);
  };
  return { h, c, joinSyn };
}

describe("MP_JOIN, responder (RFC 8684 §3.2)", () => {
  test("SYN/ACK with the truncated HMAC of Linux, third ACK checked, fourth ACK, data on the join", () => {
    const { h, c, joinSyn } = acceptedServer();
    const [synAck, ...more] = joinSyn(2000);
    assert.equal(more.length, 0);
    assert.equal(synAck!.src, "10.0.1.2");
    assert.equal(synAck!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
    assert.equal(synAck!.seg.ack, A_JOIN_ISN + 1);
    // 7703062681642683350 on the wire, with R-B, and our address ID for 10.0.1.2.
    assert.deepEqual(synAck!.seg.options, [{ kind: "mss", mss: 1460 }, join({ subtype: "MP_JOIN", form: "synack", backup: false, addrId: 1, hmac: SYNACK_HMAC, nonce: R_B })]);
    const iss = synAck!.seg.seq;

    // The third ACK with the captured 160-bit HMAC: answered by the fourth ACK, a plain ACK with a
    // Data ACK (nothing received yet: IDSN-A + 1).
    h.receive(packet(C2, S2, seg({ srcPort: A_JOIN_PORT, dstPort: 80, seq: A_JOIN_ISN + 1, ack: (iss + 1) >>> 0, options: [join({ subtype: "MP_JOIN", form: "ack", hmac: ACK_HMAC })] })), 1, 3000);
    const [fourth, ...rest] = drain(h, 3000);
    assert.equal(rest.length, 0);
    assert.equal(fourth!.src, "10.0.1.2");
    assert.equal(fourth!.seg.flags, TCP_FLAG.ACK);
    assert.equal(fourth!.seg.payload.length, 0);
    const idsnA = keyDerive(KEY_A, 1).idsn;
    assert.deepEqual(mptcpOptions(fourth!.seg), [{ subtype: "DSS", fin: false, dsn64: false, dataAck64: false, dataAck: (idsnA + 1n) & 0xffffffffn }]);
    assert.deepEqual(events(h), []);
    const j = c.joinedSubflows[0]!;
    assert.equal(j.state, "established");
    assert.equal(j.remoteAddrId, 1);
    assert.deepEqual(nonZeroCounters(h.counters), { MPCapableSYNRX: 1, MPCapableACKRX: 1, MPCurrEstab: 1, MPJoinSynRx: 1, MPJoinAckRx: 1 });

    // Data mapped on the joined subflow (DSN IDSN-A+1, SSN 1), then a DATA_FIN on it (§3.3.3).
    const map = dssOpt({ fin: false, dsn64: true, dataAck64: false, dsn: idsnA + 1n, ssn: 1, dataLen: HELLO.length });
    h.receive(packet(C2, S2, seg({ srcPort: A_JOIN_PORT, dstPort: 80, seq: A_JOIN_ISN + 1, ack: (iss + 1) >>> 0, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [map, NOP, NOP], payload: HELLO })), 1, 4000);
    assert.deepEqual(events(h), ["readable"]);
    assert.deepEqual(readAll(c), HELLO);
    const fin = dssOpt({ fin: true, dsn64: true, dataAck64: false, dsn: idsnA + 1n + BigInt(HELLO.length), ssn: 0, dataLen: 1 });
    h.receive(packet(C2, S2, seg({ srcPort: A_JOIN_PORT, dstPort: 80, seq: A_JOIN_ISN + 1 + HELLO.length, ack: (iss + 1) >>> 0, options: [fin, NOP, NOP] })), 1, 5000);
    assert.deepEqual(events(h), ["peer-closed"]);
    assert.equal(c.dataLevel.rcvNxt, HELLO.length + 2);
  });

  test("an unknown token: RST with MP_TCPRST 0x01 [MPJoinNoTokenFound]", () => {
    const { h, joinSyn } = acceptedServer();
    const [rst, ...more] = joinSyn(2000, { token: (TOKEN_B + 1) >>> 0 });
    assert.equal(more.length, 0);
    assert.equal(rst!.seg.flags, TCP_FLAG.RST | TCP_FLAG.ACK);
    assert.equal(rst!.seg.ack, A_JOIN_ISN + 1);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    const n = nonZeroCounters(h.counters);
    assert.equal(n.MPJoinNoTokenFound, 1);
    assert.equal(n.MPJoinSynRx, 1);
    assert.equal(n.MPRstTx, 1);
  });

  test("over the subflow limit: RST with MP_TCPRST 0x03 [MPJoinRejected]", () => {
    const { h, c, joinSyn } = acceptedServer({ subflows: 1 });
    const [synAck] = joinSyn(2000);
    assert.equal(synAck!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
    const [rst] = joinSyn(2100, {}, A_JOIN_PORT + 1);
    assert.equal(rst!.seg.flags, TCP_FLAG.RST | TCP_FLAG.ACK);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.ADMINISTRATIVELY_PROHIBITED }]);
    assert.equal(h.counters.MPJoinRejected, 1);
    assert.equal(h.counters.MPJoinSynRx, 2);
    assert.equal(c.joinedSubflows.length, 1);
  });

  test("a third ACK that comes again (our fourth ACK was lost) is answered again", () => {
    const { h, c, joinSyn } = acceptedServer();
    const [synAck] = joinSyn(2000);
    const third = (now: number) => {
      h.receive(packet(C2, S2, seg({ srcPort: A_JOIN_PORT, dstPort: 80, seq: A_JOIN_ISN + 1, ack: (synAck!.seg.seq + 1) >>> 0, options: [join({ subtype: "MP_JOIN", form: "ack", hmac: ACK_HMAC })] })), 1, now);
      return drain(h, now);
    };
    const [fourth] = third(3000);
    assert.equal(fourth!.seg.flags, TCP_FLAG.ACK);
    assert.equal(c.joinedSubflows[0]!.state, "established");
    // A never saw it: its third ACK again, 200 ms later (join.ts JOIN_ACK_RTO).
    const again = third(203_000);
    assert.equal(again.length, 1, "the fourth ACK again");
    assert.equal(again[0]!.seg.flags, TCP_FLAG.ACK);
    assert.equal(again[0]!.seg.ack, fourth!.seg.ack);
    assert.equal(again[0]!.src, "10.0.1.2");
    assert.equal(h.counters.MPJoinAckRx, 1);
  });

  test("over the host's half-open join limit (RFC 7430 §4): RST with MP_TCPRST 0x02 [MPJoinRejected]; a completed join frees its place", () => {
    const { h, c, joinSyn } = acceptedServer({ maxHalfOpenJoins: 1 });
    const [synAck] = joinSyn(2000);
    assert.equal(synAck!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
    const [rst] = joinSyn(2100, {}, A_JOIN_PORT + 1);
    assert.equal(rst!.seg.flags, TCP_FLAG.RST | TCP_FLAG.ACK);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.LACK_OF_RESOURCES }]);
    assert.equal(h.counters.MPJoinRejected, 1);
    assert.equal(c.joinedSubflows.length, 1);
    // The first join completes (third ACK): it is no longer half-open, and another may start.
    h.receive(packet(C2, S2, seg({ srcPort: A_JOIN_PORT, dstPort: 80, seq: A_JOIN_ISN + 1, ack: (synAck!.seg.seq + 1) >>> 0, options: [join({ subtype: "MP_JOIN", form: "ack", hmac: ACK_HMAC })] })), 1, 3000);
    drain(h, 3000);
    assert.equal(c.joinedSubflows[0]!.state, "established");
    const [again] = joinSyn(4000, {}, A_JOIN_PORT + 2);
    assert.equal(again!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
  });

  test("a wrong third-ACK HMAC resets the subflow, not the connection [MPJoinAckHMacFailure]", () => {
    const { h, c, joinSyn } = acceptedServer();
    const [synAck] = joinSyn(2000);
    const bad = ACK_HMAC.slice();
    bad[19]! ^= 1;
    h.receive(packet(C2, S2, seg({ srcPort: A_JOIN_PORT, dstPort: 80, seq: A_JOIN_ISN + 1, ack: (synAck!.seg.seq + 1) >>> 0, options: [join({ subtype: "MP_JOIN", form: "ack", hmac: bad })] })), 1, 3000);
    const [rst, ...more] = drain(h, 3000);
    assert.equal(more.length, 0);
    assert.equal(rst!.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    assert.equal(h.counters.MPJoinAckHMacFailure, 1);
    assert.equal(h.counters.MPJoinAckRx, 0);
    assert.deepEqual(events(h), []);
    assert.equal(c.mode, "mptcp");
    assert.equal(c.joinedSubflows.length, 0);
  });
});

// -------------------------------------------------------------------------------------------------
// Initiator: our host is A (the client), the test plays B.
// -------------------------------------------------------------------------------------------------


/** Our client connected with Key-A to a peer whose key is Key-B, both subflows' SYNs answered. */
function connectedClient(mptcp: MptcpHostConfig["mptcp"] = {}) {
  const random = new ScriptedRandom();
  random.draws8.push(be(KEY_A, 8));
  const h = mptcpHost([C1, C2], random, mptcp);
  const c = h.connect(ip(S1), 80, 0, { local: ip(C1) });
  const [syn] = drain(h, 0);
  h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: syn!.seg.srcPort, seq: B_ISN, ack: (syn!.seg.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [mpc({ flags: MPC_FLAG.H, sendKey: KEY_B })] })), 0, 1000);
  const [third] = drain(h, 1000);
  assert.equal(mptcpOptions(third!.seg)[0]!.subtype, "MP_CAPABLE");
  assert.deepEqual(events(h), ["connected"]);
  // B's first DSS: the connection is fully established (§3.1).
  const idsnA = keyDerive(KEY_A, 1).idsn;
  h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: syn!.seg.srcPort, seq: B_ISN + 1, ack: (syn!.seg.seq + 1) >>> 0, options: [dssOpt({ fin: false, dsn64: false, dataAck64: true, dataAck: idsnA + 1n })] })), 0, 1500);
  drain(h, 1500);
  assert.equal(c.mode, "mptcp");
  /** Opens the join from C2 (nonce R-A) and returns its SYN. */
  const open = (now: number, backup = false) => {
    random.draws4.push(be(BigInt(R_A), 4));
    const j = c.openSubflow(ip(C2), undefined, undefined, { backup })!;
    const [syn2, ...more] = drain(h, now);
    assert.equal(more.length, 0);
    return { j, syn: syn2!.seg, out: syn2! };
  };
  const synAck = (s: TcpRepr, hmac: Uint8Array, now: number): Out[] => {
    const o = join({ subtype: "MP_JOIN", form: "synack", backup: false, addrId: 1, hmac, nonce: R_B });
    h.receive(packet(S1, C2, seg({ srcPort: 80, dstPort: s.srcPort, seq: B_JOIN_ISN, ack: (s.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [o] })), 1, now);
    return drain(h, now);
  };
  return { h, c, open, synAck };
}

describe("MP_JOIN, initiator (RFC 8684 §3.2)", () => {
  test("SYN with token and nonce, SYN/ACK HMAC checked, third ACK with Linux's HMAC, fourth-ACK wait", () => {
    const { h, c, open, synAck } = connectedClient();
    const { j, syn, out } = open(2000, true);
    assert.equal(out.src, "10.0.1.1");
    assert.equal(out.dst, "10.0.0.2");
    assert.equal(syn.flags, TCP_FLAG.SYN);
    assert.deepEqual(syn.options, [{ kind: "mss", mss: 1460 }, join({ subtype: "MP_JOIN", form: "syn", backup: true, addrId: 1, token: TOKEN_B, nonce: R_A })]);
    assert.equal(h.counters.MPJoinSynTx, 1);
    assert.equal(j.state, "syn-sent");
    assert.notEqual(TOKEN_A, TOKEN_B);

    const [third, ...more] = synAck(syn, SYNACK_HMAC, 3000);
    assert.equal(more.length, 0);
    assert.equal(third!.seg.flags, TCP_FLAG.ACK);
    assert.equal(third!.seg.seq, syn.seq + 1);
    assert.deepEqual(mptcpOptions(third!.seg), [{ subtype: "MP_JOIN", form: "ack", hmac: ACK_HMAC }]);
    assert.equal(j.state, "pre-established");
    assert.equal(h.counters.MPJoinSynAckRx, 1);

    // §3.2: no data on the join before the fourth ACK; it goes on the initial subflow.
    assert.equal(c.write(HELLO), HELLO.length);
    const data = drain(h, 3000);
    assert.ok(data.some((o) => o.seg.payload.length > 0));
    for (const o of data) assert.equal(o.src, "10.0.0.1");

    // No fourth ACK: the third ACK again, identical, when the wait expires (200 ms).
    const t = 3000 + 200_000;
    assert.ok(h.pollTimeout()! <= t);
    h.handleTimeout(t);
    const again = drain(h, t).filter((o) => o.src === "10.0.1.1");
    assert.equal(again.length, 1);
    assert.deepEqual(again[0]!.seg.options, third!.seg.options);
    assert.equal(again[0]!.seg.seq, third!.seg.seq);

    // The fourth ACK (a plain ACK with a Data ACK) establishes the subflow.
    const idsnA = keyDerive(KEY_A, 1).idsn;
    h.receive(packet(S1, C2, seg({ srcPort: 80, dstPort: syn.srcPort, seq: B_JOIN_ISN + 1, ack: (syn.seq + 1) >>> 0, options: [dssOpt({ fin: false, dsn64: false, dataAck64: true, dataAck: idsnA + 1n })] })), 1, t + 1000);
    assert.equal(j.state, "established");
    assert.equal(j.peerBackup, false);
    assert.equal(c.mode, "mptcp");
    assert.deepEqual(events(h), []);
  });

  test("a wrong SYN/ACK HMAC: RST with MP_TCPRST 0x01, the connection goes on [MPJoinSynAckHMacFailure]", () => {
    const { h, c, open, synAck } = connectedClient();
    const { syn } = open(2000);
    const bad = SYNACK_HMAC.slice();
    bad[0]! ^= 0x80;
    const [rst, ...more] = synAck(syn, bad, 3000);
    assert.equal(more.length, 0);
    assert.equal(rst!.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
    assert.equal(rst!.seg.seq, syn.seq + 1);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    assert.equal(h.counters.MPJoinSynAckHMacFailure, 1);
    assert.equal(c.joinedSubflows.length, 0);
    assert.equal(c.mode, "mptcp");
    assert.deepEqual(events(h), []);
  });

  test("the subflow limit bounds the joins we open", () => {
    const { c, open } = connectedClient({ subflows: 1 });
    open(2000);
    assert.equal(c.openSubflow(ip(C2), ip(S1), 81), undefined);
  });
});

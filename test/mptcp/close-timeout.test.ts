/**
 * A connection that loses its last subflow while open both ways waits `closeTimeout` for a new
 * one (Linux `net.mptcp.close_timeout`; close-timeout.ts), and ends as its last subflow did if
 * none comes. Exact segments: our host as the client (a join from its second address brings the
 * connection back) and as the server (it answers a join while it waits).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { SubflowlessWait } from "../../src/mptcp/close-timeout.js";
import { MPC_FLAG } from "../../src/wire/mptcp/types.js";
import { B_ISN, C1, C2, IDSN_A, IDSN_B, KEY_A, KEY_B, R_A, R_B, S1, S2, ScriptedRandom, TOKEN_B, addJoin, be, clientSide, drain, events, ip, joinOpt, mpc, mptcpHost, mptcpOptions, packet, seg, serverSide, types } from "./segment-harness.js";
import type { Out } from "./segment-harness.js";

const HELLO = new TextEncoder().encode("hello mptcp");
const TIMEOUT = 10_000_000;

/** B resets the initial subflow at `now`; what the host sends in answer. */
function resetInitial(side: ReturnType<typeof clientSide>, now: number): Out[] {
  return side.fromB({ seq: B_ISN + 1, flags: TCP_FLAG.RST }, now);
}

describe("the last subflow gone (close timeout, Linux net.mptcp.close_timeout)", () => {
  test("a RST on the only subflow: the connection waits; a join carries on what was not data-acknowledged", () => {
    const side = clientSide({ closeTimeout: TIMEOUT });
    const { h, c } = side;
    events(h);
    c.write(HELLO);
    const sent = drain(h, 1600).filter((o) => o.seg.payload.length > 0);
    assert.deepEqual(sent.map((o) => o.src), [C1]);
    resetInitial(side, 2000);
    assert.deepEqual(types(events(h)), ["subflow-down"], "no reset, no close");
    assert.equal(c.awaitingSubflow, true);
    assert.equal(c.subflow!.state, "CLOSED");
    // Written while no subflow exists: accepted, and waits.
    c.write(HELLO);
    assert.deepEqual(drain(h, 2500), []);

    const { join } = addJoin(side, 3000);
    assert.deepEqual(types(events(h)), ["subflow-up"]);
    assert.equal(c.awaitingSubflow, false);
    // Both writes went on the join, the first one again from its DSN (§3.3.6).
    const st = c.stats().subflows.find((s) => s.local === C2)!;
    assert.equal(join.state, "established");
    assert.equal(st.bytesSent, 2 * HELLO.length, JSON.stringify(c.stats().subflows));
    assert.equal(h.counters.MPCurrEstab, 1);
  });

  test("no subflow within closeTimeout: the connection ends as its last subflow did, closeTimeout later", () => {
    const side = clientSide({ closeTimeout: TIMEOUT });
    const { h, c } = side;
    events(h);
    resetInitial(side, 2000);
    assert.equal(h.pollTimeout(), 2000 + TIMEOUT);
    h.handleTimeout(2000 + TIMEOUT - 1);
    drain(h, 2000 + TIMEOUT - 1);
    assert.deepEqual(types(events(h)), ["subflow-down"]);
    h.handleTimeout(2000 + TIMEOUT);
    drain(h, 2000 + TIMEOUT);
    assert.deepEqual(types(events(h)), ["reset", "closed"]);
    assert.equal(c.awaitingSubflow, false);
    assert.equal(h.counters.MPCurrEstab, 0);
  });

  test("aborted while it waits: closed at once, and its clock stopped", () => {
    const side = clientSide({ closeTimeout: TIMEOUT });
    const { h, c } = side;
    resetInitial(side, 2000);
    events(h);
    assert.equal(h.pollTimeout(), 2000 + TIMEOUT);
    c.abort();
    assert.deepEqual(drain(h, 3000), [], "no subflow to carry anything");
    assert.deepEqual(types(events(h)), ["closed"]);
    assert.equal(h.pollTimeout(), undefined);
  });

  test("a join that fails while the connection waits does not extend the wait", () => {
    const side = clientSide({ closeTimeout: TIMEOUT });
    const { h, c, random } = side;
    resetInitial(side, 2000);
    drain(h, 2000);
    random.draws4.push(be(BigInt(R_A), 4));
    const join = c.openSubflow(undefined, undefined, undefined)!;
    const [syn] = drain(h, 3000);
    // B refuses it.
    h.receive(packet(syn!.dst, syn!.src, seg({ srcPort: syn!.seg.dstPort, dstPort: syn!.seg.srcPort, seq: 0, ack: (syn!.seg.seq + 1) >>> 0, flags: TCP_FLAG.RST | TCP_FLAG.ACK })), 0, 4000);
    drain(h, 4000);
    assert.equal(join.state, "closed");
    assert.equal(c.awaitingSubflow, true);
    assert.equal(h.pollTimeout(), 2000 + TIMEOUT);
  });

  test("break before make: the single-path policy opens a join from the next interface while the connection waits", () => {
    const side = clientSide({ closeTimeout: TIMEOUT, pathManager: "single-path" });
    const { h, c, random } = side;
    events(h);
    random.draws4.push(be(BigInt(R_A), 4));
    const [syn, ...more] = resetInitial(side, 2000);
    assert.equal(more.length, 0);
    assert.deepEqual([syn!.src, syn!.dst, syn!.seg.flags], [C2, S1, TCP_FLAG.SYN]);
    assert.deepEqual(mptcpOptions(syn!.seg), [{ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: TOKEN_B, nonce: R_A }]);
    assert.equal(c.awaitingSubflow, true);
  });

  test("one interface: the policy opens a join from it again (the link is there; a box or the peer reset the subflow)", () => {
    const side = clientSide({ closeTimeout: TIMEOUT, pathManager: "single-path" }, [C1], 65535, 50001);
    const { c, random } = side;
    random.draws4.push(be(BigInt(R_A), 4));
    const [syn, ...more] = resetInitial(side, 2000);
    assert.equal(more.length, 0);
    assert.deepEqual([syn!.src, syn!.dst, syn!.seg.flags], [C1, S1, TCP_FLAG.SYN]);
    assert.notEqual(syn!.seg.srcPort, side.port);
    assert.equal(mptcpOptions(syn!.seg)[0]?.subtype, "MP_JOIN");
    // B refuses it (its connection is gone too): no other join follows; the wait runs out.
    side.h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: syn!.seg.srcPort, seq: 0, ack: (syn!.seg.seq + 1) >>> 0, flags: TCP_FLAG.RST | TCP_FLAG.ACK })), 0, 3000);
    assert.deepEqual(drain(side.h, 3000), []);
    side.h.handleTimeout(2000 + TIMEOUT);
    assert.deepEqual(drain(side.h, 2000 + TIMEOUT), []);
    assert.equal(c.awaitingSubflow, false);
    assert.equal(c.subflow!.state, "CLOSED");
  });

  test("closeTimeout 0: a RST on the only subflow ends the connection at once", () => {
    const side = clientSide({ closeTimeout: 0 });
    events(side.h);
    resetInitial(side, 2000);
    assert.deepEqual(types(events(side.h)), ["reset", "subflow-down", "closed"]);
  });

  // Linux ends a connection whose DATA_FIN went either way with its last subflow; a bulk sender
  // writes everything and closes at once, so that would lose what was still unacknowledged.
  test("half closed by us: it waits, and the join carries the data and the DATA_FIN", () => {
    const side = clientSide({ closeTimeout: TIMEOUT });
    const { h, c } = side;
    events(h);
    c.write(HELLO);
    c.shutdown();
    const out = drain(h, 1600);
    assert.ok(out.some((o) => o.seg.payload.length > 0 && mptcpOptions(o.seg).some((m) => m.subtype === "DSS" && m.fin)), "data and DATA_FIN sent");
    resetInitial(side, 2000);
    assert.deepEqual(types(events(h)), ["subflow-down"]);
    assert.equal(c.awaitingSubflow, true);
    const { join, joinIss, fromJoin } = addJoin(side, 3000);
    assert.equal(join.state, "established");
    assert.equal(c.stats().subflows.find((s) => s.local === C2)!.bytesSent, HELLO.length, "the data again, on the join");
    // B data-acknowledges the data and the DATA_FIN, and sends its own: the connection closes.
    const dataFinAcked = IDSN_A + 1n + BigInt(HELLO.length) + 1n;
    const fin = { fin: true, dsn64: true, dataAck64: true, dataAck: dataFinAcked, dsn: IDSN_B + 1n, ssn: 0, dataLen: 1 };
    fromJoin({ ack: (joinIss + 1 + HELLO.length) >>> 0, options: [{ kind: "mptcp", option: { subtype: "DSS", ...fin } }] }, 6000);
    assert.deepEqual(types(events(h)), ["subflow-up", "peer-closed", "subflow-down", "closed"]);
  });

  test("half closed by the peer: it waits too", () => {
    const side = clientSide({ closeTimeout: TIMEOUT });
    events(side.h);
    // B's DATA_FIN on a data-less segment (§3.3.3: it takes one DSN).
    const fin = { fin: true, dsn64: true, dataAck64: true, dataAck: IDSN_A + 1n, dsn: IDSN_B + 1n, ssn: 0, dataLen: 1 };
    side.fromB({ options: [{ kind: "mptcp", option: { subtype: "DSS", ...fin } }] }, 1800);
    assert.deepEqual(types(events(side.h)), ["peer-closed"]);
    resetInitial(side, 2000);
    assert.deepEqual(types(events(side.h)), ["subflow-down"]);
    assert.equal(side.c.awaitingSubflow, true);
  });

  test("before the server's first DSS: the client waits too, and a join the server answers carries it on", () => {
    // Only the server's first DSS shows that it has our key (§3.1), and that never came; but it
    // may have it (the third ACK arrived), and its SYN/ACK to a join proves it (§3.2).
    const random = new ScriptedRandom();
    random.draws8.push(be(KEY_A, 8));
    const h = mptcpHost([C1, C2], random, { closeTimeout: TIMEOUT });
    const c = h.connect(ip(S1), 80, 0, { local: ip(C1) });
    const [syn] = drain(h, 0);
    const port = syn!.seg.srcPort;
    h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: port, seq: B_ISN, ack: (syn!.seg.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [mpc({ flags: MPC_FLAG.H, sendKey: KEY_B })] })), 0, 1000);
    drain(h, 1000);
    events(h);
    h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: port, seq: B_ISN + 1, flags: TCP_FLAG.RST })), 0, 2000);
    assert.deepEqual(types(events(h)), ["subflow-down"]);
    assert.equal(c.awaitingSubflow, true);
    addJoin({ h, c, random, iss: syn!.seg.seq, port, fromB: () => [] }, 3000);
    assert.deepEqual(types(events(h)), ["subflow-up"]);
    assert.equal(c.awaitingSubflow, false);
    c.write(HELLO);
    const out = drain(h, 6000).filter((o) => o.seg.payload.length > 0);
    assert.deepEqual(out.map((o) => o.src), [C2]);
  });

  test("as the server: a join is answered while the connection waits", () => {
    const side = serverSide({ closeTimeout: TIMEOUT });
    events(side.h);
    side.fromA({ flags: TCP_FLAG.RST }, 2000);
    assert.deepEqual(types(events(side.h)), ["subflow-down"]);
    assert.equal(side.c.awaitingSubflow, true);
    side.random.draws4.push(be(BigInt(R_B), 4));
    const syn = joinOpt({ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: TOKEN_B, nonce: R_A });
    side.h.receive(packet(C2, S2, seg({ srcPort: 40001, dstPort: 80, seq: 5000, flags: TCP_FLAG.SYN, options: [syn] })), 1, 3000);
    const [synAck, ...more] = drain(side.h, 3000);
    assert.equal(more.length, 0);
    assert.equal(synAck!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
    assert.equal(mptcpOptions(synAck!.seg)[0]?.subtype, "MP_JOIN");
  });

  test("as the server, with closeTimeout 0: the join is refused, the connection is gone", () => {
    const side = serverSide({ closeTimeout: 0 });
    events(side.h);
    side.fromA({ flags: TCP_FLAG.RST }, 2000);
    assert.deepEqual(types(events(side.h)), ["reset", "subflow-down", "closed"]);
  });
});

describe("SubflowlessWait", () => {
  test("the clock starts at arm, keeps its first deadline, and stops", () => {
    const w = new SubflowlessWait();
    w.arm(5, 100);
    assert.equal(w.deadline, undefined, "not waiting: arm does nothing");
    w.begin("timed-out");
    assert.equal(w.waiting, true);
    assert.equal(w.deadline, undefined);
    w.arm(10, 100);
    w.begin("reset");
    w.arm(50, 100);
    assert.equal(w.deadline, 110);
    assert.equal(w.end, "timed-out");
    assert.equal(w.expired(109), false);
    assert.equal(w.expired(110), true);
    assert.equal(w.waiting, false);
    assert.equal(w.expired(200), false);
    w.begin("reset");
    w.stop();
    w.arm(300, 100);
    assert.equal(w.deadline, undefined);
  });
});

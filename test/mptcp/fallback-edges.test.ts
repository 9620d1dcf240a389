/**
 * Fallback and MP_FAIL after data has flowed (RFC 8684 §3.7), segment by segment: MPTCP options
 * that vanish from the only subflow mid-stream, the same once a DSS checksum has been verified,
 * and MP_FAIL where other subflows exist.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dssChecksum } from "../../src/wire/mptcp/dss-checksum.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import type { AddAddr } from "../../src/wire/mptcp/types.js";
import type { ClientSide, Out, ServerSide } from "./segment-harness.js";
import {
  ADD_ADDR_HMAC_B, A_ISN, B_ISN, C2, IDSN_A, IDSN_B, R_A, R_B, S2, TOKEN_B, be, C1, clientSide, dssOpt, drain, events, ip, joinOpt, joinedClient, mptcpOptions, opt, packet, seg, serverSide, types,
} from "./segment-harness.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const FIRST = text("mapped by DSS, ");
const SECOND = text("then without any option");

function readAll(side: ClientSide): string {
  let out = "";
  for (let b = side.c.read(); b !== undefined; b = side.c.read()) out += new TextDecoder().decode(b);
  return out;
}

/**
 * B's data `payload` at subflow offset `offset`, mapped to the same data-level offset, with no DSS
 * checksum, the right one, or a wrong one (a box changed the data).
 */
function mapped(side: ClientSide, offset: number, payload: Uint8Array, now: number, checksum: "none" | "right" | "wrong" = "none") {
  const dsn = IDSN_B + 1n + BigInt(offset);
  const dss = { fin: false, dsn64: true, dataAck64: true, dataAck: IDSN_A + 1n, dsn, ssn: offset + 1, dataLen: payload.length };
  const sum = dssChecksum(dsn, offset + 1, payload.length, payload) ^ (checksum === "wrong" ? 0xffff : 0);
  const options = [dssOpt(checksum === "none" ? dss : { ...dss, checksum: sum })];
  return side.fromB({ seq: B_ISN + 1 + offset, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options, payload }, now);
}

describe("options that vanish after data has flowed (RFC 8684 §3.7)", () => {
  test("on the only subflow: the connection continues as TCP [DssFallback], the bytes in order", () => {
    const side = clientSide();
    mapped(side, 0, FIRST, 3000);
    side.fromB({ seq: B_ISN + 1 + FIRST.length, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: SECOND }, 4000);
    assert.equal(side.c.mode, "fallback");
    assert.equal(side.c.fallbackReason, "MPTCP options missing after the handshake");
    assert.equal(side.h.counters.DssFallback, 1);
    assert.equal(readAll(side), "mapped by DSS, then without any option");
    // Our side sends no MPTCP option any more.
    side.c.write(text("reply"));
    const out = side.fromB({ seq: B_ISN + 1 + FIRST.length + SECOND.length }, 5000);
    assert.ok(out.length > 0 && out.every((o) => mptcpOptions(o.seg).length === 0));
  });

  test("once a DSS checksum was verified, no fallback: the subflow is reset with MP_TCPRST [DSSNoMatchTCP]", () => {
    const side = clientSide({ checksums: true });
    assert.equal(side.c.checksums, true);
    mapped(side, 0, FIRST, 3000, "right");
    assert.equal(readAll(side), "mapped by DSS, ");
    const out = side.fromB({ seq: B_ISN + 1 + FIRST.length, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: SECOND }, 4000);
    const rst = out.find((o) => (o.seg.flags & TCP_FLAG.RST) !== 0);
    assert.ok(rst !== undefined, "a RST");
    assert.deepEqual(mptcpOptions(rst.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    assert.equal(side.h.counters.DSSNoMatchTCP, 1);
    assert.equal(side.h.counters.DssFallback, 0);
    assert.equal(side.c.readable, 0, "the unmapped bytes are not delivered");
    assert.ok(types(events(side.h)).includes("reset"));
  });
});

describe("once a join has been up, never a fallback (RFC 8684 §3.7)", () => {
  // Found by the random MPTCP scenarios: a join was reset (a box stripped its mappings), its data
  // came back on the initial subflow, then the initial subflow lost its options too. The
  // connection fell back to TCP there and mapped the subflow's bytes linearly, which they no
  // longer were: 5,768 bytes vanished from a transfer that completed. Linux clears
  // `allow_infinite_fallback` for good when a join completes.
  test("options gone from the initial subflow after the join was reset: the subflow is reset, nothing delivered out of place", () => {
    const side = joinedClient();
    mapped(side, 0, FIRST, 3000);
    assert.equal(readAll(side), "mapped by DSS, ");
    side.fromJoin({ flags: TCP_FLAG.RST, seq: 9001 }, 4000);
    assert.equal(side.join.state, "closed");
    const out = side.fromB({ seq: B_ISN + 1 + FIRST.length, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: SECOND }, 5000);
    assert.equal(side.c.mode, "mptcp", "no fallback");
    assert.equal(side.h.counters.DssFallback, 0);
    const rst = out.find((o) => (o.seg.flags & TCP_FLAG.RST) !== 0);
    assert.ok(rst !== undefined, "the subflow is reset");
    assert.deepEqual(mptcpOptions(rst.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    assert.equal(side.c.readable, 0, "the unmapped bytes are not delivered");
    assert.ok(types(events(side.h)).includes("reset"));
  });
});

describe("MP_FAIL where other subflows exist (RFC 8684 §3.7)", () => {
  // Linux `mptcp_pm_mp_fail_received`: once a join exists (`allow_infinite_fallback` cleared), an
  // MP_FAIL asks for nothing; the infinite mapping is only for a connection on one subflow.
  test("MP_FAIL on the initial subflow while a join carries data: no infinite mapping, no fallback [MPFailRx]", () => {
    const side = joinedClient();
    side.c.write(new Uint8Array(3000));
    side.fromB({ options: [dssOpt({ fin: false, dsn64: false, dataAck64: true, dataAck: IDSN_A + 1n })] }, 5000);
    const out = side.fromB({ options: [opt({ subtype: "MP_FAIL", dsn: IDSN_B + 1n })] }, 6000);
    for (const o of out) for (const m of mptcpOptions(o.seg)) assert.ok(!(m.subtype === "DSS" && m.dataLen === 0), "no infinite mapping");
    assert.equal(side.c.mode, "mptcp");
    assert.equal(side.join.state, "established");
    assert.equal(side.h.counters.MPFailRx, 1);
    assert.equal(side.h.counters.InfiniteMapTx, 0);
  });

  // Linux parses the options of a RST too (tcp_reset calls mptcp_incoming_options), so the MP_FAIL
  // beside MP_TCPRST on the reset of a subflow whose checksum failed is counted MPFailRx.
  test("MP_FAIL on the RST of a subflow is counted [MPFailRx], and only that subflow goes", () => {
    const side = joinedClient();
    side.fromJoin({ flags: TCP_FLAG.RST, options: [opt({ subtype: "MP_FAIL", dsn: IDSN_A + 1n }), opt({ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MIDDLEBOX_INTERFERENCE })] }, 6000);
    assert.equal(side.h.counters.MPRstRx, 1);
    assert.equal(side.c.mode, "mptcp");
    assert.equal(side.h.counters.MPFailRx, 1);
  });
});

/**
 * Our side as the server with DSS checksums; the test plays client A. A's data at subflow offset
 * `offset`, mapped to the same data-level offset, with a checksum that fails (a box changed it).
 */
function corrupted(side: ServerSide, offset: number, payload: Uint8Array, now: number): Out[] {
  const dsn = IDSN_A + 1n + BigInt(offset);
  const checksum = dssChecksum(dsn, offset + 1, payload.length, payload) ^ 0xffff;
  const dss = { fin: false, dsn64: true, dataAck64: true, dataAck: IDSN_B + 1n, dsn, ssn: offset + 1, dataLen: payload.length, checksum };
  return side.fromA({ seq: A_ISN + 1 + offset, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [dssOpt(dss)], payload }, now);
}

function readServer(side: ServerSide): string {
  let out = "";
  for (let b = side.c.read(); b !== undefined; b = side.c.read()) out += new TextDecoder().decode(b);
  return out;
}

/** A's MP_JOIN SYN from C2 to S2 (port 80); what the server answers. */
function joinSyn(side: ServerSide, now: number): Out[] {
  side.random.draws4.push(be(BigInt(R_B), 4));
  const syn = joinOpt({ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: TOKEN_B, nonce: R_A });
  side.h.receive(packet(C2, S2, seg({ srcPort: 40001, dstPort: 80, seq: 5000, flags: TCP_FLAG.SYN, options: [syn] })), 1, now);
  return drain(side.h, now);
}

describe("after MP_FAIL went out: committed to plain TCP (RFC 8684 §3.7)", () => {
  // The race the random MPTCP scenarios found: the server sent MP_FAIL on its only subflow, then
  // the client's MP_JOIN SYN arrived, then more data whose checksum failed before the client's
  // infinite mapping. The server used to reset its only subflow there (a join existed), while the
  // client, having answered MP_FAIL, had fallen back and dropped its join: the connection died.
  test("an MP_JOIN SYN is refused [MPJoinRejected], and a second failed mapping is delivered, not reset", () => {
    const side = serverSide({ checksums: true });
    assert.equal(side.c.checksums, true);
    const ack = corrupted(side, 0, FIRST, 2000);
    assert.ok(ack.some((o) => mptcpOptions(o.seg).some((m) => m.subtype === "MP_FAIL")), "MP_FAIL");
    assert.equal(readServer(side), "mapped by DSS, ");

    const [rst, ...more] = joinSyn(side, 2500);
    assert.equal(more.length, 0);
    assert.ok((rst!.seg.flags & TCP_FLAG.RST) !== 0, "the join is refused with a RST");
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.ADMINISTRATIVELY_PROHIBITED }]);
    assert.equal(side.h.counters.MPJoinRejected, 1);

    const out = corrupted(side, FIRST.length, SECOND, 3000);
    assert.ok(out.every((o) => (o.seg.flags & TCP_FLAG.RST) === 0), "the only subflow is not reset");
    assert.equal(readServer(side), "then without any option");
    assert.equal(side.h.counters.DataCsumErr, 2);
    assert.equal(side.c.mode, "mptcp", "until the infinite mapping");
    assert.ok(!types(events(side.h)).includes("reset"));

    // The client's infinite mapping, then plain TCP.
    const tail = text(" and plain");
    const at = FIRST.length + SECOND.length;
    const infinite = dssOpt({ fin: false, dsn64: true, dataAck64: true, dataAck: IDSN_B + 1n, dsn: IDSN_A + 1n + BigInt(at), ssn: at + 1, dataLen: 0, checksum: 0 });
    side.fromA({ seq: A_ISN + 1 + at, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [infinite], payload: tail }, 4000);
    assert.equal(side.c.mode, "fallback");
    assert.equal(readServer(side), " and plain");
  });

  // A join that never completes (a firewall drops its SYN, or nobody listens at the address) used
  // to make the receiver reset its only working subflow on a checksum failure, and the connection
  // died (random MPTCP scenarios, session 10). Linux keeps the infinite fallback until a join
  // completes its SYN exchange.
  test("a failed checksum beside a join whose SYN had no answer: MP_FAIL, the join abandoned, fallback", () => {
    const side = clientSide({ checksums: true });
    side.random.draws4.push(be(BigInt(R_A), 4));
    const join = side.c.openSubflow(ip(C2), ip(S2), 80)!;
    const [syn] = drain(side.h, 1600);
    assert.equal(syn!.seg.flags, TCP_FLAG.SYN);
    assert.equal(join.state, "syn-sent");

    const out = mapped(side, 0, FIRST, 2000, "wrong");
    assert.ok(out.length > 0 && out.every((o) => o.src === C1 && (o.seg.flags & TCP_FLAG.RST) === 0), "the only working subflow is not reset");
    assert.ok(out.some((o) => mptcpOptions(o.seg).some((m) => m.subtype === "MP_FAIL")), "MP_FAIL");
    // Abandoned in SYN-SENT: nothing to reset at the peer (RFC 9293 §3.10.5, ABORT).
    assert.equal(join.state, "closed");
    assert.equal(side.c.joinedSubflows.length, 0);
    assert.equal(readAll(side), "mapped by DSS, ");
    assert.ok(!types(events(side.h)).includes("reset"));

    // B's infinite mapping, then plain TCP.
    const at = FIRST.length;
    const infinite = dssOpt({ fin: false, dsn64: true, dataAck64: true, dataAck: IDSN_A + 1n, dsn: IDSN_B + 1n + BigInt(at), ssn: at + 1, dataLen: 0, checksum: 0 });
    side.fromB({ seq: B_ISN + 1 + at, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [infinite], payload: SECOND }, 3000);
    assert.equal(side.c.mode, "fallback");
    assert.equal(readAll(side), "then without any option");
  });

  test("a failed checksum beside a join whose SYN we answered: the subflow is reset with MP_FAIL, the join kept", () => {
    const side = serverSide({ checksums: true });
    const [synAck] = joinSyn(side, 1500);
    assert.equal(synAck!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK, "the join is answered");
    const out = corrupted(side, 0, FIRST, 2000);
    const rst = out.filter((o) => (o.seg.flags & TCP_FLAG.RST) !== 0);
    assert.equal(rst.length, 1);
    assert.notEqual(rst[0]!.seg.dstPort, 40001, "the initial subflow, not the join");
    assert.ok(mptcpOptions(rst[0]!.seg).some((m) => m.subtype === "MP_FAIL"));
    assert.equal(side.c.joinedSubflows.length, 1);
    assert.equal(readServer(side), "", "nothing of the failed mapping delivered: it goes again on the join");
  });

  // Random scenarios with a corrupting box found a host that stopped the simulator: an ADD_ADDR
  // arrived after its MP_FAIL, the path manager waited for a pure ACK of the only subflow to echo
  // it, and asked for one again each time one went out without it (segments beside MP_FAIL carry
  // the DSS and MP_FAIL only): ACK after ACK at one instant, for ever.
  test("an ADD_ADDR after MP_FAIL went out: not echoed, one ACK, then quiet; the fallback follows", () => {
    const side = clientSide({ checksums: true });
    const failed = mapped(side, 0, FIRST, 2000, "wrong");
    assert.ok(failed.some((o) => mptcpOptions(o.seg).some((m) => m.subtype === "MP_FAIL")), "MP_FAIL");
    const announce: AddAddr = { subtype: "ADD_ADDR", version: 1, echo: false, addrId: 1, addr: ip("10.0.2.1"), hmac: ADD_ADDR_HMAC_B };
    const out = side.fromB({ seq: B_ISN + 1 + FIRST.length, flags: TCP_FLAG.ACK, options: [opt(announce)] }, 2500);
    assert.ok(out.length <= 1, `${out.length} segments answer one pure ACK`);
    for (const o of out) assert.deepEqual(mptcpOptions(o.seg).map((m) => m.subtype), ["DSS", "MP_FAIL"]);
    assert.equal(side.h.counters.EchoAddTx ?? 0, 0);
    assert.deepEqual(drain(side.h, 2600), [], "quiet after");
    assert.equal(readAll(side), "mapped by DSS, ");

    // B's infinite mapping: plain TCP, and nothing of the path manager's left to send.
    const infinite = dssOpt({ fin: false, dsn64: true, dataAck64: true, dataAck: IDSN_A + 1n, dsn: IDSN_B + 1n + BigInt(FIRST.length), ssn: FIRST.length + 1, dataLen: 0, checksum: 0 });
    const after = side.fromB({ seq: B_ISN + 1 + FIRST.length, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [infinite], payload: SECOND }, 3000);
    assert.equal(side.c.mode, "fallback");
    assert.ok(after.every((o) => mptcpOptions(o.seg).length === 0), "plain TCP");
    assert.equal(readAll(side), "then without any option");
  });

  // Found by random scenarios with host events: a signal endpoint added after MP_FAIL went out was
  // announced, but no subflow could carry the ADD_ADDR, and its first transmission stayed due at
  // that instant: the simulator stopped ("pollTimeout() stays").
  test("an endpoint added after MP_FAIL went out: its ADD_ADDR waits, no timer stays due", () => {
    const side = clientSide({ checksums: true });
    mapped(side, 0, FIRST, 2000, "wrong");
    assert.ok(!("errno" in side.h.addEndpoint({ addr: ip(C2), id: 4, flags: { signal: true } })));
    assert.deepEqual(drain(side.h, 2100), [], "nothing can carry it");
    const t = side.h.pollTimeout();
    assert.ok(t === undefined || t > 2100, `a timer due at ${t}`);
    assert.equal(side.h.counters.AddAddrTx, 0);
  });

  test("a FIN without DATA_FIN after MP_FAIL (the infinite mapping lost or overtaken): fallback, and the FIN ends the stream", () => {
    const side = serverSide({ checksums: true });
    corrupted(side, 0, FIRST, 2000);
    assert.equal(readServer(side), "mapped by DSS, ");
    events(side.h);
    // The client fell back on our MP_FAIL; its infinite mapping rode on a pure ACK that its FIN
    // overtook (a late copy below RCV.NXT is never read).
    side.fromA({ seq: A_ISN + 1 + FIRST.length, flags: TCP_FLAG.ACK | TCP_FLAG.FIN }, 3000);
    assert.equal(side.c.mode, "fallback");
    assert.equal(side.c.fallbackReason, "FIN after MP_FAIL: the peer's infinite mapping was lost");
    assert.ok(types(events(side.h)).includes("peer-closed"), "the end of the stream");
  });
});

describe("after a fallback, nothing MPTCP is left to wait for (RFC 8684 §3.7)", () => {
  // Random scenarios found a server whose ADD_ADDR was still unechoed when it fell back: its
  // retransmission timer stayed due (the signal rides on an MPTCP option, never sent again), so
  // the host's next timeout stayed at the same instant after handling it, a busy loop that the
  // simulator stops with an error.
  test("an ADD_ADDR unechoed when the connection falls back: its timer goes, the host's timeout moves on", () => {
    const side = serverSide({ endpoints: ["10.0.2.1 id 1 signal"], addAddrTimeout: 1_000_000 }, ["10.0.0.2", "10.0.2.1"]);
    assert.equal(side.h.counters.AddAddrTx, 1);
    // A's data without any MPTCP option (a box strips them): the only subflow goes plain.
    side.fromA({ flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: FIRST }, 2000);
    assert.equal(side.c.mode, "fallback");
    for (let i = 0; i < 5; i++) {
      const t = side.h.pollTimeout();
      if (t === undefined) break;
      side.h.handleTimeout(t);
      drain(side.h, t);
      const next = side.h.pollTimeout();
      assert.ok(next === undefined || next > t, `timeout stuck at ${t}`);
    }
    assert.equal(side.h.counters.AddAddrTx, 1, "no ADD_ADDR after the fallback");
  });

  // The box stripped the options of our only data segment, DATA_FIN included, and the peer fell
  // back; it acknowledged that segment bare, once, and had nothing more of ours to acknowledge,
  // so `incoming`'s second bare ACK never came: our DATA_FIN went out every minute for ever
  // while the peer waited for a FIN.
  test("no Data ACK for a retransmitted DATA_FIN after a bare ACK of all our data: fallback, and our FIN goes", () => {
    const side = clientSide();
    side.c.write(text("all of it"));
    side.c.shutdown();
    const [data] = drain(side.h, 2000);
    assert.ok(mptcpOptions(data!.seg).some((o) => o.subtype === "DSS" && o.fin), "the DATA_FIN rides on the data");
    side.fromB({ ack: (side.iss + 1 + 9) >>> 0 }, 2100);
    assert.equal(side.c.mode, "mptcp", "one bare ACK proves nothing yet");
    let fin: Out | undefined;
    for (let i = 0; i < 4 && fin === undefined; i++) {
      const t = side.h.pollTimeout()!;
      side.h.handleTimeout(t);
      fin = drain(side.h, t).find((o) => (o.seg.flags & TCP_FLAG.FIN) !== 0);
    }
    assert.equal(side.c.mode, "fallback");
    // Since session 12 the wait for the Data ACK (data-rtx.ts `DataAckWatch`) decides this, one
    // RTO after the bare ACK, before the DATA_FIN's second retransmission would.
    assert.equal(side.c.fallbackReason, "no Data ACK, our data acknowledged bare");
    assert.ok(fin !== undefined, "a plain FIN");
    assert.deepEqual(mptcpOptions(fin.seg), []);
  });

  // Random scenarios with Linux's stale rule found a 1,000-byte upload delivered as 2,000: the box
  // stripped the options of the data, the peer fell back and acknowledged it bare, and the
  // connection-level retransmission timer sent the same bytes again, on the same subflow, as new
  // TCP data, which a peer that fell back takes for more of the stream.
  test("Linux's stale rule: no copy of old data after a bare ACK of it; fallback, and our FIN goes", () => {
    const side = clientSide({ staleLossCount: 4 });
    side.c.write(text("all of it"));
    side.c.shutdown();
    drain(side.h, 2000);
    // A DSS from B first (fully established, as in the drawn case), then the data acknowledged bare.
    side.fromB({ options: [dssOpt({ fin: false, dsn64: false, dataAck64: true, dataAck: IDSN_A + 1n })] }, 2050);
    side.fromB({ ack: (side.iss + 1 + 9) >>> 0 }, 2100);
    assert.equal(side.c.mode, "mptcp", "one bare ACK proves nothing yet");
    const sent: Out[] = [];
    for (let i = 0; i < 12 && !sent.some((o) => (o.seg.flags & TCP_FLAG.FIN) !== 0); i++) {
      const t = side.h.pollTimeout()!;
      side.h.handleTimeout(t);
      sent.push(...drain(side.h, t));
    }
    assert.deepEqual(sent.filter((o) => o.seg.payload.length > 0).map((o) => o.seg.seq), [], "nothing sent again as new bytes");
    assert.equal(side.c.mode, "fallback");
    assert.equal(side.c.fallbackReason, "no Data ACK, our data acknowledged bare");
    assert.ok(sent.some((o) => (o.seg.flags & TCP_FLAG.FIN) !== 0), "a plain FIN");
  });

  // The same with reordering: the bare ACK of our data overtook an older duplicate ACK that still
  // carried a DSS, which counted as a sign that the peer had not fallen back; the timer then sent
  // 16 KB again as new bytes (a 100 KB upload delivered as 116 KB, under either stall rule).
  for (const staleLossCount of [4, "first-timeout"] as const) test(`${staleLossCount === 4 ? "Linux's stale rule" : "the default stall rule"}: an older ACK with a DSS arriving after the bare one does not clear it; fallback`, () => {
    const side = clientSide({ staleLossCount });
    side.c.write(text("all of it"));
    drain(side.h, 2000);
    const dataAck = [dssOpt({ fin: false, dsn64: false, dataAck64: true, dataAck: IDSN_A + 1n })];
    side.fromB({ options: dataAck }, 2050);
    side.fromB({ ack: (side.iss + 1 + 9) >>> 0 }, 2100);
    side.fromB({ options: dataAck }, 2150);
    const sent: Out[] = [];
    for (let i = 0; i < 6; i++) {
      const t = side.h.pollTimeout();
      if (t === undefined) break;
      side.h.handleTimeout(t);
      sent.push(...drain(side.h, t));
    }
    assert.deepEqual(sent.filter((o) => o.seg.payload.length > 0).map((o) => o.seg.seq), [], "nothing sent again as new bytes");
    assert.equal(side.c.fallbackReason, "no Data ACK, our data acknowledged bare");
  });
});

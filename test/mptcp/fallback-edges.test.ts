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
import type { ClientSide } from "./segment-harness.js";
import { B_ISN, IDSN_A, IDSN_B, clientSide, dssOpt, events, joinedClient, mptcpOptions, opt, types } from "./segment-harness.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const FIRST = text("mapped by DSS, ");
const SECOND = text("then without any option");

function readAll(side: ClientSide): string {
  let out = "";
  for (let b = side.c.read(); b !== undefined; b = side.c.read()) out += new TextDecoder().decode(b);
  return out;
}

/** B's data `payload` at subflow offset `offset`, mapped to the same data-level offset. */
function mapped(side: ClientSide, offset: number, payload: Uint8Array, now: number, checksums = false) {
  const dsn = IDSN_B + 1n + BigInt(offset);
  const dss = { fin: false, dsn64: true, dataAck64: true, dataAck: IDSN_A + 1n, dsn, ssn: offset + 1, dataLen: payload.length };
  const options = [dssOpt(checksums ? { ...dss, checksum: dssChecksum(dsn, offset + 1, payload.length, payload) } : dss)];
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
    mapped(side, 0, FIRST, 3000, true);
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

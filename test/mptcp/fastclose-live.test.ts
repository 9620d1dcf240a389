/**
 * MP_FASTCLOSE and MP_TCPRST with joined subflows (RFC 8684 §3.5, §3.6, §3.7), segment by segment:
 * `abort()` resets every subflow with MP_FASTCLOSE beside MP_TCPRST, as Linux does; the peer's
 * MP_FASTCLOSE with our key, on any subflow, resets them all and reports "reset" (a wrong key is
 * ignored); a joined subflow whose MPTCP options vanish is reset alone.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import { B_JOIN_ISN, KEY_A, KEY_B, drain, events, joinedClient, mptcpOptions, opt, types } from "./segment-harness.js";

const HELLO = new TextEncoder().encode("hello mptcp");

describe("MP_FASTCLOSE with joined subflows (RFC 8684 §3.5)", () => {
  test("abort(): a RST with MP_FASTCLOSE and MP_TCPRST on every subflow", () => {
    const { h, c } = joinedClient();
    events(h);
    c.abort();
    const out = drain(h, 5000);
    assert.deepEqual(out.map((o) => o.src).sort(), ["10.0.0.1", "10.0.1.1"]);
    for (const o of out) {
      assert.equal(o.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
      assert.deepEqual(mptcpOptions(o.seg), [
        { subtype: "MP_FASTCLOSE", key: KEY_B },
        { subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.UNSPECIFIED },
      ]);
    }
    assert.equal(h.counters.MPFastcloseTx, 2);
    assert.equal(h.counters.MPRstTx, 2);
    assert.deepEqual(types(events(h)), ["subflow-down", "subflow-down", "closed"]);
  });

  for (const onRst of [true, false]) {
    test(`the peer's MP_FASTCLOSE with our key on the joined subflow${onRst ? " (on its RST)" : " (on an ACK)"}: every subflow reset, "reset"`, () => {
      const { h, c, fromJoin } = joinedClient();
      events(h);
      const flags = onRst ? TCP_FLAG.RST : TCP_FLAG.ACK;
      const out = fromJoin({ seq: B_JOIN_ISN + 1, flags, options: [opt({ subtype: "MP_FASTCLOSE", key: KEY_A })] }, 5000);
      assert.equal(h.counters.MPFastcloseRx, 1);
      // Our RSTs carry MP_TCPRST only (Linux answers with `mp_reset 0` on each subflow).
      const rsts = out.filter((o) => (o.seg.flags & TCP_FLAG.RST) !== 0);
      assert.deepEqual(rsts.map((o) => o.src).sort(), onRst ? ["10.0.0.1"] : ["10.0.0.1", "10.0.1.1"]);
      for (const o of rsts) assert.deepEqual(mptcpOptions(o.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.UNSPECIFIED }]);
      assert.equal(h.counters.MPFastcloseTx, 0);
      // On a RST, the joined subflow goes first (the RST takes it), then the connection.
      assert.deepEqual(types(events(h)), onRst ? ["subflow-down", "reset", "subflow-down", "closed"] : ["reset", "subflow-down", "subflow-down", "closed"]);
      assert.deepEqual(c.stats().subflows.map((x) => x.state), ["CLOSED", "CLOSED"]);
    });
  }

  test("a MP_FASTCLOSE with another key is ignored", () => {
    const { h, c, fromJoin } = joinedClient();
    events(h);
    const out = fromJoin({ options: [opt({ subtype: "MP_FASTCLOSE", key: KEY_B })] }, 5000);
    assert.deepEqual(out, []);
    assert.equal(h.counters.MPFastcloseRx, 0);
    assert.deepEqual(events(h), []);
    assert.equal(c.mode, "mptcp");
  });
});

describe("MP_TCPRST on a joined subflow (RFC 8684 §3.6, §3.7)", () => {
  test("data without a DSS on a joined subflow: that subflow is reset with MP_TCPRST, the connection goes on", () => {
    const { h, c, fromJoin } = joinedClient();
    events(h);
    const out = fromJoin({ flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: HELLO }, 5000);
    const [rst, ...more] = out;
    assert.equal(more.length, 0);
    assert.equal(rst!.src, "10.0.1.1");
    assert.equal(rst!.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    const es = events(h);
    assert.deepEqual(types(es), ["subflow-down"]);
    assert.equal(c.mode, "mptcp");
    assert.equal(c.readable, 0);
    assert.deepEqual(c.stats().subflows.map((s) => [s.kind, s.state]), [["initial", "ESTABLISHED"], ["join", "CLOSED"]]);
  });
});

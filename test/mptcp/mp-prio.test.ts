/**
 * MP_PRIO (RFC 8684 §3.3.8) and the subflow lifecycle events, segment by segment: `setBackup` sends
 * MP_PRIO on that subflow's next ACK, the peer's MP_PRIO changes `peerBackup` and reports
 * "priority-changed", and the scheduler sends on a backup subflow only when no regular one is
 * usable. "subflow-up" comes after the handshake (initial) and the fourth ACK (joined),
 * "subflow-down" with its reason, and `stats()` keeps listing closed subflows.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import { CLOSED_SUBFLOWS_KEPT } from "../../src/mptcp/path-control.js";
import { B_JOIN_ISN, IDSN_A, IDSN_B, addJoin, clientSide, dataAckOpt, drain, events, joinedClient, mptcpOptions, opt, types } from "./segment-harness.js";

const HELLO = new TextEncoder().encode("hello mptcp");

describe("MP_PRIO (RFC 8684 §3.3.8)", () => {
  test("setBackup on a joined subflow: MP_PRIO B=1 beside the Data ACK on that subflow's next ACK", () => {
    const { h, c, join } = joinedClient();
    events(h);
    assert.equal(c.setBackup(join, true), true);
    const [ack, ...more] = drain(h, 5000);
    assert.equal(more.length, 0);
    assert.equal(ack!.src, "10.0.1.1");
    assert.equal(ack!.seg.flags, TCP_FLAG.ACK);
    assert.deepEqual(mptcpOptions(ack!.seg), [
      { subtype: "DSS", fin: false, dsn64: false, dataAck64: false, dataAck: (IDSN_B + 1n) & 0xffffffffn },
      { subtype: "MP_PRIO", backup: true },
    ]);
    assert.equal(h.counters.MPPrioTx, 1);
    assert.equal(join.backup, true);
    // Said once: the next ACK carries no MP_PRIO, and setting the same value again sends nothing.
    assert.equal(c.setBackup(join, true), true);
    assert.deepEqual(drain(h, 6000), []);
    assert.equal(c.stats().subflows.find((s) => s.kind === "join")?.backup, true);
  });

  test("the peer's MP_PRIO on the initial subflow: peerBackup, 'priority-changed' [MPPrioRx]", () => {
    const { h, c, fromB } = clientSide();
    events(h);
    const out = fromB({ options: [dataAckOpt(IDSN_A + 1n), opt({ subtype: "MP_PRIO", backup: true })] }, 2000);
    assert.equal(c.stats().subflows[0]!.backup, true);
    assert.deepEqual(out, []);
    assert.equal(h.counters.MPPrioRx, 1);
    const es = events(h);
    assert.deepEqual(types(es), ["priority-changed"]);
    const e = es[0]!;
    assert.ok(e.type === "priority-changed");
    assert.equal(e.subflow.kind, "initial");
    assert.equal(e.subflow.backup, true);
    // The same priority again changes nothing.
    fromB({ options: [dataAckOpt(IDSN_A + 1n), opt({ subtype: "MP_PRIO", backup: true })] }, 3000);
    assert.deepEqual(events(h), []);
    assert.equal(h.counters.MPPrioRx, 2);
  });

  test("the scheduler: data goes on the regular subflow, and on the backup one only when no other is usable", () => {
    const { h, c, fromB, fromJoin } = joinedClient();
    // The peer makes the initial subflow a backup: new data goes on the join.
    fromB({ options: [dataAckOpt(IDSN_A + 1n), opt({ subtype: "MP_PRIO", backup: true })] }, 5000);
    c.write(HELLO);
    const out = drain(h, 6000).filter((o) => o.seg.payload.length > 0);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.src, "10.0.1.1");
    // The peer resets the join: the backup initial subflow is all there is, and the data goes
    // again there.
    const after = fromJoin({ seq: B_JOIN_ISN + 1, flags: TCP_FLAG.RST, options: [opt({ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.UNSPECIFIED })] }, 7000);
    assert.equal(h.counters.MPRstRx, 1);
    const data = after.filter((o) => o.seg.payload.length > 0);
    assert.equal(data.length, 1);
    assert.equal(data[0]!.src, "10.0.0.1");
    assert.deepEqual(data[0]!.seg.payload, HELLO);
    assert.equal(h.counters.MPTCPRetrans, 1);
    assert.equal(c.mode, "mptcp");
  });
});

describe("subflow lifecycle events", () => {
  test("subflow-up: the initial after the handshake, a joined one after its fourth ACK; subflow-down with the reason", () => {
    const { h, c, join } = joinedClient();
    const es = events(h);
    assert.deepEqual(types(es), ["connected", "subflow-up", "subflow-up"]);
    const [, up0, up1] = es;
    assert.ok(up0?.type === "subflow-up" && up1?.type === "subflow-up");
    assert.equal(up0.subflow.kind, "initial");
    assert.equal(up0.subflow.local, "10.0.0.1");
    assert.equal(up1.subflow.kind, "join");
    assert.equal(up1.subflow.remote, "10.0.1.2");
    join.subflow!.abort();
    drain(h, 5000);
    const down = events(h);
    assert.deepEqual(types(down), ["subflow-down"]);
    assert.ok(down[0]?.type === "subflow-down");
    assert.equal(down[0].reason, "closed");
    assert.equal(down[0].subflow.state, "CLOSED");
    // stats(): the live initial subflow, then the closed join.
    assert.deepEqual(c.stats().subflows.map((s) => [s.kind, s.state]), [["initial", "ESTABLISHED"], ["join", "CLOSED"]]);
    assert.equal(c.mode, "mptcp");
  });

  test(`stats() keeps the ${CLOSED_SUBFLOWS_KEPT} most recent closed subflows`, () => {
    const side = clientSide({ limits: { subflows: 8 } });
    const ports: number[] = [];
    for (let i = 0; i < CLOSED_SUBFLOWS_KEPT + 3; i++) {
      const { join } = addJoin(side, 10_000 * (i + 1));
      ports.push(join.subflow!.localPort);
      join.subflow!.abort();
      drain(side.h, 10_000 * (i + 1) + 5000);
    }
    const closed = side.c.stats().subflows.filter((s) => s.kind === "join");
    assert.equal(closed.length, CLOSED_SUBFLOWS_KEPT);
    assert.ok(closed.every((s) => s.state === "CLOSED"));
    assert.equal(types(events(side.h)).filter((t) => t === "subflow-down").length, CLOSED_SUBFLOWS_KEPT + 3);
  });
});

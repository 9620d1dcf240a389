/**
 * REMOVE_ADDR (RFC 8684 §3.4.2), segment by segment: the peer's removal tears down our subflows to
 * that address ID, with their unacknowledged data reinjected on the others (§3.3.6); our own
 * removal (`MptcpConnection.removeAddress`, `MptcpHost.removeAddress`, an endpoint deleted) sends
 * REMOVE_ADDR on a pure ACK and resets the subflows from the address.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import { C1, C2, IDSN_A, IDSN_B, R_A, S2, be, clientSide, dataAckOpt, drain, events, ip, joinedClient, mptcpOptions, opt, types } from "./segment-harness.js";

const HELLO = new TextEncoder().encode("hello mptcp");

describe("REMOVE_ADDR received (RFC 8684 §3.4.2)", () => {
  test("the peer removes address ID 1: our join to it is reset, its data goes again on the initial subflow", () => {
    const { h, c, fromB } = joinedClient();
    // Data on the join only: the peer made the initial subflow a backup.
    fromB({ options: [dataAckOpt(IDSN_A + 1n), opt({ subtype: "MP_PRIO", backup: true })] }, 5000);
    c.write(HELLO);
    const sent = drain(h, 6000).filter((o) => o.seg.payload.length > 0);
    assert.equal(sent[0]!.src, "10.0.1.1");
    events(h);

    const out = fromB({ options: [dataAckOpt(IDSN_A + 1n), opt({ subtype: "REMOVE_ADDR", addrIds: [1] })] }, 7000);
    const rst = out.find((o) => o.src === "10.0.1.1")!;
    assert.equal(rst.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
    assert.deepEqual(mptcpOptions(rst.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.UNSPECIFIED }]);
    const again = out.filter((o) => o.seg.payload.length > 0);
    assert.equal(again.length, 1);
    assert.equal(again[0]!.src, "10.0.0.1");
    assert.deepEqual(again[0]!.seg.payload, HELLO);
    assert.equal(h.counters.RmAddr, 1);
    assert.equal(h.counters.RmSubflow, 1);
    assert.equal(h.counters.MPTCPRetrans, 1);
    const es = events(h);
    assert.deepEqual(types(es), ["subflow-down", "address-removed"]);
    assert.ok(es[0]?.type === "subflow-down" && es[1]?.type === "address-removed");
    assert.equal(es[0].reason, "removed");
    assert.equal(es[0].subflow.remote, "10.0.1.2");
    assert.equal(es[1].id, 1);
    assert.equal(c.mode, "mptcp");
    assert.deepEqual(c.stats().subflows.map((s) => [s.kind, s.state]), [["initial", "ESTABLISHED"], ["join", "CLOSED"]]);
  });

  test("an ID we have no subflow to: reported, nothing closed", () => {
    const { h, fromB } = clientSide();
    events(h);
    const out = fromB({ options: [dataAckOpt(IDSN_A + 1n), opt({ subtype: "REMOVE_ADDR", addrIds: [5] })] }, 2000);
    assert.deepEqual(out, []);
    assert.equal(h.counters.RmAddr, 1);
    assert.equal(h.counters.RmSubflow, 0);
    assert.deepEqual(types(events(h)), ["address-removed"]);
  });
});

describe("REMOVE_ADDR sent (RFC 8684 §3.4.2)", () => {
  test("MptcpHost.removeAddress: REMOVE_ADDR with the address's ID on a pure ACK, the subflow from it reset", () => {
    const { h, c, join } = joinedClient();
    events(h);
    h.removeAddress(ip("10.0.1.1"));
    const out = drain(h, 5000);
    const rm = out.find((o) => o.src === "10.0.0.1")!;
    assert.equal(rm.seg.flags, TCP_FLAG.ACK);
    assert.deepEqual(mptcpOptions(rm.seg), [
      { subtype: "DSS", fin: false, dsn64: false, dataAck64: false, dataAck: (IDSN_B + 1n) & 0xffffffffn },
      { subtype: "REMOVE_ADDR", addrIds: [join.addrId] },
    ]);
    assert.equal(join.addrId, 1);
    const rst = out.find((o) => o.src === "10.0.1.1")!;
    assert.equal(rst.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
    assert.equal(h.counters.RmAddrTx, 1);
    assert.equal(h.counters.RmSubflow, 1);
    assert.deepEqual(types(events(h)), ["subflow-down"]);
    assert.equal(c.mode, "mptcp");
  });

  test("an announced address withdrawn by ID: REMOVE_ADDR, and the announcement stops", () => {
    const { h, c } = clientSide({ addAddrTimeout: 1_000_000 });
    const id = c.announce(ip("10.0.1.1"))!;
    drain(h, 2000);
    assert.equal(h.counters.AddAddrTx, 1);
    assert.equal(c.removeAddress(id), 0);
    const [rm, ...more] = drain(h, 3000);
    assert.equal(more.length, 0);
    assert.deepEqual(mptcpOptions(rm!.seg).at(-1), { subtype: "REMOVE_ADDR", addrIds: [id] });
    h.handleTimeout(10_000_000);
    drain(h, 10_000_000);
    assert.equal(h.counters.AddAddrTx, 1, "no retransmission of a withdrawn address");
  });

  test("deleting a subflow endpoint sends REMOVE_ADDR with the endpoint's ID", () => {
    const side = clientSide({ endpoints: ["10.0.1.1 id 4 subflow"] });
    const { h } = side;
    // The endpoint opened a join at full establishment; answer nothing, delete the endpoint.
    const r = h.deleteEndpoint(4);
    assert.ok(!("errno" in r));
    const out = drain(h, 5000);
    const rm = out.find((o) => mptcpOptions(o.seg).some((m) => m.subtype === "REMOVE_ADDR"));
    assert.ok(rm !== undefined);
    assert.deepEqual(mptcpOptions(rm.seg).at(-1), { subtype: "REMOVE_ADDR", addrIds: [4] });
  });
});

describe("an interface down under the kernel path manager (MptcpHost.interfaceDown)", () => {
  // Random scenarios with host events found a client that withdrew the address of its only working
  // subflow for a join still in its handshake: the REMOVE_ADDR had no subflow to go on, the initial
  // subflow was reset, the peer closed the connection, and the join never completed.
  test("with a join only in its handshake: nothing withdrawn, the initial subflow kept", () => {
    const side = clientSide();
    side.random.draws4.push(be(BigInt(R_A), 4));
    const join = side.c.openSubflow(ip(C2), ip(S2), 80)!;
    drain(side.h, 1600);
    assert.equal(join.state, "syn-sent");
    side.h.interfaceDown(0, 2000);
    assert.deepEqual(drain(side.h, 2000), [], "no RST, no REMOVE_ADDR");
    assert.equal(side.h.counters.RmSubflow, 0);
    assert.equal(side.c.mode, "mptcp");
    assert.equal(side.c.stats().subflows.find((s) => s.kind === "initial")!.state, "ESTABLISHED");
  });

  test("with a join up: the interface's address withdrawn on the join, the initial subflow reset", () => {
    const { h, join } = joinedClient();
    events(h);
    h.interfaceDown(0, 6000);
    const out = drain(h, 6000);
    const rm = out.find((o) => mptcpOptions(o.seg).some((m) => m.subtype === "REMOVE_ADDR"))!;
    assert.equal(rm.src, C2, "on the join");
    assert.deepEqual(mptcpOptions(rm.seg).at(-1), { subtype: "REMOVE_ADDR", addrIds: [0] });
    assert.ok(out.some((o) => o.src === C1 && (o.seg.flags & TCP_FLAG.RST) !== 0), "the initial subflow reset");
    assert.equal(join.established, true);
  });

  // Random scenarios with a single-path peer found the peer's data with nowhere to go: it had
  // closed its join to move back to the initial subflow, and we withdrew the initial address
  // because the join, in CLOSE-WAIT here, still counted as a subflow up elsewhere.
  test("with a join the peer closed (CLOSE-WAIT): nothing withdrawn, the initial subflow kept", () => {
    const { h, c, join, fromJoin } = joinedClient();
    fromJoin({ flags: TCP_FLAG.ACK | TCP_FLAG.FIN, options: [dataAckOpt(IDSN_A + 1n)] }, 5000);
    assert.equal(join.subflow!.state, "CLOSE-WAIT");
    h.interfaceDown(0, 6000);
    const out = drain(h, 6000);
    assert.ok(!out.some((o) => mptcpOptions(o.seg).some((m) => m.subtype === "REMOVE_ADDR")), "no REMOVE_ADDR");
    assert.ok(!out.some((o) => (o.seg.flags & TCP_FLAG.RST) !== 0), "no RST");
    assert.equal(c.stats().subflows.find((s) => s.kind === "initial")!.state, "ESTABLISHED");
  });
});

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
import { IDSN_A, IDSN_B, clientSide, dataAckOpt, drain, events, ip, joinedClient, mptcpOptions, opt, types } from "./segment-harness.js";

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

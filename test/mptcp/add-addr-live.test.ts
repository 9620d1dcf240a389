/**
 * ADD_ADDR on live connections (RFC 8684 §3.4.1), segment by segment: announced by the path
 * manager from a `signal` endpoint once the connection is fully established, on a pure ACK with the
 * HMAC of Linux's capture, retransmitted until echoed; received, checked, echoed and joined within
 * the limits; a bad HMAC dropped silently.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { addAddrHmac } from "../../src/crypto/add-addr.js";
import type { AddAddr } from "../../src/wire/mptcp/types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { nonZeroCounters } from "../../src/mptcp/counters.js";
import { ADD_ADDR_HMAC_B, IDSN_A, IDSN_B, KEY_A, KEY_B, TOKEN_B, clientSide, dataAckOpt, drain, events, ip, mptcpOptions, opt, serverSide, types } from "./segment-harness.js";

const ANNOUNCED = ip("10.0.2.1");
const addAddr = (o: Omit<AddAddr, "subtype" | "version">): AddAddr => ({ subtype: "ADD_ADDR", version: 1, ...o });

describe("ADD_ADDR sent (RFC 8684 §3.4.1)", () => {
  test("a signal endpoint: announced on a pure ACK once fully established, with Linux's HMAC; the Data ACK follows", () => {
    const { h, afterHandshake } = serverSide({ endpoints: ["10.0.2.1 id 1 signal"] }, ["10.0.0.2", "10.0.2.1"]);
    const [signal, ack, ...more] = afterHandshake;
    assert.equal(more.length, 0);
    assert.equal(signal!.seg.flags, TCP_FLAG.ACK);
    assert.equal(signal!.seg.payload.length, 0);
    // Linux: an ADD_ADDR on a pure ACK goes alone, without the DSS.
    assert.deepEqual(mptcpOptions(signal!.seg), [addAddr({ echo: false, addrId: 1, addr: ANNOUNCED, hmac: ADD_ADDR_HMAC_B })]);
    assert.deepEqual(mptcpOptions(ack!.seg), [{ subtype: "DSS", fin: false, dsn64: false, dataAck64: false, dataAck: (IDSN_A + 1n) & 0xffffffffn }]);
    assert.equal(h.counters.AddAddrTx, 1);
  });

  test("retransmitted every addAddrTimeout until the echo; the echo stops it", () => {
    const { h, afterHandshake, fromA } = serverSide({ endpoints: ["10.0.2.1 id 1 signal"], addAddrTimeout: 1_000_000 }, ["10.0.0.2", "10.0.2.1"]);
    const first = mptcpOptions(afterHandshake[0]!.seg);
    assert.equal(h.pollTimeout(), 1000 + 1_000_000);
    h.handleTimeout(1_001_000);
    const [again, ack, ...more] = drain(h, 1_001_000);
    assert.equal(more.length, 0);
    assert.deepEqual(mptcpOptions(again!.seg), first);
    assert.equal(mptcpOptions(ack!.seg)[0]!.subtype, "DSS");
    assert.equal(h.counters.AddAddrTx, 2);
    // A's echo: same ID and address, E set, no HMAC.
    const out = fromA({ options: [opt(addAddr({ echo: true, addrId: 1, addr: ANNOUNCED })), dataAckOpt(IDSN_B + 1n)] }, 1_002_000);
    assert.deepEqual(out, []);
    assert.equal(h.counters.EchoAdd, 1);
    assert.equal(h.pollTimeout(), undefined, "no retransmission once echoed");
  });

  test("unechoed: three retransmissions (ADD_ADDR_RETRANS_MAX), then given up", () => {
    const { h } = serverSide({ endpoints: ["10.0.2.1 id 1 signal"], addAddrTimeout: 1_000_000 }, ["10.0.0.2", "10.0.2.1"]);
    const sent: number[] = [];
    for (let t = h.pollTimeout(); t !== undefined; t = h.pollTimeout()) {
      h.handleTimeout(t);
      if (drain(h, t).some((o) => mptcpOptions(o.seg)[0]?.subtype === "ADD_ADDR")) sent.push(t);
    }
    assert.deepEqual(sent, [1_001_000, 2_001_000, 3_001_000]);
    assert.equal(h.counters.AddAddrTx, 4);
  });

  test("announce() by hand: IPv6 with a port, signed over the port", () => {
    const { h, c } = serverSide();
    const v6 = ip("fd00::9");
    assert.equal(c.announce(v6, 4321, 9), 9);
    const [signal, ack, ...more] = drain(h, 2000);
    assert.equal(more.length, 0);
    assert.deepEqual(mptcpOptions(signal!.seg), [addAddr({ echo: false, addrId: 9, addr: v6, port: 4321, hmac: addAddrHmac(KEY_B, KEY_A, 9, v6, 4321) })]);
    assert.equal(mptcpOptions(ack!.seg)[0]!.subtype, "DSS");
  });
});

describe("ADD_ADDR received (RFC 8684 §3.4.1)", () => {
  test("a valid one: echoed on a pure ACK, 'address-announced', and joined within add_addr_accepted", () => {
    const { h, c, fromB, random } = clientSide({ limits: { addAddrAccepted: 1 } });
    events(h);
    random.draws4.push(new Uint8Array([0, 0, 0, 7]));
    const out = fromB({ options: [opt(addAddr({ echo: false, addrId: 1, addr: ANNOUNCED, hmac: ADD_ADDR_HMAC_B }))] }, 2000);
    const echo = out.find((o) => o.dst === "10.0.0.2")!;
    assert.equal(echo.seg.flags, TCP_FLAG.ACK);
    assert.deepEqual(mptcpOptions(echo.seg), [addAddr({ echo: true, addrId: 1, addr: ANNOUNCED })]);
    // The join: from the address routing picks, to the announced one at the initial port.
    const syn = out.find((o) => o.dst === "10.0.2.1")!;
    assert.equal(syn.seg.flags, TCP_FLAG.SYN);
    assert.equal(syn.seg.dstPort, 80);
    assert.deepEqual(mptcpOptions(syn.seg), [{ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 0, token: TOKEN_B, nonce: 7 }]);
    const es = events(h);
    assert.deepEqual(types(es), ["address-announced"]);
    assert.deepEqual(es[0], { type: "address-announced", connection: c, id: 1, address: "10.0.2.1" });
    assert.deepEqual(nonZeroCounters(h.counters), { MPCapableSYNTX: 1, MPCapableSYNACKRX: 1, MPCurrEstab: 1, AddAddr: 1, EchoAddTx: 1, MPJoinSynTx: 1 });
    assert.equal(c.peerAddresses.get(1)?.addr.join("."), "10.0.2.1");
  });

  test("joinTarget: the initial remote address until the peer withdraws it, then an address it announced", () => {
    const { c, fromB } = clientSide();
    fromB({ options: [opt(addAddr({ echo: false, addrId: 1, addr: ANNOUNCED, hmac: ADD_ADDR_HMAC_B }))] }, 2000);
    assert.deepEqual(c.joinTarget(), { addr: ip("10.0.0.2"), port: 80 });
    fromB({ options: [opt({ subtype: "REMOVE_ADDR", addrIds: [0] })] }, 3000);
    // A handover path manager opens its next subflow there (handover-manager.ts).
    assert.deepEqual(c.joinTarget(), { addr: ANNOUNCED, port: 80 });
  });

  test("with add_addr_accepted 0 (the default): echoed, not joined", () => {
    const { h, fromB } = clientSide();
    const [echo, ack, ...more] = fromB({ options: [opt(addAddr({ echo: false, addrId: 1, addr: ANNOUNCED, hmac: ADD_ADDR_HMAC_B }))] }, 2000);
    assert.equal(more.length, 0);
    assert.deepEqual(mptcpOptions(echo!.seg), [addAddr({ echo: true, addrId: 1, addr: ANNOUNCED })]);
    // The echo displaced the DSS (as Linux's pure ACK does): the Data ACK follows.
    assert.equal(mptcpOptions(ack!.seg)[0]!.subtype, "DSS");
    assert.equal(h.counters.MPJoinSynTx, 0);
  });

  test("a wrong HMAC: dropped silently [AddAddrDrop], no echo, no event", () => {
    const { h, fromB } = clientSide({ limits: { addAddrAccepted: 1 } });
    events(h);
    const bad = ADD_ADDR_HMAC_B.slice();
    bad[7]! ^= 1;
    const out = fromB({ options: [opt(addAddr({ echo: false, addrId: 1, addr: ANNOUNCED, hmac: bad }))] }, 2000);
    assert.deepEqual(out, []);
    assert.equal(h.counters.AddAddrDrop, 1);
    assert.equal(h.counters.AddAddr, 0);
    assert.deepEqual(events(h), []);
  });

  test("IPv6 with a port: the HMAC covers the port; the join goes to that port from our IPv6 address", () => {
    const { h, fromB, random } = clientSide({ limits: { addAddrAccepted: 1 } }, ["10.0.0.1", "fd00::1"]);
    events(h);
    random.draws4.push(new Uint8Array([0, 0, 0, 9]));
    const addr = ip("fd00::2");
    const hmac = addAddrHmac(KEY_B, KEY_A, 3, addr, 8080);
    const out = fromB({ options: [opt(addAddr({ echo: false, addrId: 3, addr, port: 8080, hmac }))] }, 2000);
    const echo = out.find((o) => o.dst === "10.0.0.2")!;
    assert.deepEqual(mptcpOptions(echo.seg), [addAddr({ echo: true, addrId: 3, addr, port: 8080 })]);
    const syn = out.find((o) => o.seg.flags === TCP_FLAG.SYN)!;
    assert.equal(syn.seg.dstPort, 8080);
    assert.equal(syn.src, "fd00::1");
    assert.equal(h.counters.PortAdd, 1);
    const [announced] = events(h);
    assert.ok(announced?.type === "address-announced");
    assert.deepEqual({ id: announced.id, address: announced.address, port: announced.port }, { id: 3, address: "fd00::2", port: 8080 });
  });
});

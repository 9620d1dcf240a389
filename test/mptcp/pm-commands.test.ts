/**
 * The path-manager commands of a connection and of a host (like the kernel's userspace PM and
 * `ip mptcp endpoint|limits`): closeSubflow, the host's endpoint configuration, and
 * `allowJoinInitialAddrPort` (flag C, RFC 8684 §3.1).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { MPC_FLAG, TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import { isPmConfigError } from "../../src/mptcp/pm/endpoints.js";
import { parseEndpoint } from "../../src/mptcp/pm/endpoint-spec.js";
import type { EndpointSpec } from "../../src/mptcp/pm/endpoints.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { ADD_ADDR_HMAC_B, A_ISN, A_PORT, C1, C2, IDSN_A, R_A, S1, S2, ScriptedRandom, TOKEN_B, be, clientSide, dataAckOpt, drain, events, ip, joinOpt, joinedClient, mptcpOptions, opt, packet, seg, serverSide, types } from "./segment-harness.js";

const HELLO = new TextEncoder().encode("hello mptcp");

describe("closeSubflow", () => {
  test("closes a joined subflow with a FIN; 'subflow-down'; the connection goes on", () => {
    const { h, c, join } = joinedClient();
    events(h);
    assert.equal(c.closeSubflow(join), true);
    const out = drain(h, 5000);
    const fin = out.find((o) => o.src === "10.0.1.1")!;
    assert.equal(fin.seg.flags & TCP_FLAG.FIN, TCP_FLAG.FIN);
    const es = events(h);
    assert.deepEqual(types(es), ["subflow-down"]);
    assert.ok(es[0]?.type === "subflow-down");
    assert.equal(es[0].reason, "closed");
    // Data goes on the initial subflow now.
    c.write(HELLO);
    const all = drain(h, 6000);
    const data = all.filter((o) => o.seg.payload.length > 0);
    assert.equal(data.length, 1, JSON.stringify(all.map((o) => [o.src, o.seg.flags, o.seg.payload.length])) + JSON.stringify(c.stats().subflows));
    assert.equal(data[0]!.src, "10.0.0.1");
    assert.equal(c.mode, "mptcp");
  });

  // Random scenarios with a single-path peer found a download that never ended: its DATA_FIN was
  // asked for on the join the host had just closed (the peer's latest segment came there), whose
  // ACKs carry no DSS, so it went out bare at every expiry of its timer, for ever.
  test("a DATA_FIN after the peer's latest segment came on a join we closed: it goes on the initial subflow", () => {
    const { h, c, join, joinIss, fromJoin } = joinedClient();
    assert.equal(c.closeSubflow(join), true);
    drain(h, 5000);
    fromJoin({ ack: (joinIss + 2) >>> 0, options: [dataAckOpt(IDSN_A + 1n)] }, 5100);
    assert.equal(join.subflow!.state, "FIN-WAIT-2");
    c.shutdown();
    const out = drain(h, 5200);
    const dataFin = out.filter((o) => mptcpOptions(o.seg).some((m) => m.subtype === "DSS" && m.fin));
    assert.deepEqual(dataFin.map((o) => o.src), [C1], JSON.stringify(out.map((o) => [o.src, o.seg.flags, mptcpOptions(o.seg).map((m) => m.subtype)])));
  });

  test("the last subflow cannot be closed this way", () => {
    const { c, join } = joinedClient();
    assert.equal(c.closeSubflow(join), true);
    assert.equal(c.closeSubflow(c.subflow!), false);
    assert.equal(c.closeSubflow(join), false, "already closed");
  });
});

describe("endpoint change (ip mptcp endpoint change id N backup)", () => {
  test("MP_PRIO on every subflow from the endpoint's address; the join took the endpoint's ID", () => {
    const { h, join } = joinedClient({ endpoints: ["10.0.1.1 id 3"] });
    assert.equal(join.addrId, 3);
    const r = h.setBackupEndpoint(3, true);
    assert.ok(!isPmConfigError(r));
    const [ack, ...more] = drain(h, 5000);
    assert.equal(more.length, 0);
    assert.equal(ack!.src, "10.0.1.1");
    assert.deepEqual(mptcpOptions(ack!.seg).at(-1), { subtype: "MP_PRIO", backup: true });
    assert.ok(isPmConfigError(h.setBackupEndpoint(9, true)));
  });
});

describe("allowJoinInitialAddrPort false (flag C, RFC 8684 §3.1)", () => {
  test("the SYN/ACK carries flag C; a join to the initial address and port is refused, one to another address accepted", () => {
    const random = new ScriptedRandom();
    const h = new MptcpHost({ interfaces: [{ addresses: [ip(S1)] }, { addresses: [ip(S2)] }], random, tcp: { timestamps: false, sack: false, windowScaling: false }, mptcp: { allowJoinInitialAddrPort: false } });
    h.listen(80);
    h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN, flags: TCP_FLAG.SYN, options: [{ kind: "mptcp", option: { subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H } }] })), 0, 0);
    const [synAck] = drain(h, 0);
    const mpc = mptcpOptions(synAck!.seg)[0]!;
    assert.ok(mpc.subtype === "MP_CAPABLE");
    assert.equal(mpc.flags, MPC_FLAG.H | MPC_FLAG.C);
  });

  test("a join to the initial address and port: RST with MP_TCPRST 0x03 [MPJoinRejected]", () => {
    const { h, random } = serverSide({ allowJoinInitialAddrPort: false });
    const joinSyn = (dst: string, port: number) => {
      random.draws4.push(be(BigInt(R_A), 4));
      const syn = joinOpt({ subtype: "MP_JOIN", form: "syn", backup: false, addrId: 1, token: TOKEN_B, nonce: R_A });
      h.receive(packet(C2, dst, seg({ srcPort: port, dstPort: 80, seq: 5000, flags: TCP_FLAG.SYN, options: [syn] })), 1, 2000);
      return drain(h, 2000);
    };
    const [rst] = joinSyn(S1, 40001);
    assert.equal(rst!.seg.flags & TCP_FLAG.RST, TCP_FLAG.RST);
    assert.deepEqual(mptcpOptions(rst!.seg), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.ADMINISTRATIVELY_PROHIBITED }]);
    assert.equal(h.counters.MPJoinRejected, 1);
    const [synAck] = joinSyn(S2, 40002);
    assert.equal(synAck!.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
  });
});

describe("host configuration", () => {
  test("endpoints as text, as `ip mptcp endpoint add` takes them", () => {
    assert.deepEqual(parseEndpoint("10.0.1.2 id 7 port 6000 signal"), { addr: ip("10.0.1.2"), id: 7, port: 6000, flags: { signal: true } });
    assert.deepEqual(parseEndpoint("fd00::3 subflow backup fullmesh"), { addr: ip("fd00::3"), flags: { subflow: true, backup: true, fullmesh: true } });
    const bad = parseEndpoint("10.0.1.2 signall");
    assert.ok(isPmConfigError(bad));
    assert.equal(bad.errno, "EINVAL");
    assert.ok(isPmConfigError(parseEndpoint("10.0.1.300 signal")));
  });

  test("endpoints and limits in MptcpOptions; `subflows` is an alias of limits.subflows; a bad one throws", () => {
    const make = (mptcp: ConstructorParameters<typeof MptcpHost>[0]["mptcp"]) => new MptcpHost({ interfaces: [{ addresses: [ip(S1)] }], random: new ScriptedRandom(), mptcp });
    const h = make({ subflows: 4, limits: { addAddrAccepted: 2 }, endpoints: ["10.0.1.2 signal", { addr: ip("10.0.2.2"), flags: { subflow: true } }] });
    assert.deepEqual(h.endpoints.limits, { subflows: 4, addAddrAccepted: 2 });
    assert.deepEqual(h.endpoints.list().map((e) => e.id), [1, 2]);
    assert.equal(make({ subflows: 4, limits: { subflows: 1 } }).endpoints.limits.subflows, 1);
    assert.throws(() => make({ endpoints: ["10.0.1.2 signal fullmesh"] }), /signal and fullmesh/);
    assert.throws(() => make({ limits: { subflows: 9 } }), /limit/);
    // A port-based signal endpoint listens on its port (for the joins its announcement draws).
    const p = make({ endpoints: ["10.0.0.2 port 6000 signal"] });
    assert.throws(() => p.host.listen(6000), /already has a listener/);
    const del = p.deleteEndpoint(1);
    assert.ok(!isPmConfigError(del));
    p.host.listen(6000);
  });
});

/** `ip mptcp endpoint add`, parsed; fails the test on a spec the kernel would refuse. */
function endpoint(text: string): EndpointSpec {
  const e = parseEndpoint(text);
  assert.ok(!isPmConfigError(e), text);
  return e;
}

/** The MPTCP options of each segment, by subtype. */
const subtypes = (out: ReturnType<typeof drain>): string[][] => out.map((o) => mptcpOptions(o.seg).map((m) => m.subtype));

// Linux's `mptcp_nl_add_subflow_or_signal_addr`: adding an endpoint revisits every fully
// established connection of the in-kernel path manager, within its limits.
describe("endpoints changed while connections are up (ip mptcp endpoint add|delete)", () => {
  test("a signal endpoint added: announced on the established connection, with Linux's HMAC", () => {
    const side = serverSide({}, [S1, "10.0.2.1"]);
    assert.ok(!subtypes(side.afterHandshake).flat().includes("ADD_ADDR"), "nothing to announce yet");
    assert.ok(!isPmConfigError(side.h.addEndpoint(endpoint("10.0.2.1 id 1 signal"))));
    const [signal, ...more] = drain(side.h, 2000);
    assert.deepEqual(mptcpOptions(signal!.seg), [{ subtype: "ADD_ADDR", version: 1, echo: false, addrId: 1, addr: ip("10.0.2.1"), hmac: ADD_ADDR_HMAC_B }]);
    assert.ok(more.every((o) => mptcpOptions(o.seg).every((m) => m.subtype === "DSS")));
    assert.equal(side.h.counters.AddAddrTx, 1);
  });

  test("a subflow endpoint added: an MP_JOIN SYN from it to the peer's initial address", () => {
    const side = clientSide();
    assert.ok(!isPmConfigError(side.h.addEndpoint(endpoint(`${C2} id 4 subflow`))));
    const [syn, ...more] = drain(side.h, 2000);
    assert.equal(more.length, 0);
    assert.equal(syn!.src, C2);
    assert.equal(syn!.dst, S1);
    assert.equal(syn!.seg.flags, TCP_FLAG.SYN);
    assert.deepEqual(subtypes([syn!]), [["MP_JOIN"]]);
    assert.equal(side.h.counters.MPJoinSynTx, 1);
  });

  test("deleted, then added again: withdrawn (REMOVE_ADDR), then announced again", () => {
    const side = serverSide({ addAddrTimeout: 1_000_000 }, [S1, "10.0.2.1"]);
    side.h.addEndpoint(endpoint("10.0.2.1 id 1 signal"));
    assert.deepEqual(subtypes(drain(side.h, 2000)), [["ADD_ADDR"], ["DSS"]]);
    // A echoes it.
    side.fromA({ options: [opt({ subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: ip("10.0.2.1") })] }, 2500);
    assert.ok(!isPmConfigError(side.h.deleteEndpoint(1)));
    assert.deepEqual(subtypes(drain(side.h, 3000)), [["DSS", "REMOVE_ADDR"]]);
    side.h.addEndpoint(endpoint("10.0.2.1 id 1 signal"));
    assert.deepEqual(subtypes(drain(side.h, 4000)), [["ADD_ADDR"], ["DSS"]]);
    assert.equal(side.h.counters.AddAddrTx, 2);
    assert.equal(side.h.counters.RmAddrTx, 1);
  });
});

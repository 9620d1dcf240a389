/**
 * The end of a connection with a join whose fourth ACK has not come (RFC 8684 §3.2, §3.3.3):
 * once both DATA_FINs are data-acknowledged, every subflow closes with a FIN, that join too, and
 * it still answers the peer's DATA_FIN with the Data ACK. Exact segments, our host as the client.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { B_ISN, B_JOIN_ISN, C2, IDSN_A, IDSN_B, R_A, R_B, S2, SYNACK_HMAC, be, clientSide, drain, dssOpt, events, ip, joinOpt, mptcpOptions, packet, seg, types } from "./segment-harness.js";
import type { Out } from "./segment-harness.js";

/** B's DATA_FIN, with B's Data ACK `dataAck`, on a segment without data (§3.3.3). */
const bDataFin = (dataAck: bigint): TcpOption => dssOpt({ fin: true, dsn64: true, dataAck64: true, dataAck, dsn: IDSN_B + 1n, ssn: 0, dataLen: 1 });

describe("graceful close with a join not yet fully established (§3.3.3)", () => {
  test("the join gets a FIN, not a RST, and answers the peer's DATA_FIN on it with the Data ACK", () => {
    const side = clientSide();
    const { h, c, random } = side;
    random.draws4.push(be(BigInt(R_A), 4));
    // The join from C2 to S2, through its SYN/ACK: the third ACK goes, the fourth does not come.
    const join = c.openSubflow(ip(C2), ip(S2), 80)!;
    const [syn] = drain(h, 2000);
    assert.equal(syn!.src, C2);
    const joinIss = syn!.seg.seq;
    const joinPort = syn!.seg.srcPort;
    const fromJoin = (fields: Partial<TcpRepr>, at: number): Out[] => {
      h.receive(packet(S2, C2, seg({ srcPort: 80, dstPort: joinPort, seq: B_JOIN_ISN + 1, ack: (joinIss + 1) >>> 0, ...fields })), 1, at);
      return drain(h, at);
    };
    h.receive(packet(S2, C2, seg({ srcPort: 80, dstPort: joinPort, seq: B_JOIN_ISN, ack: (joinIss + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [joinOpt({ subtype: "MP_JOIN", form: "synack", backup: false, addrId: 1, hmac: SYNACK_HMAC, nonce: R_B })] })), 1, 2100);
    const [third] = drain(h, 2100);
    assert.equal(mptcpOptions(third!.seg)[0]?.subtype, "MP_JOIN");
    assert.equal(join.state, "pre-established");

    // Both DATA_FINs on the initial subflow: ours acknowledged, B's received.
    c.shutdown();
    drain(h, 2200);
    events(h);
    const closing = side.fromB({ seq: B_ISN + 1, options: [bDataFin(IDSN_A + 2n)] }, 2300);
    assert.deepEqual(types(events(h)), ["peer-closed", "subflow-down", "closed"]);
    const onJoin = closing.filter((o) => o.src === C2);
    assert.equal(onJoin.length, 1, "one segment on the join");
    assert.equal(onJoin[0]!.seg.flags & (TCP_FLAG.FIN | TCP_FLAG.RST), TCP_FLAG.FIN);

    // B held the join established and its DATA_FIN is not data-acknowledged (our Data ACK was lost
    // on the initial subflow): it closes the join with its DATA_FIN on its FIN. Our ACK of that FIN
    // acknowledges the DATA_FIN at the data level.
    const answer = fromJoin({ ack: (joinIss + 2) >>> 0, flags: TCP_FLAG.ACK | TCP_FLAG.FIN, options: [bDataFin(IDSN_A + 2n)] }, 2400);
    const ack = answer.find((o) => o.src === C2);
    assert.ok(ack !== undefined, "an answer on the join");
    const dss = mptcpOptions(ack.seg).find((m) => m.subtype === "DSS");
    assert.ok(dss !== undefined && dss.subtype === "DSS");
    assert.equal(dss.dataAck, IDSN_B + 2n);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { drain, host, packet, seg } from "./util.js";

const { SYN, ACK, RST, FIN, PSH } = TCP_FLAG;

describe("segments for nothing (RFC 9293 §3.10.7.1)", () => {
  test("a SYN to a closed port gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", () => {
    const h = host([["10.0.0.2"]]);
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 81, seq: 5000, flags: SYN })), 0, 0);
    const out = drain(h, 0);
    assert.equal(out.length, 1);
    const rst = seg({ srcPort: 81, dstPort: 40000, seq: 0, ack: 5001, flags: RST | ACK, window: 0 });
    assert.deepEqual(out[0]!.packet, packet("10.0.0.2", "10.0.0.1", rst));
    assert.equal(h.counters.rstSent, 1);
  });

  test("data and FIN without ACK: the ACK covers payload and FIN", () => {
    const h = host([["10.0.0.2"]]);
    const s = seg({ srcPort: 40000, dstPort: 81, seq: 0xfffffffa, flags: FIN | PSH, payload: new Uint8Array(10) });
    h.receive(packet("10.0.0.1", "10.0.0.2", s), 0, 0);
    const out = drain(h, 0);
    assert.deepEqual(out[0]!.packet, packet("10.0.0.2", "10.0.0.1", seg({ srcPort: 81, dstPort: 40000, seq: 0, ack: 5, flags: RST | ACK, window: 0 })));
  });

  test("a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>", () => {
    const h = host([["10.0.0.2"]]);
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 81, seq: 7, ack: 9999, flags: ACK, payload: new Uint8Array(3) })), 0, 0);
    const out = drain(h, 0);
    assert.deepEqual(out[0]!.packet, packet("10.0.0.2", "10.0.0.1", seg({ srcPort: 81, dstPort: 40000, seq: 9999, ack: 0, flags: RST, window: 0 })));
  });

  test("a RST is never answered", () => {
    const h = host([["10.0.0.2"]]);
    h.listen(80);
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 81, seq: 7, flags: RST })), 0, 0);
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 81, seq: 7, ack: 1, flags: RST | ACK })), 0, 0);
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 80, seq: 7, flags: RST })), 0, 0);
    assert.deepEqual(drain(h, 0), []);
    assert.equal(h.counters.dropRstForNothing, 2);
    assert.equal(h.counters.dropListen, 1);
    assert.equal(h.counters.rstSent, 0);
  });

  test("an ACK to a listener gets <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.2)", () => {
    const h = host([["10.0.0.2"]]);
    h.listen(80);
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 80, seq: 7, ack: 1234, flags: ACK })), 0, 0);
    const out = drain(h, 0);
    assert.deepEqual(out[0]!.packet, packet("10.0.0.2", "10.0.0.1", seg({ srcPort: 80, dstPort: 40000, seq: 1234, flags: RST, window: 0 })));
  });

  test("a SYN to a listener bound to another of our addresses is reset", () => {
    const h = host([["10.0.0.2", "10.0.0.3"]]);
    h.listen(80, { address: new Uint8Array([10, 0, 0, 3]) });
    h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 40000, dstPort: 80, seq: 1, flags: SYN })), 0, 0);
    const out = drain(h, 0);
    assert.equal(out[0]!.tcp.flags, RST | ACK);
    h.receive(packet("10.0.0.1", "10.0.0.3", seg({ srcPort: 40000, dstPort: 80, seq: 1, flags: SYN })), 0, 0);
    assert.equal(drain(h, 0)[0]!.tcp.flags, SYN | ACK);
  });

  test("the RST leaves on the interface of the address it came to", () => {
    const h = host([["10.0.0.2"], ["10.1.0.2"]]);
    h.receive(packet("10.1.0.1", "10.1.0.2", seg({ srcPort: 1, dstPort: 2, seq: 1, flags: SYN })), 1, 0);
    const out = drain(h, 0);
    assert.equal(out[0]!.iface, 1);
  });
});

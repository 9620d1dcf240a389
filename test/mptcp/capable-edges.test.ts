/**
 * The edges of the MP_CAPABLE handshake on the passive side and of key generation on the Host
 * (RFC 8684 §3.1), segment by segment: what a SYN with flag B, with version 0 or with a version
 * above ours gets, and a key whose token is taken being drawn again.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { keyDerive } from "../../src/crypto/keys.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { MPC_FLAG } from "../../src/wire/mptcp/types.js";
import { A_ISN, A_PORT, C1, KEY_A, KEY_B, S1, ScriptedRandom, be, drain, events, ip, mpc, mptcpHost, mptcpOptions, packet, seg, types } from "./segment-harness.js";

/** Our server at S1:80 answers a SYN from C1 carrying `options`; returns its SYN/ACK and host. */
function synTo(options: Parameters<typeof seg>[0]["options"]) {
  const random = new ScriptedRandom();
  random.draws8.push(be(KEY_B, 8));
  const h = mptcpHost([S1], random);
  const l = h.listen(80);
  h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN, flags: TCP_FLAG.SYN, options })), 0, 0);
  const [synAck] = drain(h, 0);
  return { h, l, synAck: synAck! };
}

describe("MP_CAPABLE SYNs we cannot or can take (RFC 8684 §3.1)", () => {
  for (const [what, option, reason] of [
    // §3.1: B is for extensibility; a receiver that does not understand it ignores the MP_CAPABLE.
    ["flag B", mpc({ flags: MPC_FLAG.B | MPC_FLAG.H }), "unacceptable MP_CAPABLE on the SYN"],
    // §3.1: a v0 (RFC 6824) SYN gets plain TCP from a v1-only host, as from Linux.
    ["version 0", { kind: "mptcp" as const, option: { subtype: "MP_CAPABLE" as const, version: 0, flags: MPC_FLAG.H } }, "unacceptable MP_CAPABLE on the SYN"],
    // Without H (HMAC-SHA256) no key can be used.
    ["no flag H", mpc({ flags: 0 }), "unacceptable MP_CAPABLE on the SYN"],
  ] as const) {
    test(`a SYN with ${what}: a SYN/ACK without MPTCP options, and a plain TCP connection`, () => {
      const { h, l, synAck } = synTo([option]);
      assert.equal(synAck.seg.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
      assert.deepEqual(mptcpOptions(synAck.seg), []);
      h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN + 1, ack: (synAck.seg.seq + 1) >>> 0 })), 0, 1000);
      const c = l.accept()!;
      assert.equal(c.mode, "fallback");
      assert.equal(c.fallbackReason, reason);
      assert.deepEqual(types(events(h)).filter((t) => t !== "subflow-up"), ["incoming", "fallback"]);
      assert.equal(h.counters.MPCapableSYNRX, 0);
      assert.equal(h.counters.MPCurrEstab, 0);
    });
  }

  test("a SYN with a version above ours is answered with version 1 (§3.1: the highest both support)", () => {
    const { h, l, synAck } = synTo([{ kind: "mptcp", option: { subtype: "MP_CAPABLE", version: 2, flags: MPC_FLAG.H } }]);
    assert.deepEqual(mptcpOptions(synAck.seg), [{ subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H, sendKey: KEY_B }]);
    h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN + 1, ack: (synAck.seg.seq + 1) >>> 0, options: [mpc({ flags: MPC_FLAG.H, sendKey: KEY_A, recvKey: KEY_B })] })), 0, 1000);
    assert.equal(l.accept()!.mode, "mptcp");
    assert.equal(h.counters.MPCapableSYNRX, 1);
  });

  test("a third ACK with flag B falls back (MPCapableFallbackACK)", () => {
    const { h, l, synAck } = synTo([mpc({ flags: MPC_FLAG.H })]);
    h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN + 1, ack: (synAck.seg.seq + 1) >>> 0, options: [mpc({ flags: MPC_FLAG.B | MPC_FLAG.H, sendKey: KEY_A, recvKey: KEY_B })] })), 0, 1000);
    const c = l.accept()!;
    assert.equal(c.mode, "fallback");
    assert.equal(c.fallbackReason, "handshake ACK without MP_CAPABLE");
    assert.equal(h.counters.MPCapableFallbackACK, 1);
  });
});

describe("tokens unique per Host (RFC 8684 §3.1)", () => {
  test("a key whose token another connection of the host holds is drawn again, client and server alike", () => {
    const K2 = 0x1122334455667788n;
    const K3 = 0x0102030405060708n;
    const random = new ScriptedRandom();
    // The first client takes KEY_A; the second draws KEY_A again (taken), then K2.
    random.draws8.push(be(KEY_A, 8), be(KEY_A, 8), be(K2, 8));
    const h = mptcpHost([C1], random);
    const a = h.connect(ip(S1), 80, 0);
    const b = h.connect(ip(S1), 81, 0);
    assert.equal(a.localKey!.key, KEY_A);
    assert.equal(b.localKey!.key, K2);
    // A passive connection drawing a key in use by the clients draws again too.
    random.draws8.push(be(K2, 8), be(K3, 8));
    const l = h.listen(80);
    h.receive(packet(S1, C1, seg({ srcPort: 5555, dstPort: 80, seq: 1, flags: TCP_FLAG.SYN, options: [mpc({ flags: MPC_FLAG.H })] })), 0, 10);
    const synAck = drain(h, 10).find((o) => o.seg.dstPort === 5555)!;
    assert.deepEqual(mptcpOptions(synAck.seg), [{ subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.H, sendKey: K3 }]);
    assert.notEqual(keyDerive(K3, 1).token, keyDerive(KEY_A, 1).token);
    assert.equal(h.counters.MPFallbackTokenInit, 0);
    assert.ok(l !== undefined);
  });
});

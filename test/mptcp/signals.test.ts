/**
 * AddressSignals (src/mptcp/signals.ts) on its own: what waits for a pure ACK, and the bound on
 * the echoes owed to the peer (RFC 7430).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { addAddrHmac } from "../../src/crypto/add-addr.js";
import { newMptcpCounters } from "../../src/mptcp/counters.js";
import { DEFAULT_ADD_ADDR_SENDER } from "../../src/mptcp/add-addr.js";
import { AddressSignals, ECHOES_MAX } from "../../src/mptcp/signals.js";
import type { AddAddr } from "../../src/wire/mptcp/types.js";

const OURS = 0x62031ceec1407cd4n;
const PEERS = 0xc12e566b69c3e004n;

/** The peer's announcement of 10.0.9.`id` under `id`, signed with the peer's key then ours. */
function announcement(id: number): AddAddr {
  const addr = Uint8Array.of(10, 0, 9, id);
  return { subtype: "ADD_ADDR", version: 1, echo: false, addrId: id, addr, hmac: addAddrHmac(PEERS, OURS, id, addr, undefined) };
}

function signals(): { s: AddressSignals; counters: ReturnType<typeof newMptcpCounters> } {
  const counters = newMptcpCounters();
  return { s: new AddressSignals({ keys: () => ({ local: OURS, remote: PEERS }), counters }, DEFAULT_ADD_ADDR_SENDER), counters };
}

describe("AddressSignals: echoes owed to the peer (§3.4.1, RFC 7430)", () => {
  test("each valid announcement is echoed once, however often it arrives before the echo goes", () => {
    const { s, counters } = signals();
    s.receiveAddAddr(announcement(1));
    s.receiveAddAddr(announcement(1));
    const echo = s.next(0);
    assert.deepEqual(echo, { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: Uint8Array.of(10, 0, 9, 1) });
    s.sent(echo!, 0);
    assert.equal(s.pending(0), false);
    assert.equal(counters.AddAddr, 2);
    assert.equal(counters.EchoAddTx, 1);
  });

  test(`at most ${ECHOES_MAX} wait: more announcements than that before a pure ACK goes are counted EchoAddTxDrop`, () => {
    const { s, counters } = signals();
    const n = ECHOES_MAX + 5;
    for (let id = 1; id <= n; id++) s.receiveAddAddr(announcement(id));
    assert.equal(counters.AddAddr, n);
    assert.equal(counters.EchoAddTxDrop, 5);
    // The first ECHOES_MAX are echoed, in order; the peer retransmits the others (§3.4.1).
    const echoed: number[] = [];
    for (let sig = s.next(0); sig !== undefined; sig = s.next(0)) {
      assert.equal(sig.subtype, "ADD_ADDR");
      echoed.push((sig as AddAddr).addrId);
      s.sent(sig, 0);
    }
    assert.deepEqual(echoed, Array.from({ length: ECHOES_MAX }, (_, i) => i + 1));
    // A retransmission of a dropped one is echoed now that there is room.
    s.receiveAddAddr(announcement(n));
    assert.equal((s.next(0) as AddAddr).addrId, n);
    // All are known as the peer's addresses, echoed or not.
    assert.equal(s.peer.size, n);
  });

  test("a wrong HMAC is neither echoed nor remembered [AddAddrDrop]", () => {
    const { s, counters } = signals();
    const bad = announcement(3);
    bad.hmac = new Uint8Array(8);
    assert.deepEqual(s.receiveAddAddr(bad), { kind: "drop", reason: "bad-hmac" });
    assert.equal(s.pending(0), false);
    assert.equal(s.peer.size, 0);
    assert.equal(counters.AddAddrDrop, 1);
  });
});

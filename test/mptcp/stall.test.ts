/** Stall detection (RFC 8684 §3.3.6, src/mptcp/stall.ts). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { StallWatch } from "../../src/mptcp/stall.js";

describe("StallWatch", () => {
  test("a retransmission timeout marks the subflow stale once; an acknowledgment of new data recovers it", () => {
    const w = new StallWatch();
    const tcp = { retransmitTimeouts: 0, sendQueued: 5000 };
    assert.equal(w.update(tcp, 10_000), undefined);
    tcp.retransmitTimeouts = 1;
    assert.equal(w.update(tcp, 10_000), "stalled");
    assert.ok(w.stale);
    // Backing off further, still nothing acknowledged: no second "stalled".
    tcp.retransmitTimeouts = 3;
    assert.equal(w.update(tcp, 10_000), undefined);
    // Writing more is not progress; an ACK is.
    assert.equal(w.update({ ...tcp, sendQueued: 7000 }, 12_000), undefined);
    assert.ok(w.stale);
    assert.equal(w.update({ ...tcp, sendQueued: 6000 }, 12_000), "recovered");
    assert.ok(!w.stale);
    // A later timeout is a new stall.
    assert.equal(w.update({ retransmitTimeouts: 4, sendQueued: 6000 }, 12_000), "stalled");
  });

  test("a timeout with nothing outstanding (a join's SYN retransmitted) does not make the subflow stale", () => {
    const w = new StallWatch();
    assert.equal(w.update({ retransmitTimeouts: 1, sendQueued: 0 }, 0), undefined);
    assert.ok(!w.stale);
    // Data written afterwards is fed normally; a later timeout with data outstanding is a stall.
    assert.equal(w.update({ retransmitTimeouts: 1, sendQueued: 3000 }, 3000), undefined);
    assert.equal(w.update({ retransmitTimeouts: 2, sendQueued: 3000 }, 3000), "stalled");
  });
});

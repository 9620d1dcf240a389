import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { F, IRS, ISS, LOCAL, REMOTE, SYN_OPTS, TcpConnection, bytes, drain, established, events, expectSent, ours, peer, plainConfig, synSent } from "./util.js";
import { Pair, runUntil } from "./pair.js";

/** A connection in CLOSE-WAIT (the peer's FIN acknowledged), events drained. */
function closeWait(): TcpConnection {
  const c = established();
  c.handleSegment(peer({ flags: F.ACK | F.FIN, ack: ISS + 1 }), 0);
  drain(c, 0);
  events(c);
  return c;
}

/** A connection in TIME-WAIT after an active close. */
function timeWait(): TcpConnection {
  const c = established();
  c.shutdown();
  drain(c, 0);
  c.handleSegment(peer({ ack: ISS + 2, flags: F.ACK | F.FIN }), 0);
  drain(c, 0);
  events(c);
  return c;
}

describe("state transitions not covered elsewhere", () => {
  test("the SYN-ACK may carry data, delivered at once", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK, options: SYN_OPTS, payload: bytes(7) }), 0);
    assert.equal(c.state, "ESTABLISHED");
    assert.deepEqual(c.recv(), bytes(7));
    expectSent(c, 0, ours({ ack: IRS + 8, window: 64000 - 7 }));
  });

  test("a SYN-ACK with FIN goes straight to CLOSE-WAIT", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1, flags: F.SYN | F.ACK | F.FIN, options: SYN_OPTS }), 0);
    assert.equal(c.state, "CLOSE-WAIT");
    assert.deepEqual(events(c), [{ type: "connected" }, { type: "peer-closed" }]);
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999 }));
  });

  test("the third ACK may carry the FIN: SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    assert.equal(c.state, "CLOSE-WAIT");
    assert.deepEqual(events(c), [{ type: "connected" }, { type: "peer-closed" }]);
  });

  test("text after the peer's FIN is ignored in CLOSE-WAIT (RFC 9293 §3.10.7.4 seventh)", () => {
    const c = closeWait();
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 1, payload: bytes(5) }), 0);
    assert.equal(c.recvAvailable, 0);
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999 }));
  });

  test("a bare ACK in CLOSE-WAIT changes nothing", () => {
    const c = closeWait();
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 1 }), 0);
    assert.equal(c.state, "CLOSE-WAIT");
    expectSent(c, 0);
  });

  test("LAST-ACK stays until the ACK covers the FIN", () => {
    const c = closeWait();
    c.send(bytes(10));
    c.shutdown();
    assert.equal(c.state, "LAST-ACK");
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999, flags: F.ACK | F.PSH | F.FIN, payload: bytes(10) }));
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 11 }), 0);
    assert.equal(c.state, "LAST-ACK");
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 12 }), 0);
    assert.equal(c.state, "CLOSED");
  });

  test("nothing can be sent after shutdown, and shutdown twice is harmless", () => {
    const c = closeWait();
    c.shutdown();
    c.shutdown();
    assert.equal(c.state, "LAST-ACK");
    assert.equal(c.send(bytes(1)), 0);
    assert.equal(c.sendCapacity, 0);
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999, flags: F.ACK | F.FIN }));
  });

  test("TIME-WAIT ignores a bare ACK and closes on RST", () => {
    const c = timeWait();
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 2 }), 1000);
    assert.equal(c.state, "TIME-WAIT");
    expectSent(c, 1000);
    c.handleSegment(peer({ seq: IRS + 2, flags: F.RST }), 2000);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "closed" }]);
  });

  test("TIME-WAIT answers a SYN with a challenge ACK (RFC 5961 §4)", () => {
    const c = timeWait();
    c.handleSegment(peer({ seq: IRS + 100, flags: F.SYN }), 1000);
    assert.equal(c.state, "TIME-WAIT");
    expectSent(c, 1000, ours({ seq: ISS + 2, ack: IRS + 2, window: 63999 }));
  });

  test("FIN-WAIT-2 runs no timers: it waits for the peer", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 2 }), 0);
    assert.equal(c.state, "FIN-WAIT-2");
    assert.equal(c.pollTimeout(), undefined);
  });

  test("CLOSING retransmits its FIN until acknowledged", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    drain(c, 0);
    assert.equal(c.state, "CLOSING");
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ ack: IRS + 2, window: 63999, flags: F.ACK | F.FIN }));
  });

  test("an ACK in SYN-SENT without SYN is dropped after the ACK check", () => {
    const c = synSent();
    c.handleSegment(peer({ seq: IRS, ack: ISS + 1 }), 0);
    assert.equal(c.state, "SYN-SENT");
    expectSent(c, 0);
  });

  test("abort in SYN-SENT and in TIME-WAIT sends nothing", () => {
    const a = synSent();
    a.abort();
    expectSent(a, 0);
    assert.equal(a.state, "CLOSED");
    const b = timeWait();
    b.abort();
    expectSent(b, 0);
    assert.equal(b.state, "CLOSED");
  });

  test("send in CLOSED takes nothing", () => {
    const c = established();
    c.abort();
    assert.equal(c.send(bytes(1)), 0);
  });

  test("abort in SYN-RECEIVED sends a RST", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.abort();
    expectSent(c, 0, ours({ seq: ISS + 1, ack: 0, flags: F.RST, window: 0 }));
  });

  test("a simultaneous open that then half-closes", () => {
    const a = TcpConnection.connect(plainConfig(), LOCAL, REMOTE, ISS, 0);
    drain(a, 0);
    a.handleSegment(peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), 0);
    assert.equal(a.state, "SYN-RECEIVED");
    a.shutdown();
    expectSent(a, 0, ours({ seq: ISS, flags: F.SYN | F.ACK, options: SYN_OPTS }));
    a.handleSegment(peer({ ack: ISS + 1 }), 0);
    assert.equal(a.state, "FIN-WAIT-1");
    expectSent(a, 0, ours({ flags: F.ACK | F.FIN }));
  });
});

describe("closing over a pair", () => {
  test("simultaneous close: both FINs cross, both ends pass CLOSING and TIME-WAIT", () => {
    const p = new Pair(plainConfig(), plainConfig(), { delay: 1000 }, { delay: 1000 });
    runUntil(p, () => p.client.state === "ESTABLISHED" && p.server.state === "ESTABLISHED");
    p.client.shutdown();
    p.server.shutdown();
    const seen = new Set<string>();
    while (p.step()) {
      seen.add(`c:${p.client.state}`);
      seen.add(`s:${p.server.state}`);
    }
    assert.ok(seen.has("c:CLOSING") && seen.has("s:CLOSING"), [...seen].join(" "));
    assert.ok(seen.has("c:TIME-WAIT") && seen.has("s:TIME-WAIT"));
    assert.equal(p.client.state, "CLOSED");
    assert.equal(p.server.state, "CLOSED");
    assert.ok(p.now >= 60_000_000);
  });

  test("the active closer waits in TIME-WAIT, the passive one closes at once", () => {
    const p = new Pair(plainConfig(), plainConfig(), { delay: 1000 }, { delay: 1000 });
    runUntil(p, () => p.server.state === "ESTABLISHED");
    p.client.shutdown();
    runUntil(p, () => p.server.state === "CLOSE-WAIT");
    p.server.close();
    runUntil(p, () => p.server.state === "CLOSED");
    assert.equal(p.client.state, "TIME-WAIT");
    const closedAt = p.now;
    while (p.step());
    assert.equal(p.client.state, "CLOSED");
    assert.ok(p.now - closedAt >= 59_000_000);
  });
});

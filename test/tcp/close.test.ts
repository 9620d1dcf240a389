import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { F, IRS, ISS, SYN_OPTS, TcpConnection, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";

const TIME_WAIT = 60_000_000;

describe("active close (RFC 9293 §3.6)", () => {
  test("ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED", () => {
    const c = established();
    c.shutdown();
    assert.equal(c.state, "FIN-WAIT-1");
    expectSent(c, 0, ours({ flags: F.ACK | F.FIN }));
    c.handleSegment(peer({ ack: ISS + 2 }), 1000);
    assert.equal(c.state, "FIN-WAIT-2");
    assert.equal(c.pollTimeout(), undefined);
    c.handleSegment(peer({ ack: ISS + 2, flags: F.ACK | F.FIN }), 2000);
    assert.equal(c.state, "TIME-WAIT");
    assert.deepEqual(events(c), [{ type: "peer-closed" }]);
    expectSent(c, 2000, ours({ seq: ISS + 2, ack: IRS + 2, window: 63999 }));
    assert.equal(c.pollTimeout(), 2000 + TIME_WAIT);
    c.handleTimeout(2000 + TIME_WAIT - 1);
    assert.equal(c.state, "TIME-WAIT");
    c.handleTimeout(2000 + TIME_WAIT);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "closed" }]);
    assert.equal(c.pollTimeout(), undefined);
  });

  test("a FIN that also acknowledges our FIN goes from FIN-WAIT-1 straight to TIME-WAIT", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 2, flags: F.ACK | F.FIN }), 0);
    assert.equal(c.state, "TIME-WAIT");
    expectSent(c, 0, ours({ seq: ISS + 2, ack: IRS + 2, window: 63999 }));
  });

  test("simultaneous close: FIN-WAIT-1 -> CLOSING -> TIME-WAIT", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    assert.equal(c.state, "CLOSING");
    expectSent(c, 0, ours({ seq: ISS + 2, ack: IRS + 2, window: 63999 }));
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 2 }), 0);
    assert.equal(c.state, "TIME-WAIT");
  });

  test("a retransmitted FIN in TIME-WAIT is acknowledged and restarts 2*MSL", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 2, flags: F.ACK | F.FIN }), 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 2, flags: F.ACK | F.FIN }), 5_000_000);
    expectSent(c, 5_000_000, ours({ seq: ISS + 2, ack: IRS + 2, window: 63999 }));
    assert.equal(c.pollTimeout(), 5_000_000 + TIME_WAIT);
  });

  test("the FIN rides on the last data segment", () => {
    const c = established();
    c.send(bytes(100));
    c.shutdown();
    expectSent(c, 0, ours({ flags: F.ACK | F.PSH | F.FIN, payload: bytes(100) }));
    assert.equal(c.send(bytes(1)), 0);
  });

  test("an unacknowledged FIN is retransmitted on timeout", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    assert.equal(c.pollTimeout(), 200_000);
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ flags: F.ACK | F.FIN }));
  });

  test("data still arrives in FIN-WAIT-1 and FIN-WAIT-2 (half-close)", () => {
    const c = established();
    c.shutdown();
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, payload: bytes(10) }), 0);
    c.handleSegment(peer({ seq: IRS + 11, ack: ISS + 2, payload: bytes(10) }), 0);
    assert.equal(c.state, "FIN-WAIT-2");
    assert.equal(c.recvAvailable, 20);
  });
});

describe("passive close", () => {
  test("ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    assert.equal(c.state, "CLOSE-WAIT");
    assert.deepEqual(events(c), [{ type: "peer-closed" }]);
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999 }));
    // Still allowed to send in CLOSE-WAIT.
    c.send(bytes(5));
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999, flags: F.ACK | F.PSH, payload: bytes(5) }));
    c.close();
    assert.equal(c.state, "LAST-ACK");
    expectSent(c, 0, ours({ seq: ISS + 6, ack: IRS + 2, window: 63999, flags: F.ACK | F.FIN }));
    c.handleSegment(peer({ seq: IRS + 2, ack: ISS + 7 }), 0);
    assert.equal(c.state, "CLOSED");
    assert.deepEqual(events(c), [{ type: "closed" }]);
  });

  test("the FIN is processed only once the data before it arrived", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS + 11, flags: F.ACK | F.FIN, payload: bytes(10, 1) }), 0);
    assert.equal(c.state, "ESTABLISHED");
    expectSent(c, 0, ours({}));
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    assert.equal(c.state, "CLOSE-WAIT");
    assert.equal(c.recvAvailable, 20);
    expectSent(c, 0, ours({ ack: IRS + 22, window: 63979 }));
    assert.deepEqual(events(c), [{ type: "readable" }, { type: "peer-closed" }]);
  });

  test("a retransmitted FIN in CLOSE-WAIT is acknowledged again", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999 }));
    assert.equal(c.state, "CLOSE-WAIT");
  });

  test("a lost FIN in LAST-ACK is retransmitted", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, flags: F.ACK | F.FIN }), 0);
    c.shutdown();
    expectSent(c, 0, ours({ ack: IRS + 2, window: 63999, flags: F.ACK | F.FIN }));
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ ack: IRS + 2, window: 63999, flags: F.ACK | F.FIN }));
  });
});

describe("close, abort and unread data", () => {
  test("abort sends RST <SEQ=SND.NXT> and closes", () => {
    const c = established();
    c.send(bytes(10));
    drain(c, 0);
    c.abort();
    assert.equal(c.state, "CLOSED");
    expectSent(c, 0, ours({ seq: ISS + 11, ack: 0, flags: F.RST, window: 0 }));
    assert.deepEqual(events(c), [{ type: "closed" }]);
    assert.equal(c.pollTimeout(), undefined);
  });

  test("close with unread data resets (RFC 2525 §2.17)", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    c.close();
    assert.equal(c.state, "CLOSED");
    expectSent(c, 0, ours({ seq: ISS + 1, ack: 0, flags: F.RST, window: 0 }));
  });

  test("data arriving after close resets", () => {
    const c = established();
    c.close();
    expectSent(c, 0, ours({ flags: F.ACK | F.FIN }));
    c.handleSegment(peer({ ack: ISS + 2, payload: bytes(10) }), 0);
    assert.equal(c.state, "CLOSED");
    expectSent(c, 0, ours({ seq: ISS + 2, ack: 0, flags: F.RST, window: 0 }));
  });

  test("close(discardLateData): data arriving later is acknowledged and dropped, and the close goes on", () => {
    // An MPTCP subflow once the connection delivered everything (RFC 8684 §3.3.3): what still
    // comes on it is a copy of delivered data.
    const c = established();
    c.close(true);
    expectSent(c, 0, ours({ flags: F.ACK | F.FIN }));
    c.handleSegment(peer({ ack: ISS + 2, payload: bytes(10) }), 0);
    assert.equal(c.state, "FIN-WAIT-2");
    assert.equal(c.recvAvailable, 0);
    // Acknowledged as any data is (a delayed ACK: one segment), with the window unread data
    // would not have taken.
    const at = c.pollTimeout()!;
    c.handleTimeout(at);
    expectSent(c, at, ours({ seq: ISS + 2, ack: IRS + 11, window: 63990 }));
    c.handleSegment(peer({ seq: IRS + 11, ack: ISS + 2, flags: F.ACK | F.FIN }), 1000);
    assert.equal(c.state, "TIME-WAIT");
    assert.deepEqual(events(c), [{ type: "peer-closed" }]);
  });

  test("close(discardLateData) with unread data: the data is dropped and the FIN goes, no RST", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    drain(c, 0);
    c.close(true);
    assert.equal(c.state, "FIN-WAIT-1");
    assert.equal(c.recvAvailable, 0);
    // The right edge stays where it was (RFC 9293 §3.8.6.2.2, receiver SWS avoidance).
    expectSent(c, 0, ours({ ack: IRS + 11, flags: F.ACK | F.FIN, window: 63990 }));
  });

  test("shutdown in SYN-RECEIVED waits for ESTABLISHED, then sends the FIN", () => {
    const c = TcpConnection.accept(plainConfig(), peer({ seq: IRS, flags: F.SYN, options: SYN_OPTS }), ISS, 0);
    drain(c, 0);
    c.shutdown();
    assert.equal(c.state, "SYN-RECEIVED");
    expectSent(c, 0);
    c.handleSegment(peer({ ack: ISS + 1 }), 0);
    assert.equal(c.state, "FIN-WAIT-1");
    assert.deepEqual(events(c), [{ type: "connected" }]);
    expectSent(c, 0, ours({ flags: F.ACK | F.FIN }));
  });

  test("a closed connection ignores everything", () => {
    const c = established();
    c.abort();
    drain(c, 0);
    c.handleSegment(peer({ payload: bytes(5) }), 0);
    c.handleTimeout(10_000_000);
    expectSent(c, 10_000_000);
    assert.equal(c.recvAvailable, 0);
  });
});

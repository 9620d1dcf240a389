import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { F, IRS, ISS, bytes, drain, established, events, expectSent, ours, peer, plainConfig } from "./util.js";

describe("sending data", () => {
  test("a write goes out as one segment with PSH, and its ACK clears the retransmission timer", () => {
    const c = established();
    assert.equal(c.send(bytes(100)), 100);
    expectSent(c, 0, ours({ flags: F.ACK | F.PSH, payload: bytes(100) }));
    assert.equal(c.pollTimeout(), 200_000);
    c.handleSegment(peer({ ack: ISS + 101 }), 10_000);
    assert.equal(c.pollTimeout(), undefined);
    assert.equal(c.sendQueued, 0);
    expectSent(c, 10_000);
  });

  test("a large write is cut into MSS-sized segments, up to the initial window (RFC 6928)", () => {
    const c = established();
    const data = bytes(20 * 1460);
    assert.equal(c.send(data), data.length);
    const segs = drain(c, 0);
    assert.equal(segs.length, 10);
    segs.forEach((s, i) => {
      assert.equal(s.seq, ISS + 1 + i * 1460);
      assert.equal(s.payload.length, 1460);
      assert.equal(s.flags, F.ACK);
      assert.deepEqual(s.payload, data.subarray(i * 1460, (i + 1) * 1460));
    });
  });

  test("each ACK in slow start opens the window by the bytes acknowledged", () => {
    const c = established();
    c.send(bytes(30 * 1460));
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1 + 2 * 1460 }), 1000);
    const segs = drain(c, 1000);
    // Two segments acknowledged free two slots and grow cwnd by two: four new segments.
    assert.deepEqual(segs.map((s) => s.seq), [10, 11, 12, 13].map((i) => ISS + 1 + i * 1460));
    assert.equal(c.stats().cwnd, 12 * 1460);
  });

  test("the peer's window limits what is sent", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, window: 3000 }), 0);
    c.send(bytes(5000));
    const segs = drain(c, 0);
    assert.deepEqual(segs.map((s) => [s.seq, s.payload.length]), [[ISS + 1, 1460], [ISS + 1461, 1460]]);
  });

  test("Nagle holds a small segment while data is unacknowledged (RFC 9293 §3.7.4)", () => {
    const c = established();
    c.send(bytes(10));
    expectSent(c, 0, ours({ flags: F.ACK | F.PSH, payload: bytes(10) }));
    c.send(bytes(10, 1));
    expectSent(c, 0);
    c.handleSegment(peer({ ack: ISS + 11 }), 5000);
    expectSent(c, 5000, ours({ seq: ISS + 11, flags: F.ACK | F.PSH, payload: bytes(10, 1) }));
  });

  test("with Nagle off small segments go out at once", () => {
    const c = established(plainConfig({ nagle: false }));
    c.send(bytes(10));
    assert.deepEqual(drain(c, 0).map((s) => [s.seq, s.payload.length]), [[ISS + 1, 10]]);
    c.send(bytes(5, 2));
    assert.deepEqual(drain(c, 0).map((s) => [s.seq, s.payload.length]), [[ISS + 11, 5]]);
  });

  test("Nagle lets a full-sized segment through", () => {
    const c = established();
    c.send(bytes(10));
    drain(c, 0);
    c.send(bytes(1460 + 5));
    assert.deepEqual(drain(c, 0).map((s) => [s.seq, s.payload.length]), [[ISS + 11, 1460]]);
  });

  test("send takes what fits in the buffer and says writable when space frees", () => {
    const c = established(plainConfig({ sendBufferSize: 2000 }));
    assert.equal(c.send(bytes(3000)), 2000);
    assert.equal(c.sendCapacity, 0);
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1461 }), 0);
    assert.deepEqual(events(c), [{ type: "writable" }]);
    assert.equal(c.sendCapacity, 1460);
  });

  test("sender SWS avoidance holds a runt the window forces, until the persist timer", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, window: 1000 }), 0);
    c.send(bytes(5000));
    expectSent(c, 0);
    assert.equal(c.pollTimeout(), 200_000);
    c.handleTimeout(200_000);
    const segs = drain(c, 200_000);
    assert.deepEqual(segs.map((s) => [s.seq, s.payload.length]), [[ISS + 1, 1000]]);
  });
});

describe("zero window (RFC 9293 §3.8.6.1)", () => {
  test("probes a zero window with backoff and resumes when it opens", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, window: 0 }), 0);
    c.send(bytes(100));
    expectSent(c, 0);
    assert.equal(c.pollTimeout(), 200_000);
    c.handleTimeout(200_000);
    // Like Linux: an old sequence number and no data, which the peer must answer.
    expectSent(c, 200_000, ours({ seq: ISS }));
    assert.equal(c.pollTimeout(), 600_000);
    c.handleTimeout(600_000);
    expectSent(c, 600_000, ours({ seq: ISS }));
    assert.equal(c.pollTimeout(), 1_400_000);
    c.handleSegment(peer({ ack: ISS + 1, window: 500 }), 700_000);
    expectSent(c, 700_000, ours({ flags: F.ACK | F.PSH, payload: bytes(100) }));
    assert.equal(c.pollTimeout(), 900_000);
  });

  test("the receiver advertises a shrinking window and then zero", () => {
    const c = established(plainConfig({ recvBufferSize: 3000 }));
    // accept() advertised the whole 3000-byte buffer.
    c.handleSegment(peer({ payload: bytes(1460) }), 0);
    c.handleSegment(peer({ seq: IRS + 1461, payload: bytes(1460) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 2921, window: 80 }));
    c.handleSegment(peer({ seq: IRS + 2921, payload: bytes(80) }), 0);
    c.handleSegment(peer({ seq: IRS + 3001, payload: bytes(10) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 3001, window: 0 }));
    assert.equal(c.recvAvailable, 3000);
  });

  test("a zero-window receiver answers a probe with an ACK and, after a read, a window update", () => {
    const c = established(plainConfig({ recvBufferSize: 3000 }));
    c.handleSegment(peer({ payload: bytes(3000) }), 0);
    drain(c, 0);
    c.handleSegment(peer({ seq: IRS + 3000 }), 100_000);
    expectSent(c, 100_000, ours({ ack: IRS + 3001, window: 0 }));
    c.recv(2000);
    expectSent(c, 100_000, ours({ ack: IRS + 3001, window: 2000 }));
  });
});

describe("receiving data", () => {
  test("one segment is acknowledged after the delayed-ACK timeout (RFC 5681 §4.2)", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    assert.deepEqual(events(c), [{ type: "readable" }]);
    expectSent(c, 0);
    assert.equal(c.pollTimeout(), 40_000);
    c.handleTimeout(40_000);
    expectSent(c, 40_000, ours({ ack: IRS + 101, window: 64000 - 100 }));
    assert.deepEqual(c.recv(), bytes(100));
  });

  test("every second full-sized segment is acknowledged at once", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(1460) }), 0);
    expectSent(c, 0);
    c.handleSegment(peer({ seq: IRS + 1461, payload: bytes(1460) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 2921, window: 64000 - 2920 }));
    assert.equal(c.pollTimeout(), undefined);
  });

  test("segments shortened by larger options still count as full-sized (a DSS takes up to 28 bytes)", () => {
    // Two segments whose payload is 1432 bytes (1460 less 28 bytes of options): the second is
    // acknowledged at once, as two 1460-byte segments would be.
    const c2 = established();
    c2.handleSegment(peer({ payload: bytes(1460) }), 0);
    c2.handleSegment(peer({ seq: IRS + 1461, payload: bytes(1460) }), 0);
    expectSent(c2, 0, ours({ ack: IRS + 2921, window: 64000 - 2920 }));
    c2.handleSegment(peer({ seq: IRS + 2921, payload: bytes(1432) }), 0);
    expectSent(c2, 0);
    c2.handleSegment(peer({ seq: IRS + 4353, payload: bytes(1432) }), 0);
    expectSent(c2, 0, ours({ ack: IRS + 5785, window: 64000 - 5784 }));
    // A segment more than the option space (40 bytes) short is not full-sized: the timer acks it.
    c2.handleSegment(peer({ seq: IRS + 5785, payload: bytes(1400) }), 0);
    c2.handleSegment(peer({ seq: IRS + 7185, payload: bytes(1400) }), 0);
    expectSent(c2, 0);
    assert.equal(c2.pollTimeout(), 40_000);
  });

  test("a segment with data piggybacks the ACK", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    c.send(bytes(5));
    expectSent(c, 0, ours({ ack: IRS + 101, window: 64000 - 100, flags: F.ACK | F.PSH, payload: bytes(5) }));
    assert.equal(c.pollTimeout(), 200_000);
  });

  test("ackEvery 1 disables delayed ACKs", () => {
    const c = established(plainConfig({ ackEvery: 1 }));
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 101, window: 64000 - 100 }));
  });

  test("out-of-order data is acknowledged at once and delivered when the gap fills", () => {
    const c = established();
    c.handleSegment(peer({ seq: IRS + 101, payload: bytes(100, 1) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 1 }));
    assert.equal(c.recvAvailable, 0);
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ ack: IRS + 201, window: 64000 - 200 }));
    const got = c.recv()!;
    const want = new Uint8Array(200);
    want.set(bytes(100), 0);
    want.set(bytes(100, 1), 100);
    assert.deepEqual(got.length === 100 ? new Uint8Array([...got, ...c.recv()!]) : got, want);
  });

  test("overlapping retransmissions deliver each byte once", () => {
    const c = established();
    const data = bytes(300);
    c.handleSegment(peer({ payload: data.subarray(0, 200) }), 0);
    c.handleSegment(peer({ seq: IRS + 101, payload: data.subarray(100, 300) }), 0);
    let got = new Uint8Array(0);
    for (let b = c.recv(); b !== undefined; b = c.recv()) got = new Uint8Array([...got, ...b]);
    assert.deepEqual(got, data);
  });

  test("a duplicate segment is acknowledged at once", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    c.handleTimeout(40_000);
    drain(c, 40_000);
    c.handleSegment(peer({ payload: bytes(100) }), 50_000);
    expectSent(c, 50_000, ours({ ack: IRS + 101, window: 64000 - 100 }));
  });

  test("data beyond the window is trimmed to the window", () => {
    const c = established(plainConfig({ recvBufferSize: 1000 }));
    c.handleSegment(peer({ payload: bytes(1200) }), 0);
    assert.equal(c.recvAvailable, 1000);
    expectSent(c, 0, ours({ ack: IRS + 1001, window: 0 }));
  });

  test("recv(max) returns at most max bytes, in order", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    c.handleSegment(peer({ seq: IRS + 101, payload: bytes(50, 3) }), 0);
    assert.deepEqual(c.recv(30), bytes(100).subarray(0, 30));
    assert.deepEqual(c.recv(100), new Uint8Array([...bytes(100).subarray(30), ...bytes(50, 3).subarray(0, 30)]));
    assert.deepEqual(c.recv(), bytes(50, 3).subarray(30));
    assert.equal(c.recv(), undefined);
  });

  test("readable fires once per empty-to-non-empty transition", () => {
    const c = established();
    c.handleSegment(peer({ payload: bytes(10) }), 0);
    c.handleSegment(peer({ seq: IRS + 11, payload: bytes(10) }), 0);
    assert.deepEqual(events(c), [{ type: "readable" }]);
    c.recv();
    c.handleSegment(peer({ seq: IRS + 21, payload: bytes(10) }), 0);
    assert.deepEqual(events(c), [{ type: "readable" }]);
  });

  test("statistics count bytes and segments", () => {
    const c = established();
    c.send(bytes(100));
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 101, payload: bytes(30) }), 0);
    const s = c.stats();
    assert.equal(s.bytesSent, 100);
    assert.equal(s.bytesReceived, 30);
    assert.equal(s.state, "ESTABLISHED");
    // 100 bytes in flight never filled the window: application-limited, cwnd does not grow.
    assert.equal(s.cwnd, 14600);
  });
});

describe("timeouts against a closed window", () => {
  test("a FIN is retransmitted into a zero window", () => {
    const c = established();
    c.handleSegment(peer({ ack: ISS + 1, window: 0 }), 0);
    c.shutdown();
    expectSent(c, 0, ours({ flags: F.ACK | F.FIN }));
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ flags: F.ACK | F.FIN }));
  });

  test("after a timeout into a zero window, one octet of the head probes it", () => {
    const c = established();
    c.send(bytes(1000));
    drain(c, 0);
    c.handleSegment(peer({ ack: ISS + 1, window: 0 }), 10_000);
    c.handleTimeout(200_000);
    expectSent(c, 200_000, ours({ payload: bytes(1000).subarray(0, 1) }));
  });

  test("a peer that keeps answering with a zero window is never timed out", () => {
    const c = established(plainConfig({ maxRetries: 2 }));
    c.send(bytes(1000));
    drain(c, 0);
    let now = 0;
    for (let i = 0; i < 10; i++) {
      now = c.pollTimeout()!;
      c.handleTimeout(now);
      drain(c, now);
      c.handleSegment(peer({ ack: ISS + 1, window: 0 }), now + 1000);
      drain(c, now + 1000);
    }
    assert.equal(c.state, "ESTABLISHED");
    c.handleSegment(peer({ ack: ISS + 1, window: 5000 }), now + 2000);
    assert.deepEqual(drain(c, now + 2000).map((s) => [s.seq, s.payload.length]), [[ISS + 1, 1000]]);
  });
});

describe("more window and Nagle details", () => {
  test("with window scaling, data far beyond 64 KiB is accepted once the scaled window was advertised", () => {
    const cfg = plainConfig({ windowScaling: true, sack: true, recvBufferSize: 1 << 20 });
    const syn = [{ kind: "mss" as const, mss: 1460 }, { kind: "sack-permitted" as const }, { kind: "wscale" as const, shift: 0 }];
    const c = established(cfg, {}, syn);
    // The SYN-ACK's window is unscaled (65535); an ACK advertises the full scaled window.
    c.handleSegment(peer({ seq: IRS + 1, payload: bytes(10) }), 0);
    c.handleTimeout(40_000);
    const [ack] = drain(c, 40_000);
    // RFC 7323 §2.3: SEG.WND = RCV.WND >> Rcv.Wind.Shift, the remainder dropped.
    assert.equal(ack!.window, Math.floor(((1 << 20) - 10) / 32));
    c.handleSegment(peer({ seq: IRS + 1 + 200_000, payload: bytes(100) }), 50_000);
    const [sackAck] = drain(c, 50_000);
    assert.deepEqual(sackAck!.options, [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[IRS + 1 + 200_000, IRS + 1 + 200_100]] }]);
  });

  test("an out-of-order segment reaching past the window keeps only its in-window part", () => {
    const cfg = plainConfig({ sack: true, recvBufferSize: 1000 });
    const c = established(cfg, {}, [{ kind: "mss", mss: 1460 }, { kind: "sack-permitted" }]);
    c.handleSegment(peer({ seq: IRS + 901, payload: bytes(300) }), 0);
    expectSent(c, 0, ours({ window: 1000, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[IRS + 901, IRS + 1001]] }] }));
  });

  test("Nagle does not hold the last small segment when it carries the FIN", () => {
    const c = established();
    c.send(bytes(10));
    drain(c, 0);
    c.send(bytes(10, 1));
    expectSent(c, 0);
    c.shutdown();
    expectSent(c, 0, ours({ seq: ISS + 11, flags: F.ACK | F.PSH | F.FIN, payload: bytes(10, 1) }));
  });

  test("the persist interval backs off up to the maximum RTO", () => {
    const c = established(plainConfig({ maxRto: 1_000_000 }));
    c.handleSegment(peer({ ack: ISS + 1, window: 0 }), 0);
    c.send(bytes(10));
    drain(c, 0);
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = c.pollTimeout()!;
      fired.push(t);
      c.handleTimeout(t);
      drain(c, t);
    }
    assert.deepEqual(fired, [200_000, 600_000, 1_400_000, 2_400_000, 3_400_000]);
  });
});

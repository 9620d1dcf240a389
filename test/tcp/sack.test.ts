import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpOption } from "../../src/wire/tcp-types.js";
import { IRS, bytes, drain, established, expectSent, ours, peer, plainConfig } from "./util.js";

const SYN_SACK: TcpOption[] = [{ kind: "mss", mss: 1460 }, { kind: "sack-permitted" }];
const sack = (...blocks: Array<[number, number]>): TcpOption[] => [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks }];
/** Wire sequence number of receive offset `n` (0 = the first data byte). */
const r = (n: number) => IRS + 1 + n;
const receiver = () => established(plainConfig({ sack: true }), {}, SYN_SACK);

describe("SACK blocks sent by the receiver (RFC 2018 §4)", () => {
  test("an out-of-order segment is reported in one block", () => {
    const c = receiver();
    c.handleSegment(peer({ seq: r(100), payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ options: sack([r(100), r(200)]) }));
  });

  test("the block holding the newest segment comes first", () => {
    const c = receiver();
    c.handleSegment(peer({ seq: r(100), payload: bytes(100) }), 0);
    drain(c, 0);
    c.handleSegment(peer({ seq: r(300), payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ options: sack([r(300), r(400)], [r(100), r(200)]) }));
    c.handleSegment(peer({ seq: r(200), payload: bytes(50) }), 0);
    expectSent(c, 0, ours({ options: sack([r(100), r(250)], [r(300), r(400)]) }));
    c.handleSegment(peer({ seq: r(250), payload: bytes(50) }), 0);
    expectSent(c, 0, ours({ options: sack([r(100), r(400)]) }));
  });

  test("filling the first gap acknowledges cumulatively and drops the block", () => {
    const c = receiver();
    c.handleSegment(peer({ seq: r(100), payload: bytes(100) }), 0);
    c.handleSegment(peer({ seq: r(300), payload: bytes(100) }), 0);
    drain(c, 0);
    c.handleSegment(peer({ seq: r(0), payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ ack: r(200), window: 64000 - 200, options: sack([r(300), r(400)]) }));
  });

  test("at most four blocks without timestamps, three with", () => {
    const c = receiver();
    for (let i = 1; i <= 5; i++) c.handleSegment(peer({ seq: r(i * 200), payload: bytes(100) }), 0);
    const last = drain(c, 0).at(-1)!;
    assert.deepEqual(last.options, sack([r(1000), r(1100)], [r(800), r(900)], [r(600), r(700)], [r(400), r(500)]));
    const cfg = plainConfig({ sack: true, timestamps: true });
    const t = established(cfg, {}, [...SYN_SACK, { kind: "timestamps", tsVal: 1, tsEcr: 0 }]);
    const ts: TcpOption[] = [{ kind: "timestamps", tsVal: 2, tsEcr: 0 }];
    for (let i = 1; i <= 5; i++) t.handleSegment(peer({ seq: r(i * 200), payload: bytes(100), options: ts }), 0);
    const lastTs = drain(t, 0).at(-1)!;
    // Out-of-order segments do not update TS.Recent (RFC 7323 §4.3: SEG.SEQ > Last.ACK.sent).
    assert.deepEqual(lastTs.options, [
      { kind: "nop" },
      { kind: "nop" },
      { kind: "timestamps", tsVal: 0, tsEcr: 1 },
      ...sack([r(1000), r(1100)], [r(800), r(900)], [r(600), r(700)]),
    ]);
  });

  test("without SACK agreed, no blocks are sent", () => {
    const c = established();
    c.handleSegment(peer({ seq: r(100), payload: bytes(100) }), 0);
    expectSent(c, 0, ours({}));
  });
});

describe("D-SACK (RFC 2883)", () => {
  test("a duplicate of delivered data is reported below the cumulative ACK, once", () => {
    const c = receiver();
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    c.handleTimeout(40_000);
    drain(c, 40_000);
    c.handleSegment(peer({ payload: bytes(100) }), 50_000);
    expectSent(c, 50_000, ours({ ack: r(100), window: 64000 - 100, options: sack([r(0), r(100)]) }));
    c.handleSegment(peer({ seq: r(100), payload: bytes(10) }), 60_000);
    c.handleTimeout(100_000);
    expectSent(c, 100_000, ours({ ack: r(110), window: 64000 - 110 }));
  });

  test("a duplicate out-of-order segment is reported first, then the block holding it", () => {
    const c = receiver();
    c.handleSegment(peer({ seq: r(100), payload: bytes(200) }), 0);
    drain(c, 0);
    c.handleSegment(peer({ seq: r(100), payload: bytes(100) }), 0);
    expectSent(c, 0, ours({ options: sack([r(100), r(200)], [r(100), r(300)]) }));
  });

  test("a segment partly below RCV.NXT reports the old part", () => {
    const c = receiver();
    c.handleSegment(peer({ payload: bytes(100) }), 0);
    c.handleTimeout(40_000);
    drain(c, 40_000);
    c.handleSegment(peer({ payload: bytes(150) }), 50_000);
    c.handleTimeout(90_000);
    expectSent(c, 90_000, ours({ ack: r(150), window: 64000 - 150, options: sack([r(0), r(100)]) }));
  });
});

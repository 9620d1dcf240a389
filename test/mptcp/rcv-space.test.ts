/**
 * Receive-buffer autotuning (mptcp/rcv-space.ts): the buffer grows once per round trip to about
 * twice what the application read in it, never shrinks, never passes the maximum.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RcvSpace } from "../../src/mptcp/rcv-space.js";

const MSS = 1460;
const KB = 1024;

describe("RcvSpace", () => {
  test("starts at the initial size, within the maximum", () => {
    assert.equal(new RcvSpace({ initial: 128 * KB, max: 8 << 20, mss: MSS }).buffer, 128 * KB);
    assert.equal(new RcvSpace({ initial: 128 * KB, max: 64 * KB, mss: MSS }).buffer, 64 * KB);
  });

  test("the first round sets 2 * copied + 16 * mss; the next adds twice the growth seen", () => {
    const r = new RcvSpace({ initial: 64 * KB, max: 8 << 20, mss: MSS });
    assert.equal(r.onRead(50_000, 0, 40_000), false);
    assert.equal(r.onRead(50_000, 40_000, 40_000), true);
    assert.equal(r.buffer, 2 * 100_000 + 16 * MSS);
    // 150 KB in the next round: 1.5 times the last; rcvwin = 323360, plus 2 * rcvwin * 0.5.
    r.onRead(150_000, 80_000, 40_000);
    assert.equal(r.buffer, Math.floor((2 * 150_000 + 16 * MSS) * 2));
  });

  test("nothing happens within a round, nor without an RTT", () => {
    const r = new RcvSpace({ initial: 64 * KB, max: 8 << 20, mss: MSS });
    r.onRead(500_000, 0, undefined);
    assert.equal(r.onRead(500_000, 30_000, undefined), false);
    assert.equal(r.onRead(500_000, 30_000, 40_000), false);
    assert.equal(r.buffer, 64 * KB);
  });

  test("a round that read no more than the last leaves it as it is", () => {
    const r = new RcvSpace({ initial: 64 * KB, max: 8 << 20, mss: MSS });
    r.onRead(100_000, 0, 40_000);
    r.onRead(1, 40_000, 40_000);
    const b = r.buffer;
    r.onRead(50_000, 80_000, 40_000);
    assert.equal(r.onRead(1, 120_000, 40_000), false);
    assert.equal(r.buffer, b);
  });

  test("never shrinks, never above the maximum", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 0, max: 100_000 })), { maxLength: 30 }), fc.integer({ min: 1, max: 500_000 }), (reads, rtt) => {
        const r = new RcvSpace({ initial: 128 * KB, max: 4 << 20, mss: MSS });
        let now = 0;
        let last = r.buffer;
        for (const [bytes, dt] of reads) {
          now += dt;
          r.onRead(bytes, now, rtt);
          assert.ok(r.buffer >= last && r.buffer <= 4 << 20);
          last = r.buffer;
        }
      }),
    );
  });
});

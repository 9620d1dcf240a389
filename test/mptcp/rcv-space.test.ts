/**
 * Receive-buffer autotuning (mptcp/rcv-space.ts): the buffer grows once per round trip to twice
 * what the application read in it plus twice the growth seen (Linux `mptcp_rcvbuf_grow`), never
 * shrinks, never passes the maximum; the window's right edge never moves back; the round is the
 * largest recent receiver-side RTT sample of the subflows that carry data.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DATA_RTT_SAMPLES, DataRttSamples, RcvSpace } from "../../src/mptcp/rcv-space.js";
import { RcvRttEstimator } from "../../src/tcp/rcv-rtt.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

const MSS = 1460;
const KB = 1024;
const MS = 1000;
/** Linux's first `space`: ten segments. */
const SPACE0 = 10 * MSS;

/** Reads `copied` bytes over one round of `rtt` starting at `t` (half at the start, half at the end). */
function round(r: RcvSpace, t: number, copied: number, rtt: number): boolean {
  r.onRead(copied / 2, t, rtt);
  return r.onRead(copied / 2, t + rtt, rtt);
}

describe("RcvSpace", () => {
  test("starts at the initial size, within the maximum", () => {
    assert.equal(new RcvSpace({ initial: 128 * KB, max: 8 << 20, mss: MSS }).buffer, 128 * KB);
    assert.equal(new RcvSpace({ initial: 128 * KB, max: 64 * KB, mss: MSS }).buffer, 64 * KB);
  });

  test("rounds of a sender in slow start: 2 * copied + 2 * (2 * copied) * (copied - space) / space", () => {
    // [bytes read in the round, buffer after it]
    const table: Array<[number, number]> = [
      [SPACE0, 64 * KB], // no more than the ten segments assumed: no growth (`space` stays)
      [2 * SPACE0, 2 * 2 * SPACE0 * 3], // doubled: 58400 + 2 * 58400 * 1
      [4 * SPACE0, 2 * 4 * SPACE0 * 3], // doubled again
      [3 * SPACE0, 2 * 4 * SPACE0 * 3], // less than the last round: as it was
      [5 * SPACE0, 2 * 4 * SPACE0 * 3], // a quarter more: 2 * 73000 * 1.5 = 219000, below the buffer
      [8 * SPACE0, 2 * 8 * SPACE0 + (2 * 2 * 8 * SPACE0 * 3) / 5], // 3/5 more than the last round (73000)
    ];
    const r = new RcvSpace({ initial: 64 * KB, max: 8 << 20, mss: MSS });
    let t = 0;
    for (const [copied, buffer] of table) {
      round(r, t, copied, 40 * MS);
      t += 50 * MS;
      assert.equal(r.buffer, buffer, `after a round of ${copied}`);
    }
  });

  test("a fast first round takes it to the maximum at once, as in Linux", () => {
    const r = new RcvSpace({ initial: 128 * KB, max: 4 << 20, mss: MSS });
    assert.equal(round(r, 0, 200_000, 40 * MS), true);
    assert.equal(r.buffer, 4 << 20);
  });

  test("nothing happens within a round, nor without an RTT", () => {
    const r = new RcvSpace({ initial: 64 * KB, max: 8 << 20, mss: MSS });
    r.onRead(500_000, 0, undefined);
    assert.equal(r.onRead(500_000, 30 * MS, undefined), false);
    assert.equal(r.onRead(500_000, 30 * MS, 40 * MS), false);
    assert.equal(r.buffer, 64 * KB);
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

  test("the window is the buffer less what it holds, and its right edge never moves back", () => {
    const r = new RcvSpace({ initial: 128 * KB, max: 4 << 20, mss: MSS });
    assert.equal(r.window(1, 0), 128 * KB);
    // 30 KB arrive out of order beyond a hole: inside the window offered, which stays.
    assert.equal(r.window(1, 30 * KB), 128 * KB);
    // The hole fills and the application has not read: the edge holds, the window shrinks from
    // the left only.
    assert.equal(r.window(1 + 40 * KB, 40 * KB), 88 * KB);
    // Read: the edge moves on.
    assert.equal(r.window(1 + 40 * KB, 0), 128 * KB);
    round(r, 0, 200_000, 40 * MS);
    assert.equal(r.window(1 + 40 * KB, 0), 4 << 20);
  });
});

describe("DataRttSamples: the round is the largest recent sample of the subflows carrying data", () => {
  /** An estimator whose data has run `windows` windows, its estimate `rtt`. */
  function estimator(rtt: number): { est: RcvRttEstimator; window: (rtt: number) => void } {
    const est = new RcvRttEstimator();
    let t = 0;
    let nxt = 0;
    const feed = (age: number) => {
      t += 1000 * MS;
      nxt += 1 << 20;
      est.onData({ now: t, rcvNxt: nxt, rcvRight: nxt + 1, fullSized: true, queueEmpty: true, tsEcr: t, echoAge: age });
    };
    feed(rtt);
    return { est, window: feed };
  }

  test("no sample, no round; one per window of each subflow", () => {
    const d = new DataRttSamples();
    assert.equal(d.rtt, undefined);
    d.offer(new RcvRttEstimator());
    assert.equal(d.rtt, undefined);
    const wifi = estimator(40 * MS);
    const cell = estimator(300 * MS);
    d.offer(wifi.est);
    d.offer(cell.est);
    assert.equal(d.rtt, 300 * MS);
  });

  test("a subflow that stops carrying data ages out after the others' next windows", () => {
    const d = new DataRttSamples();
    const wifi = estimator(40 * MS);
    const cell = estimator(300 * MS);
    d.offer(cell.est);
    d.offer(wifi.est);
    // The cellular subflow carries nothing more; offering it again adds no sample.
    for (let i = 0; i < DATA_RTT_SAMPLES - 2; i++) {
      d.offer(cell.est);
      wifi.window(40 * MS);
      d.offer(wifi.est);
    }
    assert.equal(d.rtt, 300 * MS, "still among the last five");
    wifi.window(40 * MS);
    d.offer(wifi.est);
    assert.equal(d.rtt, 40 * MS);
  });
});

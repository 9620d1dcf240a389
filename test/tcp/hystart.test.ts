/**
 * HyStart++ (RFC 9406): rounds by bytes acknowledged, the RTT-rise test with its clamped
 * threshold, Conservative Slow Start and its two ways out.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { HyStartPlusPlus, type HyStartVerdict } from "../../src/tcp/congestion/hystart.js";
import { cubic } from "../../src/tcp/congestion/cubic.js";

const MSS: number = 1000;

/** One round of `acks` ACKs of one segment each, every one with RTT `rtt`; the last verdict. */
function round(h: HyStartPlusPlus, cwnd: number, rtt: number, acks = cwnd / MSS): HyStartVerdict[] {
  const out: HyStartVerdict[] = [];
  for (let i = 0; i < acks; i++) out.push(h.onAck(MSS, rtt, cwnd));
  return out;
}

describe("HyStart++ (RFC 9406)", () => {
  test("a steady RTT keeps slow start", () => {
    const h = new HyStartPlusPlus();
    for (let r = 0; r < 6; r++) assert.ok(round(h, 20 * MSS, 40_000).every((v) => v === "slow-start"));
  });

  test("a rise of at least max(4 ms, min(lastRoundMin / 8, 16 ms)) after 8 samples enters CSS, and 5 CSS rounds leave slow start", () => {
    const h = new HyStartPlusPlus();
    round(h, 20 * MSS, 40_000);
    round(h, 20 * MSS, 40_000);
    // 40 ms / 8 = 5 ms: 44.9 ms is not enough...
    assert.ok(round(h, 20 * MSS, 44_900).every((v) => v === "slow-start"));
    // ...after that round the baseline is 44.9 ms and the threshold 44.9 / 8 = 5.6 ms: 51 ms is
    // 6.1 ms more, and at the 8th sample CSS begins.
    const v = round(h, 20 * MSS, 51_000);
    assert.deepEqual(v.slice(0, 7), Array(7).fill("slow-start"));
    assert.equal(v[7], "css");
    assert.ok(v.slice(7).every((x) => x === "css"));
    // That round was the first in CSS; three more, and the ACK that ends the fifth says exit.
    for (let r = 0; r < 3; r++) assert.ok(round(h, 20 * MSS, 51_000).every((x) => x === "css"));
    const last = round(h, 20 * MSS, 51_000);
    assert.ok(last.slice(0, -1).every((x) => x === "css"));
    assert.equal(last.at(-1), "exit");
  });

  test("the threshold is at least 4 ms on short paths and at most 16 ms on long ones", () => {
    const short = new HyStartPlusPlus();
    round(short, 10 * MSS, 2_000);
    round(short, 10 * MSS, 2_000);
    assert.ok(round(short, 10 * MSS, 5_900).every((v) => v === "slow-start"), "3.9 ms over 2 ms is below the 4 ms floor");
    const long = new HyStartPlusPlus();
    round(long, 10 * MSS, 400_000);
    round(long, 10 * MSS, 400_000);
    assert.equal(round(long, 10 * MSS, 416_000).at(-1), "css", "16 ms, not 50 ms (400 / 8)");
  });

  test("an RTT back below the CSS baseline returns to slow start", () => {
    const h = new HyStartPlusPlus();
    round(h, 20 * MSS, 40_000);
    round(h, 20 * MSS, 40_000);
    assert.equal(round(h, 20 * MSS, 50_000).at(-1), "css");
    assert.equal(round(h, 20 * MSS, 45_000).at(-1), "slow-start");
  });

  test("CUBIC uses it in the initial slow start: CSS grows a quarter as fast, and the exit sets ssthresh", () => {
    const c = cubic()({ mss: MSS, initialWindow: 10, now: 0 });
    const growth: number[] = [];
    const ack = (rtt: number): void => {
      const before = c.window();
      c.onAck(0, MSS, { srtt: rtt, latest: rtt, min: 40_000 }, c.window(), false);
      growth.push(c.window() - before);
    };
    // Three rounds' worth at 40 ms (10 + 20 + 40 segments), then the RTT rises by 20 ms.
    for (let i = 0; i < 70; i++) ack(40_000);
    assert.ok(growth.every((g) => g === MSS), "slow start: one MSS per MSS acknowledged");
    growth.length = 0;
    for (let i = 0; i < 2000 && c.ssthresh() === Infinity; i++) ack(60_000);
    assert.ok(growth.includes(MSS / 4), "Conservative Slow Start grows by a quarter");
    assert.equal(growth.indexOf(MSS / 4), growth.lastIndexOf(MSS) + 1, "once in CSS it stays there");
    assert.equal(c.ssthresh(), c.window(), "left slow start with ssthresh = cwnd");
    const off = cubic({ hystart: false })({ mss: MSS, initialWindow: 10, now: 0 });
    for (let i = 0; i < 500; i++) off.onAck(0, MSS, { srtt: 40_000 + i * 1000, latest: 40_000 + i * 1000, min: 40_000 }, off.window(), false);
    assert.equal(off.ssthresh(), Infinity, "without HyStart++ only a loss ends slow start");
  });
});

/** Linux's stale subflows (src/mptcp/stale-loss.ts, net/mptcp/pm.c `mptcp_pm_subflow_chk_stale`). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { StaleLoss, becomesStale, DEFAULT_STALE_LOSS_COUNT } from "../../src/mptcp/stale-loss.js";

describe("StaleLoss", () => {
  test("counts expiries with nothing heard since the first; anything heard restarts the count", () => {
    const s = new StaleLoss();
    assert.equal(s.interval(10), "first");
    assert.equal(s.count, 1);
    assert.equal(s.interval(10), "counted");
    assert.equal(s.interval(10), "counted");
    assert.equal(s.count, 3);
    // A duplicate ACK is something heard, as it moves Linux's rcv_tstamp.
    assert.equal(s.interval(11), "progress");
    assert.equal(s.count, 0);
    // Counting starts again from what is heard at the next expiry.
    assert.equal(s.interval(15), "first");
    assert.equal(s.interval(15), "counted");
    assert.equal(s.count, 2);
  });

  test("the count stops at 255 (Linux's u8)", () => {
    const s = new StaleLoss();
    for (let i = 0; i < 300; i++) s.interval(0);
    assert.equal(s.count, 255);
  });

  test("a stale subflow recovers when heard from since counting started, at an expiry or before the scheduler", () => {
    const s = new StaleLoss();
    s.interval(7);
    s.interval(7);
    s.stale = true;
    assert.equal(s.active(7), false);
    assert.equal(s.recover(7), false);
    assert.equal(s.stale, true);
    assert.equal(s.active(8), true);
    assert.equal(s.recover(8), true);
    assert.equal(s.stale, false);
    // Recovered before the scheduler: the next expiry restarts the count without a second recovery.
    assert.equal(s.interval(8), "progress");
    assert.equal(s.count, 0);

    const t = new StaleLoss();
    t.interval(3);
    t.stale = true;
    assert.equal(t.interval(4), "recovered");
    assert.equal(t.stale, false);
    assert.equal(t.count, 0);
    // Not stale: nothing to recover.
    assert.equal(t.recover(9), false);
  });
});

describe("becomesStale", () => {
  test("Linux's default is 4: stale at the fifth interval without progress, not before", () => {
    assert.equal(DEFAULT_STALE_LOSS_COUNT, 4);
    assert.equal(becomesStale({ count: 4, stale: false }, [0], 4), false);
    assert.equal(becomesStale({ count: 5, stale: false }, [0], 4), true);
  });

  test("only with another usable subflow below max(count - 1, 1) intervals", () => {
    // stale_loss_cnt 4: the other must have counted at most 2.
    assert.equal(becomesStale({ count: 5, stale: false }, [2], 4), true);
    assert.equal(becomesStale({ count: 5, stale: false }, [3], 4), false);
    assert.equal(becomesStale({ count: 5, stale: false }, [3, 1], 4), true);
    assert.equal(becomesStale({ count: 5, stale: false }, [], 4), false);
    // stale_loss_cnt 1 and 2: the other must not have counted an interval at all.
    assert.equal(becomesStale({ count: 2, stale: false }, [0], 1), true);
    assert.equal(becomesStale({ count: 2, stale: false }, [1], 1), false);
    assert.equal(becomesStale({ count: 3, stale: false }, [1], 2), false);
    assert.equal(becomesStale({ count: 3, stale: false }, [0], 2), true);
  });

  test("0 never marks a subflow stale; a stale one is not marked again", () => {
    assert.equal(becomesStale({ count: 255, stale: false }, [0], 0), false);
    assert.equal(becomesStale({ count: 9, stale: true }, [0], 4), false);
  });
});

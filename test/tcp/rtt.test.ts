import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { RttEstimator } from "../../src/tcp/rtt.js";

const cfg = { initialRto: 1_000_000, minRto: 200_000, maxRto: 60_000_000, granularity: 1000 };

describe("RTO estimation (RFC 6298)", () => {
  test("starts at the initial RTO", () => {
    const r = new RttEstimator(cfg);
    assert.equal(r.rto, 1_000_000);
    assert.equal(r.srtt, undefined);
  });

  test("the first sample sets SRTT = R, RTTVAR = R/2 (§2.2)", () => {
    const r = new RttEstimator(cfg);
    r.sample(100_000);
    assert.equal(r.srtt, 100_000);
    assert.equal(r.rttvar, 50_000);
    assert.equal(r.rto, 300_000);
  });

  test("later samples smooth with alpha 1/8 and beta 1/4 (§2.3)", () => {
    const r = new RttEstimator(cfg);
    r.sample(100_000);
    r.sample(200_000);
    assert.equal(r.rttvar, 62_500);
    assert.equal(r.srtt, 112_500);
    assert.equal(r.rto, 362_500);
  });

  test("the RTO is clamped to the minimum and maximum (§2.4, §2.5)", () => {
    const r = new RttEstimator(cfg);
    r.sample(1000);
    assert.equal(r.rto, 200_000);
    const big = new RttEstimator(cfg);
    big.sample(50_000_000);
    assert.equal(big.rto, 60_000_000);
  });

  test("backoff doubles up to the maximum and a sample clears it (§5.5, §5.7)", () => {
    const r = new RttEstimator(cfg);
    r.sample(100_000);
    r.backoff();
    assert.equal(r.rto, 600_000);
    r.backoff();
    assert.equal(r.rto, 1_200_000);
    for (let i = 0; i < 20; i++) r.backoff();
    assert.equal(r.rto, 60_000_000);
    r.sample(100_000);
    assert.equal(r.backoffs, 0);
    assert.equal(r.rto, 250_000);
  });

  test("after a SYN timeout without a sample the RTO restarts at 3 s (§5.7)", () => {
    const r = new RttEstimator(cfg);
    r.backoff();
    r.afterSynTimeout();
    assert.equal(r.rto, 3_000_000);
    const s = new RttEstimator(cfg);
    s.sample(100_000);
    s.afterSynTimeout();
    assert.equal(s.rto, 300_000);
  });

  test("min and latest samples are kept", () => {
    const r = new RttEstimator(cfg);
    r.sample(30_000);
    r.sample(10_000);
    r.sample(20_000);
    assert.equal(r.min, 10_000);
    assert.equal(r.latest, 20_000);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { segmentAcceptable } from "../../src/tcp/acceptability.js";

describe("segment acceptability (RFC 9293 §3.10.7.4 table)", () => {
  test("zero-length segment, zero window: only SEG.SEQ = RCV.NXT", () => {
    assert.ok(segmentAcceptable(100, 0, 100, 0));
    assert.ok(!segmentAcceptable(101, 0, 100, 0));
    assert.ok(!segmentAcceptable(99, 0, 100, 0));
  });

  test("zero-length segment, open window: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND", () => {
    assert.ok(segmentAcceptable(100, 0, 100, 10));
    assert.ok(segmentAcceptable(109, 0, 100, 10));
    assert.ok(!segmentAcceptable(110, 0, 100, 10));
    assert.ok(!segmentAcceptable(99, 0, 100, 10));
  });

  test("data into a zero window is never acceptable", () => {
    assert.ok(!segmentAcceptable(100, 1, 100, 0));
  });

  test("data: the first or the last octet must be in the window", () => {
    assert.ok(segmentAcceptable(95, 10, 100, 10));
    assert.ok(segmentAcceptable(105, 10, 100, 10));
    assert.ok(!segmentAcceptable(90, 10, 100, 10));
    assert.ok(!segmentAcceptable(110, 5, 100, 10));
    // A segment spanning the whole window fails the test as written.
    assert.ok(!segmentAcceptable(90, 30, 100, 10));
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SentLog } from "../../src/tcp/sent-log.js";

describe("SentLog", () => {
  test("reports the send time of the oldest segment in flight", () => {
    const log = new SentLog();
    assert.equal(log.oldest(), undefined);
    log.push(100, 1);
    log.push(200, 2);
    log.push(300, 3);
    assert.equal(log.oldest(), 1);
    log.ack(150);
    assert.equal(log.oldest(), 2);
    log.ack(200);
    assert.equal(log.oldest(), 3);
    log.ack(300);
    assert.equal(log.oldest(), undefined);
  });

  test("reports the newest segment in flight: where it starts and when it was sent", () => {
    const log = new SentLog();
    assert.equal(log.newest(), undefined);
    assert.equal(log.newestStart(1), 1);
    log.push(100, 1);
    assert.equal(log.newestStart(1), 1);
    log.push(200, 2);
    log.push(300, 3);
    assert.equal(log.newest(), 3);
    assert.equal(log.newestStart(1), 200);
    log.ack(250);
    assert.equal(log.newestStart(250), 250);
    log.ack(300);
    assert.equal(log.newest(), undefined);
  });
});

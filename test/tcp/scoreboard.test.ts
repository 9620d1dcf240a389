import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Scoreboard } from "../../src/tcp/scoreboard.js";

const M = 100;

describe("SACK scoreboard (RFC 6675 §4)", () => {
  test("update ignores blocks outside (SND.UNA, SND.MAX] and counts new octets", () => {
    const b = new Scoreboard();
    assert.equal(b.update([[200, 300], [50, 150], [900, 1200]], 100, 1000), 100);
    assert.equal(b.update([[250, 350]], 100, 1000), 50);
    assert.deepEqual(b.sacked.toArray(), [[200, 350]]);
  });

  test("IsLost: DupThresh blocks or more than 2 SMSS SACKed above", () => {
    const b = new Scoreboard();
    b.update([[200, 300]], 0, 2000);
    assert.ok(!b.isLost(100, 0, M));
    b.update([[400, 500]], 0, 2000);
    assert.ok(!b.isLost(100, 0, M));
    b.update([[600, 650]], 0, 2000);
    assert.ok(b.isLost(100, 0, M));
    assert.ok(!b.isLost(350, 0, M));
    b.update([[700, 900]], 0, 2000);
    // 250 octets above 500: more than 2 SMSS.
    assert.ok(b.isLost(550, 0, M));
    assert.ok(!b.isLost(660, 0, M));
  });

  test("pipe counts un-SACKed octets not lost plus retransmitted ones", () => {
    const b = new Scoreboard();
    b.update([[100, 400]], 0, 1000);
    // Lost below 100; pipe = [400, 1000) = 600.
    assert.equal(b.pipe(0, 1000, M), 600);
    b.highRxt = 100;
    assert.equal(b.pipe(0, 1000, M), 700);
  });

  test("nextLost walks the lost holes from HighRxt", () => {
    const b = new Scoreboard();
    b.update([[100, 200], [300, 400], [500, 600], [700, 800]], 0, 1000);
    // Three blocks lie above 200: [0, 100) and [200, 300) are lost, [400, 500) not yet.
    assert.deepEqual(b.nextLost(0, M), [0, 100]);
    b.highRxt = 100;
    assert.deepEqual(b.nextLost(0, M), [200, 300]);
    b.highRxt = 300;
    assert.equal(b.nextLost(0, M), undefined);
  });

  test("advance forgets what the cumulative ACK covers", () => {
    const b = new Scoreboard();
    b.update([[100, 200], [300, 400]], 0, 1000);
    b.advance(250);
    assert.deepEqual(b.sacked.toArray(), [[300, 400]]);
    assert.equal(b.highRxt, 250);
    b.clear();
    assert.ok(b.sacked.isEmpty);
  });
});

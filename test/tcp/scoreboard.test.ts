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

  test("a hole retransmitted in an earlier recovery and not acknowledged is in flight: skipped by nextLost, counted in pipe", () => {
    const b = new Scoreboard();
    b.update([[100, 200], [300, 400], [500, 600], [700, 800]], 0, 1000);
    // The previous recovery resent [0, 100) and [200, 250); a new one starts with HighRxt at SND.UNA.
    b.retransmitted.add(0, 100);
    b.retransmitted.add(200, 250);
    b.highRxt = 0;
    assert.deepEqual(b.nextLost(0, M), [250, 300], "only the part of [200, 300) not in flight");
    // Lost below 400 (three blocks above it... here: [400, 500) is not lost); not lost: [400, 500)
    // and [600, 700) and [800, 1000) = 400; retransmitted and in flight: 100 + 50 = 150.
    assert.equal(b.pipe(0, 1000, M), 400 + 150);
    b.highRxt = 300;
    assert.equal(b.nextLost(0, M), undefined);
    // Below HighRxt every un-SACKed octet counts once more, retransmitted before or now.
    assert.equal(b.pipe(0, 1000, M), 400 + 200);
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

  test("late original octets below the highest SACK raise DupThresh past the reordering depth", () => {
    const b = new Scoreboard();
    b.update([[300, 400]], 0, 1000);
    assert.equal(b.dupThresh, 3);
    // [0, 300) arrives late: three segments below the highest SACKed octet.
    b.acknowledged(0, 300, b.sacked.max, M);
    assert.equal(b.dupThresh, 5);
    // A block heard late below the highest SACK proves nothing (it may be old news).
    b.update([[900, 1000]], 300, 1000);
    b.update([[400, 500]], 300, 1000);
    assert.equal(b.dupThresh, 5);
  });

  test("retransmitted octets are not taken for reordering", () => {
    const b = new Scoreboard();
    b.update([[300, 400]], 0, 1000);
    b.sentAgain(0, 100, 1000, false, 0);
    b.sentAgain(100, 200, 1000, false, 0);
    b.acknowledged(0, 100, b.sacked.max, M);
    assert.equal(b.dupThresh, 3);
    // Nor after a timeout, which forgets what is in flight but not what was ever sent again: an
    // earlier copy arriving late is no reordering.
    b.forgetRetransmissions();
    assert.ok(b.everSentAgain(150));
    b.acknowledged(100, 200, b.sacked.max, M);
    assert.equal(b.dupThresh, 3);
    // An ACK whose own SACK block is the only one above is not reordering either.
    b.acknowledged(200, 250, undefined, M);
    assert.equal(b.dupThresh, 3);
    b.clear();
    assert.ok(b.retransmitted.isEmpty);
  });

  test("an ACK stopping at the start of a SACKed block means the receiver reneged", () => {
    const b = new Scoreboard();
    b.update([[300, 400]], 0, 1000);
    assert.ok(!b.reneged(200));
    assert.ok(b.reneged(300));
  });

  test("a raised DupThresh needs more SACKed data before a hole counts as lost", () => {
    const b = new Scoreboard();
    b.dupThresh = 5;
    b.update([[100, 400]], 0, 1000);
    assert.ok(!b.isLost(0, 0, M));
    b.update([[400, 600]], 0, 1000);
    assert.ok(b.isLost(0, 0, M));
  });
});

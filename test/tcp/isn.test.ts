import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { initialSequenceNumber } from "../../src/tcp/isn.js";

const tuple = { localAddr: new Uint8Array([10, 0, 0, 1]), localPort: 80, remoteAddr: new Uint8Array([10, 0, 0, 2]), remotePort: 40000 };
const secret = new Uint8Array(16).fill(7);

describe("ISN (RFC 6528)", () => {
  test("advances with the 4 µs clock for one 4-tuple", () => {
    const a = initialSequenceNumber(tuple, secret, 1_000_000);
    const b = initialSequenceNumber(tuple, secret, 1_000_400);
    assert.equal((b - a) >>> 0, 100);
  });

  test("differs between 4-tuples and between secrets", () => {
    const a = initialSequenceNumber(tuple, secret, 0);
    assert.notEqual(initialSequenceNumber({ ...tuple, remotePort: 40001 }, secret, 0), a);
    assert.notEqual(initialSequenceNumber(tuple, new Uint8Array(16).fill(8), 0), a);
  });

  test("is a uint32 and wraps", () => {
    const x = initialSequenceNumber(tuple, secret, 4 * 2 ** 32 + 8);
    assert.ok(Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
    assert.equal(x, (initialSequenceNumber(tuple, secret, 0) + 2) >>> 0);
  });
});

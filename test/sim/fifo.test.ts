import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Fifo } from "../../src/sim/fifo.js";

describe("Fifo", () => {
  test("behaves like an array queue under random pushes and shifts (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 300 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) assert.equal(fifo.shift(), model.shift());
          else {
            fifo.push(op);
            model.push(op);
          }
          assert.equal(fifo.length, model.length);
          assert.equal(fifo.peek(), model[0]);
        }
      }),
    );
  });

  test("clear empties it and it keeps working", () => {
    const fifo = new Fifo<string>();
    for (let i = 0; i < 40; i++) fifo.push(`x${i}`);
    fifo.shift();
    fifo.clear();
    assert.equal(fifo.length, 0);
    assert.equal(fifo.shift(), undefined);
    fifo.push("y");
    assert.equal(fifo.shift(), "y");
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Queue } from "../../src/util/queue.js";
import { runs } from "../support/fuzz.js";

describe("Queue", () => {
  test("push, shift and at agree with an array through growth and wrap-around", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(1000), fc.constant(-1)), { maxLength: 200 }), (ops) => {
        const q = new Queue<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op < 0) assert.equal(q.shift(), model.shift());
          else {
            q.push(op);
            model.push(op);
          }
          assert.equal(q.length, model.length);
          assert.equal(q.peek(), model[0]);
          for (let i = -1; i <= model.length; i++) assert.equal(q.at(i), model[i]);
          assert.deepEqual([...q], model);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  test("clear empties it and it keeps working", () => {
    const q = new Queue<string>();
    for (let i = 0; i < 40; i++) q.push(`x${i}`);
    q.shift();
    q.clear();
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
    q.push("y");
    assert.equal(q.shift(), "y");
  });
});

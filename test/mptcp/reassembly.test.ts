import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DataReassembly, type InsertResult } from "../../src/mptcp/reassembly.js";
import { runs } from "../support/fuzz.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function readAll(r: DataReassembly): string {
  let s = "";
  for (let b = r.read(); b !== undefined; b = r.read()) s += new TextDecoder().decode(b);
  return s;
}

function result(over: Partial<InsertResult>): InsertResult {
  return { accepted: 0, duplicate: 0, outOfWindow: 0, pruned: 0, queuedOutOfOrder: 0, advanced: false, ...over };
}

describe("DataReassembly: ordering", () => {
  test("in-order bytes advance the Data ACK from DSN 1", () => {
    const r = new DataReassembly({ capacity: 1000 });
    assert.equal(r.rcvNxt, 1);
    assert.deepEqual(r.insert(1, enc("hello")), result({ accepted: 5, advanced: true }));
    assert.equal(r.rcvNxt, 6);
    assert.equal(readAll(r), "hello");
  });

  test("bytes from two subflows out of order are delivered in DSN order", () => {
    const r = new DataReassembly({ capacity: 1000 });
    assert.deepEqual(r.insert(6, enc(" world")), result({ accepted: 6, queuedOutOfOrder: 6 }));
    assert.equal(r.rcvNxt, 1);
    assert.equal(r.outOfOrderBytes, 6);
    assert.equal(r.read(), undefined);
    assert.deepEqual(r.insert(1, enc("hello")), result({ accepted: 5, advanced: true }));
    assert.equal(r.rcvNxt, 12);
    assert.equal(r.outOfOrderBytes, 0);
    assert.equal(readAll(r), "hello world");
  });

  test("a reinjected range that overlaps both delivered and queued bytes (§3.3.6)", () => {
    const r = new DataReassembly({ capacity: 1000 });
    r.insert(1, enc("abc"));
    r.insert(8, enc("hij"));
    // Reinjection of 2..12: "bc" delivered, "defg" new, "hij" queued, "kl" new.
    assert.deepEqual(r.insert(2, enc("bcdefghijkl")), result({ accepted: 6, duplicate: 5, advanced: true }));
    assert.equal(readAll(r), "abcdefghijkl");
    assert.equal(r.rcvNxt, 13);
  });

  test("overlapping out-of-order pieces keep only the new bytes", () => {
    const r = new DataReassembly({ capacity: 1000 });
    r.insert(5, enc("efg"));
    assert.deepEqual(r.insert(3, enc("cdefghi")), result({ accepted: 4, duplicate: 3, queuedOutOfOrder: 4 }));
    assert.equal(r.outOfOrderBytes, 7);
    r.insert(1, enc("ab"));
    assert.equal(readAll(r), "abcdefghi");
  });

  test("an exact duplicate is counted as DuplicateData", () => {
    const r = new DataReassembly({ capacity: 1000 });
    r.insert(1, enc("abc"));
    assert.deepEqual(r.insert(1, enc("abc")), result({ duplicate: 3 }));
    r.insert(10, enc("xy"));
    assert.deepEqual(r.insert(10, enc("xy")), result({ duplicate: 2 }));
  });

  test("read hands out at most the bytes asked for", () => {
    const r = new DataReassembly({ capacity: 1000 });
    r.insert(1, enc("abcdef"));
    assert.equal(new TextDecoder().decode(r.read(4)), "abcd");
    assert.equal(r.readable, 2);
    assert.equal(r.read(0), undefined);
    assert.equal(new TextDecoder().decode(r.read(4)), "ef");
    assert.equal(r.read(), undefined);
  });

  test("a custom initial DSN", () => {
    const r = new DataReassembly({ capacity: 10, initialDsn: 500 });
    assert.equal(r.insert(499, enc("xy")).duplicate, 1);
    assert.equal(r.rcvNxt, 501);
  });
});

describe("DataReassembly: the shared receive window (§3.3.4)", () => {
  test("the window is the free buffer, relative to the Data ACK", () => {
    const r = new DataReassembly({ capacity: 100 });
    assert.equal(r.window(), 100);
    r.insert(1, new Uint8Array(30));
    assert.equal(r.window(), 70);
    r.read();
    assert.equal(r.window(), 100);
  });

  test("the right edge offered never moves left", () => {
    const r = new DataReassembly({ capacity: 100 });
    assert.equal(r.window(), 100);
    r.insert(51, new Uint8Array(40));
    assert.equal(r.window(), 100, "out-of-order bytes fill the buffer, but the edge stays at 101");
    r.insert(1, new Uint8Array(50));
    assert.equal(r.rcvNxt, 91);
    assert.equal(r.window(), 10);
  });

  test("bytes beyond the right edge are dropped as NoDSSInWindow", () => {
    const r = new DataReassembly({ capacity: 10 });
    assert.deepEqual(r.insert(8, enc("abcdef")), result({ accepted: 3, outOfWindow: 3, queuedOutOfOrder: 3 }));
    assert.deepEqual(r.insert(20, enc("zz")), result({ outOfWindow: 2 }));
    assert.deepEqual(r.insert(1, enc("1234567")), result({ accepted: 7, advanced: true }));
    assert.equal(r.rcvNxt, 11);
  });

  test("out-of-order bytes beyond the cap are pruned (RFC 7430)", () => {
    const r = new DataReassembly({ capacity: 100, maxOutOfOrderBytes: 4 });
    assert.deepEqual(r.insert(10, enc("abc")), result({ accepted: 3, queuedOutOfOrder: 3 }));
    assert.deepEqual(r.insert(20, enc("xyz")), result({ accepted: 1, pruned: 2, queuedOutOfOrder: 1 }));
    assert.deepEqual(r.insert(30, enc("q")), result({ pruned: 1 }));
    assert.equal(r.outOfOrderBytes, 4);
    // In-order data is never pruned.
    assert.equal(r.insert(1, new Uint8Array(9)).accepted, 9);
    assert.equal(r.rcvNxt, 13);
  });
});

describe("DataReassembly: DATA_FIN (§3.3.3)", () => {
  test("the DATA_FIN takes one DSN and is consumed after the data before it", () => {
    const r = new DataReassembly({ capacity: 100 });
    r.insert(1, enc("abc"));
    assert.equal(r.onDataFin(11), "ok");
    assert.equal(r.finReceived, false);
    assert.equal(r.rcvNxt, 4);
    r.insert(4, enc("defghij"));
    assert.equal(r.finReceived, true);
    assert.equal(r.rcvNxt, 12, "the Data ACK covers the DATA_FIN");
    assert.equal(readAll(r), "abcdefghij");
    assert.equal(r.dataFinDsn, 11);
  });

  test("a DATA_FIN with all data in is consumed at once", () => {
    const r = new DataReassembly({ capacity: 100 });
    r.insert(1, enc("ab"));
    assert.equal(r.onDataFin(3), "ok");
    assert.equal(r.rcvNxt, 4);
    assert.equal(r.finReceived, true);
    assert.equal(r.onDataFin(3), "duplicate");
  });

  test("data after the DATA_FIN is out of the window; another DATA_FIN DSN conflicts", () => {
    const r = new DataReassembly({ capacity: 100 });
    assert.equal(r.onDataFin(5), "ok");
    assert.deepEqual(r.insert(3, enc("cdefg")), result({ accepted: 2, outOfWindow: 3, queuedOutOfOrder: 2 }));
    assert.equal(r.onDataFin(6), "conflict");
    r.insert(1, enc("ab"));
    assert.equal(r.rcvNxt, 6);
    assert.equal(readAll(r), "abcd");
  });

  test("a DATA_FIN before data already received, or beyond the window, is ignored", () => {
    const r = new DataReassembly({ capacity: 10 });
    r.insert(1, enc("abc"));
    r.insert(6, enc("f"));
    assert.equal(r.onDataFin(2), "conflict");
    assert.equal(r.onDataFin(5), "conflict");
    assert.equal(r.onDataFin(12), "out-of-window");
    assert.equal(r.dataFinDsn, undefined);
    assert.equal(r.onDataFin(7), "ok");
  });
});

describe("DataReassembly: properties", () => {
  test("random pieces, order, duplicates and overlaps always read back the stream; the Data ACK never goes backwards", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 500 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 80 })), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (bytes, extra, fin) => {
          const r = new DataReassembly({ capacity: 1 << 20 });
          // Cover the stream in order-insensitive pieces: a tiling, plus random overlapping ranges.
          const pieces: Array<[number, number]> = [];
          for (let s = 0, k = 0; s < bytes.length; k++) {
            const len = Math.min(extra[k % extra.length]![1], bytes.length - s);
            pieces.push([s, s + len]);
            s += len;
          }
          for (const [at, len] of extra) {
            const s = at % bytes.length;
            pieces.push([s, Math.min(bytes.length, s + len)]);
          }
          // Shuffle deterministically from the data.
          for (let i = pieces.length - 1; i > 0; i--) {
            const j = (extra[i % extra.length]![0] + i * 7919) % (i + 1);
            [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
          }
          if (fin) assert.equal(r.onDataFin(1 + bytes.length), "ok");
          let ack = r.rcvNxt;
          let accepted = 0;
          const out: number[] = [];
          for (const [s, e] of pieces) {
            accepted += r.insert(1 + s, bytes.subarray(s, e)).accepted;
            assert.ok(r.rcvNxt >= ack);
            ack = r.rcvNxt;
            for (let b = r.read(); b !== undefined; b = r.read()) out.push(...b);
          }
          assert.equal(accepted, bytes.length);
          assert.deepEqual(Uint8Array.from(out), bytes);
          assert.equal(r.rcvNxt, 1 + bytes.length + (fin ? 1 : 0));
          assert.equal(r.finReceived, fin);
          assert.equal(r.outOfOrderBytes, 0);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DataSendQueue, type SendChunk } from "../../src/mptcp/send-queue.js";
import { DataReassembly } from "../../src/mptcp/reassembly.js";
import { SendMappings } from "../../src/mptcp/send-mapping.js";
import { DsnSpace } from "../../src/mptcp/dsn.js";
import { runs } from "../support/fuzz.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function view(c: SendChunk | undefined): [number, string, boolean, boolean] | undefined {
  return c === undefined ? undefined : [c.dsn, new TextDecoder().decode(c.data), c.dataFin, c.reinjection];
}

function queue(capacity = 100, initialWindow = 1000): DataSendQueue {
  return new DataSendQueue({ capacity, initialWindow });
}

describe("DataSendQueue: writing and sending", () => {
  test("the buffer is bounded and the application's bytes are copied", () => {
    const q = queue(8);
    const src = enc("abcdefghij");
    assert.equal(q.write(src), 8);
    assert.equal(q.writable, 0);
    assert.equal(q.write(enc("x")), 0);
    src[0] = 0x7a;
    assert.deepEqual(view(q.next(100)), [1, "abcdefgh", false, false]);
    assert.equal(q.buffered, 8);
    assert.equal(q.inFlight, 8);
  });

  test("chunks come out in DSN order, at most maxLen, one stored chunk at a time", () => {
    const q = queue();
    q.write(enc("abcde"));
    q.write(enc("fgh"));
    assert.deepEqual(view(q.next(3)), [1, "abc", false, false]);
    assert.deepEqual(view(q.next(10)), [4, "de", false, false]);
    assert.deepEqual(view(q.next(10)), [6, "fgh", false, false]);
    assert.equal(q.next(10), undefined);
    assert.equal(q.next(0), undefined);
    assert.equal(q.sndNxt, 9);
    assert.equal(q.hasSendable, false);
  });

  test("new data stays inside the peer's window; the right edge only moves forward (§3.3.5)", () => {
    const q = queue(100, 4);
    q.write(enc("abcdefghij"));
    assert.equal(q.sendWindowEdge, 5);
    assert.deepEqual(view(q.next(10)), [1, "abcd", false, false]);
    assert.equal(q.next(10), undefined);
    assert.equal(q.hasSendable, false);
    // One subflow reports a window a middlebox shrank, another the real one: the largest counts.
    q.onWindow(1, 6);
    q.onWindow(1, 2);
    assert.equal(q.sendWindowEdge, 7);
    assert.deepEqual(view(q.next(10)), [5, "ef", false, false]);
    q.onDataAck(5);
    q.onWindow(5, 1);
    assert.equal(q.sendWindowEdge, 7, "a smaller window never pulls the edge back");
  });

  test("`ahead` hands out bytes beyond the right edge; queued again, they stay behind it (map-ahead.ts)", () => {
    const q = queue(100, 4);
    q.write(enc("abcdefghij"));
    assert.deepEqual(view(q.next(10, 3)), [1, "abcdefg", false, false]);
    assert.equal(q.ahead, 3);
    assert.equal(q.next(10, 3), undefined, "no more than `ahead` beyond the edge");
    assert.equal(q.next(10), undefined);
    // The subflow holding them failed: everything goes again, but nothing beyond the edge.
    q.reinject([[1, 8]]);
    assert.deepEqual(view(q.next(10)), [1, "abcd", false, true]);
    assert.equal(q.next(10), undefined, "5-7 wait for the window");
    q.onWindow(1, 6);
    assert.deepEqual(view(q.next(10)), [5, "ef", false, true]);
    assert.equal(q.ahead, 1);
    q.onWindow(1, 8);
    assert.deepEqual(view(q.next(10)), [7, "g", false, true]);
    assert.equal(q.ahead, 0);
  });
});

describe("DataSendQueue: Data ACKs (§3.3.2)", () => {
  test("cumulative; duplicates, stale and beyond-sent ACKs change nothing", () => {
    const q = queue();
    q.write(enc("abcdefgh"));
    q.next(6);
    assert.equal(q.onDataAck(4), "advanced");
    assert.equal(q.sndUna, 4);
    assert.equal(q.onDataAck(4), "duplicate");
    assert.equal(q.onDataAck(2), "stale");
    assert.equal(q.onDataAck(8), "beyond", "DSN 7 was never sent");
    assert.equal(q.sndUna, 4);
    assert.equal(q.onDataAck(7), "advanced");
    assert.equal(q.buffered, 2);
    assert.equal(q.writable, 98);
  });

  test("acked data is freed, including part of a chunk", () => {
    const q = queue(10);
    q.write(enc("abcdefghij"));
    q.next(10);
    q.onDataAck(4);
    assert.equal(q.writable, 3);
    q.reinject([[1, 11]]);
    assert.deepEqual(q.pendingReinjection, [[4, 11]], "clipped to what is unacked");
    assert.deepEqual(view(q.next(100)), [4, "defghij", false, true]);
  });
});

describe("DataSendQueue: reinjection (§3.3.6)", () => {
  test("ranges from a failed subflow go out again before new data", () => {
    const q = queue();
    q.write(enc("0123456789"));
    q.next(4);
    q.next(4);
    q.reinject([[1, 5], [20, 30]]);
    assert.deepEqual(q.pendingReinjection, [[1, 5]], "never beyond what was sent");
    assert.deepEqual(view(q.next(3)), [1, "012", false, true]);
    assert.deepEqual(view(q.next(3)), [4, "3", false, true]);
    assert.deepEqual(view(q.next(3)), [9, "89", false, false]);
  });

  test("a Data ACK removes ranges no longer needed", () => {
    const q = queue();
    q.write(enc("0123456789"));
    q.next(10);
    q.reinject([[3, 9]]);
    q.onDataAck(6);
    assert.deepEqual(q.pendingReinjection, [[6, 9]]);
    q.onDataAck(11);
    assert.deepEqual(q.pendingReinjection, []);
    assert.equal(q.next(10), undefined);
  });
});

describe("DataSendQueue: DATA_FIN (§3.3.3)", () => {
  test("the DATA_FIN rides on the last data chunk and takes one DSN", () => {
    const q = queue();
    q.write(enc("abc"));
    q.close();
    assert.equal(q.writable, 0);
    assert.equal(q.dataFinDsn, 4);
    assert.deepEqual(view(q.next(2)), [1, "ab", false, false]);
    assert.deepEqual(view(q.next(2)), [3, "c", true, false]);
    assert.equal(q.sndNxt, 5);
    assert.equal(q.next(2), undefined);
    assert.equal(q.acked, 0);
    assert.equal(q.onDataAck(4), "advanced");
    assert.equal(q.finAcked, false);
    assert.equal(q.acked, 3);
    assert.equal(q.onDataAck(5), "advanced");
    assert.equal(q.finAcked, true);
    // The DATA_FIN takes a DSN but is no byte of the stream.
    assert.equal(q.acked, 3);
  });

  test("a DATA_FIN after all data was sent goes alone", () => {
    const q = queue();
    q.write(enc("abc"));
    q.next(10);
    q.close();
    assert.equal(q.hasSendable, true);
    assert.deepEqual(view(q.next(10)), [4, "", true, false]);
    assert.equal(q.next(10), undefined);
  });

  test("an empty stream's DATA_FIN is DSN 1, and is not limited by the window", () => {
    const q = queue(100, 0);
    q.close();
    assert.deepEqual(view(q.next(10)), [1, "", true, false]);
    assert.equal(q.onDataAck(2), "advanced");
    assert.equal(q.finAcked, true);
  });

  test("reinjection resends the DATA_FIN with the data before it, or alone", () => {
    const q = queue();
    q.write(enc("abc"));
    q.close();
    q.next(10);
    q.reinject([[2, 5]]);
    assert.deepEqual(view(q.next(10)), [2, "bc", true, true]);
    q.onDataAck(4);
    q.reinject([[1, 5]]);
    assert.deepEqual(view(q.next(10)), [4, "", true, true]);
    assert.deepEqual(q.pendingReinjection, []);
  });

  test("a reinjection that stops before the DATA_FIN does not carry it", () => {
    const q = queue();
    q.write(enc("abc"));
    q.close();
    q.next(10);
    q.reinject([[1, 3]]);
    assert.deepEqual(view(q.next(10)), [1, "ab", false, true]);
  });
});

describe("properties", () => {
  test("subflows that fail mid-transfer: reinjection delivers the stream intact and the Data ACK never goes backwards", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.array(fc.record({ subflow: fc.nat(2), len: fc.integer({ min: 1, max: 90 }), lose: fc.boolean(), fail: fc.boolean(), ack: fc.boolean() }), {
          minLength: 1,
          maxLength: 60,
        }),
        (bytes, steps) => {
          const space = new DsnSpace(0n);
          const q = new DataSendQueue({ capacity: 256, initialWindow: 300 });
          const rx = new DataReassembly({ capacity: 300 });
          // Subflow 0 never loses; 1 and 2 lose and fail at random and are replaced by fresh ones.
          const flows = [0, 1, 2].map(() => new SendMappings({ checksums: false, space }));
          const fail = (k: number): void => {
            q.reinject(flows[k]!.unacked());
            flows[k] = new SendMappings({ checksums: false, space });
          };
          const out: number[] = [];
          let written = 0;
          let lastAck = rx.rcvNxt;
          for (let i = 0; i < 5000 && !q.finAcked; i++) {
            const step = steps[i % steps.length]!;
            if (written < bytes.length) written += q.write(bytes.subarray(written));
            else if (q.dataFinDsn === undefined) q.close();
            const k = i % 3 === 0 ? 0 : step.subflow;
            const chunk = q.next(step.len);
            if (chunk !== undefined) {
              if (chunk.data.length > 0) flows[k]!.append(chunk.dsn, chunk.data, chunk.dataFin);
              if (k === 0 || !step.lose) {
                rx.insert(chunk.dsn, chunk.data);
                if (chunk.dataFin) rx.onDataFin(chunk.dsn + chunk.data.length);
                for (let b = rx.read(); b !== undefined; b = rx.read()) out.push(...b);
              } else {
                // Lost: the subflow is declared failed and its unacknowledged mappings reinjected.
                if (chunk.data.length === 0) q.reinject([[chunk.dsn, chunk.dsn + 1]]);
                fail(k);
              }
            }
            // A subflow may also fail after delivering data not yet data-acked: duplicates follow.
            if (k !== 0 && step.fail) fail(k);
            if (step.ack || i % 4 === 0) {
              assert.ok(rx.rcvNxt >= lastAck);
              lastAck = rx.rcvNxt;
              const una = q.sndUna;
              assert.notEqual(q.onDataAck(rx.rcvNxt), "beyond");
              assert.ok(q.sndUna >= una, "SND.UNA never goes backwards");
              q.onWindow(rx.rcvNxt, rx.window());
              for (const f of flows) f.onDataAck(q.sndUna);
            }
          }
          assert.ok(q.finAcked, "the transfer completes");
          assert.deepEqual(Uint8Array.from(out), bytes);
          assert.equal(rx.finReceived, true);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

/** MPTcpExt OFOQueue as Linux counts it (src/mptcp/ofo-count.ts, net/mptcp/protocol.c). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DataOrder, SubflowOrder } from "../../src/mptcp/ofo-count.js";
import type { OrderChunk } from "../../src/mptcp/ofo-count.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { Simulator } from "../../src/sim/simulator.js";
import { parseAddress } from "../../src/wire/address.js";
import { sha256, upload } from "../support/mptcp-sim.js";

const chunk = (dsn: number, length: number): OrderChunk => ({ dsn, data: { length } });

/** Feeds segments `[offset, end)` carrying DSN `dsn` to one subflow in the given arrival order. */
function feed(order: SubflowOrder, data: DataOrder, segments: Array<[number, number, number]>, counted: number[]): void {
  let inOrder = 0;
  const arrived = new Set<number>();
  for (const [offset, end, dsn] of segments) {
    const before = inOrder;
    arrived.add(offset);
    // The subflow's in-order point after the segment: past every contiguous segment received.
    const sorted = segments.map((s) => s[0]).filter((o) => arrived.has(o)).sort((a, b) => a - b);
    for (const o of sorted) if (o <= inOrder) inOrder = Math.max(inOrder, segments.find((s) => s[0] === o)![1]);
    order.arrived(offset, end, [chunk(dsn, end - offset)], before, inOrder, (c) => {
      if (data.move(c)) counted.push(c.dsn);
    });
  }
}

describe("DataOrder (Linux msk->ack_seq and its out-of-order queue)", () => {
  test("data beyond the in-order point is counted; what it waited for pulls it in", () => {
    const d = new DataOrder();
    assert.equal(d.move(chunk(101, 100)), true);
    assert.equal(d.move(chunk(301, 100)), true);
    assert.equal(d.move(chunk(1, 100)), false);
    // 1..101 in order, then 101..201 follows from the queue; 201 is now in order, 301.. follows.
    assert.equal(d.move(chunk(201, 100)), false);
    assert.equal(d.move(chunk(401, 10)), false);
    // Old data and data overlapping the in-order point are not out of order.
    assert.equal(d.move(chunk(50, 10)), false);
    assert.equal(d.move(chunk(405, 10)), false);
    assert.equal(d.move(chunk(416, 1)), true);
  });
});

describe("SubflowOrder", () => {
  test("a loss on one subflow alone counts nothing: the subflow puts its data back in order first", () => {
    const counted: number[] = [];
    // Segments of 100 bytes, DSN = offset + 1; the first is lost and arrives last.
    feed(new SubflowOrder(), new DataOrder(), [[100, 200, 101], [200, 300, 201], [300, 400, 301], [0, 100, 1]], counted);
    assert.deepEqual(counted, []);
  });

  test("data in order on its subflow but ahead of another subflow's is counted, once per segment", () => {
    const data = new DataOrder();
    const a = new SubflowOrder();
    const b = new SubflowOrder();
    const counted: number[] = [];
    const move = (c: OrderChunk): void => {
      if (data.move(c)) counted.push(c.dsn);
    };
    // Subflow A carries DSN 1001.. in order on A; B's DSN 1..1000 is late.
    a.arrived(0, 500, [chunk(1001, 500)], 0, 500, move);
    a.arrived(500, 1000, [chunk(1501, 500)], 500, 1000, move);
    b.arrived(0, 1000, [chunk(1, 1000)], 0, 1000, move);
    a.arrived(1000, 1500, [chunk(2001, 500)], 1000, 1500, move);
    assert.deepEqual(counted, [1001, 1501]);
  });

  test("segments held past a hole reach the data level in subflow order when it is filled", () => {
    const seen: number[] = [];
    const o = new SubflowOrder();
    const move = (c: OrderChunk): void => {
      seen.push(c.dsn);
    };
    o.arrived(300, 400, [chunk(301, 100)], 0, 0, move);
    o.arrived(100, 200, [chunk(101, 100)], 0, 0, move);
    assert.deepEqual(seen, []);
    // The hole 0..100 filled: the subflow is in order up to 200; 300.. waits for 200..300.
    o.arrived(0, 100, [chunk(1, 100)], 0, 200, move);
    assert.deepEqual(seen, [1, 101]);
    o.arrived(200, 300, [chunk(201, 100)], 200, 400, move);
    assert.deepEqual(seen, [1, 101, 201, 301]);
  });
});

describe("OFOQueue through the simulator", () => {
  test("one subflow losing 2% of its packets: no data-level out-of-order segment, as on Linux", () => {
    const sim = new Simulator({ seed: 3 });
    const C = parseAddress("10.0.0.1")!;
    const S = parseAddress("10.0.0.2")!;
    const client = new MptcpHost({ interfaces: [{ addresses: [C] }], random: sim.rng.fork("c") });
    const server = new MptcpHost({ interfaces: [{ addresses: [S] }], random: sim.rng.fork("s") });
    const link = { rateBps: 20_000_000, delayUs: 10_000, queueLimitPackets: 100, loss: { kind: "bernoulli", p: 0.02 } } as const;
    const { conn, app, sink, done } = upload(sim, client, server, [link], 1_000_000, [C, S]);
    assert.ok(sim.runUntilDone(done, 60_000_000));
    assert.equal(sha256(sink.bytes), sha256(app.data));
    // Segments did arrive out of order on the subflow (retransmissions filled holes).
    assert.ok(conn.subflow!.stats().retransmissions > 0);
    assert.equal(server.counters.OFOQueue, 0);
  });
});

/**
 * Reordering without loss, through the Host in the simulator: the TCP engine must not take
 * reordering for loss for long (adaptive DupThresh, Eifel undo with timestamps: RFC 4015), so the
 * transfer runs near the link rate. The queue is deep enough that nothing is dropped, so any
 * retransmission here is spurious.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";
import { runScenario } from "../../src/sim/scenario/runner.js";

const REORDER_NO_LOSS = `
name: reorder-no-loss
description: 50 Mbit/s, 20 ms RTT, up to 2 ms of jitter with reordering, a queue that never overflows
hosts:
  - { name: client, addresses: [10.0.0.1] }
  - { name: server, addresses: [10.0.0.2] }
links:
  - { name: path, from: client, to: server, rate: 50Mbit, delay: 10ms, queue: 16MB, jitter: 2ms, reorder: true }
flows:
  - { name: bulk, from: client, to: server, port: 5001, bytes: 3MB }
`;

test("reordering without any loss costs at most a couple of fast retransmits and little throughput", () => {
  const r = runScenario(parseScenarioText(REORDER_NO_LOSS));
  const f = r.flows[0]!;
  const path = r.links.find((l) => l.name === "path")!;
  assert.equal(f.integrity, true);
  assert.equal(path.droppedLoss + path.droppedQueue, 0, "nothing is lost, so every retransmission is spurious");
  assert.ok(f.sender!.fastRetransmits <= 2, `${f.sender!.fastRetransmits} fast retransmits`);
  assert.ok(f.goodputMbps! > 25, `${f.goodputMbps} Mbit/s of 50`);
});

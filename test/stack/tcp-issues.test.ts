/**
 * Behaviours of the TCP engine seen through the Host in simulated scenarios that do not break
 * integrity but cost a lot of throughput; kept as `todo` reproductions for the TCP engine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinScenario } from "../../src/sim/scenario/builtins.js";
import { runScenario } from "../../src/sim/scenario/runner.js";

test(
  "tcp-reorder: reordering without any loss is not taken for loss",
  { todo: "every reordering deeper than 3 segments triggers a fast retransmit and halves cwnd (no D-SACK reordering detection, RFC 4015 / RACK, RFC 8985): 3 MB at 7 Mbit/s on a 50 Mbit/s link" },
  () => {
    const r = runScenario(builtinScenario("tcp-reorder")!, { bytes: 3_000_000 });
    const f = r.flows[0]!;
    assert.equal(f.integrity, true);
    assert.equal(r.links.find((l) => l.name === "path")!.droppedLoss + r.links.find((l) => l.name === "path")!.droppedQueue, 0, "nothing is lost");
    assert.ok(f.sender!.fastRetransmits <= 2, `${f.sender!.fastRetransmits} fast retransmits`);
    assert.ok(f.goodputMbps! > 25, `${f.goodputMbps} Mbit/s`);
  },
);

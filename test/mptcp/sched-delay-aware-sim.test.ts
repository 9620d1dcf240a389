/**
 * The delay-aware default scheduler and tail reinjection over simulated heterogeneous paths
 * (short versions of exp-heterogeneous: WiFi-like 20 Mbit/s, 20 ms and 3G-like 2 Mbit/s, 150 ms
 * with a 200-packet queue, a 3 MB download).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runTransfer, type PathSpec, type TransferResult } from "../../src/sim/experiments/transfer.js";

const PATHS: PathSpec[] = [
  { name: "wifi", rateMbps: 20, delayMs: 20 },
  { name: "3g", rateMbps: 2, delayMs: 150, queuePackets: 200 },
];
const BYTES = 3_000_000;

const run = (kb: number, delayAware: boolean): TransferResult =>
  runTransfer({ name: `${kb}KB-${delayAware}`, paths: PATHS, use: [0, 1], mptcp: true, bytes: BYTES, seed: 1, recvBuffer: kb * 1024, sendBuffer: 16 << 20, mptcpOptions: { delayAware } });
/** Bytes the client received on the 3G subflow. */
const on3g = (r: TransferResult): number => r.subflows.find((s) => s.kind === "join")?.bytesReceived ?? 0;

describe("delay-aware scheduling and tail reinjection on WiFi + 3G", () => {
  test("512 KB of window: the 3G path would hold what WiFi needs, so it carries no more than its first window and the transfer is no slower", () => {
    const aware = run(512, true);
    const plain = run(512, false);
    assert.ok(aware.flow.integrity && plain.flow.integrity);
    // At the start, before WiFi's rate has grown, one 3G window priced at one 3G RTT pays
    // (arrival.ts `slowChunk`); after that nothing does. Ten segments is its initial window.
    assert.ok(on3g(aware) <= 10 * 1448, `${on3g(aware)} bytes on 3G`);
    assert.ok(on3g(plain) > 0);
    assert.ok(aware.flow.completionSeconds < plain.flow.completionSeconds, `${aware.flow.completionSeconds} against ${plain.flow.completionSeconds}`);
  });

  test("8 MB of window: the 3G path carries data, the tail comes back to WiFi, and the transfer ends sooner", () => {
    const aware = run(8192, true);
    const plain = run(8192, false);
    assert.ok(aware.flow.integrity && plain.flow.integrity);
    assert.ok(on3g(aware) > 0);
    assert.ok(aware.flow.completionSeconds < plain.flow.completionSeconds, `${aware.flow.completionSeconds} against ${plain.flow.completionSeconds}`);
  });
});

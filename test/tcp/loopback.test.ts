import { test, describe } from "node:test";
import fc from "fast-check";
import assert from "node:assert/strict";
import { Pair, prng, sha256 } from "./pair.js";
import { tcpConfig } from "../../src/tcp/config.js";
import type { TcpConfig } from "../../src/tcp/config.js";
import { reno } from "../../src/tcp/congestion/reno.js";
import type { LinkOptions } from "./pair.js";
import { runs } from "../support/fuzz.js";

/** Random payload from a seeded generator. */
function payload(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

/**
 * Transfers `data` from client to server (and `back` from server to client), both ends close,
 * and returns what each side received.
 */
function transfer(cfg: TcpConfig, data: Uint8Array, back: Uint8Array, up: LinkOptions, down: LinkOptions) {
  const p = new Pair(cfg, cfg, up, down);
  const gotServer: Uint8Array[] = [];
  const gotClient: Uint8Array[] = [];
  let sentC = 0;
  let sentS = 0;
  let steps = 0;
  while (steps++ < 2_000_000) {
    if (sentC < data.length) sentC += p.client.send(data.subarray(sentC, sentC + 65536));
    if (sentC === data.length && p.client.state === "ESTABLISHED") p.client.shutdown();
    if (p.server.state === "ESTABLISHED" || p.server.state === "CLOSE-WAIT") {
      if (sentS < back.length) sentS += p.server.send(back.subarray(sentS, sentS + 65536));
    }
    for (let b = p.server.recv(); b !== undefined; b = p.server.recv()) gotServer.push(b.slice());
    for (let b = p.client.recv(); b !== undefined; b = p.client.recv()) gotClient.push(b.slice());
    if (p.server.state === "CLOSE-WAIT" && sentS === back.length) p.server.shutdown();
    if (!p.step()) break;
    if (p.client.state === "CLOSED" && p.server.state === "CLOSED") break;
  }
  for (let b = p.server.recv(); b !== undefined; b = p.server.recv()) gotServer.push(b.slice());
  for (let b = p.client.recv(); b !== undefined; b = p.client.recv()) gotClient.push(b.slice());
  return { p, gotServer, gotClient };
}

const base = (o: Partial<TcpConfig> = {}) => tcpConfig({ sendBufferSize: 256 * 1024, recvBufferSize: 256 * 1024, ...o });

describe("two connections over in-memory links", () => {
  test("a clean transfer in both directions, then a full close", () => {
    const data = payload(300_000, 1);
    const back = payload(50_000, 2);
    const { p, gotServer, gotClient } = transfer(base(), data, back, { delay: 10_000 }, { delay: 10_000 });
    assert.equal(sha256(gotServer), sha256([data]));
    assert.equal(sha256(gotClient), sha256([back]));
    assert.equal(p.client.state, "CLOSED");
    assert.equal(p.server.state, "CLOSED");
    assert.equal(p.client.stats().retransmissions, 0);
    assert.equal(p.server.stats().retransmissions, 0);
  });

  for (const [name, cfg] of [
    ["SACK, timestamps, CUBIC", base()],
    ["NewReno without SACK or timestamps", base({ sack: false, timestamps: false, congestion: reno() })],
    ["SACK without timestamps, Reno", base({ timestamps: false, congestion: reno() })],
  ] as const) {
    test(`2 MB with 2% random loss both ways and reordering (${name})`, () => {
      const data = payload(2_000_000, 3);
      const r1 = prng(11);
      const r2 = prng(12);
      const r3 = prng(13);
      const { p, gotServer } = transfer(
        cfg,
        data,
        new Uint8Array(0),
        { delay: 20_000, drop: () => r1() < 0.02, jitter: () => (r3() < 0.05 ? 3_000 : 0) },
        { delay: 20_000, drop: () => r2() < 0.02 },
      );
      assert.equal(sha256(gotServer), sha256([data]));
      assert.ok(p.client.stats().retransmissions > 0);
      assert.equal(p.server.state, "CLOSED");
      // Statistics count each byte once, however often it was sent or received.
      assert.equal(p.client.stats().bytesSent, data.length);
      assert.equal(p.server.stats().bytesReceived, data.length);
    });
  }

  test("a lost tail (nothing after it to trigger fast retransmit) is recovered by the RTO", () => {
    const data = payload(200_000, 4);
    const seen = new Set<number>();
    // Drop the first transmission of every segment in the last 30 kB.
    const tail = (seg: { seq: number; payload: Uint8Array }) => {
      const off = (seg.seq - 0x12345678) >>> 0;
      if (seg.payload.length === 0 || off < data.length - 30_000 || seen.has(seg.seq)) return false;
      seen.add(seg.seq);
      return true;
    };
    const { gotServer, p } = transfer(base(), data, new Uint8Array(0), { delay: 5_000, drop: tail }, { delay: 5_000 });
    assert.equal(sha256(gotServer), sha256([data]));
    assert.ok(p.client.stats().timeouts >= 1);
  });

  test("a slow reader: the window closes and reopens", () => {
    const data = payload(400_000, 5);
    const cfg = base({ recvBufferSize: 20_000 });
    const p = new Pair(cfg, cfg, { delay: 1_000 }, { delay: 1_000 });
    const got: Uint8Array[] = [];
    let sent = 0;
    for (let i = 0; i < 200_000 && got.reduce((n, b) => n + b.length, 0) < data.length; i++) {
      if (sent < data.length) sent += p.client.send(data.subarray(sent, sent + 65536));
      // Read 1000 bytes every 10 ms of virtual time.
      if (i % 3 === 0) {
        const b = p.server.recv(1000);
        if (b !== undefined) got.push(b.slice());
      }
      if (!p.step()) p.now += 10_000;
    }
    assert.equal(sha256(got), sha256([data]));
  });

  test("random loss, reordering and options never corrupt the stream (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 0.15, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (seed, loss, reorder, sack, timestamps, useReno) => {
          const data = payload(60_000, seed);
          const back = payload(20_000, seed + 1);
          const r = prng(seed);
          const cfg = base({ sack, timestamps, ...(useReno ? { congestion: reno() } : {}) });
          const link = { delay: 10_000, drop: () => r() < loss, jitter: () => (r() < reorder ? r() * 30_000 : 0) };
          const { gotServer, gotClient } = transfer(cfg, data, back, link, { ...link });
          return sha256(gotServer) === sha256([data]) && sha256(gotClient) === sha256([back]);
        },
      ),
      { numRuns: runs(25) },
    );
  });
});

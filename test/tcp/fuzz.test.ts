import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TcpOption } from "../../src/wire/tcp-types.js";
import { tcpConfig } from "../../src/tcp/config.js";
import { F, IRS, ISS, TcpConnection, bytes, drain, peer } from "./util.js";
import { Pair, prng } from "./pair.js";
import { runs } from "../support/fuzz.js";

/** One input: a segment from the peer, a timer, or an application call. */
const segment = fc.record({
  kind: fc.constant("seg" as const),
  flags: fc.integer({ min: 0, max: 0x3f }),
  seqDelta: fc.oneof(fc.integer({ min: -3000, max: 70_000 }), fc.integer({ min: 0, max: 0xffffffff })),
  ackDelta: fc.oneof(fc.integer({ min: -3000, max: 70_000 }), fc.integer({ min: 0, max: 0xffffffff })),
  window: fc.integer({ min: 0, max: 0xffff }),
  len: fc.integer({ min: 0, max: 2000 }),
  sack: fc.array(fc.tuple(fc.integer({ min: -5000, max: 70_000 }), fc.integer({ min: 0, max: 5000 })), { maxLength: 4 }),
  tsVal: fc.option(fc.integer({ min: 0, max: 0xffffffff })),
});
const other = fc.oneof(
  fc.record({ kind: fc.constant("time" as const), dt: fc.integer({ min: 0, max: 5_000_000 }) }),
  fc.record({ kind: fc.constant("send" as const), len: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant("recv" as const), max: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ kind: fc.constant("call" as const), what: fc.constantFrom("shutdown", "close", "abort", "requestAck") }),
);
const input = fc.oneof({ weight: 3, arbitrary: segment }, { weight: 1, arbitrary: other });

describe("robustness", () => {
  test("arbitrary segments, timers and calls never throw and keep the send space consistent", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(input, { maxLength: 60 }), (passive, pacing, inputs) => {
        const cfg = tcpConfig({ recvBufferSize: 100_000, sendBufferSize: 100_000, maxRetries: 3, synRetries: 2, pacing });
        const synOpts: TcpOption[] = [{ kind: "mss", mss: 1000 }, { kind: "sack-permitted" }, { kind: "timestamps", tsVal: 5, tsEcr: 0 }, { kind: "wscale", shift: 3 }];
        const c = passive
          ? TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, options: synOpts }), ISS, 0)
          : TcpConnection.connect(cfg, 80, 49152, ISS, 0);
        let now = 0;
        for (const step of inputs) {
          switch (step.kind) {
            case "seg": {
              const options: TcpOption[] = [];
              if (step.tsVal !== null) options.push({ kind: "timestamps", tsVal: step.tsVal, tsEcr: 0 });
              if (step.sack.length > 0) {
                options.push({ kind: "sack", blocks: step.sack.map(([s, l]): [number, number] => [(ISS + s) >>> 0, (ISS + s + l) >>> 0]) });
              }
              c.handleSegment(
                peer({
                  seq: (IRS + step.seqDelta) >>> 0,
                  ack: (ISS + step.ackDelta) >>> 0,
                  flags: step.flags,
                  window: step.window,
                  payload: bytes(step.len),
                  options: step.flags & F.SYN ? synOpts : options,
                }),
                now,
              );
              break;
            }
            case "time":
              now += step.dt;
              c.handleTimeout(now);
              break;
            case "send":
              c.send(bytes(step.len));
              break;
            case "recv":
              c.recv(step.max);
              break;
            case "call":
              c[step.what]();
              break;
          }
          const segs = drain(c, now);
          for (const s of segs) {
            assert.ok(s.payload.length <= 1000, "payload within the MSS");
            assert.ok(s.window >= 0 && s.window <= 0xffff);
          }
          const t = c.pollTimeout();
          assert.ok(t === undefined || Number.isFinite(t));
          assert.ok(c.recvAvailable <= 100_000 + 8);
        }
        return true;
      }),
      { numRuns: runs(300) },
    );
  });
});

describe("chaos over a pair", () => {
  test("loss, duplication, reordering and abrupt application calls: delivered data is always a prefix", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom("shutdown", "close", "abort", "none")), { maxLength: 3 }),
        fc.boolean(),
        (seed, calls, pacing) => {
          const r = prng(seed);
          const link = {
            delay: 5_000,
            drop: () => r() < 0.05,
            duplicate: () => r() < 0.05,
            jitter: () => (r() < 0.1 ? r() * 20_000 : 0),
          };
          const cfg = tcpConfig({ sendBufferSize: 50_000, recvBufferSize: 30_000, maxRetries: 6, pacing });
          const p = new Pair(cfg, cfg, link, { ...link });
          const data = bytes(120_000, seed & 0xff);
          const got: number[] = [];
          let sent = 0;
          for (let step = 0; step < 20_000; step++) {
            if (sent < data.length) sent += p.client.send(data.subarray(sent, sent + 8192));
            for (let b = p.server.recv(3000); b !== undefined; b = p.server.recv(3000)) for (const x of b) got.push(x);
            for (const [at, what] of calls) {
              if (at !== step || what === "none") continue;
              const end = step % 2 === 0 ? p.client : p.server;
              end[what]();
            }
            if (!p.step()) break;
          }
          for (let i = 0; i < got.length; i++) if (got[i] !== data[i]) return false;
          return p.client.pollTimeout() === undefined || p.client.state !== "CLOSED";
        },
      ),
      { numRuns: runs(40) },
    );
  });
});

/**
 * Mapping ahead of the window through the simulator (src/mptcp/map-ahead.ts): an upload whose
 * receive buffer (64 KB) limits the sender, with the DSS once per mapping (the default) and on
 * every segment. Both deliver every byte and put none beyond the data-level window (§3.3.5, the
 * receiver's NoDSSInWindow); mapped ahead, a mapping spans tens of segments instead of about two.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { LinkConfig } from "../../src/sim/link.js";
import { Simulator } from "../../src/sim/simulator.js";
import { RecordingTap } from "../../src/sim/tap.js";
import { parseIpPacket } from "../../src/wire/ip.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { isParseError } from "../../src/wire/error.js";
import { parseAddress } from "../../src/wire/address.js";
import { sha256, upload } from "../support/mptcp-sim.js";

const C = parseAddress("10.0.0.1")!;
const S = parseAddress("10.0.0.2")!;
const PATH: LinkConfig = { rateBps: 20_000_000, delayUs: 20_000, queueLimitPackets: 100 };
const BYTES = 2_000_000;

function run(dssEverySegment: boolean): { intact: boolean; outOfWindow: number; dataSegments: number; declaring: number } {
  const sim = new Simulator({ seed: 3 });
  const buffers = { recvBufferSize: 64 * 1024 };
  const mptcp = { dssEverySegment, ...buffers };
  const client = new MptcpHost({ interfaces: [{ addresses: [C] }], random: sim.rng.fork("client"), tcp: buffers, mptcp });
  const server = new MptcpHost({ interfaces: [{ addresses: [S] }], random: sim.rng.fork("server"), tcp: buffers, mptcp });
  const r = upload(sim, client, server, [PATH], BYTES, [C, S]);
  const tap = new RecordingTap();
  sim.tapInterface(sim.node("client")!, 0, tap);
  assert.ok(sim.runUntilDone(r.done, 60_000_000));
  let dataSegments = 0;
  let declaring = 0;
  for (const { packet } of tap.records) {
    const ip = parseIpPacket(packet);
    assert.ok(!isParseError(ip));
    const seg = parseTcp(ip.payload);
    assert.ok(!isParseError(seg));
    if (seg.srcPort === 5201 || seg.payload.length === 0) continue;
    dataSegments++;
    // The client's first data declares its mapping on MP_CAPABLE (§3.1), the rest on a DSS.
    const declares = (o: (typeof seg.options)[number]): boolean => o.kind === "mptcp" && (o.option.subtype === "MP_CAPABLE" || (o.option.subtype === "DSS" && o.option.dsn !== undefined));
    if (seg.options.some(declares)) declaring++;
  }
  return { intact: sha256(r.sink.bytes) === sha256(r.app.data), outOfWindow: server.counters.NoDSSInWindow, dataSegments, declaring };
}

describe("mapping ahead of the window (RFC 8684 §3.3.1, §3.3.5)", () => {
  test("a window-limited upload: intact, nothing beyond the window, a mapping every tens of segments", () => {
    const ahead = run(false);
    assert.ok(ahead.intact);
    assert.equal(ahead.outOfWindow, 0);
    assert.ok(ahead.declaring * 20 < ahead.dataSegments, `${ahead.declaring} mappings declared over ${ahead.dataSegments} data segments`);
    const every = run(true);
    assert.ok(every.intact);
    assert.equal(every.outOfWindow, 0);
    assert.equal(every.declaring, every.dataSegments, "with the DSS on every segment, every one declares");
    assert.ok(ahead.dataSegments < every.dataSegments, "fewer segments: more payload in each");
  });
});

/**
 * An MP_JOIN SYN is attached to its connection by its token (RFC 8684 §3.2) whatever the order of
 * the frames within the capture: captures merged from two interfaces (mergecap of `sim --pcap`
 * files) put the join SYN before the MP_CAPABLE SYN/ACK that reveals the token when both have
 * the same microsecond. A join to a token the capture never reveals stays a subflow of an
 * unknown connection.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { analyzeCaptures } from "../../src/analyze/analyze.js";
import type { AnalysisReport } from "../../src/analyze/types.js";
import { isParseError } from "../../src/wire/error.js";
import type { CapturedPacket } from "../../src/wire/pcap/packet.js";
import { CaptureParser } from "../../src/wire/pcap/parser.js";
import { PcapWriter } from "../../src/wire/pcap/writer.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { CLIENT2_U32, CLIENT_U32, payload, runPair, tcpInfo, withCaptures, type Pair } from "./sim-pair.js";

const MPTCP_OPTION = 30;
const MP_CAPABLE = 0;
const MP_JOIN = 1;

function packets(pcap: Uint8Array): CapturedPacket[] {
  const parser = new CaptureParser();
  parser.push(pcap);
  const out: CapturedPacket[] = [];
  for (let p = parser.next(); p !== undefined; p = parser.next()) {
    assert.ok(!isParseError(p));
    out.push(p);
  }
  return out;
}

function pcapOf(list: CapturedPacket[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter((c) => chunks.push(c.slice()), { linkType: list[0]!.linkType });
  for (const p of list) w.write(p.tsSec * 1e6 + p.tsNsec / 1000, p.data);
  return Buffer.concat(chunks);
}

/** The offset of the first MPTCP option of `subtype` in a raw IPv4/TCP datagram, or -1. */
function mptcpOption(data: Uint8Array, subtype: number): number {
  const ihl = (data[0]! & 0x0f) * 4;
  const end = ihl + (data[ihl + 12]! >>> 4) * 4;
  for (let i = ihl + 20; i < end; ) {
    const kind = data[i]!;
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    if (kind === MPTCP_OPTION && data[i + 2]! >>> 4 === subtype) return i;
    i += Math.max(2, data[i + 1]!);
  }
  return -1;
}

const isSynAck = (p: CapturedPacket, src: number): boolean => {
  const t = tcpInfo(p.data);
  return t.src !== src && (t.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === (TCP_FLAG.SYN | TCP_FLAG.ACK);
};
const isSyn = (p: CapturedPacket, src: number): boolean => {
  const t = tcpInfo(p.data);
  return t.src === src && (t.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN;
};

async function analyze(pcap: Uint8Array): Promise<AnalysisReport> {
  return withCaptures([pcap], (paths) => analyzeCaptures(paths));
}

describe("analyze: MP_JOIN and the order of frames", () => {
  let pair: Pair | undefined;
  // The client joins over the second path as soon as the SYN/ACK arrives: at the same µs.
  const run = (): Pair =>
    (pair ??= runPair({ seed: 61, clientData: payload(200_000, 61), forward: { rateBps: 20_000_000, delayUs: 5_000 }, second: { forward: { rateBps: 10_000_000, delayUs: 10_000 } } }));

  test("a join SYN before the SYN/ACK that reveals its token, at the same µs, is attached as if it came after", async () => {
    const p = run();
    const list = packets(p.clientPcap);
    const synAck = list.findIndex((x) => isSynAck(x, CLIENT_U32) && mptcpOption(x.data, MP_CAPABLE) >= 0);
    const joinSyn = list.findIndex((x) => isSyn(x, CLIENT2_U32) && mptcpOption(x.data, MP_JOIN) >= 0);
    assert.ok(synAck >= 0 && joinSyn > synAck);
    // The premise: the same timestamp, so a merge of two per-interface captures may order them either way.
    assert.equal(list[joinSyn]!.time, list[synAck]!.time);
    const swapped = [...list];
    const [syn] = swapped.splice(joinSyn, 1);
    swapped.splice(synAck, 0, syn!);

    const inOrder = await analyze(p.clientPcap);
    const reordered = await analyze(pcapOf(swapped));
    assert.equal(inOrder.orphanSubflows, 0);
    assert.equal(reordered.orphanSubflows, 0);
    const c = reordered.connections[0]!;
    assert.equal(c.subflows.length, 2);
    assert.equal(c.subflows[1]!.join, true);
    assert.equal(c.subflows[1]!.hmacOk, true);
    assert.deepEqual(c.bytes, { c2s: 200_000, s2c: 0 });
    // Everything but the frame numbers is what the capture in order gives.
    const noFrames = (r: AnalysisReport): unknown => JSON.parse(JSON.stringify(r.connections, (k, v: unknown) => (k === "frame" ? undefined : v)));
    assert.deepEqual(noFrames(reordered), noFrames(inOrder));
  });

  test("a join to a token the capture never reveals is a subflow of an unknown connection", async () => {
    const p = run();
    const list = packets(p.clientPcap).map((x) => {
      if (!isSyn(x, CLIENT2_U32)) return x;
      const at = mptcpOption(x.data, MP_JOIN);
      if (at < 0) return x;
      const data = x.data.slice();
      // Another token (RFC 8684 §3.2: the 32 bits after the subtype byte and the address ID).
      data[at + 4] ^= 0xff;
      return { ...x, data };
    });
    const r = await analyze(pcapOf(list));
    assert.equal(r.orphanSubflows, 1);
    assert.equal(r.connections.length, 1);
    assert.equal(r.connections[0]!.subflows.length, 1);
  });
});

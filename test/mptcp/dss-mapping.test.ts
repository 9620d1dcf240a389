/**
 * A DSS mapping spanning several segments (RFC 8684 §3.3.1), exact segments both ways: our sender
 * declares a mapping on the segment that starts it and sends a Data ACK inside it only with news
 * (send-mapping.ts); our receiver maps the segments without a DSS by the mapping in force, holds
 * bytes that arrive before their declaration, and falls back or resets only for data in subflow
 * order that no mapping covers, or for the first data acknowledged without a Data ACK (§3.7).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { TcpRepr } from "../../src/wire/tcp-types.js";
import type { Dss } from "../../src/wire/mptcp/types.js";
import { dssChecksum } from "../../src/wire/mptcp/dss-checksum.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpHost } from "../../src/stack/mptcp-host.js";
import { A_ISN, IDSN_A, IDSN_B, clientSide, dataAckOpt, drain, dssOpt, joinedClient, mptcpOptions, serverSide } from "./segment-harness.js";
import type { Out } from "./segment-harness.js";

/** Everything readable now, in one array (undefined when nothing is). */
function readAll(c: MptcpConnection): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (let p = c.read(); p !== undefined; p = c.read()) parts.push(p);
  if (parts.length === 0) return undefined;
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** The DSS once per mapping (the default; Linux puts it on every segment). */
const ONCE = { dssEverySegment: false };

const dssOf = (s: TcpRepr): Dss | undefined => mptcpOptions(s).find((o): o is Dss => o.subtype === "DSS");
const dataSegments = (out: Out[]): TcpRepr[] => out.map((o) => o.seg).filter((s) => s.payload.length > 0);
const bytes = (n: number, seed = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
/** Option bytes of a segment (its header beyond the 20 fixed bytes). */
const optionBytes = (s: TcpRepr): number => s.options.reduce((n, o) => n + (o.kind === "nop" ? 1 : o.kind === "mptcp" ? mptcpLength(o.option) : 0), 0);
function mptcpLength(o: ReturnType<typeof mptcpOptions>[number]): number {
  if (o.subtype !== "DSS") return 0;
  return 4 + (o.dataAck === undefined ? 0 : o.dataAck64 ? 8 : 4) + (o.dsn === undefined ? 0 : (o.dsn64 ? 8 : 4) + 6 + (o.checksum === undefined ? 0 : 2));
}

describe("sending a mapping over several segments (§3.3.1)", () => {
  test("the mapping goes on its first segment only; the others fill the MSS with payload", () => {
    const side = clientSide(ONCE);
    side.c.write(bytes(6000));
    const segs = dataSegments(drainAll(side));
    assert.ok(segs.length >= 4, `${segs.length} data segments`);
    const first = dssOf(segs[0]!);
    assert.ok(first?.dsn !== undefined, "the first segment declares the mapping");
    assert.equal(first.dsn, IDSN_A + 1n);
    assert.equal(first.ssn, 1);
    const covered = first.dataLen!;
    let sent = 0;
    for (const s of segs) sent += s.payload.length;
    assert.ok(covered >= sent, `one mapping of ${covered} bytes covers the ${sent} bytes sent`);
    // Its Data ACK went with the mapping; it has not moved since, so the rest carry no DSS.
    // (32 bits wide: B has sent no mapping yet, whose width ours follows, as Linux's does.)
    assert.equal(first.dataAck, first.dataAck64 ? IDSN_B + 1n : BigInt.asUintN(32, IDSN_B + 1n));
    for (const s of segs.slice(1)) assert.equal(dssOf(s), undefined);
    // Every full segment is MSS-sized: payload plus MPTCP option bytes are the same for all.
    const full = segs[0]!.payload.length + optionBytes(segs[0]!);
    for (const s of segs.slice(1, -1)) assert.equal(s.payload.length, full);
  });

  test("dssEverySegment: every segment carries the whole mapping and a Data ACK, as Linux does", () => {
    const side = clientSide({ dssEverySegment: true });
    side.c.write(bytes(6000));
    const segs = dataSegments(drainAll(side));
    assert.ok(segs.length >= 4);
    const first = dssOf(segs[0]!)!;
    for (const s of segs) {
      const d = dssOf(s);
      assert.deepEqual([d?.dsn, d?.ssn, d?.dataLen, d?.dataAck], [first.dsn, first.ssn, first.dataLen, first.dataAck]);
    }
  });

  test("a retransmission of the first segment declares the mapping again; one from inside the mapping does not", () => {
    const side = clientSide(ONCE);
    side.c.write(bytes(6000));
    const segs = dataSegments(drainAll(side));
    const first = dssOf(segs[0]!)!;
    // Nothing acknowledged: the retransmission timeout resends the first segment, mapping and all.
    const rto = side.h.pollTimeout()!;
    side.h.handleTimeout(rto);
    const again = dataSegments(drainAll(side, rto));
    assert.equal(again[0]!.seq, segs[0]!.seq);
    const d = dssOf(again[0]!)!;
    assert.deepEqual([d.dsn, d.ssn, d.dataLen], [first.dsn, first.ssn, first.dataLen]);
    // The first segment acknowledged (with its Data ACK): the next retransmission starts inside
    // the mapping, which the peer has, and carries none.
    const acked = (segs[0]!.seq + segs[0]!.payload.length) >>> 0;
    const dataAcked = IDSN_A + 1n + BigInt(segs[0]!.payload.length);
    side.fromB({ ack: acked, options: [dataAckOpt(dataAcked)] }, rto + 1000);
    const rto2 = side.h.pollTimeout()!;
    side.h.handleTimeout(rto2);
    const inside = dataSegments(drainAll(side, rto2));
    assert.equal(inside[0]!.seq, acked);
    assert.equal(dssOf(inside[0]!)?.dsn, undefined);
  });

  test("inside a mapping, a Data ACK goes alone when it moved, then not again", () => {
    const side = clientSide(ONCE);
    side.c.write(bytes(20_000));
    drainAll(side);
    // B sends 100 bytes (its own mapping) and acknowledges our first two segments.
    const b = bytes(100, 5);
    const bMap = dssOpt({ fin: false, dsn64: true, dsn: IDSN_B + 1n, ssn: 1, dataLen: 100, dataAck64: true, dataAck: IDSN_A + 1n });
    const out = side.fromB({ ack: (side.iss + 1 + 2800) >>> 0, payload: b, options: [bMap] }, 5000);
    const segs = dataSegments(out);
    assert.ok(segs.length >= 2, "the ACK opened the window: more data goes");
    const withAck = segs.map(dssOf);
    assert.equal(withAck[0]?.dsn, undefined, "inside the mapping: no mapping");
    assert.equal(withAck[0]?.dataAck, IDSN_B + 101n, "but the new Data ACK");
    for (const d of withAck.slice(1)) assert.equal(d, undefined);
  });
});

describe("mapping ahead of the window (map-ahead.ts; §3.3.1, §3.3.5)", () => {
  test("where the peer's window limits the sender, a mapping spans beyond it, and no byte goes beyond it", () => {
    // B's window: 4000 bytes (§3.3.4: relative to the Data ACK beside it).
    const side = clientSide(ONCE, undefined, 4000);
    side.c.write(bytes(30_000));
    const segs = dataSegments(drainAll(side));
    const sent = segs.reduce((n, s) => n + s.payload.length, 0);
    assert.ok(sent > 0 && sent <= 4000, `${sent} bytes sent`);
    const first = dssOf(segs[0]!)!;
    assert.ok(first.dataLen! > 4000, `one mapping of ${first.dataLen} bytes, beyond the window`);
    // B takes it all and offers 4000 bytes more: the data goes on inside the same mapping, with
    // no DSS, and still not beyond the new right edge.
    const acked = IDSN_A + 1n + BigInt(sent);
    const more = dataSegments(side.fromB({ ack: (side.iss + 1 + sent) >>> 0, window: 4000, options: [dataAckOpt(acked)] }, 3000));
    const sent2 = more.reduce((n, s) => n + s.payload.length, 0);
    assert.ok(sent2 > 0 && sent + sent2 <= sent + 4000, `${sent2} more bytes`);
    assert.ok(sent + sent2 <= first.dataLen!, "still inside the first mapping");
    for (const s of more) assert.equal(dssOf(s)?.dsn, undefined);
  });

  test("with the DSS on every segment, nothing is mapped ahead", () => {
    const side = clientSide({ dssEverySegment: true }, undefined, 4000);
    side.c.write(bytes(30_000));
    const segs = dataSegments(drainAll(side));
    for (const s of segs) assert.ok(dssOf(s)!.dataLen! <= 4000, `a mapping of ${dssOf(s)!.dataLen} bytes`);
  });
});

/** What the host sends at `now` (the harness's time after the handshake by default). */
const drainAll = (side: { h: MptcpHost }, now = 2000): Out[] => drain(side.h, now);

/** A's segment on the initial subflow, `offset` bytes into A's stream. */
function fromA(side: ReturnType<typeof serverSide>, offset: number, payload: Uint8Array, dss?: Omit<Dss, "subtype">, now = 2000): Out[] {
  return side.fromA({ seq: (A_ISN + 1 + offset) >>> 0, payload, options: dss === undefined ? [] : [dssOpt(dss)] }, now);
}

const mapOf = (offset: number, len: number, extra: Partial<Dss> = {}): Omit<Dss, "subtype"> => ({ fin: false, dsn64: true, dsn: IDSN_A + 1n + BigInt(offset), ssn: 1 + offset, dataLen: len, dataAck64: true, dataAck: IDSN_B + 1n, ...extra });

describe("receiving a mapping over several segments (§3.3.1)", () => {
  test("segments without a DSS inside a declared mapping are its bytes", () => {
    const side = serverSide(ONCE);
    const data = bytes(3000);
    fromA(side, 0, data.subarray(0, 1000), mapOf(0, 3000));
    fromA(side, 1000, data.subarray(1000, 2000));
    fromA(side, 2000, data.subarray(2000));
    assert.equal(side.c.mode, "mptcp");
    assert.deepEqual(readAll(side.c), data);
  });

  test("the first segment lost: the later ones wait for it, then all is delivered in order", () => {
    const side = serverSide(ONCE);
    const data = bytes(3000);
    fromA(side, 2000, data.subarray(2000));
    fromA(side, 1000, data.subarray(1000, 2000));
    assert.equal(side.c.mode, "mptcp", "out of order on the subflow: no fallback");
    assert.equal(readAll(side.c), undefined);
    fromA(side, 0, data.subarray(0, 1000), mapOf(0, 3000));
    assert.deepEqual(readAll(side.c), data);
    assert.equal(side.h.counters.DssFallback, 0);
  });

  test("data in subflow order beyond every mapping, without options: fallback to TCP (DssFallback)", () => {
    const side = serverSide(ONCE);
    const data = bytes(2000);
    fromA(side, 0, data.subarray(0, 1000), mapOf(0, 1000));
    fromA(side, 1000, data.subarray(1000));
    assert.equal(side.c.mode, "fallback");
    assert.equal(side.c.fallbackReason, "MPTCP options missing after the handshake");
    assert.equal(side.h.counters.DssFallback, 1);
    assert.deepEqual(readAll(side.c), data, "the stream continues linearly");
  });

  test("held bytes after the first segment lost, which then comes without options: fallback, nothing lost", () => {
    const side = serverSide(ONCE);
    const data = bytes(2000);
    fromA(side, 1000, data.subarray(1000));
    assert.equal(side.c.mode, "mptcp");
    fromA(side, 0, data.subarray(0, 1000));
    assert.equal(side.c.mode, "fallback");
    assert.deepEqual(readAll(side.c), data);
  });

  test("checksums over a mapping of three segments: verified once it is complete", () => {
    const side = serverSide({ ...ONCE, checksums: true });
    const data = bytes(3000);
    const csum = dssChecksum(IDSN_A + 1n, 1, 3000, data);
    fromA(side, 0, data.subarray(0, 1000), mapOf(0, 3000, { checksum: csum }));
    fromA(side, 1000, data.subarray(1000, 2000));
    assert.equal(readAll(side.c), undefined, "held until the mapping is complete");
    fromA(side, 2000, data.subarray(2000));
    assert.deepEqual(readAll(side.c), data);
    assert.equal(side.h.counters.DataCsumErr, 0);
  });

  test("checksums over a mapping of three segments, one byte changed in the last: MP_FAIL (§3.7)", () => {
    const side = serverSide({ ...ONCE, checksums: true });
    const data = bytes(3000);
    const csum = dssChecksum(IDSN_A + 1n, 1, 3000, data);
    const bad = data.slice(2000);
    bad[10]! ^= 0x40;
    fromA(side, 0, data.subarray(0, 1000), mapOf(0, 3000, { checksum: csum }));
    fromA(side, 1000, data.subarray(1000, 2000));
    const out = fromA(side, 2000, bad);
    assert.equal(side.h.counters.DataCsumErr, 1);
    const fail = out.flatMap((o) => mptcpOptions(o.seg)).find((o) => o.subtype === "MP_FAIL");
    assert.ok(fail !== undefined, "MP_FAIL goes out");
    assert.equal(fail.dsn, IDSN_A + 1n, "with the DSN of the failed mapping");
  });
});

describe("the fallback rules look at mapping coverage, not at a missing DSS (§3.7)", () => {
  test("the first data acknowledged without a Data ACK, before any DSS came: fallback", () => {
    const side = serverSide(ONCE);
    side.c.write(bytes(1000));
    drain(side.h, 2000);
    side.fromA({ ack: (side.iss + 1 + 1000) >>> 0 }, 3000);
    assert.equal(side.c.mode, "fallback");
    assert.equal(side.h.counters.DssFallback, 1);
  });

  test("once a DSS came, a segment without options acknowledging our data is no fallback: it may be inside the peer's mapping", () => {
    const side = clientSide(ONCE);
    side.c.write(bytes(3000));
    drainAll(side);
    // B's data: a mapping of 2000 bytes declared on its first segment; the second goes bare and
    // acknowledges our data (the segment that carried B's Data ACK was lost).
    const b = bytes(2000, 9);
    const map = dssOpt({ fin: false, dsn64: true, dsn: IDSN_B + 1n, ssn: 1, dataLen: 2000, dataAck64: true, dataAck: IDSN_A + 1n });
    side.fromB({ payload: b.subarray(0, 1000), options: [map] }, 3000);
    side.fromB({ seq: 7001 + 1000, ack: (side.iss + 1 + 3000) >>> 0, payload: b.subarray(1000) }, 3500);
    assert.equal(side.c.mode, "mptcp");
    assert.deepEqual(readAll(side.c), b);
  });

  test("a joined subflow: bytes inside the mapping without a DSS are taken, in-order bytes beyond it reset the subflow", () => {
    const side = joinedClient(ONCE);
    const data = bytes(2000);
    const map = dssOpt({ fin: false, dsn64: true, dsn: IDSN_B + 1n, ssn: 1, dataLen: 1000, dataAck64: true, dataAck: IDSN_A + 1n });
    const base = { ack: (side.joinIss + 1) >>> 0 };
    side.fromJoin({ ...base, seq: 9001, payload: data.subarray(0, 500), options: [map] }, 4000);
    side.fromJoin({ ...base, seq: 9501, payload: data.subarray(500, 1000) }, 4100);
    assert.deepEqual(readAll(side.c), data.subarray(0, 1000));
    assert.equal(side.join.state, "established");
    const out = side.fromJoin({ ...base, seq: 10001, payload: data.subarray(1000) }, 4200);
    const rst = out.find((o) => (o.seg.flags & TCP_FLAG.RST) !== 0);
    assert.ok(rst !== undefined, "the joined subflow is reset");
    assert.ok(mptcpOptions(rst.seg).some((o) => o.subtype === "MP_TCPRST"));
  });
});

/**
 * RFC 7430 and issue 4 item 6: no input may crash an MptcpHost or make it hold memory without
 * bound. Random segments (any flags, sequence numbers near and far from the window, payloads, and
 * MPTCP options both well-formed and raw bytes) are fed to established connections, on the initial
 * subflow and on a joined one, and random MP_JOIN SYNs to a listener, with the application
 * writing and reading and time passing in between. After every step, whatever the host sends must
 * parse (the harness checks it), and what it holds stays within its configured bounds.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WINDOW_SLACK } from "../../src/mptcp/connection-config.js";
import { CLOSED_SUBFLOWS_KEPT } from "../../src/mptcp/path-control.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { MptcpOption } from "../../src/wire/mptcp/types.js";
import { TCPOPT_MPTCP } from "../../src/wire/mptcp/types.js";
import { mptcpOptionLength } from "../../src/wire/mptcp/option.js";
import type { Out } from "./segment-harness.js";
import { A_ISN, B_ISN, B_JOIN_ISN, C1, IDSN_A, IDSN_B, KEY_A, KEY_B, S1, TOKEN_B, drain, events, joinedClient, packet, seg, serverSide } from "./segment-harness.js";
import { runs } from "../support/fuzz.js";

const RECV_BUFFER = 64 * 1024;
const MAX_SUBFLOWS = 2;
const MAX_HALF_OPEN = 4;
const MPTCP = { recvBufferSize: RECV_BUFFER, subflows: MAX_SUBFLOWS, maxHalfOpenJoins: MAX_HALF_OPEN, limits: { subflows: MAX_SUBFLOWS, addAddrAccepted: 2 } };

const u8 = fc.integer({ min: 0, max: 255 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
/** DSNs and Data ACKs near the ones in use (so that they are taken seriously), or anywhere. */
const near = (base: bigint): fc.Arbitrary<bigint> =>
  fc.oneof(fc.integer({ min: -3000, max: 200_000 }).map((d) => (base + BigInt(d)) & (2n ** 64n - 1n)), u64);

/** One MPTCP option of any subtype; `peerKey`/`ourKey` are the keys of the connection under test. */
function mptcpOption(ourIdsn: bigint, peerIdsn: bigint, ourKey: bigint): fc.Arbitrary<MptcpOption> {
  const dss = fc
    .record({
      fin: fc.boolean(),
      ack: fc.option(near(ourIdsn + 1n), { nil: undefined }),
      ack64: fc.boolean(),
      map: fc.option(fc.record({ dsn: near(peerIdsn + 1n), ssn: fc.integer({ min: 0, max: 200_000 }), len: fc.integer({ min: 0, max: 0xffff }) }), { nil: undefined }),
      dsn64: fc.boolean(),
      ck: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    })
    .map(({ fin, ack, ack64, map, dsn64, ck }): MptcpOption => {
      const o: MptcpOption = { subtype: "DSS", fin, dataAck64: ack64, dsn64 };
      if (ack !== undefined) o.dataAck = ack64 ? ack : ack & 0xffffffffn;
      if (map !== undefined) {
        o.dsn = dsn64 ? map.dsn : map.dsn & 0xffffffffn;
        o.ssn = map.ssn;
        o.dataLen = map.len;
        if (ck !== undefined) o.checksum = ck;
      }
      return o;
    });
  const addr = fc.oneof(bytes(4), bytes(16));
  return fc.oneof(
    { weight: 6, arbitrary: dss },
    { weight: 1, arbitrary: fc.record({ flags: u8, version: fc.integer({ min: 0, max: 3 }), k1: u64, k2: fc.constantFrom(ourKey, 1n) }).map(({ flags, version, k1, k2 }): MptcpOption => ({ subtype: "MP_CAPABLE", version, flags, sendKey: k1, recvKey: k2 })) },
    { weight: 1, arbitrary: fc.record({ backup: fc.boolean(), addrId: u8, token: u32, nonce: u32 }).map((f): MptcpOption => ({ subtype: "MP_JOIN", form: "syn", ...f })) },
    { weight: 1, arbitrary: fc.record({ hmac: bytes(20) }).map((f): MptcpOption => ({ subtype: "MP_JOIN", form: "ack", ...f })) },
    {
      weight: 2,
      arbitrary: fc.record({ echo: fc.boolean(), addrId: u8, addr, port: fc.option(fc.integer({ min: 1, max: 0xffff }), { nil: undefined }), hmac: bytes(8) }).map(({ echo, addrId, addr, port, hmac }): MptcpOption => {
        const o: MptcpOption = { subtype: "ADD_ADDR", version: 1, echo, addrId, addr };
        if (port !== undefined) o.port = port;
        if (!echo) o.hmac = hmac;
        return o;
      }),
    },
    { weight: 1, arbitrary: fc.array(u8, { minLength: 1, maxLength: 8 }).map((addrIds): MptcpOption => ({ subtype: "REMOVE_ADDR", addrIds })) },
    { weight: 1, arbitrary: fc.boolean().map((backup): MptcpOption => ({ subtype: "MP_PRIO", backup })) },
    { weight: 1, arbitrary: near(peerIdsn + 1n).map((dsn): MptcpOption => ({ subtype: "MP_FAIL", dsn })) },
    { weight: 1, arbitrary: fc.constantFrom(ourKey, 0x1234n).map((key): MptcpOption => ({ subtype: "MP_FASTCLOSE", key })) },
    { weight: 1, arbitrary: fc.record({ flags: fc.integer({ min: 0, max: 15 }), reason: u8 }).map((f): MptcpOption => ({ subtype: "MP_TCPRST", ...f })) },
  );
}

/** Option lists that fit in 40 bytes are sent; raw bytes under kind 30 are MPTCP options of any shape. */
function options(ourIdsn: bigint, peerIdsn: bigint, ourKey: bigint): fc.Arbitrary<TcpOption[]> {
  const raw = fc.uint8Array({ minLength: 0, maxLength: 20 }).map((data): TcpOption => ({ kind: "unknown", type: TCPOPT_MPTCP, data }));
  const one = fc.oneof({ weight: 5, arbitrary: mptcpOption(ourIdsn, peerIdsn, ourKey).map((option): TcpOption => ({ kind: "mptcp", option })) }, { weight: 1, arbitrary: raw });
  // What does not fit in the 40 bytes of option space is left off.
  return fc.array(one, { maxLength: 3 }).map((list) => {
    let room = 40;
    return list.filter((o) => {
      const n = o.kind === "mptcp" ? mptcpOptionLength(o.option) : o.kind === "unknown" ? 2 + o.data.length : 0;
      if (n > room) return false;
      room -= n;
      return true;
    });
  });
}

const FLAGS = [TCP_FLAG.ACK, TCP_FLAG.ACK | TCP_FLAG.PSH, TCP_FLAG.ACK | TCP_FLAG.FIN, TCP_FLAG.RST, TCP_FLAG.ACK | TCP_FLAG.RST, TCP_FLAG.SYN, TCP_FLAG.SYN | TCP_FLAG.ACK];

interface Step {
  /** Which subflow the segment comes on (0 initial, 1 the join, where there is one). */
  path: number;
  flags: number;
  /** Sequence number relative to the peer's next expected one. */
  seqDelta: number;
  ackDelta: number;
  payload: number;
  options: TcpOption[];
  /** The application's doings after the segment, and the time that passes. */
  write: number;
  read: boolean;
  advanceUs: number;
}

function steps(ourIdsn: bigint, peerIdsn: bigint, ourKey: bigint): fc.Arbitrary<Step[]> {
  const step = fc.record({
    path: fc.integer({ min: 0, max: 1 }),
    flags: fc.constantFrom(...FLAGS),
    seqDelta: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -2000, max: 80_000 }) }, { weight: 1, arbitrary: u32 }),
    ackDelta: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -10, max: 5000 }) }, { weight: 1, arbitrary: u32 }),
    payload: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 1400 }) }),
    options: options(ourIdsn, peerIdsn, ourKey),
    write: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
    read: fc.boolean(),
    advanceUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000_000 })),
  });
  return fc.array(step, { minLength: 1, maxLength: 14 });
}

/** What the connection and the host hold stays within their bounds. */
function assertBounded(h: MptcpHost, c: MptcpConnection): void {
  assert.ok(c.readable <= RECV_BUFFER + WINDOW_SLACK, `readable ${c.readable}`);
  assert.ok(c.joinedSubflows.length <= MAX_SUBFLOWS, `joins ${c.joinedSubflows.length}`);
  assert.ok(c.peerAddresses.size <= 256);
  assert.ok(c.stats().subflows.length <= 1 + MAX_SUBFLOWS + CLOSED_SUBFLOWS_KEPT);
  assert.ok(h.host.connectionCount <= 1 + MAX_SUBFLOWS + MAX_HALF_OPEN, `TCP connections ${h.host.connectionCount}`);
}

/** Runs `s` on a connection: `send(step, now)` delivers the step's segment from the peer. */
function play(h: MptcpHost, c: MptcpConnection, s: Step[], start: number, send: (st: Step, now: number) => Out[]): void {
  let now = start;
  for (const st of s) {
    send(st, now);
    if (st.write > 0) c.write(new Uint8Array(st.write));
    if (st.read) while (c.read() !== undefined);
    now += st.advanceUs;
    const t = h.pollTimeout();
    if (t !== undefined && t <= now) h.handleTimeout(now);
    drain(h, now);
    events(h);
    assertBounded(h, c);
  }
}

/** The segment of a step, its sequence numbers relative to `seqBase` and `ackBase`. */
function fields(st: Step, seqBase: number, ackBase: number): Partial<TcpRepr> {
  return { flags: st.flags, seq: (seqBase + st.seqDelta) >>> 0, ack: (ackBase + st.ackDelta) >>> 0, options: st.options, payload: new Uint8Array(st.payload).fill(0x61) };
}

describe("an MptcpHost under random input (RFC 7430)", () => {
  test("the server's connection, with DSS checksums or not: random segments on the initial subflow", () => {
    fc.assert(
      fc.property(fc.boolean(), steps(IDSN_B, IDSN_A, KEY_B), (checksums, s) => {
        const side = serverSide({ ...MPTCP, checksums });
        const { h, c, iss } = side;
        play(h, c, s, 2000, (st, now) => side.fromA(fields(st, A_ISN + 1, iss + 1), now));
      }),
      { numRuns: runs(120) },
    );
  });

  test("the client with a joined subflow: random segments on either subflow", () => {
    fc.assert(
      fc.property(steps(IDSN_A, IDSN_B, KEY_A), (s) => {
        const side = joinedClient(MPTCP);
        const { h, c } = side;
        play(h, c, s, 5000, (st, now) =>
          st.path === 0 ? side.fromB(fields(st, B_ISN + 1, side.iss + 1), now) : side.fromJoin(fields(st, B_JOIN_ISN + 1, side.joinIss + 1), now),
        );
      }),
      { numRuns: runs(120) },
    );
  });

  test("MP_JOIN SYNs with the right token from many ports: the half-open joins stay within the host's cap", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ port: fc.integer({ min: 1024, max: 65535 }), token: fc.constantFrom(TOKEN_B, 0x1234), nonce: u32, backup: fc.boolean(), addrId: u8 }), { minLength: 1, maxLength: 24 }),
        (syns) => {
          const { h, c } = serverSide(MPTCP);
          let now = 2000;
          for (const j of syns) {
            const option: MptcpOption = { subtype: "MP_JOIN", form: "syn", backup: j.backup, addrId: j.addrId, token: j.token, nonce: j.nonce };
            h.receive(packet(C1, S1, seg({ srcPort: j.port, dstPort: 80, seq: 1, flags: TCP_FLAG.SYN, options: [{ kind: "mptcp", option }] })), 0, now);
            drain(h, now);
            events(h);
            now += 1000;
            assertBounded(h, c);
          }
        },
      ),
      { numRuns: runs(60) },
    );
  });
});

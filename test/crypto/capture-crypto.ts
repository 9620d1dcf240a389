/**
 * Test helper: recomputes, from the keys and nonces a capture carries, every value the crypto
 * module derives, and compares it with what the capture carries next to them:
 * - the MP_CAPABLE keys seen again later (SYN/ACK key, repeated third-ACK keys);
 * - MP_JOIN SYN tokens (RFC 8684 §3.2: the token of the listener's key);
 * - MP_JOIN SYN/ACK truncated HMACs and third-ACK HMACs;
 * - ADD_ADDR HMACs (v1);
 * - MP_FASTCLOSE keys (RFC 8684 §3.5: the option receiver's key);
 * - IDSNs, through the DSNs: each host's lowest mapped DSN is IDSN+1 (RFC 8684 §3.3.1), or
 *   IDSN+1+n when its first n bytes went in MP_CAPABLE with data; every Data ACK lies between
 *   the peer's IDSN+1 and IDSN+1 plus every payload byte the peer sent (retransmissions and
 *   DATA_FIN included: a bound that does not itself depend on the IDSN).
 *
 * Host A is the MP_CAPABLE initiator (RFC 8684 §3.1), B the listener. Connections are found by
 * their MP_CAPABLE third ACK (Key-A‖Key-B), subflows by 4-tuple; joins are paired with their
 * connection through the token.
 */
import {
  addAddrHmac,
  hmacEqual,
  joinHmacAck,
  joinHmacSynAck,
  keyDerive,
  type MptcpVersion,
} from "../../src/crypto/index.js";
import { toHex } from "../../src/wire/bytes.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { Segment } from "./capture-segments.js";

export type CheckKind =
  | "key-echo"
  | "join-token"
  | "join-synack-hmac"
  | "join-ack-hmac"
  | "add-addr-hmac"
  | "fastclose-key"
  | "first-dsn"
  | "data-ack";

export interface Check {
  kind: CheckKind;
  packet: number;
  ok: boolean;
  detail: string;
}

export interface Connection {
  version: MptcpVersion;
  keyA: bigint;
  keyB: bigint;
  tokenA: number;
  tokenB: number;
  idsnA: bigint;
  idsnB: bigint;
}

export interface CaptureCrypto {
  connections: Connection[];
  checks: Check[];
  /** MP_JOIN SYNs whose token names no connection of the capture. */
  unmatchedJoins: number[];
}

interface Subflow {
  conn: ConnState;
  /** "address.port" of host A on this subflow. */
  endpointA: string;
}

interface Direction {
  /** Lowest mapped DSN, as an offset from IDSN+1. */
  minRel?: bigint;
  /** Payload bytes sent, plus one for a DATA_FIN: no Data ACK can pass IDSN+1 plus this. */
  sent: bigint;
  /** Data-level length of the MP_CAPABLE-with-data mapping (v1), implicitly at offset 0. */
  mpcDataLen?: number;
  /** Data ACKs received for this direction's data, as offsets from IDSN+1, with their packets. */
  acks: Array<{ packet: number; rel: bigint }>;
}

interface ConnState extends Connection {
  a: Direction;
  b: Direction;
}

interface Join {
  conn: ConnState;
  initiatorIsA: boolean;
  nonceInitiator: number;
  nonceListener?: number;
}

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

/** The unordered 4-tuple of a segment's subflow. */
function subflowKey(s: Segment): string {
  return s.src < s.dst ? `${s.src} ${s.dst}` : `${s.dst} ${s.src}`;
}

function newDirection(): Direction {
  return { sent: 0n, acks: [] };
}

export function checkCaptureCrypto(segments: readonly Segment[]): CaptureCrypto {
  const checks: Check[] = [];
  const check = (kind: CheckKind, packet: number, ok: boolean, detail: string): void => {
    checks.push({ kind, packet, ok, detail: `packet ${packet}: ${kind}: ${detail}` });
  };
  const subflows = new Map<string, Subflow>();
  const connections: ConnState[] = [];

  // Pass 1: connections, from the MP_CAPABLE option that carries both keys (sent by A).
  for (const s of segments) {
    for (const o of s.mptcp) {
      if (o.subtype !== "MP_CAPABLE" || o.sendKey === undefined || o.recvKey === undefined) continue;
      const key = subflowKey(s);
      if (subflows.has(key)) continue;
      const version: MptcpVersion = o.version === 0 ? 0 : 1;
      const a = keyDerive(o.sendKey, version);
      const b = keyDerive(o.recvKey, version);
      const conn: ConnState = {
        version,
        keyA: a.key,
        keyB: b.key,
        tokenA: a.token,
        tokenB: b.token,
        idsnA: a.idsn,
        idsnB: b.idsn,
        a: newDirection(),
        b: newDirection(),
      };
      connections.push(conn);
      subflows.set(key, { conn, endpointA: s.src });
    }
  }

  // Pass 2: everything that can be recomputed from those keys, in capture order (a join's
  // subflow is known from its SYN on).
  const joins = new Map<string, Join>();
  const unmatchedJoins: number[] = [];
  const finSeen = new Set<Direction>();
  for (const s of segments) {
    const key = subflowKey(s);
    const known = subflows.get(key);
    if (known) (s.src === known.endpointA ? known.conn.a : known.conn.b).sent += BigInt(s.payloadLength);
    for (const o of s.mptcp) {
      const sf = subflows.get(key);
      switch (o.subtype) {
        case "MP_CAPABLE": {
          if (!sf || o.sendKey === undefined) break;
          const fromA = s.src === sf.endpointA;
          if (o.recvKey === undefined) {
            // v1 SYN/ACK (B's key), v0 SYN (A's key) and SYN/ACK (B's key).
            const expected = fromA ? sf.conn.keyA : sf.conn.keyB;
            check("key-echo", s.packet, o.sendKey === expected, `sender's key ${o.sendKey}, third ACK says ${expected}`);
          } else {
            check(
              "key-echo",
              s.packet,
              fromA && o.sendKey === sf.conn.keyA && o.recvKey === sf.conn.keyB,
              `keys ${o.sendKey} ${o.recvKey} from ${fromA ? "A" : "B"}`,
            );
          }
          if (o.dataLen !== undefined && fromA && s.payloadLength > 0) sf.conn.a.mpcDataLen = o.dataLen;
          break;
        }
        case "MP_JOIN": {
          if (o.form === "syn") {
            const conn = connections.find((c) => c.tokenA === o.token || c.tokenB === o.token);
            if (!conn) {
              unmatchedJoins.push(s.packet);
              break;
            }
            // The SYN names the listener by its token; the initiator is the other host.
            const initiatorIsA = o.token === conn.tokenB;
            check("join-token", s.packet, true, `token ${o.token} is the ${initiatorIsA ? "B" : "A"} key's`);
            subflows.set(key, { conn, endpointA: initiatorIsA ? s.src : s.dst });
            joins.set(key, { conn, initiatorIsA, nonceInitiator: o.nonce });
          } else {
            const j = joins.get(key);
            if (!j) break;
            const [initiatorKey, listenerKey] = j.initiatorIsA ? [j.conn.keyA, j.conn.keyB] : [j.conn.keyB, j.conn.keyA];
            if (o.form === "synack") {
              j.nonceListener = o.nonce;
              const expected = joinHmacSynAck(listenerKey, initiatorKey, o.nonce, j.nonceInitiator, j.conn.version);
              check("join-synack-hmac", s.packet, hmacEqual(o.hmac, expected), `${toHex(o.hmac)} vs ${toHex(expected)}`);
            } else if (j.nonceListener !== undefined) {
              const expected = joinHmacAck(initiatorKey, listenerKey, j.nonceInitiator, j.nonceListener, j.conn.version);
              check("join-ack-hmac", s.packet, hmacEqual(o.hmac, expected), `${toHex(o.hmac)} vs ${toHex(expected)}`);
            }
          }
          break;
        }
        case "ADD_ADDR": {
          if (!sf || o.hmac === undefined) break;
          const fromA = s.src === sf.endpointA;
          const [sender, receiver] = fromA ? [sf.conn.keyA, sf.conn.keyB] : [sf.conn.keyB, sf.conn.keyA];
          const expected = addAddrHmac(sender, receiver, o.addrId, o.addr, o.port);
          check("add-addr-hmac", s.packet, hmacEqual(o.hmac, expected), `${toHex(o.hmac)} vs ${toHex(expected)}`);
          break;
        }
        case "MP_FASTCLOSE": {
          if (!sf) break;
          const expected = s.src === sf.endpointA ? sf.conn.keyB : sf.conn.keyA;
          const rst = (s.flags & TCP_FLAG.RST) !== 0 ? " on RST" : "";
          check("fastclose-key", s.packet, o.key === expected, `key ${o.key}${rst}, receiver's key ${expected}`);
          break;
        }
        case "DSS": {
          if (!sf) break;
          const fromA = s.src === sf.endpointA;
          const own = fromA ? sf.conn.a : sf.conn.b;
          const peer = fromA ? sf.conn.b : sf.conn.a;
          if (o.dsn !== undefined && o.dataLen !== undefined && o.dataLen > 0) {
            const idsn = fromA ? sf.conn.idsnA : sf.conn.idsnB;
            const rel = (o.dsn - idsn - 1n) & (o.dsn64 ? M64 : M32);
            if (own.minRel === undefined || rel < own.minRel) own.minRel = rel;
          }
          if (o.fin && !finSeen.has(own)) {
            finSeen.add(own);
            own.sent += 1n;
          }
          if (o.dataAck !== undefined) {
            const peerIdsn = fromA ? sf.conn.idsnB : sf.conn.idsnA;
            peer.acks.push({ packet: s.packet, rel: (o.dataAck - peerIdsn - 1n) & (o.dataAck64 ? M64 : M32) });
          }
          break;
        }
        default:
          break;
      }
    }
  }

  for (const conn of connections) {
    for (const [name, d] of [["A", conn.a], ["B", conn.b]] as const) {
      const mpc = BigInt(d.mpcDataLen ?? 0);
      if (d.minRel !== undefined) {
        check("first-dsn", 0, d.minRel === mpc, `host ${name}'s lowest DSN is IDSN+1+${d.minRel}, expected IDSN+1+${mpc}`);
      }
      // One summary check per direction keeps the list short; the first bad ACK is named.
      const bad = d.acks.find((a) => a.rel > d.sent);
      if (d.acks.length > 0) {
        check(
          "data-ack",
          bad?.packet ?? d.acks[0]!.packet,
          bad === undefined,
          bad
            ? `Data ACK for host ${name} at IDSN+1+${bad.rel}, beyond the ${d.sent} bytes it sent`
            : `${d.acks.length} Data ACKs for host ${name} within IDSN+1 .. IDSN+1+${d.sent}`,
        );
      }
    }
  }

  const out: Connection[] = connections.map(({ version, keyA, keyB, tokenA, tokenB, idsnA, idsnB }) => ({
    version,
    keyA,
    keyB,
    tokenA,
    tokenB,
    idsnA,
    idsnB,
  }));
  return { connections: out, checks, unmatchedJoins };
}

/**
 * The harness of the exact-segment tests of address management and subflow lifecycle
 * (add-addr-live, mp-prio, remove-addr, fastclose-live): an MptcpHost fed hand-built segments by a
 * test that plays the peer, with the keys and nonces of a live Linux 6.18 connection
 * (mptcp-facts.md §1) drawn from a scripted random source, so the HMACs on the wire are the
 * captured ones.
 */
import assert from "node:assert/strict";
import { keyDerive } from "../../src/crypto/keys.js";
import type { RandomSource } from "../../src/crypto/random.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { JoinSubflow } from "../../src/mptcp/join.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { MptcpHostConfig } from "../../src/stack/mptcp-host.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import { formatAddress, parseAddress } from "../../src/wire/address.js";
import type { IpAddress } from "../../src/wire/address.js";
import { fromHex } from "../../src/wire/bytes.js";
import { isParseError } from "../../src/wire/error.js";
import { IPPROTO_TCP, emitIp, parseIpPacket } from "../../src/wire/ip.js";
import { emitTcp, parseTcp } from "../../src/wire/tcp.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { Dss, MpCapable, MpJoin, MptcpOption } from "../../src/wire/mptcp/types.js";
import { MPC_FLAG } from "../../src/wire/mptcp/types.js";

/** Counting bytes, except for queued 8-byte (keys) and 4-byte (nonces) draws. */
export class ScriptedRandom implements RandomSource {
  readonly draws8: Uint8Array[] = [];
  readonly draws4: Uint8Array[] = [];
  private next = 0;
  fillBytes(out: Uint8Array): void {
    const q = out.length === 8 ? this.draws8 : out.length === 4 ? this.draws4 : undefined;
    const v = q?.shift();
    if (v !== undefined) {
      out.set(v);
      return;
    }
    for (let i = 0; i < out.length; i++) out[i] = this.next++ & 0xff;
  }
}

export function be(n: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

export const ip = (text: string): IpAddress => parseAddress(text)!;

/** mptcp-facts.md §1: the live Linux 6.18 connection (A the client, B the server). */
export const KEY_A = 0xc12e566b69c3e004n;
export const KEY_B = 0x62031ceec1407cd4n;
export const R_A = 166604901;
export const R_B = 2339297157;
export const SYNACK_HMAC = be(7703062681642683350n, 8);
export const ACK_HMAC = fromHex("79992efa54436db16b33b18dfe127ca26623ef10");
/** B's ADD_ADDR of id 1, 10.0.2.1, no port: the rightmost 64 bits of its HMAC. */
export const ADD_ADDR_HMAC_B = be(10258151293813829166n, 8);
export const IDSN_A = keyDerive(KEY_A, 1).idsn;
export const IDSN_B = keyDerive(KEY_B, 1).idsn;
export const TOKEN_B = keyDerive(KEY_B, 1).token;

export const C1 = "10.0.0.1";
export const C2 = "10.0.1.1";
export const S1 = "10.0.0.2";
export const S2 = "10.0.1.2";
const PLAIN = { timestamps: false, sack: false, windowScaling: false };

export function seg(fields: Partial<TcpRepr> & { srcPort: number; dstPort: number }): TcpRepr {
  return { seq: 0, ack: 0, flags: TCP_FLAG.ACK, window: 65535, checksum: 0, urgentPointer: 0, options: [], payload: new Uint8Array(0), ...fields };
}

export function packet(src: string, dst: string, s: TcpRepr): Uint8Array {
  return emitIp({ src: ip(src), dst: ip(dst), protocol: IPPROTO_TCP }, emitTcp(s, ip(src), ip(dst)));
}

export interface Out {
  src: string;
  dst: string;
  seg: TcpRepr;
}

/** Every datagram the host sends now, parsed and checked. */
export function drain(h: MptcpHost, now: number): Out[] {
  const out: Out[] = [];
  for (let t = h.pollTransmit(now); t !== undefined; t = h.pollTransmit(now)) {
    // A host that never falls quiet at one instant is a fault (a storm), not a test that hangs.
    if (out.length === DRAIN_LIMIT) assert.fail(`more than ${DRAIN_LIMIT} datagrams at ${now} µs: ${out.slice(-3).map((o) => JSON.stringify(mptcpOptions(o.seg), bigints)).join(" ")}`);
    const p = parseIpPacket(t.packet, { verifyChecksum: true });
    assert.ok(!isParseError(p));
    const s = parseTcp(p.payload, { checksum: { src: p.src, dst: p.dst } });
    assert.ok(!isParseError(s));
    out.push({ src: formatAddress(p.src), dst: formatAddress(p.dst), seg: s });
  }
  return out;
}

/** More datagrams than any exchange of these tests sends at one instant. */
const DRAIN_LIMIT = 10_000;
const bigints = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? String(v) : v);

/** Every event queued, with its fields. */
export function events(h: MptcpHost): MptcpEvent[] {
  const out: MptcpEvent[] = [];
  for (let e = h.pollEvent(); e !== undefined; e = h.pollEvent()) out.push(e);
  return out;
}

export const types = (es: MptcpEvent[]): string[] => es.map((e) => e.type);

export function mptcpOptions(s: TcpRepr): MptcpOption[] {
  return s.options.flatMap((o) => (o.kind === "mptcp" ? [o.option] : []));
}

export const opt = (option: MptcpOption): TcpOption => ({ kind: "mptcp", option });
export const mpc = (o: Omit<MpCapable, "subtype" | "version">): TcpOption => opt({ subtype: "MP_CAPABLE", version: 1, ...o });
export const joinOpt = (o: MpJoin): TcpOption => opt(o);
export const dssOpt = (o: Omit<Dss, "subtype">): TcpOption => opt({ subtype: "DSS", ...o });
/** A bare Data ACK of the peer acknowledging `dataAck` (64-bit). */
export const dataAckOpt = (dataAck: bigint): TcpOption => dssOpt({ fin: false, dsn64: false, dataAck64: true, dataAck });

/** `lastPort`: the ephemeral ports are 50000 to it (one port by default: every exchange knows it). */
export function mptcpHost(addresses: string[], random: ScriptedRandom, mptcp: MptcpHostConfig["mptcp"] = {}, lastPort = 50000): MptcpHost {
  return new MptcpHost({ interfaces: addresses.map((a) => ({ addresses: [ip(a)] })), random, tcp: PLAIN, mptcp, ephemeralPorts: [50000, lastPort] });
}

export const A_ISN = 1000;
export const A_PORT = 40000;
export const B_ISN = 7000;

/** Our side as the server B (key B), accepted, fully established; the test plays client A from C1. */
export interface ServerSide {
  h: MptcpHost;
  c: MptcpConnection;
  random: ScriptedRandom;
  /** B's ISS on the initial subflow. */
  iss: number;
  /** A segment from A on the initial subflow; the host's answer. */
  fromA(fields: Partial<TcpRepr>, now: number): Out[];
  /** What the host sent in answer to A's third ACK (at time 1000). */
  afterHandshake: Out[];
}

export function serverSide(mptcp: MptcpHostConfig["mptcp"] = {}, addresses = [S1, S2]): ServerSide {
  const random = new ScriptedRandom();
  random.draws8.push(be(KEY_B, 8));
  const h = mptcpHost(addresses, random, mptcp);
  const l = h.listen(80);
  h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN, flags: TCP_FLAG.SYN, options: [mpc({ flags: MPC_FLAG.H })] })), 0, 0);
  const [synAck] = drain(h, 0);
  const iss = synAck!.seg.seq;
  const fromA = (fields: Partial<TcpRepr>, now: number): Out[] => {
    h.receive(packet(C1, S1, seg({ srcPort: A_PORT, dstPort: 80, seq: A_ISN + 1, ack: (iss + 1) >>> 0, ...fields })), 0, now);
    return drain(h, now);
  };
  const afterHandshake = fromA({ options: [mpc({ flags: MPC_FLAG.H, sendKey: KEY_A, recvKey: KEY_B })] }, 1000);
  const c = l.accept()!;
  assert.equal(c.mode, "mptcp");
  return { h, c, random, iss, fromA, afterHandshake };
}

/** Our side as the client A (key A) from C1, fully established; the test plays server B at S1. */
export interface ClientSide {
  h: MptcpHost;
  c: MptcpConnection;
  random: ScriptedRandom;
  /** A's ISS and port on the initial subflow. */
  iss: number;
  port: number;
  /** A segment from B on the initial subflow; the host's answer. */
  fromB(fields: Partial<TcpRepr>, now: number): Out[];
}

/** `window`: the window B's segments offer (its data-level window, §3.3.4), 65535 by default. */
export function clientSide(mptcp: MptcpHostConfig["mptcp"] = {}, addresses = [C1, C2], window = 65535, lastPort = 50000): ClientSide {
  const random = new ScriptedRandom();
  random.draws8.push(be(KEY_A, 8));
  const h = mptcpHost(addresses, random, mptcp, lastPort);
  const c = h.connect(ip(S1), 80, 0, { local: ip(C1) });
  const [syn] = drain(h, 0);
  const iss = syn!.seg.seq;
  const port = syn!.seg.srcPort;
  h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: port, seq: B_ISN, ack: (iss + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, window, options: [mpc({ flags: MPC_FLAG.H, sendKey: KEY_B })] })), 0, 1000);
  drain(h, 1000);
  const fromB = (fields: Partial<TcpRepr>, now: number): Out[] => {
    h.receive(packet(S1, C1, seg({ srcPort: 80, dstPort: port, seq: B_ISN + 1, ack: (iss + 1) >>> 0, window, ...fields })), 0, now);
    return drain(h, now);
  };
  // B's first DSS: the connection is fully established (§3.1).
  fromB({ options: [dataAckOpt(IDSN_A + 1n)] }, 1500);
  assert.equal(c.mode, "mptcp");
  return { h, c, random, iss, port, fromB };
}

export const B_JOIN_ISN = 9000;

/**
 * Our client with a second subflow from C2 to B's second address S2 (B's address ID 1) joined and
 * established (the 4th ACK seen).
 */
export interface JoinedClient extends ClientSide {
  join: JoinSubflow;
  /** The join's ISS and local port. */
  joinIss: number;
  joinPort: number;
  /** A segment from B on the joined subflow; the host's answer. */
  fromJoin(fields: Partial<TcpRepr>, now: number): Out[];
}

export function joinedClient(mptcp: MptcpHostConfig["mptcp"] = {}, backup = false): JoinedClient {
  const side = clientSide(mptcp);
  return { ...side, ...addJoin(side, 2000, backup) };
}

/** Joins one more subflow from C2 to S2 on `side`'s connection, at `now` (the 4th ACK at now + 2 ms). */
export function addJoin(side: ClientSide, now: number, backup = false): Omit<JoinedClient, keyof ClientSide> {
  const { h, c, random } = side;
  random.draws4.push(be(BigInt(R_A), 4));
  const join = c.openSubflow(ip(C2), ip(S2), 80, { backup })!;
  const [syn] = drain(h, now);
  const joinIss = syn!.seg.seq;
  const joinPort = syn!.seg.srcPort;
  h.receive(packet(S2, C2, seg({ srcPort: 80, dstPort: joinPort, seq: B_JOIN_ISN, ack: (joinIss + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [joinOpt({ subtype: "MP_JOIN", form: "synack", backup: false, addrId: 1, hmac: SYNACK_HMAC, nonce: R_B })] })), 1, now + 1000);
  drain(h, now + 1000);
  const fromJoin = (fields: Partial<TcpRepr>, at: number): Out[] => {
    h.receive(packet(S2, C2, seg({ srcPort: 80, dstPort: joinPort, seq: B_JOIN_ISN + 1, ack: (joinIss + 1) >>> 0, ...fields })), 1, at);
    return drain(h, at);
  };
  // The fourth ACK.
  fromJoin({ options: [dataAckOpt(IDSN_A + 1n)] }, now + 2000);
  assert.equal(join.state, "established");
  return { join, joinIss, joinPort, fromJoin };
}

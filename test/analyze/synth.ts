/**
 * Synthetic MPTCP captures with known ground truth, built with the project's own emitters
 * (emitTcp, emitIp, PcapWriter): a `Synth` holds the keys of one connection and writes segments;
 * a `SynthFlow` is one subflow that keeps both sides' sequence numbers, so a scenario reads as
 * the list of segments it sends.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyDerive } from "../../src/crypto/keys.js";
import { joinHmacAck, joinHmacSynAck } from "../../src/crypto/join.js";
import { addAddrHmac } from "../../src/crypto/add-addr.js";
import { dssChecksum } from "../../src/wire/mptcp/dss-checksum.js";
import { parseAddress, type IpAddress } from "../../src/wire/address.js";
import { emitIp, IPPROTO_TCP } from "../../src/wire/ip.js";
import { emitTcp } from "../../src/wire/tcp.js";
import { PcapWriter } from "../../src/wire/pcap/writer.js";
import { TCP_FLAG, type TcpOption } from "../../src/wire/tcp-types.js";
import type { Dss, MptcpOption } from "../../src/wire/mptcp/types.js";

export const KEY_C = 0x1122334455667788n;
export const KEY_S = 0x99aabbccddeeff00n;
export const C = keyDerive(KEY_C, 1);
export const S = keyDerive(KEY_S, 1);

export interface Endpoint {
  addr: IpAddress;
  port: number;
}

export function ep(addr: string, port: number): Endpoint {
  return { addr: parseAddress(addr)!, port };
}

const { SYN, ACK, FIN, RST } = TCP_FLAG;
export { SYN, ACK, FIN, RST };

/**
 * A capture being built, taken at the client, at the server, or on the path (`middle`). Times
 * given to SynthFlow.send are the sender's; a capture at the other end sees the segment `delay`
 * seconds later, and does not see it at all if it was `lost` on the way.
 */
export class Synth {
  private readonly packets: Array<{ t: number; bytes: Uint8Array }> = [];
  frames = 0;

  constructor(
    readonly version: 0 | 1 = 1,
    readonly vantage: "client" | "server" | "middle" = "middle",
    readonly delay = 0,
    readonly keyC = KEY_C,
    readonly keyS = KEY_S,
  ) {}

  /** The one-way delay between the two ends (0 for a capture on the path). */
  get oneWay(): number {
    return this.vantage === "middle" ? 0 : this.delay;
  }

  get idsnC(): bigint {
    return keyDerive(this.keyC, this.version).idsn;
  }

  get idsnS(): bigint {
    return keyDerive(this.keyS, this.version).idsn;
  }

  /** Writes one segment at `t` seconds; returns its frame number. */
  segment(t: number, from: Endpoint, to: Endpoint, seq: number, ack: number, flags: number, mptcp: MptcpOption[], payload: Uint8Array = new Uint8Array(0), extra: TcpOption[] = []): number {
    const options: TcpOption[] = [...extra, ...mptcp.map((option) => ({ kind: "mptcp" as const, option }))];
    const tcp = emitTcp({ srcPort: from.port, dstPort: to.port, seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535, checksum: 0, urgentPointer: 0, options, payload }, from.addr, to.addr);
    this.packets.push({ t, bytes: emitIp({ src: from.addr, dst: to.addr, protocol: IPPROTO_TCP }, tcp) });
    return ++this.frames;
  }

  /** Writes the capture to a new temporary directory (removed by `removeSaved`). */
  save(name: string): string {
    const dir = mkdtempSync(join(tmpdir(), "mptcp-analyze-"));
    savedDirs.push(dir);
    const path = join(dir, name);
    const chunks: Uint8Array[] = [];
    const writer = new PcapWriter((c) => chunks.push(c));
    // A capture is in arrival order (sort is stable: same-time packets keep their order).
    for (const p of [...this.packets].sort((a, b) => a.t - b.t)) writer.write(Math.round(p.t * 1e6), p.bytes);
    let n = 0;
    for (const c of chunks) n += c.length;
    const all = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    writeFileSync(path, all);
    return path;
  }
}

const savedDirs: string[] = [];

/** Removes every capture `save` wrote (call from `after`). */
export function removeSaved(): void {
  for (const d of savedDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Bytes 0, 1, 2, ... of a data stream (so reinjected copies carry the same bytes). */
export function dataBytes(dsnRel: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (dsnRel + i) & 0xff;
  return b;
}

/** One subflow: client side `c`, server side `s`, and the next sequence number of each. */
export class SynthFlow {
  sndC: number;
  sndS: number;

  constructor(readonly synth: Synth, readonly c: Endpoint, readonly s: Endpoint, readonly isnC: number, readonly isnS: number) {
    this.sndC = isnC;
    this.sndS = isnS;
  }

  /** SSN of the next byte from `dir`'s sender: relative to its ISN, so the first data byte is 1 (RFC 8684 §3.3.1). */
  ssn(dir: "c2s" | "s2c"): number {
    return dir === "c2s" ? (this.sndC - this.isnC) >>> 0 : (this.sndS - this.isnS) >>> 0;
  }

  /** Sends a segment at sender time `t`; returns its frame number, or 0 if this capture misses it. */
  send(t: number, dir: "c2s" | "s2c", flags: number, mptcp: MptcpOption[], payload: Uint8Array = new Uint8Array(0), opts: { seq?: number; advance?: boolean; lost?: boolean } = {}): number {
    const fromC = dir === "c2s";
    const seq = opts.seq ?? (fromC ? this.sndC : this.sndS);
    const ack = fromC ? this.sndS : this.sndC;
    const synth = this.synth;
    const atSender = synth.vantage === (fromC ? "client" : "server");
    let frame = 0;
    if (atSender || opts.lost !== true) {
      const seen = atSender || synth.vantage === "middle" ? t : t + synth.delay;
      frame = synth.segment(seen, fromC ? this.c : this.s, fromC ? this.s : this.c, seq, flags & SYN && !(flags & ACK) ? 0 : ack, flags, mptcp, payload);
    }
    if (opts.advance !== false && opts.seq === undefined) {
      const len = payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
      if (fromC) this.sndC = (this.sndC + len) >>> 0;
      else this.sndS = (this.sndS + len) >>> 0;
    }
    return frame;
  }

  /** The MP_CAPABLE handshake (RFC 8684 §3.1), v1 or v0; returns the time after it. */
  capable(t: number, opts: { checksum?: boolean; synAckWithout?: boolean; echoKey?: bigint } = {}): number {
    const v = this.synth.version;
    const flags = (opts.checksum ? 0x80 : 0) | 0x01;
    const syn: MptcpOption = v === 1 ? { subtype: "MP_CAPABLE", version: 1, flags } : { subtype: "MP_CAPABLE", version: 0, flags, sendKey: this.synth.keyC };
    const d = this.synth.oneWay;
    this.send(t, "c2s", SYN, [syn]);
    this.send(t + d + 0.001, "s2c", SYN | ACK, opts.synAckWithout ? [] : [{ subtype: "MP_CAPABLE", version: v, flags, sendKey: this.synth.keyS }]);
    const third: MptcpOption[] = opts.synAckWithout ? [] : [{ subtype: "MP_CAPABLE", version: v, flags, sendKey: this.synth.keyC, recvKey: opts.echoKey ?? this.synth.keyS }];
    this.send(t + 2 * d + 0.002, "c2s", ACK, third);
    return t + 2 * d + 0.003;
  }

  /**
   * An MP_JOIN handshake (§3.2) to the server's token, or with `fromServer` (this flow's `c` is
   * then the server host) to the client's; `badHmac` corrupts the SYN/ACK's HMAC.
   */
  join(t: number, opts: { badHmac?: boolean; backup?: boolean; fromServer?: boolean } = {}): number {
    const v = this.synth.version;
    const ra = 0x01020304;
    const rb = 0x0a0b0c0d;
    const initiator = opts.fromServer ? this.synth.keyS : this.synth.keyC;
    const listener = opts.fromServer ? this.synth.keyC : this.synth.keyS;
    const token = keyDerive(listener, v).token;
    const d = this.synth.oneWay;
    this.send(t, "c2s", SYN, [{ subtype: "MP_JOIN", form: "syn", backup: opts.backup ?? false, addrId: 1, token, nonce: ra }]);
    const h8 = Uint8Array.from(joinHmacSynAck(listener, initiator, rb, ra, v));
    if (opts.badHmac) h8[0] ^= 0xff;
    this.send(t + d + 0.001, "s2c", SYN | ACK, [{ subtype: "MP_JOIN", form: "synack", backup: false, addrId: 0, hmac: h8, nonce: rb }]);
    this.send(t + 2 * d + 0.002, "c2s", ACK, [{ subtype: "MP_JOIN", form: "ack", hmac: Uint8Array.from(joinHmacAck(initiator, listener, ra, rb, v)) }]);
    this.send(t + 3 * d + 0.003, "s2c", ACK, []);
    return t + 3 * d + 0.004;
  }

  /**
   * Data from the flow's `dir` sender with its DSS mapping (`serverData` when the flow's `c` side
   * is the server host): DSN relative to the sender's IDSN (first byte is 1), as a
   * 64-bit DSN unless `dsn32`; `checksum` adds a (correct, or `badChecksum`: wrong) DSS checksum.
   */
  data(t: number, dsnRel: number, len: number, opts: { seq?: number; dsn32?: boolean; checksum?: boolean; badChecksum?: boolean; noMapping?: boolean; dir?: "c2s" | "s2c"; lost?: boolean; serverData?: boolean } = {}): number {
    const dir = opts.dir ?? "c2s";
    // Whose data: the flow's `c` side is the client host unless the server opened the subflow.
    const idsn = (dir === "c2s") !== (opts.serverData === true) ? this.synth.idsnC : this.synth.idsnS;
    const isn = dir === "c2s" ? this.isnC : this.isnS;
    const ssn = opts.seq === undefined ? this.ssn(dir) : (opts.seq - isn) >>> 0;
    const dsn = BigInt.asUintN(64, idsn + BigInt(dsnRel));
    const payload = dataBytes(dsnRel, len);
    const dss: Dss = { subtype: "DSS", fin: false, dataAck64: false, dsn64: !opts.dsn32, dsn: opts.dsn32 ? BigInt.asUintN(32, dsn) : dsn, ssn, dataLen: len };
    if (opts.checksum) dss.checksum = dssChecksum(dsn, ssn, len, payload) ^ (opts.badChecksum ? 0x1111 : 0);
    const sendOpts: { seq?: number; lost?: boolean } = { lost: opts.lost === true };
    if (opts.seq !== undefined) sendOpts.seq = opts.seq;
    return this.send(t, dir, ACK, opts.noMapping ? [] : [dss], payload, sendOpts);
  }

  /** A pure ACK from the server with a 64-bit Data ACK (relative to the client's IDSN). */
  dataAck(t: number, ackRel: number): number {
    const dataAck = BigInt.asUintN(64, this.synth.idsnC + BigInt(ackRel));
    return this.send(t, "s2c", ACK, [{ subtype: "DSS", fin: false, dataAck64: true, dataAck, dsn64: false }]);
  }

  /** DATA_FIN from the client (§3.3.3): a DSS with SSN 0 and data-level length 1, no payload. */
  dataFin(t: number, dsnRel: number): number {
    const dsn = BigInt.asUintN(64, this.synth.idsnC + BigInt(dsnRel));
    return this.send(t, "c2s", ACK, [{ subtype: "DSS", fin: true, dataAck64: false, dsn64: true, dsn, ssn: 0, dataLen: 1 }]);
  }

  /** ADD_ADDR from the server (§3.4.1) with a correct HMAC unless `bad`. */
  addAddr(t: number, addr: string, bad = false): number {
    const a = parseAddress(addr)!;
    const hmac = Uint8Array.from(addAddrHmac(this.synth.keyS, this.synth.keyC, 5, a, undefined));
    if (bad) hmac[7] ^= 1;
    return this.send(t, "s2c", ACK, [{ subtype: "ADD_ADDR", version: 1, echo: false, addrId: 5, addr: a, hmac }]);
  }
}

/**
 * The MP_CAPABLE handshake and the first data through an MptcpHost, segment by segment (RFC 8684
 * §3.1, §3.3): the peer's segments are built with our emitters and the replies asserted exactly.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { keyDerive } from "../../src/crypto/keys.js";
import type { RandomSource } from "../../src/crypto/random.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import type { MptcpHostConfig, MptcpListener } from "../../src/stack/mptcp-host.js";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import { nonZeroCounters } from "../../src/mptcp/counters.js";
import { parseAddress } from "../../src/wire/address.js";
import type { IpAddress } from "../../src/wire/address.js";
import { isParseError } from "../../src/wire/error.js";
import { IPPROTO_TCP, emitIp, parseIpPacket } from "../../src/wire/ip.js";
import { emitTcp, parseTcp } from "../../src/wire/tcp.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { Dss, MpCapable, MptcpOption } from "../../src/wire/mptcp/types.js";
import { MPC_FLAG, TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import { dssChecksum } from "../../src/wire/mptcp/dss-checksum.js";

class CountingRandom implements RandomSource {
  private next = 0;
  fillBytes(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.next++ & 0xff;
  }
}

function ip(text: string): IpAddress {
  return parseAddress(text)!;
}

const CLIENT = "10.0.0.1";
const SERVER = "10.0.0.2";
/** Plain TCP options keep the expected segments short; MPTCP does not depend on them. */
const PLAIN = { timestamps: false, sack: false, windowScaling: false };
/** The peer's key in these tests: the Linux 6.18 capture's server key (mptcp-facts.md §1). */
const PEER_KEY = 0x62031ceec1407cd4n;
const PEER = keyDerive(PEER_KEY, 1);
const HELLO = new TextEncoder().encode("hello mptcp");
const U32 = 2 ** 32;

function mptcpHost(address: string, mptcp: MptcpHostConfig["mptcp"] = {}, ports?: [number, number]): MptcpHost {
  return new MptcpHost({
    interfaces: [{ addresses: [ip(address)] }],
    random: new CountingRandom(),
    tcp: PLAIN,
    mptcp,
    ...(ports !== undefined ? { ephemeralPorts: ports } : {}),
  });
}

function seg(fields: Partial<TcpRepr> & { srcPort: number; dstPort: number }): TcpRepr {
  return { seq: 0, ack: 0, flags: TCP_FLAG.ACK, window: 65535, checksum: 0, urgentPointer: 0, options: [], payload: new Uint8Array(0), ...fields };
}

function packet(src: string, dst: string, s: TcpRepr): Uint8Array {
  return emitIp({ src: ip(src), dst: ip(dst), protocol: IPPROTO_TCP }, emitTcp(s, ip(src), ip(dst)));
}

function drain(h: MptcpHost, now: number): TcpRepr[] {
  const out: TcpRepr[] = [];
  for (let t = h.pollTransmit(now); t !== undefined; t = h.pollTransmit(now)) {
    const p = parseIpPacket(t.packet, { verifyChecksum: true });
    assert.ok(!isParseError(p));
    const s = parseTcp(p.payload, { checksum: { src: p.src, dst: p.dst } });
    assert.ok(!isParseError(s));
    out.push(s);
  }
  return out;
}

/** The connection's events, subflow lifecycle aside (pm-live.test.ts checks those). */
function events(h: MptcpHost): string[] {
  const out: string[] = [];
  for (let e: MptcpEvent | undefined = h.pollEvent(); e !== undefined; e = h.pollEvent()) {
    if (e.type === "subflow-up" || e.type === "subflow-down") continue;
    out.push(e.type === "fallback" ? `fallback:${e.reason}` : e.type);
  }
  return out;
}

function mptcpOptions(s: TcpRepr): MptcpOption[] {
  return s.options.flatMap((o) => (o.kind === "mptcp" ? [o.option] : []));
}

const mpc = (o: Omit<MpCapable, "subtype" | "version"> & { version?: number }): TcpOption => ({ kind: "mptcp", option: { subtype: "MP_CAPABLE", version: 1, ...o } });
const dssOpt = (o: Omit<Dss, "subtype">): TcpOption => ({ kind: "mptcp", option: { subtype: "DSS", ...o } });
const NOP: TcpOption = { kind: "nop" };

function readAll(c: MptcpConnection): Uint8Array {
  const parts: number[] = [];
  for (let b = c.read(); b !== undefined; b = c.read()) parts.push(...b);
  return Uint8Array.from(parts);
}

/** A client that sent its SYN, and what it sent. */
function clientAfterSyn(mptcp: MptcpHostConfig["mptcp"] = {}): { h: MptcpHost; c: MptcpConnection; syn: TcpRepr } {
  const h = mptcpHost(CLIENT, mptcp, [50000, 50000]);
  const c = h.connect(ip(SERVER), 80, 0);
  const [syn] = drain(h, 0);
  return { h, c, syn: syn! };
}

const SERVER_ISN = 7000;

describe("MP_CAPABLE, active side (RFC 8684 §3.1)", () => {
  test("SYN, third ACK with both keys, first data with the 22-byte MP_CAPABLE, then DSS", () => {
    const { h, c, syn } = clientAfterSyn();
    const key = c.localKey!;
    assert.equal(key.token, keyDerive(key.key, 1).token);
    assert.equal(syn.flags, TCP_FLAG.SYN);
    assert.deepEqual(syn.options, [{ kind: "mss", mss: 1460 }, mpc({ flags: MPC_FLAG.H })]);
    assert.deepEqual(nonZeroCounters(h.counters), { MPCapableSYNTX: 1 });

    const synAck = seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN, ack: (syn.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [{ kind: "mss", mss: 1460 }, mpc({ flags: MPC_FLAG.H, sendKey: PEER_KEY })] });
    h.receive(packet(SERVER, CLIENT, synAck), 0, 1000);
    c.write(HELLO);
    const out = drain(h, 1000);
    assert.deepEqual(events(h), ["connected"]);
    assert.equal(c.mode, "mptcp");
    assert.equal(c.remoteKey!.key, PEER_KEY);
    assert.equal(out.length, 2);
    const [ack, data] = out;
    // The third ACK alone, with Key-A then Key-B (§3.1: 20 bytes).
    assert.deepEqual(ack, seg({ srcPort: 50000, dstPort: 80, seq: (syn.seq + 1) >>> 0, ack: SERVER_ISN + 1, window: ack!.window, checksum: ack!.checksum, options: [mpc({ flags: MPC_FLAG.H, sendKey: key.key, recvKey: PEER_KEY })] }));
    // The first data: MP_CAPABLE with the data-level length (22 bytes, padded with 2 NOPs), its
    // mapping DSN IDSN+1 and SSN 1 implied.
    assert.deepEqual(data!.options, [mpc({ flags: MPC_FLAG.H, sendKey: key.key, recvKey: PEER_KEY, dataLen: HELLO.length }), NOP, NOP]);
    assert.deepEqual(data!.payload, HELLO);
    assert.equal(data!.seq, (syn.seq + 1) >>> 0);
    assert.deepEqual(nonZeroCounters(h.counters), { MPCapableSYNTX: 1, MPCapableSYNACKRX: 1, MPCurrEstab: 1 });

    // The server's DSS acknowledges it with a 64-bit Data ACK (Linux `dack8`).
    const idsn = key.idsn;
    const dataAck = seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN + 1, ack: (syn.seq + 1 + HELLO.length) >>> 0, options: [dssOpt({ fin: false, dataAck64: true, dataAck: idsn + 1n + BigInt(HELLO.length), dsn64: false })] });
    h.receive(packet(SERVER, CLIENT, dataAck), 0, 2000);
    assert.deepEqual(drain(h, 2000), []);
    assert.equal(c.dataLevel.sndUna, 1 + HELLO.length);

    // Fully established: later data carries a DSS mapping (64-bit DSN) and a Data ACK, 32-bit
    // because the server has not sent a mapping yet (§3.3.2, Linux `use_64bit_ack`).
    c.write(HELLO);
    const [next] = drain(h, 3000);
    const expectDss: Dss = {
      subtype: "DSS", fin: false, dataAck64: false, dataAck: (PEER.idsn + 1n) % BigInt(U32), dsn64: true,
      dsn: idsn + 1n + BigInt(HELLO.length), ssn: 1 + HELLO.length, dataLen: HELLO.length,
    };
    assert.deepEqual(next!.options, [{ kind: "mptcp", option: expectDss }, NOP, NOP]);
  });

  test("with checksums the SYN sets flag A and the first data carries the 24-byte MP_CAPABLE", () => {
    const { h, c, syn } = clientAfterSyn({ checksums: true });
    assert.deepEqual(syn.options.at(-1), mpc({ flags: MPC_FLAG.A | MPC_FLAG.H }));
    h.receive(packet(SERVER, CLIENT, seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN, ack: (syn.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [mpc({ flags: MPC_FLAG.H, sendKey: PEER_KEY })] })), 0, 1000);
    c.write(HELLO);
    const [, data] = drain(h, 1000);
    assert.equal(c.checksums, true);
    const key = c.localKey!;
    const checksum = dssChecksum(key.idsn + 1n, 1, HELLO.length, HELLO);
    assert.deepEqual(mptcpOptions(data!), [{ subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.A | MPC_FLAG.H, sendKey: key.key, recvKey: PEER_KEY, dataLen: HELLO.length, checksum }]);
  });

  test("the server's flag A alone turns checksums on (§3.1)", () => {
    const { h, c, syn } = clientAfterSyn();
    h.receive(packet(SERVER, CLIENT, seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN, ack: (syn.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [mpc({ flags: MPC_FLAG.A | MPC_FLAG.H, sendKey: PEER_KEY })] })), 0, 1000);
    const [ack] = drain(h, 1000);
    assert.equal(c.checksums, true);
    assert.deepEqual(mptcpOptions(ack!), [{ subtype: "MP_CAPABLE", version: 1, flags: MPC_FLAG.A | MPC_FLAG.H, sendKey: c.localKey!.key, recvKey: PEER_KEY }]);
  });

  for (const [name, options, reason] of [
    ["no MP_CAPABLE", [], "SYN/ACK without MP_CAPABLE"],
    ["a v0 MP_CAPABLE", [mpc({ version: 0, flags: MPC_FLAG.H, sendKey: PEER_KEY })], "unacceptable MP_CAPABLE on the SYN/ACK"],
    ["flag B", [mpc({ flags: MPC_FLAG.B | MPC_FLAG.H, sendKey: PEER_KEY })], "unacceptable MP_CAPABLE on the SYN/ACK"],
  ] as Array<[string, TcpOption[], string]>) {
    test(`a SYN/ACK with ${name} falls back to plain TCP (§3.7)`, () => {
      const { h, c, syn } = clientAfterSyn();
      const synAck = seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN, ack: (syn.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options });
      h.receive(packet(SERVER, CLIENT, synAck), 0, 1000);
      c.write(HELLO);
      const out = drain(h, 1000);
      assert.deepEqual(events(h), [`fallback:${reason}`, "connected"]);
      assert.equal(c.mode, "fallback");
      // The data goes at once, with no MPTCP option at all.
      assert.equal(out.length, 1);
      assert.deepEqual(out[0]!.options, []);
      assert.deepEqual(out[0]!.payload, HELLO);
      assert.equal(h.counters.MPCapableFallbackSYNACK, 1);
      assert.equal(h.counters.MPCurrEstab, 0);

      // The stream works as TCP both ways; the FIN is the end of the stream.
      const reply = seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN + 1, ack: (syn.seq + 1 + HELLO.length) >>> 0, flags: TCP_FLAG.ACK | TCP_FLAG.FIN, payload: HELLO });
      h.receive(packet(SERVER, CLIENT, reply), 0, 2000);
      assert.deepEqual(events(h), ["readable", "peer-closed"]);
      assert.deepEqual(readAll(c), HELLO);
      assert.equal(c.dataLevel.sndUna, 1 + HELLO.length);
    });
  }
});

describe("MP_CAPABLE, passive side (RFC 8684 §3.1)", () => {
  const CLIENT_ISN = 1000;
  const PORT = 40000;

  function serverAfterSynAck(options: TcpOption[], mptcp: MptcpHostConfig["mptcp"] = {}): { h: MptcpHost; l: MptcpListener; synAck: TcpRepr } {
    const h = mptcpHost(SERVER, mptcp);
    const l = h.listen(80);
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN, flags: TCP_FLAG.SYN, options })), 0, 0);
    const [synAck] = drain(h, 0);
    return { h, l, synAck: synAck! };
  }

  test("SYN/ACK with the server's key; third ACK; MP_CAPABLE data acked with a 64-bit Data ACK", () => {
    const { h, l, synAck } = serverAfterSynAck([{ kind: "mss", mss: 1460 }, mpc({ flags: MPC_FLAG.H })]);
    assert.equal(synAck.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
    const [synAckMpc] = mptcpOptions(synAck);
    assert.ok(synAckMpc?.subtype === "MP_CAPABLE" && synAckMpc.sendKey !== undefined);
    assert.deepEqual(synAck.options, [{ kind: "mss", mss: 1460 }, mpc({ flags: MPC_FLAG.H, sendKey: synAckMpc.sendKey })]);
    const serverKey = synAckMpc.sendKey;
    const iss = synAck.seq;

    // The third ACK with Key-A (the Linux capture's client key) and Key-B.
    const clientKey = 0xc12e566b69c3e004n;
    const keys = { sendKey: clientKey, recvKey: serverKey };
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN + 1, ack: (iss + 1) >>> 0, options: [mpc({ flags: MPC_FLAG.H, ...keys })] })), 0, 1000);
    assert.deepEqual(drain(h, 1000), []);
    assert.deepEqual(events(h), ["incoming"]);
    const c = l.accept()!;
    assert.equal(c.mode, "mptcp");
    assert.equal(c.localKey!.key, serverKey);
    assert.equal(c.remoteKey!.key, clientKey);

    // The client's first data, mapped by its MP_CAPABLE.
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN + 1, ack: (iss + 1) >>> 0, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, options: [mpc({ flags: MPC_FLAG.H, ...keys, dataLen: HELLO.length }), NOP, NOP], payload: HELLO })), 0, 2000);
    assert.deepEqual(events(h), ["readable"]);
    assert.deepEqual(readAll(c), HELLO);
    // Delayed ACK (one segment): the ACK carries the Data ACK IDSN-A+1+len in 64 bits.
    const t = h.pollTimeout()!;
    h.handleTimeout(t);
    const [ack] = drain(h, t);
    const idsnA = keyDerive(clientKey, 1).idsn;
    assert.equal(ack!.ack, CLIENT_ISN + 1 + HELLO.length);
    assert.deepEqual(ack!.options, [dssOpt({ fin: false, dataAck64: true, dataAck: idsnA + 1n + BigInt(HELLO.length), dsn64: false })]);
    assert.deepEqual(nonZeroCounters(h.counters), { MPCapableSYNRX: 1, MPCapableACKRX: 1, MPCurrEstab: 1 });

    // The server's own data: a 64-bit mapping at its IDSN+1 with the 64-bit Data ACK.
    c.write(HELLO);
    const [data] = drain(h, 3000);
    assert.deepEqual(mptcpOptions(data!), [{
      subtype: "DSS", fin: false, dataAck64: true, dataAck: idsnA + 1n + BigInt(HELLO.length), dsn64: true,
      dsn: c.localKey!.idsn + 1n, ssn: 1, dataLen: HELLO.length,
    }]);
  });

  test("a lost third ACK: the MP_CAPABLE data completes the handshake", () => {
    const { h, l, synAck } = serverAfterSynAck([mpc({ flags: MPC_FLAG.H })]);
    const serverKey = (mptcpOptions(synAck)[0] as MpCapable).sendKey!;
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN + 1, ack: (synAck.seq + 1) >>> 0, options: [mpc({ flags: MPC_FLAG.H, sendKey: 5n, recvKey: serverKey, dataLen: HELLO.length }), NOP, NOP], payload: HELLO })), 0, 1000);
    assert.deepEqual(events(h), ["incoming", "readable"]);
    const c = l.accept()!;
    assert.equal(c.mode, "mptcp");
    assert.deepEqual(readAll(c), HELLO);
  });

  test("a SYN without MP_CAPABLE makes a plain TCP connection", () => {
    const { h, l, synAck } = serverAfterSynAck([{ kind: "mss", mss: 1460 }]);
    assert.deepEqual(synAck.options, [{ kind: "mss", mss: 1460 }]);
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN + 1, ack: (synAck.seq + 1) >>> 0, payload: HELLO })), 0, 1000);
    assert.deepEqual(events(h), ["incoming", "fallback:SYN without MP_CAPABLE", "readable"]);
    const c = l.accept()!;
    assert.equal(c.mode, "fallback");
    assert.deepEqual(readAll(c), HELLO);
    c.write(HELLO);
    const [data] = drain(h, 2000);
    assert.deepEqual(data!.options, []);
    assert.deepEqual(nonZeroCounters(h.counters), {});
  });

  test("a third ACK without MP_CAPABLE falls back (MPCapableFallbackACK)", () => {
    const { h, l, synAck } = serverAfterSynAck([mpc({ flags: MPC_FLAG.H })]);
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN + 1, ack: (synAck.seq + 1) >>> 0 })), 0, 1000);
    assert.deepEqual(events(h), ["incoming", "fallback:handshake ACK without MP_CAPABLE"]);
    assert.equal(l.accept()!.mode, "fallback");
    assert.equal(h.counters.MPCapableFallbackACK, 1);
  });

  test("a third ACK echoing another key is reset with MP_TCPRST", () => {
    const { h, synAck } = serverAfterSynAck([mpc({ flags: MPC_FLAG.H })]);
    h.receive(packet(CLIENT, SERVER, seg({ srcPort: PORT, dstPort: 80, seq: CLIENT_ISN + 1, ack: (synAck.seq + 1) >>> 0, options: [mpc({ flags: MPC_FLAG.H, sendKey: 5n, recvKey: 6n })] })), 0, 1000);
    const [rst] = drain(h, 1000);
    assert.ok(rst !== undefined && (rst.flags & TCP_FLAG.RST) !== 0);
    assert.deepEqual(mptcpOptions(rst), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    assert.deepEqual(events(h), []);
    assert.equal(h.counters.MPRstTx, 1);
  });

  test("flag A on the SYN is echoed and checksums are used", () => {
    const { synAck } = serverAfterSynAck([mpc({ flags: MPC_FLAG.A | MPC_FLAG.H })]);
    assert.equal((mptcpOptions(synAck)[0] as MpCapable).flags, MPC_FLAG.A | MPC_FLAG.H);
  });
});

/** A client past its third ACK, with helpers to build the server's segments. */
function establishedClient(mptcp: MptcpHostConfig["mptcp"] = {}) {
  const { h, c, syn } = clientAfterSyn(mptcp);
  const synAck = seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN, ack: (syn.seq + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [mpc({ flags: MPC_FLAG.H, sendKey: PEER_KEY })] });
  h.receive(packet(SERVER, CLIENT, synAck), 0, 1000);
  drain(h, 1000);
  events(h);
  const iss = syn.seq;
  const key = c.localKey!;
  /** A segment from the server at its stream offset `offset`, acknowledging our offset `acked`. */
  const fromServer = (offset: number, acked: number, options: TcpOption[], payload = new Uint8Array(0), flags: number = TCP_FLAG.ACK): Uint8Array =>
    packet(SERVER, CLIENT, seg({ srcPort: 80, dstPort: 50000, seq: SERVER_ISN + 1 + offset, ack: (iss + 1 + acked) >>> 0, flags, options, payload }));
  /** The server's mapping of `length` bytes from its relative DSN `dsn` at offset `offset`. */
  const mapping = (dsn: number, offset: number, length: number, extra: Partial<Dss> = {}): TcpOption =>
    dssOpt({ fin: false, dataAck64: true, dataAck: key.idsn + 1n, dsn64: true, dsn: PEER.idsn + BigInt(dsn), ssn: offset + 1, dataLen: length, ...extra });
  return { h, c, iss, key, fromServer, mapping };
}

/**
 * A client with DSS checksums, fully established, whose first data (HELLO) went out; with the
 * server's Data ACK and the MP_FAIL for that data (§3.7), for the server's next segment.
 */
function clientBeforeMpFail() {
  const est = establishedClient({ checksums: true });
  const dataAck = dssOpt({ fin: false, dataAck64: false, dataAck: (est.key.idsn + 1n) % BigInt(U32), dsn64: false });
  est.h.receive(est.fromServer(0, 0, [dataAck]), 0, 1500);
  est.c.write(HELLO);
  const [first] = drain(est.h, 1500);
  const fail: TcpOption = { kind: "mptcp", option: { subtype: "MP_FAIL", dsn: est.key.idsn + 1n } };
  return { ...est, dataAck, fail, first: first! };
}

describe("data, Data ACK and DATA_FIN (RFC 8684 §3.3)", () => {
  test("the server's data is mapped by DSS, reassembled out of order and data-acknowledged", () => {
    const { h, c, key, fromServer, mapping } = establishedClient();
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    // One 200-byte mapping in two segments, the second first.
    h.receive(fromServer(100, 0, [mapping(1, 0, 200)], data.subarray(100)), 0, 2000);
    const [dup] = drain(h, 2000);
    assert.deepEqual(mptcpOptions(dup!), [{ subtype: "DSS", fin: false, dataAck64: true, dataAck: PEER.idsn + 1n, dsn64: false }], "a DSS, no longer MP_CAPABLE: the server has our key");
    assert.deepEqual(events(h), []);
    h.receive(fromServer(0, 0, [mapping(1, 0, 200)], data.subarray(0, 100)), 0, 3000);
    const [ack] = drain(h, 3000);
    assert.deepEqual(mptcpOptions(ack!), [{ subtype: "DSS", fin: false, dataAck64: true, dataAck: PEER.idsn + 201n, dsn64: false }]);
    assert.deepEqual(events(h), ["readable"]);
    assert.deepEqual(readAll(c), data);
    assert.equal(c.dataLevel.rcvNxt, 201);
    assert.equal(key.idsn, c.localKey!.idsn);
  });

  test("the advertised window is the connection's receive window (§3.3.4)", () => {
    const { h, fromServer, mapping } = establishedClient({ recvBufferSize: 1000 });
    h.receive(fromServer(0, 0, [mapping(1, 0, 800)], new Uint8Array(800)), 0, 2000);
    h.handleTimeout(h.pollTimeout()!);
    const [ack] = drain(h, 100_000);
    assert.equal(ack!.ack, SERVER_ISN + 801);
    assert.equal(ack!.window, 200, "800 unread bytes of a 1000-byte buffer");
  });

  // Linux's data level (the msk) sees a subflow's data only once the subflow has it in order:
  // what waits beyond a subflow's own hole is in that subflow's TCP out-of-order queue, charged
  // to the subflow, and the window the connection advertises does not count it. Counting it
  // closed the window during every loss recovery on a subflow (exp-heterogeneous at 256 KB:
  // MPTCP 18.36 Mbit/s against TCP's 18.41; 18.50 since).
  test("the window counts data out of order at the data level, not data beyond a subflow's own hole", () => {
    // The window's right edge never moves left, so what is counted shows as an edge that does
    // not move on: 100 bytes arrive in order and are read, then 300 more beyond a hole.
    const run = (holeAt: "subflow" | "data-level"): number => {
      const { h, c, fromServer, mapping } = establishedClient({ recvBufferSize: 1000 });
      h.receive(fromServer(0, 0, [mapping(1, 0, holeAt === "subflow" ? 600 : 100)], new Uint8Array(100)), 0, 2000);
      drain(h, 2000);
      assert.equal(readAll(c).length, 100);
      // Subflow: bytes 300-600 of the same mapping, the subflow's bytes 100-300 lost on the way.
      // Data level: the subflow's next bytes, in order, mapped to DSN 301-600 (DSN 101-300 are due
      // on another subflow).
      const next = holeAt === "subflow" ? fromServer(300, 0, [mapping(1, 0, 600)], new Uint8Array(300)) : fromServer(100, 0, [mapping(301, 100, 300)], new Uint8Array(300));
      h.receive(next, 0, 3000);
      h.handleTimeout(h.pollTimeout()!);
      const out = drain(h, 100_000);
      assert.equal(out.at(-1)!.ack, SERVER_ISN + (holeAt === "subflow" ? 101 : 401));
      return out.at(-1)!.window;
    };
    assert.equal(run("subflow"), 1000, "beyond the subflow's hole: not at the data level yet");
    assert.equal(run("data-level"), 900, "300 bytes held out of order at the data level");
  });

  test("a DATA_FIN without data goes alone on an ACK until data-acked; both DATA_FINs close the connection", () => {
    const { h, c, key, fromServer } = establishedClient();
    c.shutdown();
    const dataFin: Dss = { subtype: "DSS", fin: true, dataAck64: false, dataAck: (PEER.idsn + 1n) % BigInt(U32), dsn64: true, dsn: key.idsn + 1n, ssn: 0, dataLen: 1 };
    const [first] = drain(h, 1000);
    assert.deepEqual(first!.options, [{ kind: "mptcp", option: dataFin }, NOP, NOP]);
    assert.equal(first!.flags, TCP_FLAG.ACK, "the subflow stays open");
    // Not acknowledged: sent again when the DATA_FIN timer expires.
    const t = h.pollTimeout()!;
    h.handleTimeout(t);
    const [again] = drain(h, t);
    assert.deepEqual(again!.options, [{ kind: "mptcp", option: dataFin }, NOP, NOP]);

    // The server acknowledges it and sends its own DATA_FIN.
    const serverFin = dssOpt({ fin: true, dataAck64: true, dataAck: key.idsn + 2n, dsn64: true, dsn: PEER.idsn + 1n, ssn: 0, dataLen: 1 });
    h.receive(fromServer(0, 0, [serverFin]), 0, t + 1000);
    assert.equal(c.dataLevel.sndUna, 2);
    const [fin] = drain(h, t + 1000);
    assert.deepEqual(events(h), ["peer-closed", "closed"]);
    // The connection is closed at the data level: the subflow closes, its FIN data-acking the
    // server's DATA_FIN (64 bits: the server's mapping was).
    assert.equal(fin!.flags, TCP_FLAG.ACK | TCP_FLAG.FIN);
    assert.deepEqual(mptcpOptions(fin!), [{ subtype: "DSS", fin: false, dataAck64: true, dataAck: PEER.idsn + 2n, dsn64: false }]);
    assert.equal(h.pollTimeout() === undefined || h.pollTimeout()! > t + 1000, true);
  });

  test("a DATA_FIN rides on the last mapping when it is queued with the data", () => {
    const { h, c, key, fromServer } = establishedClient();
    // Fully establish first, so that the data goes with a DSS.
    h.receive(fromServer(0, 0, [dssOpt({ fin: false, dataAck64: false, dataAck: (key.idsn + 1n) % BigInt(U32), dsn64: false })]), 0, 1500);
    c.write(HELLO);
    c.shutdown();
    const [data] = drain(h, 2000);
    assert.deepEqual(mptcpOptions(data!), [{
      subtype: "DSS", fin: true, dataAck64: false, dataAck: (PEER.idsn + 1n) % BigInt(U32), dsn64: true, dsn: key.idsn + 1n, ssn: 1, dataLen: HELLO.length + 1,
    }]);
  });
});

describe("the subflow after the connection closed (RFC 8684 §3.3.3)", () => {
  test("data still arriving on it is acknowledged and dropped, not reset: every byte was delivered", () => {
    const { h, c, key, fromServer, mapping } = establishedClient();
    c.shutdown();
    drain(h, 1000);
    const serverFin = dssOpt({ fin: true, dataAck64: true, dataAck: key.idsn + 2n, dsn64: true, dsn: PEER.idsn + 1n, ssn: 0, dataLen: 1 });
    h.receive(fromServer(0, 0, [serverFin]), 0, 2000);
    drain(h, 2000);
    assert.deepEqual(events(h), ["peer-closed", "closed"]);
    // The server's TCP still sends on the subflow (say a copy of data the client got through
    // another subflow): the client's TCP acknowledges it, so the server's side closes with a FIN.
    // (A plain close would reset it, RFC 2525 §2.17, as Linux does: TCPAbortOnData.)
    h.receive(fromServer(0, 1, [mapping(1, 0, HELLO.length)], HELLO), 0, 3000);
    const out = drain(h, 3000);
    // A delayed ACK (one segment).
    const at = h.pollTimeout()!;
    h.handleTimeout(at);
    out.push(...drain(h, at));
    assert.ok(out.length >= 1);
    for (const s of out) assert.equal(s.flags & TCP_FLAG.RST, 0);
    assert.equal(out[out.length - 1]!.ack, (SERVER_ISN + 1 + HELLO.length) >>> 0);
    assert.equal(events(h).length, 0);
  });
});

describe("errors and fallback after the handshake (RFC 8684 §3.6, §3.7)", () => {
  test("a DSS checksum failure on the only subflow: data kept, MP_FAIL until the infinite mapping, then TCP", () => {
    const { h, c, key, fromServer, mapping } = establishedClient({ checksums: true });
    assert.equal(c.checksums, true);
    const payload = new Uint8Array(50).fill(7);
    const good = dssChecksum(PEER.idsn + 1n, 1, 50, payload);
    h.receive(fromServer(0, 0, [mapping(1, 0, 50, { checksum: good ^ 0xffff })], payload), 0, 2000);
    // §3.7: the bytes as they arrived are delivered (the box that changed them stays in the path).
    assert.deepEqual(events(h), ["readable"]);
    assert.deepEqual(readAll(c), payload);
    const [ack] = drain(h, 2000);
    assert.deepEqual(mptcpOptions(ack!), [
      { subtype: "DSS", fin: false, dataAck64: true, dataAck: PEER.idsn + 51n, dsn64: false },
      { subtype: "MP_FAIL", dsn: PEER.idsn + 1n },
    ]);
    assert.equal(h.counters.DataCsumErr, 1);
    assert.equal(h.counters.MPFailTx, 1);
    assert.equal(c.mode, "mptcp", "until the peer's infinite mapping");

    // The server's answer: the infinite mapping on its next data.
    const more = new Uint8Array(20).fill(9);
    const infinite = dssOpt({ fin: false, dataAck64: true, dataAck: key.idsn + 1n, dsn64: true, dsn: PEER.idsn + 51n, ssn: 51, dataLen: 0, checksum: 0 });
    h.receive(fromServer(50, 0, [infinite], more), 0, 3000);
    assert.deepEqual(events(h), ["readable", "fallback:infinite mapping received"]);
    assert.equal(c.mode, "fallback");
    assert.deepEqual(readAll(c), more);
    assert.equal(h.counters.InfiniteMapRx, 1);
    // Plain TCP from now on, both ways.
    h.receive(fromServer(70, 0, [], HELLO), 0, 4000);
    assert.deepEqual(readAll(c), HELLO);
    c.write(HELLO);
    for (const seg of drain(h, 5000)) assert.deepEqual(mptcpOptions(seg), []);
  });

  test("MP_FAIL from the peer: the next segment carries the infinite mapping, then no MPTCP option", () => {
    const { h, c, key, fromServer } = establishedClient({ checksums: true });
    h.receive(fromServer(0, 0, [dssOpt({ fin: false, dataAck64: false, dataAck: (key.idsn + 1n) % BigInt(U32), dsn64: false })]), 0, 1500);
    c.write(HELLO);
    drain(h, 1500);
    const fail: TcpOption = { kind: "mptcp", option: { subtype: "MP_FAIL", dsn: key.idsn + 1n } };
    h.receive(fromServer(0, HELLO.length, [dssOpt({ fin: false, dataAck64: false, dataAck: (key.idsn + 1n) % BigInt(U32), dsn64: false }), fail]), 0, 2000);
    const [ack] = drain(h, 2000);
    assert.deepEqual(mptcpOptions(ack!), [{
      subtype: "DSS", fin: false, dataAck64: false, dataAck: (PEER.idsn + 1n) % BigInt(U32), dsn64: true,
      dsn: key.idsn + 1n + BigInt(HELLO.length), ssn: 1 + HELLO.length, dataLen: 0, checksum: 0,
    }]);
    assert.deepEqual(events(h), ["fallback:MP_FAIL from the peer: infinite mapping sent"]);
    assert.equal(h.counters.MPFailRx, 1);
    assert.equal(h.counters.InfiniteMapTx, 1);
    c.write(HELLO);
    const [plain] = drain(h, 3000);
    assert.deepEqual(plain!.options, []);
    assert.deepEqual(plain!.payload, HELLO);
  });

  test("the segment that carried the infinite mapping is sent again with it, although the connection fell back", () => {
    const { h, c, key, fromServer, dataAck, fail } = clientBeforeMpFail();
    h.receive(fromServer(0, HELLO.length, [dataAck, fail]), 0, 2000);
    c.write(HELLO);
    const [sent] = drain(h, 2000);
    const infinite: Dss = {
      subtype: "DSS", fin: false, dataAck64: false, dataAck: (PEER.idsn + 1n) % BigInt(U32), dsn64: true,
      dsn: key.idsn + 1n + BigInt(HELLO.length), ssn: 1 + HELLO.length, dataLen: 0, checksum: 0,
    };
    assert.deepEqual(mptcpOptions(sent!), [infinite]);
    assert.deepEqual(sent!.payload, HELLO);
    assert.deepEqual(events(h), ["fallback:MP_FAIL from the peer: infinite mapping sent"]);

    // It is lost: the retransmission declares the infinite mapping again (§3.3.1, §3.7), or the
    // peer, which sent MP_FAIL and waits for it, would get data without a mapping.
    const rto = h.pollTimeout()!;
    h.handleTimeout(rto);
    const [again] = drain(h, rto);
    assert.equal(again!.seq, sent!.seq);
    assert.deepEqual(again!.payload, HELLO);
    assert.deepEqual(mptcpOptions(again!), [infinite]);
    assert.equal(h.counters.InfiniteMapTx, 1, "one infinite mapping, sent twice");

    // Once acknowledged, plain TCP.
    h.receive(fromServer(0, 2 * HELLO.length, []), 0, rto + 1000);
    c.write(HELLO);
    const [plain] = drain(h, rto + 1000);
    assert.deepEqual(plain!.options, []);
    assert.deepEqual(plain!.payload, HELLO);
  });

  test("a retransmission of the data before the infinite mapping stops where it starts, so that its copy declares it", () => {
    const { h, c, fromServer, dataAck, fail, first } = clientBeforeMpFail();
    // MP_FAIL for the data just sent, which the server has not acknowledged yet.
    h.receive(fromServer(0, 0, [dataAck, fail]), 0, 2000);
    // A full segment's worth, which Nagle does not hold back: the infinite mapping rides on it.
    c.write(new Uint8Array(2000).fill(3));
    const [second] = drain(h, 2000);
    assert.equal(second!.seq, (first!.seq + HELLO.length) >>> 0);
    assert.ok(second!.payload.length > HELLO.length);
    assert.deepEqual(mptcpOptions(second!).map((o) => o.subtype === "DSS" && o.dataLen), [0]);
    // All lost. The timeout's retransmission: the first segment's bytes alone, without an option
    // (plain TCP, as Linux sends them), then the copy of the second, declaring the mapping again.
    const rto = h.pollTimeout()!;
    h.handleTimeout(rto);
    const [again, copy] = drain(h, rto);
    assert.equal(again!.seq, first!.seq);
    assert.deepEqual(again!.payload, HELLO, "up to the infinite mapping's first byte, not beyond");
    assert.deepEqual(again!.options, []);
    assert.equal(copy!.seq, second!.seq);
    assert.equal(copy!.payload.length, second!.payload.length);
    assert.deepEqual(mptcpOptions(copy!), mptcpOptions(second!));
  });

  test("MP_FAIL goes on the ACK after the failure, not on every ACK; again when the peer still maps data", () => {
    const { h, c, fromServer, mapping } = establishedClient({ checksums: true });
    const payload = new Uint8Array(50).fill(7);
    const good = dssChecksum(PEER.idsn + 1n, 1, 50, payload);
    h.receive(fromServer(0, 0, [mapping(1, 0, 50, { checksum: good ^ 0xffff })], payload), 0, 2000);
    const [ack] = drain(h, 2000);
    assert.deepEqual(mptcpOptions(ack!)[1], { subtype: "MP_FAIL", dsn: PEER.idsn + 1n });
    assert.equal(h.counters.MPFailTx, 1);

    // Out of order and without an option (the peer's infinite mapping may be in the hole): the
    // duplicate ACK says nothing more. Once the peer received MP_FAIL it sends no mapping.
    const rest = new Uint8Array(30).fill(8);
    h.receive(fromServer(70, 0, [], rest.subarray(20)), 0, 3000);
    const [dup] = drain(h, 3000);
    assert.equal(dup!.ack, SERVER_ISN + 1 + 50);
    assert.deepEqual(mptcpOptions(dup!), [{ subtype: "DSS", fin: false, dataAck64: true, dataAck: PEER.idsn + 51n, dsn64: false }]);
    assert.equal(h.counters.MPFailTx, 1);

    // A new mapping: the peer has not received MP_FAIL (lost, or still in flight), so it goes again.
    h.receive(fromServer(50, 0, [mapping(51, 50, 30, { checksum: dssChecksum(PEER.idsn + 51n, 51, 30, rest) })], rest.subarray(0, 20)), 0, 4000);
    const [filled] = drain(h, 4000);
    assert.equal(filled!.ack, SERVER_ISN + 1 + 80, "the hole filled: an immediate ACK");
    assert.deepEqual(mptcpOptions(filled!)[1], { subtype: "MP_FAIL", dsn: PEER.idsn + 1n });
    assert.equal(h.counters.MPFailTx, 2);
    assert.equal(c.mode, "mptcp", "until the peer's infinite mapping");
  });

  test("a DATA_FIN whose checksum fails resets the subflow with MP_FAIL and MP_TCPRST", () => {
    const { h, key, fromServer } = establishedClient({ checksums: true });
    const good = dssChecksum(PEER.idsn + 1n, 0, 1, new Uint8Array(0));
    const fin = dssOpt({ fin: true, dataAck64: true, dataAck: key.idsn + 1n, dsn64: true, dsn: PEER.idsn + 1n, ssn: 0, dataLen: 1, checksum: good ^ 1 });
    h.receive(fromServer(0, 0, [fin]), 0, 2000);
    const [rst] = drain(h, 2000);
    assert.ok((rst!.flags & TCP_FLAG.RST) !== 0);
    // Linux sets `send_mp_fail` on a checksum failure it resets for: MP_FAIL rides on the RST.
    assert.deepEqual(mptcpOptions(rst!), [
      { subtype: "MP_FAIL", dsn: PEER.idsn + 1n },
      { subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MIDDLEBOX_INTERFERENCE },
    ]);
    assert.equal(h.counters.MPFailTx, 1);
    assert.equal(h.counters.DataCsumErr, 1);
    assert.deepEqual(events(h), ["reset", "closed"]);
  });

  test("a right DSS checksum delivers the data", () => {
    const { h, c, fromServer, mapping } = establishedClient({ checksums: true });
    const payload = new Uint8Array(50).fill(7);
    h.receive(fromServer(0, 0, [mapping(1, 0, 50, { checksum: dssChecksum(PEER.idsn + 1n, 1, 50, payload) })], payload), 0, 2000);
    assert.deepEqual(readAll(c), payload);
  });

  test("a mapping that contradicts the one in force resets the subflow (DSSNotMatching)", () => {
    const { h, fromServer, mapping } = establishedClient();
    h.receive(fromServer(0, 0, [mapping(1, 0, 100)], new Uint8Array(50)), 0, 2000);
    drain(h, 2000);
    h.receive(fromServer(50, 0, [mapping(1001, 0, 100)], new Uint8Array(50)), 0, 3000);
    const [rst] = drain(h, 3000);
    assert.ok((rst!.flags & TCP_FLAG.RST) !== 0);
    assert.deepEqual(mptcpOptions(rst!), [{ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.MPTCP_SPECIFIC }]);
    assert.equal(h.counters.DSSNotMatching, 1);
  });

  test("data without any MPTCP option before the first DSS: fallback, the data is kept", () => {
    const { h, c, fromServer } = establishedClient();
    h.receive(fromServer(0, 0, [], HELLO), 0, 2000);
    assert.deepEqual(events(h), ["fallback:data acknowledged without MPTCP options", "readable"]);
    assert.equal(c.mode, "fallback");
    assert.deepEqual(readAll(c), HELLO);
    assert.equal(h.counters.MPCapableDataFallback, 1);
    assert.equal(h.counters.MPCurrEstab, 0);
  });

  test("the client's first data acknowledged without MPTCP options: fallback", () => {
    const { h, c, fromServer } = establishedClient();
    c.write(HELLO);
    drain(h, 1500);
    h.receive(fromServer(0, HELLO.length, []), 0, 2000);
    assert.deepEqual(events(h), ["fallback:data acknowledged without MPTCP options"]);
    assert.equal(c.dataLevel.sndUna, 1 + HELLO.length);
    c.write(HELLO);
    const [plain] = drain(h, 2500);
    assert.deepEqual(plain!.options, []);
  });
});

describe("abort (RFC 8684 §3.5)", () => {
  test("abort resets the subflow with MP_FASTCLOSE carrying the peer's key, and MP_TCPRST", () => {
    const { h, c } = establishedClient();
    c.abort();
    assert.deepEqual(events(h), ["closed"]);
    const [rst] = drain(h, 2000);
    assert.equal(rst!.flags, TCP_FLAG.RST);
    assert.deepEqual(mptcpOptions(rst!), [{ subtype: "MP_FASTCLOSE", key: PEER_KEY }, { subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.UNSPECIFIED }]);
    assert.equal(h.counters.MPFastcloseTx, 1);
    assert.equal(h.counters.MPRstTx, 1);
    assert.equal(h.counters.MPCurrEstab, 0);
  });
});

describe("keys and tokens (RFC 8684 §3.1)", () => {
  test("each connection gets its own token", () => {
    const h = mptcpHost(CLIENT);
    const a = h.connect(ip(SERVER), 80, 0);
    const b = h.connect(ip(SERVER), 80, 0);
    assert.notEqual(a.localKey!.token, b.localKey!.token);
  });

  test("a random source that only repeats itself cannot give a unique token: plain TCP", () => {
    const h = new MptcpHost({ interfaces: [{ addresses: [ip(CLIENT)] }], random: { fillBytes: (out) => out.fill(1) }, tcp: PLAIN, ephemeralPorts: [50000, 50001] });
    const a = h.connect(ip(SERVER), 80, 0);
    const b = h.connect(ip(SERVER), 81, 0);
    assert.equal(a.mode, "handshake");
    assert.equal(b.mode, "fallback");
    assert.equal(b.fallbackReason, "no token available");
    assert.equal(h.counters.MPFallbackTokenInit, 1);
    assert.deepEqual(events(h), ["fallback:no token available"]);
    const [, syn] = drain(h, 0);
    assert.deepEqual(mptcpOptions(syn!), [], "no MP_CAPABLE on its SYN");
  });
});

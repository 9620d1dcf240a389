/** Helpers for the smoltcp-style TCP tests: build exact segments and drive a connection. */
import assert from "node:assert/strict";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { TcpConnection } from "../../src/tcp/connection.js";
import type { TcpOpenOptions } from "../../src/tcp/connection.js";
import type { TcpConfig } from "../../src/tcp/config.js";
import { tcpConfig } from "../../src/tcp/config.js";
import { reno } from "../../src/tcp/congestion/reno.js";
import type { TcpEvent } from "../../src/tcp/events.js";

export const F = TCP_FLAG;
export const LOCAL = 80;
export const REMOTE = 49152;
/** Our ISN in every test, and the peer's. */
export const ISS = 1000;
export const IRS = 5000;
export const EMPTY = new Uint8Array(0);

/**
 * The plainest configuration: no timestamps, no SACK, no window scaling, Reno, a 64000-byte
 * receive buffer (so the window field is the free space exactly).
 */
export function plainConfig(overrides: Partial<TcpConfig> = {}): TcpConfig {
  return tcpConfig({
    timestamps: false,
    sack: false,
    windowScaling: false,
    recvBufferSize: 64000,
    sendBufferSize: 64000,
    congestion: reno(),
    ...overrides,
  });
}

/** A segment from the peer (REMOTE -> LOCAL) with defaults for everything not given. */
export function peer(p: Partial<TcpRepr>): TcpRepr {
  return {
    srcPort: REMOTE,
    dstPort: LOCAL,
    seq: IRS + 1,
    ack: 0,
    flags: F.ACK,
    window: 64000,
    checksum: 0,
    urgentPointer: 0,
    options: [],
    payload: EMPTY,
    ...p,
  };
}

/** A segment we are expected to send (LOCAL -> REMOTE). */
export function ours(p: Partial<TcpRepr>): TcpRepr {
  return {
    srcPort: LOCAL,
    dstPort: REMOTE,
    seq: ISS + 1,
    ack: IRS + 1,
    flags: F.ACK,
    window: 64000,
    checksum: 0,
    urgentPointer: 0,
    options: [],
    payload: EMPTY,
    ...p,
  };
}

export function bytes(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/** Everything `pollTransmit` has to send now. */
export function drain(c: TcpConnection, now: number): TcpRepr[] {
  const out: TcpRepr[] = [];
  for (let s = c.pollTransmit(now); s !== undefined; s = c.pollTransmit(now)) out.push(s);
  return out;
}

/** Asserts the connection sends exactly `expected` (and nothing more) now. */
export function expectSent(c: TcpConnection, now: number, ...expected: TcpRepr[]): void {
  assert.deepStrictEqual(drain(c, now), expected);
}

export function events(c: TcpConnection): TcpEvent[] {
  const out: TcpEvent[] = [];
  for (let e = c.pollEvent(); e !== undefined; e = c.pollEvent()) out.push(e);
  return out;
}

/** SYN options we send with the plain config. */
export const SYN_OPTS: TcpOption[] = [{ kind: "mss", mss: 1460 }];

/** A passive connection in ESTABLISHED (SYN, SYN-ACK, ACK done), events drained. */
export function established(
  cfg: TcpConfig = plainConfig(),
  opts: TcpOpenOptions = {},
  synOptions: TcpOption[] = [{ kind: "mss", mss: 1460 }],
): TcpConnection {
  const c = TcpConnection.accept(cfg, peer({ seq: IRS, flags: F.SYN, options: synOptions }), ISS, 0, opts);
  drain(c, 0);
  // The third ACK repeats the SYN's TSval when timestamps were offered.
  const ts = synOptions.find((o) => o.kind === "timestamps");
  c.handleSegment(peer({ ack: ISS + 1, options: ts === undefined ? [] : [{ ...ts, tsEcr: 0 }] }), 0);
  assert.equal(c.state, "ESTABLISHED");
  events(c);
  return c;
}

/** An active connection in SYN-SENT whose SYN was sent at time 0. */
export function synSent(cfg: TcpConfig = plainConfig(), opts: TcpOpenOptions = {}): TcpConnection {
  const c = TcpConnection.connect(cfg, LOCAL, REMOTE, ISS, 0, opts);
  drain(c, 0);
  return c;
}

export { TcpConnection };

/**
 * What only two captures of the same connection can tell (one taken at the client, one at the
 * server): the one-way delay of each segment, and whether each reinjection was useful, that is
 * whether the reinjected copy brought the receiver data it did not have yet.
 *
 * A segment is recognised in both captures by its connection, subflow, direction, sequence
 * number and length (and, without payload, its acknowledgment number: pure ACKs give the delay
 * of the direction that carries no data). Unmatched segments wait in a bounded table (the oldest are forgotten), so
 * memory follows the data in flight between the two capture points.
 */
import { formatAddress } from "../wire/address.js";
import type { Connection } from "./connection.js";
import { DelayHistogram } from "./series.js";
import type { Subflow } from "./subflow.js";
import type { SegmentRow } from "./trace.js";
import type { Dir, DirPair } from "./types.js";

const MAX_WAITING = 1 << 17;

interface Seen {
  capture: number;
  t: number;
  reinjected: number;
  fresh: number;
  /** The connection as the capture that saw this copy rebuilt it. */
  conn: Connection;
}

export interface OneWay {
  delay: DelayHistogram;
  min: number;
}

/** Connection identity across captures: the keys, or the initial subflow's addresses. */
export function connectionKey(conn: Connection): string {
  if (conn.clientKey !== undefined) return `k${conn.clientKey}`;
  const s = conn.subflows[0]!;
  return `a${subflowKey(s)}`;
}

const subKeys = new WeakMap<Subflow, string>();

export function subflowKey(sub: Subflow): string {
  let k = subKeys.get(sub);
  if (k === undefined) {
    k = `${formatAddress(sub.src)}:${sub.sport}>${formatAddress(sub.dst)}:${sub.dport}`;
    subKeys.set(sub, k);
  }
  return k;
}

/**
 * Results are filed under the connection of the first (client-side) capture, not under its
 * `connectionKey`: the key changes while the handshake teaches the keys (an MPTCP v1 SYN carries
 * none, the SYN/ACK only the server's), so the SYN and SYN/ACK are matched under the address key
 * and everything after under the key pair.
 */
export class CrossCapture {
  private readonly waiting = new Map<string, Seen>();
  /** One-way delays per client-side connection, then per `${subKey}|${dir}`. */
  private readonly oneWay = new Map<Connection, Map<string, OneWay>>();
  /** Useful reinjected bytes per client-side connection. */
  private readonly useful = new Map<Connection, DirPair<number>>();
  matched = 0;

  /**
   * Feeds a data segment seen in capture `row.capture`. The sender of `c2s` data is the client,
   * recorded by capture 0; the sender of `s2c` data is the server, recorded by capture 1.
   */
  segment(row: SegmentRow, conn: Connection, sub: Subflow): void {
    const ck = connectionKey(conn);
    // Pure ACKs repeat their sequence and acknowledgment numbers (duplicate ACKs; MPTCP ACKs on
    // one subflow for data that came on another): their SACK, window, timestamp or Data ACK differ.
    const id = row.len > 0 ? `${row.len}` : `a${row.rawAck}|${row.sackRight ?? ""}|${row.window}|${row.tsVal ?? ""}|${row.dataAck ?? ""}`;
    const key = `${ck}|${subflowKey(sub)}|${row.dir}|${row.rawSeq}|${id}`;
    const prev = this.waiting.get(key);
    const seen: Seen = { capture: row.capture, t: row.t, reinjected: row.reinjected, fresh: row.fresh, conn };
    if (prev === undefined || prev.capture === row.capture) {
      // A copy seen again in the same capture (a retransmission) replaces the earlier one: the
      // copy that reaches the other capture point is most likely the latest.
      if (prev !== undefined) this.waiting.delete(key);
      this.waiting.set(key, seen);
      if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value!);
      return;
    }
    this.waiting.delete(key);
    this.matched++;
    const senderCapture = row.dir === "c2s" ? 0 : 1;
    const [sent, received] = prev.capture === senderCapture ? [prev, seen] : [seen, prev];
    const clientConn = prev.capture === 0 ? prev.conn : conn;
    let subs = this.oneWay.get(clientConn);
    if (subs === undefined) this.oneWay.set(clientConn, (subs = new Map()));
    const ok = `${subflowKey(sub)}|${row.dir}`;
    let ow = subs.get(ok);
    if (ow === undefined) subs.set(ok, (ow = { delay: new DelayHistogram(50), min: Infinity }));
    const owd = received.t - sent.t;
    // The histogram holds non-negative values; an offset between the two clocks can make it negative.
    ow.delay.add(owd, 1);
    if (owd < ow.min) ow.min = owd;
    if (sent.reinjected > 0) {
      let u = this.useful.get(clientConn);
      if (u === undefined) this.useful.set(clientConn, (u = { c2s: 0, s2c: 0 }));
      u[row.dir] += Math.min(sent.reinjected, received.fresh);
    }
  }

  /** One-way delays of a subflow of a connection of the first capture. */
  oneWayFor(clientConn: Connection, subKey: string): DirPair<OneWay | undefined> {
    const subs = this.oneWay.get(clientConn);
    const f = (d: Dir): OneWay | undefined => subs?.get(`${subKey}|${d}`);
    return { c2s: f("c2s"), s2c: f("s2c") };
  }

  /** Useful reinjected bytes of a connection of the first capture. */
  usefulFor(clientConn: Connection): DirPair<number> {
    const u = this.useful.get(clientConn);
    return { c2s: u?.c2s ?? 0, s2c: u?.s2c ?? 0 };
  }
}

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

export class CrossCapture {
  private readonly waiting = new Map<string, Seen>();
  /** One-way delays per `${connKey}|${subKey}|${dir}`. */
  readonly oneWay = new Map<string, OneWay>();
  /** Useful reinjected bytes per `${connKey}|${dir}`. */
  readonly useful = new Map<string, number>();
  matched = 0;

  /**
   * Feeds a data segment seen in capture `row.capture`. The sender of `c2s` data is the client,
   * recorded by capture 0; the sender of `s2c` data is the server, recorded by capture 1.
   */
  segment(row: SegmentRow, conn: Connection, sub: Subflow): void {
    const ck = connectionKey(conn);
    const key = `${ck}|${subflowKey(sub)}|${row.dir}|${row.rawSeq}|${row.len === 0 ? `a${row.rawAck}` : row.len}`;
    const prev = this.waiting.get(key);
    if (prev === undefined || prev.capture === row.capture) {
      // A copy seen again in the same capture (a retransmission) replaces the earlier one: the
      // copy that reaches the other capture point is most likely the latest.
      if (prev !== undefined) this.waiting.delete(key);
      this.waiting.set(key, { capture: row.capture, t: row.t, reinjected: row.reinjected, fresh: row.fresh });
      if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value!);
      return;
    }
    this.waiting.delete(key);
    this.matched++;
    const senderCapture = row.dir === "c2s" ? 0 : 1;
    const sent = prev.capture === senderCapture ? prev : { capture: row.capture, t: row.t, reinjected: row.reinjected, fresh: row.fresh };
    const received = prev.capture === senderCapture ? { capture: row.capture, t: row.t, reinjected: row.reinjected, fresh: row.fresh } : prev;
    const ok = `${ck}|${subflowKey(sub)}|${row.dir}`;
    let ow = this.oneWay.get(ok);
    if (ow === undefined) this.oneWay.set(ok, (ow = { delay: new DelayHistogram(50), min: Infinity }));
    const owd = received.t - sent.t;
    // The histogram holds non-negative values; an offset between the two clocks can make it negative.
    ow.delay.add(owd, 1);
    if (owd < ow.min) ow.min = owd;
    if (sent.reinjected > 0) {
      const uk = `${ck}|${row.dir}`;
      this.useful.set(uk, (this.useful.get(uk) ?? 0) + Math.min(sent.reinjected, received.fresh));
    }
  }

  oneWayFor(connKey: string, subKey: string): DirPair<OneWay | undefined> {
    const f = (d: Dir): OneWay | undefined => this.oneWay.get(`${connKey}|${subKey}|${d}`);
    return { c2s: f("c2s"), s2c: f("s2c") };
  }
}

/**
 * Two captures of the same connections, one at the client and one at the server, combined into
 * one report. Each direction's sending statistics come from the capture taken at its sender
 * (capture 0 for client-to-server, capture 1 for server-to-client), where they show what the
 * sender did; the reordering delay and the DSS checksum verdicts come from the capture at the
 * receiver, where they happen.
 */
import { connectionKey, type CrossCapture } from "./cross.js";
import type { Connection } from "./connection.js";
import { checksumCounts, connectionReport, rttStats } from "./report.js";
import type { ConnectionReport, Dir, SubflowReport } from "./types.js";

function subKeyOf(s: SubflowReport): string {
  return `${s.src}:${s.sport}>${s.dst}:${s.dport}`;
}

/** Copies direction `d` of the per-direction fields from `from` into `into`. */
function takeDir<T extends object>(into: T, from: T, d: Dir, fields: Array<keyof T>): void {
  for (const f of fields) {
    const a = into[f] as Record<Dir, unknown>;
    const b = from[f] as Record<Dir, unknown>;
    a[d] = b[d];
  }
}

const CONN_SENDER_FIELDS: Array<keyof ConnectionReport> = ["bytes", "reinjectedBytes", "reinjectedSegments", "goodputBps", "dataFin"];
const CONN_RECEIVER_FIELDS: Array<keyof ConnectionReport> = ["oooDelay", "dataGaps", "dataGapBytes"];
const SUB_SENDER_FIELDS: Array<keyof SubflowReport> = [
  "bytes", "segments", "dataSegments", "retransmittedBytes", "retransmittedSegments", "reinjectedBytes", "freshBytes", "unmappedBytes", "rtt",
];

/**
 * Events of both captures in time order, those seen at both ends once: an event of the second
 * capture is dropped when the first has one of the same kind, subflow, direction and detail
 * not yet paired (options are seen by the capture at each end of the path).
 */
function union<T extends { t: number; type: string; subflow: number; dir: string; detail: string }>(first: T[], second: T[]): T[] {
  const key = (e: T): string => `${e.type}|${e.subflow}|${e.dir}|${e.detail}`;
  const unpaired = new Map<string, number>();
  for (const e of first) unpaired.set(key(e), (unpaired.get(key(e)) ?? 0) + 1);
  const kept = second.filter((e) => {
    const n = unpaired.get(key(e)) ?? 0;
    if (n === 0) return true;
    unpaired.set(key(e), n - 1);
    return false;
  });
  return [...first, ...kept].sort((a, b) => a.t - b.t);
}

/** Merges the connections of two captures (client side first); connections seen once are kept as they are. */
export function mergeCaptures(client: Connection[], server: Connection[], cross: CrossCapture): ConnectionReport[] {
  const byKey = new Map<string, Connection>();
  for (const c of server) byKey.set(connectionKey(c), c);
  const out: ConnectionReport[] = [];
  const used = new Set<Connection>();
  for (const c of client) {
    const ck = connectionKey(c);
    const other = byKey.get(ck);
    const rep = connectionReport(c);
    if (other !== undefined) {
      used.add(other);
      const orep = connectionReport(other);
      takeDir(rep, orep, "s2c", CONN_SENDER_FIELDS);
      takeDir(rep, orep, "c2s", CONN_RECEIVER_FIELDS);
      if (rep.dssChecksums !== null) {
        // Checksums are verified by the receiver (§3.3.1): a mapping damaged between the two
        // capture points verifies at its sender's and fails at its receiver's.
        const c2s = checksumCounts(other, "c2s");
        const s2c = checksumCounts(c, "s2c");
        rep.dssChecksums = { verified: c2s.verified + s2c.verified, failed: c2s.failed + s2c.failed, unverifiable: c2s.unverifiable + s2c.unverifiable };
      }
      rep.firstT = Math.min(rep.firstT, orep.firstT);
      rep.lastT = Math.max(rep.lastT, orep.lastT);
      const subs = new Map(rep.subflows.map((s) => [subKeyOf(s), s]));
      // Subflow numbers of the server-side capture, renumbered as the client side's.
      const renumber = new Map<number, number>();
      for (const os of orep.subflows) {
        const s = subs.get(subKeyOf(os));
        if (s === undefined) {
          renumber.set(os.index, rep.subflows.length);
          rep.subflows.push({ ...os, index: rep.subflows.length });
          continue;
        }
        renumber.set(os.index, s.index);
        takeDir(s, os, "s2c", SUB_SENDER_FIELDS);
        s.lastT = Math.max(s.lastT, os.lastT);
      }
      rep.signals = union(rep.signals, orep.signals.map((e) => ({ ...e, subflow: renumber.get(e.subflow) ?? e.subflow })));
      rep.anomalies = union(rep.anomalies, orep.anomalies.map((e) => ({ ...e, subflow: renumber.get(e.subflow) ?? e.subflow })));
      for (const [k, v] of Object.entries(orep.anomalyCounts)) {
        const key = k as keyof ConnectionReport["anomalyCounts"];
        rep.anomalyCounts[key] = Math.max(rep.anomalyCounts[key] ?? 0, v);
      }
    }
    rep.usefulReinjectedBytes = cross.usefulFor(c);
    for (const s of rep.subflows) {
      const ow = cross.oneWayFor(c, subKeyOf(s));
      s.oneWayDelayMs = {
        c2s: ow.c2s ? rttStats(ow.c2s.delay, ow.c2s.min) : null,
        s2c: ow.s2c ? rttStats(ow.s2c.delay, ow.s2c.min) : null,
      };
    }
    out.push(rep);
  }
  for (const c of server) if (!used.has(c)) out.push(connectionReport(c));
  out.forEach((r, i) => (r.index = i));
  return out;
}


/**
 * From the analyzer's state to the report: plain data with the public field names of
 * types.ts. Times in milliseconds are rounded to the microsecond.
 */
import { formatAddress } from "../wire/address.js";
import type { Connection, ConnDir } from "./connection.js";
import type { DelayHistogram } from "./series.js";
import type { Subflow, SubflowDir } from "./subflow.js";
import type { ConnectionReport, ConnectionSeries, DelayStats, Dir, DirPair, RttStats, SubflowReport } from "./types.js";

const DIRS: Dir[] = ["c2s", "s2c"];

/** Seconds to milliseconds, to the microsecond. */
export function ms(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

function pair<T>(f: (d: Dir) => T): DirPair<T> {
  return { c2s: f("c2s"), s2c: f("s2c") };
}

export function delayStats(h: DelayHistogram): DelayStats {
  return {
    bytes: h.total,
    delayedBytes: h.delayedWeight,
    meanMs: ms(h.mean),
    p50Ms: ms(h.quantile(0.5)),
    p95Ms: ms(h.quantile(0.95)),
    p99Ms: ms(h.quantile(0.99)),
    maxMs: ms(h.max),
    histogram: h.weights.map((w, k) => [ms(h.binLow(k)), w] as [number, number]).filter(([, w]) => w > 0),
  };
}

export function rttStats(h: DelayHistogram, min: number): RttStats | null {
  if (h.total === 0) return null;
  return { samples: h.total, minMs: ms(min), medianMs: ms(h.quantile(0.5)), meanMs: ms(h.mean), maxMs: ms(h.max) };
}

function subflowReport(sub: Subflow): SubflowReport {
  const by = (f: (s: SubflowDir) => number): DirPair<number> => pair((d) => f(sub.byConnDir(d)));
  const rtt = pair((d) => rttStats(sub.byConnDir(d).rtt, sub.byConnDir(d).rttMin));
  const busier = (rtt.c2s?.samples ?? 0) >= (rtt.s2c?.samples ?? 0) ? rtt.c2s : rtt.s2c;
  const handshake = sub.handshakeRtt === undefined || Number.isNaN(sub.handshakeRtt) ? null : ms(sub.handshakeRtt);
  const addrIds: { local?: number; remote?: number } = {};
  if (sub.localAddrId !== undefined) addrIds.local = sub.localAddrId;
  if (sub.remoteAddrId !== undefined) addrIds.remote = sub.remoteAddrId;
  return {
    index: sub.index,
    tcpStream: sub.tcpStream,
    src: formatAddress(sub.src),
    sport: sub.sport,
    dst: formatAddress(sub.dst),
    dport: sub.dport,
    join: sub.join,
    backup: sub.backup,
    synIsC2s: sub.synIsC2s,
    addrIds,
    hmacOk: sub.hmacOk,
    firstT: sub.firstT,
    lastT: sub.lastT,
    bytes: by((s) => s.bytes),
    segments: by((s) => s.segments),
    dataSegments: by((s) => s.dataSegments),
    retransmittedBytes: by((s) => s.retransBytes),
    retransmittedSegments: by((s) => s.retransSegments),
    reinjectedBytes: by((s) => s.reinjectedBytes),
    freshBytes: by((s) => s.freshBytes),
    unmappedBytes: by((s) => s.unmappedBytes),
    rttMs: busier !== null ? busier.medianMs : handshake,
    handshakeRttMs: handshake,
    rtt,
    reset: sub.reset,
    closed: sub.closed,
  };
}

/** DSS checksum verdicts of the mappings of both directions, or of direction `only`. */
export function checksumCounts(c: Connection, only?: Dir): { verified: number; failed: number; unverifiable: number } {
  const n = { verified: 0, failed: 0, unverifiable: 0 };
  for (const s of c.subflows) {
    for (const d of only === undefined ? [s.fwd, s.rev] : [s.byConnDir(only)]) {
      n.verified += d.mappings.checksums.verified;
      n.failed += d.mappings.checksums.failed;
      n.unverifiable += d.mappings.checksums.unverifiable + d.mappings.checksumsOpen;
    }
  }
  return n;
}

function goodputBps(c: Connection, dir: ConnDir): number {
  const span = c.lastT - c.firstT;
  return span > 0 ? Math.round((dir.uniqueBytes * 8) / span) : 0;
}

export function connectionReport(c: Connection): ConnectionReport {
  const first = c.subflows[0]!;
  const client = first.synIsC2s ? first : undefined;
  const counts: ConnectionReport["anomalyCounts"] = {};
  for (const [k, v] of c.anomalyCounts) counts[k] = v;
  return {
    index: c.index,
    version: c.version,
    clientKey: c.clientKey?.toString() ?? null,
    serverKey: c.serverKey?.toString() ?? null,
    clientToken: c.clientToken ?? null,
    serverToken: c.serverToken ?? null,
    client: client ? `${formatAddress(first.src)}:${first.sport}` : `${formatAddress(first.dst)}:${first.dport}`,
    server: client ? `${formatAddress(first.dst)}:${first.dport}` : `${formatAddress(first.src)}:${first.sport}`,
    fallback: c.fallback,
    checksums: c.checksums,
    dssChecksums: c.checksums ? checksumCounts(c) : null,
    firstT: c.firstT,
    lastT: c.lastT,
    bytes: pair((d) => c.dirs[d].uniqueBytes),
    reinjectedBytes: pair((d) => c.dirs[d].reinjectedBytes),
    reinjectedSegments: pair((d) => c.dirs[d].reinjectedSegments),
    dataAcked: pair((d) => c.dirs[d].dataAck ?? null),
    dataFin: pair((d) => c.dirs[d].dataFin),
    oooDelay: pair((d) => delayStats(c.dirs[d].reorder.delays)),
    dataGaps: pair((d) => c.dirs[d].reorder.gapsSkipped),
    dataGapBytes: pair((d) => c.dirs[d].reorder.gapBytes),
    goodputBps: pair((d) => goodputBps(c, c.dirs[d])),
    subflows: c.subflows.filter((s) => s.mptcp).map(subflowReport),
    signals: c.signals,
    anomalies: c.anomalies,
    anomalyCounts: counts,
  };
}

export function connectionSeries(c: Connection): ConnectionSeries {
  const dsn: ConnectionSeries["dsn"] = [];
  const goodput: ConnectionSeries["goodput"] = [];
  const rtt: ConnectionSeries["rtt"] = [];
  for (const sub of c.subflows) {
    for (const d of DIRS) {
      const s = c.dsnSeries.get(`${sub.index}${d}`);
      if (s !== undefined) dsn.push({ subflow: sub.index, dir: d, points: s.points() });
      const g = c.goodput.get(`${sub.index}${d}`);
      if (g !== undefined) goodput.push({ subflow: sub.index, dir: d, binSeconds: g.width, bins: g.bins() });
      const r = sub.byConnDir(d).rttSeries;
      if (r !== undefined) rtt.push({ subflow: sub.index, dir: d, points: r.points() });
    }
  }
  const dataAck: ConnectionSeries["dataAck"] = [];
  for (const d of DIRS) {
    const a = c.dirs[d].ackSeries;
    if (a !== undefined) dataAck.push({ dir: d, points: a.points() });
  }
  // Automatic bins widen per series; bring them all to the widest so that they line up.
  const widest = Math.max(...goodput.map((g) => g.binSeconds));
  for (const g of goodput) {
    if (g.binSeconds === widest) continue;
    g.bins = rebin(g.bins, c.firstT, widest);
    g.binSeconds = widest;
  }
  return { connection: c.index, dsn, dataAck, goodput, rtt };
}

/** Sums bins into wider ones (`width` a multiple of theirs, same origin). */
function rebin(bins: Array<[number, number]>, origin: number, width: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [t, v] of bins) {
    const start = origin + Math.floor((t - origin) / width + 1e-9) * width;
    const last = out[out.length - 1];
    if (last !== undefined && Math.abs(last[0] - start) < width / 2) last[1] += v;
    else out.push([start, v]);
  }
  return out;
}

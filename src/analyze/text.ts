/** The human-readable summary `mptcp analyze` prints by default. */
import type { AnalysisReport, ConnectionReport, DelayStats, DirPair, SubflowReport } from "./types.js";

function bytes(n: number): string {
  if (n >= 10 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 10 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function rate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(1)} kbit/s`;
  return `${bps} bit/s`;
}

function pad(s: string | number, n: number): string {
  return String(s).padEnd(n);
}

function both(p: DirPair<number>, f: (n: number) => string = String): string {
  return `${f(p.c2s)} / ${f(p.s2c)}`;
}

function delayLine(d: DelayStats): string {
  if (d.bytes === 0) return "no data";
  if (d.delayedBytes === 0) return `none (${bytes(d.bytes)} all in order)`;
  return `${bytes(d.delayedBytes)} of ${bytes(d.bytes)} waited; mean ${d.meanMs} ms, p95 ≈ ${d.p95Ms} ms, max ${d.maxMs} ms`;
}

/** The directions that sent a DATA_FIN, separated by one space, or "none". */
function dataFins(fin: DirPair<boolean>): string {
  const dirs = (["c2s", "s2c"] as const).filter((d) => fin[d]);
  return dirs.length === 0 ? "none" : dirs.join(" ");
}

function subflowLine(s: SubflowReport): string {
  const path = `${s.src}:${s.sport} -> ${s.dst}:${s.dport}`;
  const end = s.reset !== null ? `RST (${s.reset.reason})` : s.closed ? "FIN" : "open";
  const rtt = s.rttMs === null ? "-" : `${s.rttMs}`;
  const flags = [s.join ? "join" : "initial", s.backup ? "backup" : "", s.hmacOk === false ? "BAD-HMAC" : ""].filter(Boolean).join(",");
  return `    ${pad(s.index, 3)}${pad(s.tcpStream, 7)}${pad(path, 48)}${pad(flags, 16)}${pad(both(s.bytes), 22)}${pad(both(s.retransmittedBytes), 14)}${pad(both(s.reinjectedBytes), 14)}${pad(rtt, 10)}${end}`;
}

export function connectionText(c: ConnectionReport): string[] {
  const out: string[] = [];
  const dur = c.lastT - c.firstT;
  out.push(`MPTCP connection ${c.index}: v${c.version} ${c.client} -> ${c.server}${c.fallback === false ? "" : `  FALLBACK: ${c.fallback}`}`);
  out.push(`  keys: client ${c.clientKey ?? "?"} (token ${c.clientToken ?? "?"}), server ${c.serverKey ?? "?"} (token ${c.serverToken ?? "?"}); DSS checksums ${c.dssChecksums ? `on (${c.dssChecksums.verified} verified, ${c.dssChecksums.failed} failed, ${c.dssChecksums.unverifiable} not verifiable)` : "off"}`);
  out.push(`  duration ${dur.toFixed(3)} s; data c2s ${bytes(c.bytes.c2s)} (${rate(c.goodputBps.c2s)}), s2c ${bytes(c.bytes.s2c)} (${rate(c.goodputBps.s2c)}); DATA_FIN ${dataFins(c.dataFin)}`);
  out.push(`  reinjected: c2s ${bytes(c.reinjectedBytes.c2s)} in ${c.reinjectedSegments.c2s} segments, s2c ${bytes(c.reinjectedBytes.s2c)} in ${c.reinjectedSegments.s2c}` +
    (c.usefulReinjectedBytes ? `; useful (reached the receiver first): c2s ${bytes(c.usefulReinjectedBytes.c2s)}, s2c ${bytes(c.usefulReinjectedBytes.s2c)}` : ""));
  out.push(`  reordering delay at the receiver: c2s ${delayLine(c.oooDelay.c2s)}`);
  out.push(`                                    s2c ${delayLine(c.oooDelay.s2c)}`);
  if (c.dataGapBytes.c2s + c.dataGapBytes.s2c > 0) {
    out.push(`  data the capture missed (acknowledged, never seen): c2s ${bytes(c.dataGapBytes.c2s)} in ${c.dataGaps.c2s} holes, s2c ${bytes(c.dataGapBytes.s2c)} in ${c.dataGaps.s2c}`);
  }
  out.push(`  subflows (bytes, retransmitted, reinjected as c2s / s2c; RTT median ms):`);
  out.push(`    ${pad("#", 3)}${pad("stream", 7)}${pad("initiator -> listener", 48)}${pad("kind", 16)}${pad("bytes", 22)}${pad("retrans", 14)}${pad("reinjected", 14)}${pad("rtt", 10)}end`);
  for (const s of c.subflows) {
    out.push(subflowLine(s));
    if (s.oneWayDelayMs) {
      const ow = s.oneWayDelayMs;
      out.push(`        one-way delay ms: c2s ${ow.c2s ? `min ${ow.c2s.minMs} median ${ow.c2s.medianMs}` : "-"}, s2c ${ow.s2c ? `min ${ow.s2c.minMs} median ${ow.s2c.medianMs}` : "-"}`);
    }
  }
  if (c.signals.length > 0) {
    out.push(`  signalling:`);
    for (const e of c.signals) out.push(`    +${(e.t - c.firstT).toFixed(6)} s  subflow ${e.subflow} ${e.dir}  ${e.type}${e.detail ? ` ${e.detail}` : ""}`);
  }
  const counts = Object.entries(c.anomalyCounts);
  if (counts.length > 0) {
    out.push(`  anomalies: ${counts.map(([k, v]) => `${k} ×${v}`).join(", ")}`);
    for (const a of c.anomalies.slice(0, 20)) out.push(`    frame ${a.frame}${a.capture > 0 ? ` (capture ${a.capture + 1})` : ""} subflow ${a.subflow} ${a.dir}: ${a.type}: ${a.detail}`);
    if (c.anomalies.length > 20) out.push(`    … ${c.anomalies.length - 20} more in --json`);
  }
  return out;
}

export function reportText(r: AnalysisReport): string {
  const out: string[] = [];
  for (const c of r.captures) {
    const dur = c.firstT !== null && c.lastT !== null ? ` over ${(c.lastT - c.firstT).toFixed(3)} s` : "";
    out.push(`${c.path}: ${c.frames} frames, ${c.tcpSegments} TCP segments${dur}`);
  }
  out.push(`${r.connections.length} MPTCP connection(s), ${r.plainTcpStreams} plain TCP connection(s), ${r.orphanSubflows} MPTCP subflow(s) of unknown connections`);
  for (const c of r.connections) {
    out.push("");
    out.push(...connectionText(c));
  }
  return out.join("\n") + "\n";
}

/**
 * `--csv DIR`: the report as tables, one file each, with a header line. segments.csv is written
 * while the capture is read (one row per segment of an MPTCP connection, at full resolution);
 * the others are written at the end from the report.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, rmdirSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { SegmentRow } from "./trace.js";
import type { Connection } from "./connection.js";
import type { Subflow } from "./subflow.js";
import type { AnalysisReport } from "./types.js";

const FLUSH_AT = 1 << 20;

/** A file written in large synchronous batches, so rows can be added from the analyzer's hook. */
export class CsvFile {
  private readonly fd: number;
  private buf = "";

  constructor(path: string, header: string[]) {
    this.fd = openSync(path, "w");
    this.row(header);
  }

  row(cells: Array<string | number | boolean | null | undefined>): void {
    this.buf += cells.map(cell).join(",") + "\n";
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buf.length > 0) writeSync(this.fd, this.buf);
    this.buf = "";
  }
}

function cell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return String(v);
}

/**
 * The per-segment table, fed by `onSegment` while the capture is read. It is written under a
 * temporary name and becomes segments.csv at `close()`; `discard()` (the analysis failed: a
 * capture rejected, say) removes it and the directories it created, so a failed run leaves no
 * header-only or partial table behind, nor replaces the table of an earlier run.
 */
export class SegmentCsv {
  private readonly file: CsvFile;
  private readonly path: string;
  private readonly partial: string;
  /** The outermost directory this run created, if it created any. */
  private readonly created: string | undefined;

  constructor(private readonly dir: string) {
    this.created = mkdirSync(dir, { recursive: true });
    this.path = join(dir, "segments.csv");
    this.partial = `${this.path}.partial`;
    this.file = new CsvFile(this.partial, [
      "capture", "frame", "t", "connection", "subflow", "dir", "seq", "len", "dsn", "data_ack", "retransmitted", "reinjected", "fresh",
    ]);
  }

  readonly onSegment = (r: SegmentRow, conn: Connection, sub: Subflow): void => {
    this.file.row([r.capture, r.frame, r.t.toFixed(6), conn.index, sub.index, r.dir, r.len > 0 ? r.seq : null, r.len, r.dsn, r.dataAck, r.retransmitted, r.reinjected, r.fresh]);
  };

  close(): void {
    this.file.close();
    renameSync(this.partial, this.path);
  }

  discard(): void {
    try {
      this.file.close();
    } finally {
      rmSync(this.partial, { force: true });
      // Up to the outermost directory created, each while empty (rmdir refuses otherwise).
      if (this.created !== undefined) {
        for (let d = resolve(this.dir); ; d = dirname(d)) {
          try {
            rmdirSync(d);
          } catch {
            break;
          }
          if (d === resolve(this.created)) break;
        }
      }
    }
  }
}

/** Writes the tables that come from the finished report. */
export function writeReportCsv(dir: string, r: AnalysisReport): void {
  mkdirSync(dir, { recursive: true });
  const conns = new CsvFile(join(dir, "connections.csv"), [
    "connection", "version", "client", "server", "client_key", "server_key", "fallback", "checksums", "first_t", "last_t",
    "bytes_c2s", "bytes_s2c", "reinjected_c2s", "reinjected_s2c", "goodput_bps_c2s", "goodput_bps_s2c", "subflows",
  ]);
  const subs = new CsvFile(join(dir, "subflows.csv"), [
    "connection", "subflow", "tcp_stream", "src", "sport", "dst", "dport", "join", "backup", "bytes_c2s", "bytes_s2c",
    "retransmitted_c2s", "retransmitted_s2c", "reinjected_c2s", "reinjected_s2c", "rtt_ms", "handshake_rtt_ms", "reset",
  ]);
  const signals = new CsvFile(join(dir, "signals.csv"), ["connection", "t", "capture", "frame", "subflow", "dir", "type", "detail"]);
  const anomalies = new CsvFile(join(dir, "anomalies.csv"), ["connection", "t", "capture", "frame", "subflow", "dir", "type", "detail"]);
  const ooo = new CsvFile(join(dir, "ooo_delay.csv"), ["connection", "dir", "delay_ms_from", "bytes"]);
  for (const c of r.connections) {
    conns.row([c.index, c.version, c.client, c.server, c.clientKey, c.serverKey, c.fallback === false ? "" : c.fallback, c.checksums, c.firstT, c.lastT,
      c.bytes.c2s, c.bytes.s2c, c.reinjectedBytes.c2s, c.reinjectedBytes.s2c, c.goodputBps.c2s, c.goodputBps.s2c, c.subflows.length]);
    for (const s of c.subflows) {
      subs.row([c.index, s.index, s.tcpStream, s.src, s.sport, s.dst, s.dport, s.join, s.backup, s.bytes.c2s, s.bytes.s2c,
        s.retransmittedBytes.c2s, s.retransmittedBytes.s2c, s.reinjectedBytes.c2s, s.reinjectedBytes.s2c, s.rttMs, s.handshakeRttMs, s.reset?.reason]);
    }
    for (const e of c.signals) signals.row([c.index, e.t, e.capture, e.frame, e.subflow, e.dir, e.type, e.detail]);
    for (const a of c.anomalies) anomalies.row([c.index, a.t, a.capture, a.frame, a.subflow, a.dir, a.type, a.detail]);
    for (const d of ["c2s", "s2c"] as const) for (const [from, b] of c.oooDelay[d].histogram) ooo.row([c.index, d, from, b]);
  }
  const goodput = new CsvFile(join(dir, "goodput.csv"), ["connection", "subflow", "dir", "t", "bin_seconds", "bytes"]);
  const rtt = new CsvFile(join(dir, "rtt.csv"), ["connection", "subflow", "dir", "t", "rtt_ms"]);
  for (const s of r.series) {
    for (const g of s.goodput) for (const [t, b] of g.bins) goodput.row([s.connection, g.subflow, g.dir, t.toFixed(6), g.binSeconds, b]);
    for (const x of s.rtt) for (const [t, v] of x.points) rtt.row([s.connection, x.subflow, x.dir, t.toFixed(6), v]);
  }
  for (const f of [conns, subs, signals, anomalies, ooo, goodput, rtt]) f.close();
}

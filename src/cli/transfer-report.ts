/**
 * What `mptcp client` and `mptcp server` measure and print: byte counts and SHA-256 of each
 * direction, a live per-subflow line every `--interval` seconds on stderr, and a final summary
 * (text on stderr, or one JSON object).
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Hash } from "node:crypto";
import type { DriverStats, PacketDriver } from "../io/driver.js";
import type { MptcpStats, SubflowStats } from "../mptcp/stats.js";
import { parseSize } from "../sim/scenario/units.js";
import { Rng } from "../util/rng.js";
import type { MptcpSocket } from "../runtime/socket.js";
import { CliError } from "./errors.js";
import { cliNumber } from "./numbers.js";

/** The `--json` object; fields are public: add, never rename. */
export interface TransferResult {
  /** Bytes the application wrote (and hashed in `sha256Sent`), whether or not they left. */
  bytesSent: number;
  sha256Sent: string;
  /** Of `bytesSent`, the bytes the peer acknowledged at the data level (RFC 8684 §3.3.2). */
  bytesAcked: number;
  bytesReceived: number;
  sha256Received: string;
  /** From the connect call (client) or the accept (server) to the end of both directions. */
  seconds: number;
  /**
   * Bytes delivered both ways (`bytesAcked` + `bytesReceived`), in Mbit/s over `seconds`; 0 for
   * a connection that never completed its handshake.
   */
  goodputMbps: number;
  /** "mptcp", "fallback" or "handshake" (closed before it completed). */
  mode: string;
  /** false, or why the connection continued as plain TCP (RFC 8684 §3.7). */
  fallback: false | string;
  checksums: boolean;
  /** The error that ended the connection ("ECONNRESET", ...), if one did. */
  error?: string;
  local: string;
  remote: string;
  subflows: SubflowStats[];
  /** The host's non-zero MPTcpExt-style counters (src/mptcp/counters.ts), when given. */
  counters?: Record<string, number>;
  /** Per path, the driver's name and counters (docs/drivers.md), when given. */
  paths?: ({ name: string } & DriverStats)[];
}

/** Counts and hashes one direction of a connection. */
export class DirectionMeter {
  bytes = 0;
  private readonly hash: Hash = createHash("sha256");
  private digestValue: string | undefined;

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  }

  get sha256(): string {
    this.digestValue ??= this.hash.digest("hex");
    return this.digestValue;
  }
}

/**
 * The bytes of `--send` and `--source`: the simulator's seeded generator (`Rng.seeded(seed)`,
 * xoshiro128**), each uint32 little-endian, so any implementation can reproduce and check them.
 */
export class SeededBytes {
  private readonly rng: Rng;
  private left: number;

  constructor(seed: number, length: number) {
    this.rng = Rng.seeded(seed);
    this.left = length;
  }

  get remaining(): number {
    return this.left;
  }

  /** The next block, at most `max` bytes (a multiple of 4 keeps the stream independent of blocking). */
  next(max = 65536): Uint8Array | undefined {
    if (this.left === 0) return undefined;
    const out = new Uint8Array(Math.min(max, this.left));
    this.rng.fillBytes(out);
    this.left -= out.length;
    return out;
  }
}

/** Writes the seeded stream to `socket` with backpressure, counting it in `meter`, then half-closes. */
export async function sendSeeded(socket: MptcpSocket, source: SeededBytes, meter: DirectionMeter): Promise<void> {
  for (let chunk = source.next(); chunk !== undefined; chunk = source.next()) {
    if (socket.destroyed) return;
    meter.add(chunk);
    if (!socket.write(chunk)) await drained(socket);
  }
  if (!socket.destroyed) socket.end();
}

/** Resolves on "drain" or "close", whichever comes first, leaving no listener behind. */
function drained(socket: MptcpSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/** A size: "1000", "64k", "10M", "1G" (decimal), "4MiB", "1.5MB". */
export function parseBytes(text: string, flag: string): number {
  const normalized = /^\s*[\d.]+\s*[kKmMgG]\s*$/.test(text) ? `${text.trim()}B` : text;
  const n = parseSize(normalized);
  if (n === undefined) throw new CliError(`${flag}: expected a size like 10M or 1G, got "${text}"`);
  return n;
}

export function parseNumber(text: string, flag: string, min: number, integer: boolean): number {
  const n = cliNumber(text);
  if (!(n >= min) || (integer && !Number.isInteger(n))) {
    throw new CliError(`${flag}: expected ${integer ? "an integer" : "a number"} of at least ${min}, got "${text}"`);
  }
  return n;
}

/** Shortest and longest `--interval`, in seconds: a line per subflow at most 20 times a second, at least once a day. */
const INTERVAL_MIN = 0.05;
const INTERVAL_MAX = 86_400;

/**
 * `--interval S`. Bounded above because Node's timers take at most 2^31 - 1 ms (24.8 days): a
 * longer delay becomes 1 ms, with a warning, and the live view would print every millisecond.
 */
export function parseInterval(text: string): number {
  const n = cliNumber(text);
  if (!(n >= INTERVAL_MIN && n <= INTERVAL_MAX)) {
    throw new CliError(`--interval: expected a number of seconds from ${INTERVAL_MIN} to ${INTERVAL_MAX} (24 h), got "${text}"`);
  }
  return n;
}

/**
 * The summary of a closed connection. Goodput counts what arrived: what the peer acknowledged of
 * ours and what we received, not what was written (a refused connection wrote its whole buffer).
 */
export function transferResult(
  socket: MptcpSocket,
  sent: DirectionMeter,
  received: DirectionMeter,
  seconds: number,
  ends: { local: string; remote: string; error?: string; counters?: Record<string, number>; paths?: TransferResult["paths"] },
): TransferResult {
  const stats = socket.mptcp;
  const acked = socket.connection.bytesAcked;
  const bits = stats.mode === "handshake" ? 0 : (acked + received.bytes) * 8;
  return {
    bytesSent: sent.bytes,
    sha256Sent: sent.sha256,
    bytesAcked: acked,
    bytesReceived: received.bytes,
    sha256Received: received.sha256,
    seconds: round(seconds, 6),
    goodputMbps: round(seconds > 0 ? bits / seconds / 1e6 : 0, 3),
    mode: stats.mode,
    fallback: stats.fallback,
    checksums: stats.checksums,
    ...(ends.error !== undefined ? { error: ends.error } : {}),
    local: ends.local,
    remote: ends.remote,
    subflows: stats.subflows,
    ...(ends.counters !== undefined ? { counters: ends.counters } : {}),
    ...(ends.paths !== undefined ? { paths: ends.paths } : {}),
  };
}

/** The human summary, on stderr. */
export function summaryText(r: TransferResult): string {
  const lines = [
    `${r.local} -> ${r.remote}: ${r.mode}${r.fallback === false ? "" : ` (fallback: ${r.fallback})`}${r.checksums ? ", DSS checksums" : ""}${r.error ? `, ended by ${r.error}` : ""}`,
    `  sent     ${fmtBytes(r.bytesSent)} sha256 ${r.sha256Sent}${r.bytesAcked === r.bytesSent ? "" : ` (${fmtBytes(r.bytesAcked)} acknowledged)`}`,
    `  received ${fmtBytes(r.bytesReceived)} sha256 ${r.sha256Received}`,
    `  ${r.seconds.toFixed(3)} s, ${r.mode === "handshake" ? "never established" : `${r.goodputMbps.toFixed(2)} Mbit/s`}`,
  ];
  r.subflows.forEach((s, i) => lines.push(`  ${subflowText(i, s)}`));
  return lines.join("\n") + "\n";
}

/**
 * Prints one line per subflow every `seconds` on stderr: which path carries what, and its rate
 * over the last interval. A display timer, unref'd: it never keeps the process alive.
 */
export class LiveView {
  private readonly timer: NodeJS.Timeout;
  private readonly last = new Map<string, { sent: number; received: number }>();
  private readonly start = performance.now();

  constructor(
    seconds: number,
    private readonly label: string,
    private readonly stats: () => MptcpStats,
    private readonly out: NodeJS.WritableStream = process.stderr,
  ) {
    this.timer = setInterval(() => this.print(seconds), seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private print(interval: number): void {
    const t = ((performance.now() - this.start) / 1000).toFixed(1);
    const lines: string[] = [];
    this.stats().subflows.forEach((s, i) => {
      const key = `${s.local}:${s.localPort}>${s.remote}:${s.remotePort}`;
      const prev = this.last.get(key) ?? { sent: 0, received: 0 };
      this.last.set(key, { sent: s.bytesSent, received: s.bytesReceived });
      const tx = ((s.bytesSent - prev.sent) * 8) / interval / 1e6;
      const rx = ((s.bytesReceived - prev.received) * 8) / interval / 1e6;
      lines.push(`[${t.padStart(6)}s ${this.label}] ${subflowText(i, s)} now tx ${tx.toFixed(1)} rx ${rx.toFixed(1)} Mbit/s`);
    });
    if (lines.length > 0) this.out.write(lines.join("\n") + "\n");
  }
}

function subflowText(i: number, s: SubflowStats): string {
  const rtt = s.rtt === undefined ? "-" : `${(s.rtt / 1000).toFixed(2)}ms`;
  return `sf${i} ${s.kind.padEnd(7)} ${s.local}:${s.localPort} > ${s.remote}:${s.remotePort}${s.backup ? " backup" : ""} ${s.state} tx ${fmtBytes(s.bytesSent)} rx ${fmtBytes(s.bytesReceived)} rtt ${rtt} cwnd ${s.cwnd}`;
}

function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The `paths` entry of the JSON: each driver's name and a copy of its counters. */
export function pathStats(drivers: readonly PacketDriver[]): NonNullable<TransferResult["paths"]> {
  return drivers.map((d) => ({ name: d.name, ...d.stats }));
}

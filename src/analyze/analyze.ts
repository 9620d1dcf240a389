/**
 * `analyzeCaptures`: reads one capture, or two of the same traffic (client side first, server
 * side second), streams every TCP segment through the analyzer and returns the report. Two
 * captures are read side by side in time order, so cross-capture matching holds only the
 * segments in flight between the two capture points.
 */
import { CaptureFileError, readCapture } from "../io/capture-file.js";
import type { CapturedPacket } from "../wire/pcap/index.js";
import { DEFAULT_OPTIONS, type AnalyzeOptions } from "./connection.js";
import { CrossCapture } from "./cross.js";
import { mergeCaptures } from "./merge.js";
import { connectionReport, connectionSeries } from "./report.js";
import { decodeSegment } from "./segment.js";
import { Trace, type TraceHooks } from "./trace.js";
import type { AnalysisReport } from "./types.js";

export interface AnalyzeRunOptions extends Partial<AnalyzeOptions> {
  /** Called for every segment of every MPTCP connection (CSV export, tests). */
  onSegment?: TraceHooks["onSegment"];
}

interface Source {
  it: AsyncGenerator<CapturedPacket>;
  head: CapturedPacket | undefined;
  frames: number;
  /** Why the capture ended early, if it did. */
  warning?: string;
}

async function advance(s: Source): Promise<void> {
  let r: IteratorResult<CapturedPacket>;
  try {
    r = await s.it.next();
  } catch (err) {
    // A capture cut short (tcpdump killed mid-write) is analyzed up to the damage, as tshark does.
    if (err instanceof CaptureFileError && err.kind === "corrupt" && s.frames > 0) {
      s.warning = err.message;
      s.head = undefined;
      return;
    }
    throw err;
  }
  s.head = r.done === true ? undefined : r.value;
  if (s.head !== undefined) s.frames++;
}

export async function analyzeCaptures(paths: string[], opts: AnalyzeRunOptions = {}): Promise<AnalysisReport> {
  if (paths.length < 1 || paths.length > 2) throw new RangeError("one or two captures");
  const options: AnalyzeOptions = { ...DEFAULT_OPTIONS };
  if (opts.binSeconds !== undefined) options.binSeconds = opts.binSeconds;
  if (opts.maxPlotPoints !== undefined) options.maxPlotPoints = opts.maxPlotPoints;
  const cross = paths.length === 2 ? new CrossCapture() : undefined;
  const onSegment: TraceHooks["onSegment"] =
    cross === undefined
      ? opts.onSegment
      : (row, conn, sub) => {
          cross.segment(row, conn, sub);
          opts.onSegment?.(row, conn, sub);
        };
  const hooks: TraceHooks = onSegment === undefined ? {} : { onSegment };
  const traces = paths.map((_, i) => new Trace(i, options, hooks));
  const sources: Source[] = paths.map((p) => ({ it: readCapture(p), head: undefined, frames: 0 }));
  try {
    for (const s of sources) await advance(s);
    for (;;) {
      // The earliest head of the captures (the first one only, with one capture).
      let k = -1;
      for (let i = 0; i < sources.length; i++) {
        const h = sources[i]!.head;
        if (h !== undefined && (k < 0 || h.time < sources[k]!.head!.time)) k = i;
      }
      if (k < 0) break;
      const src = sources[k]!;
      const seg = decodeSegment(src.head!, src.frames, k);
      if (seg !== undefined) traces[k]!.push(seg);
      await advance(src);
    }
  } finally {
    for (const s of sources) await s.it.return(undefined);
  }
  for (const t of traces) t.finish();
  const connections =
    traces.length === 2 ? mergeCaptures(traces[0]!.connections, traces[1]!.connections, cross!) : traces[0]!.connections.map(connectionReport);
  return {
    captures: traces.map((t, i) => {
      const c: AnalysisReport["captures"][number] = { path: paths[i]!, frames: sources[i]!.frames, tcpSegments: t.tcpSegments, firstT: t.firstT ?? null, lastT: t.lastT ?? null };
      if (sources[i]!.warning !== undefined) c.warning = sources[i]!.warning;
      return c;
    }),
    plainTcpStreams: traces.reduce((n, t) => n + t.plainTcpStreams, 0),
    orphanSubflows: traces.reduce((n, t) => n + t.orphanSubflows, 0),
    connections,
    series: traces[0]!.connections.map(connectionSeries),
  };
}

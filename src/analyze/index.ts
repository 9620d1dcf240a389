/** `mptcp analyze`: MPTCP trace reconstruction, statistics, anomalies and reports. */
export { analyzeCaptures, type AnalyzeRunOptions } from "./analyze.js";
export { Trace, type SegmentRow, type TraceHooks } from "./trace.js";
export { decodeSegment, type Segment } from "./segment.js";
export { DEFAULT_OPTIONS, MAX_FIXED_BINS, type AnalyzeOptions } from "./connection.js";
export { TooManyBinsError } from "./series.js";
export { reportText } from "./text.js";
export { reportHtml } from "./html.js";
export { SegmentCsv, writeReportCsv } from "./csv.js";
export type * from "./types.js";

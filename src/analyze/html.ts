/**
 * `--report FILE.html`: one self-contained page. uPlot's script and style sheet are read from
 * node_modules when the report is written and inlined, with the report data as JSON, so the
 * page needs no network. Every series is already decimated (series.ts keeps each bucket's
 * minimum and maximum), so a trace of a million segments plots as fast as a small one.
 */
import type { AnalysisReport } from "./types.js";
import { htmlPage } from "../report/page.js";

/** The page's own script: builds tables and plots from the embedded data (src/report/page.ts). */
const SCRIPT = String.raw`
  // Colour is the subflow's throughout; server-to-client series are dashed or hollow.
  const root = document.getElementById("report");
  root.appendChild(el("p", data.captures.map((c) => c.path + ": " + c.frames + " frames").join("; ")));
  if (data.connections.length === 0) root.appendChild(el("p", "No MPTCP connection in this capture.", "empty"));

  for (const c of data.connections) {
    const s = data.series.find((x) => x.connection === c.index);
    const sec = el("section");
    root.appendChild(sec);
    sec.appendChild(el("h2", "Connection " + c.index + ": MPTCP v" + c.version + " " + c.client + " → " + c.server));
    if (c.fallback) sec.appendChild(el("p", "Fell back to TCP: " + c.fallback, "bad"));
    table(sec, ["", "client → server", "server → client"], [
      ["data bytes", c.bytes.c2s, c.bytes.s2c],
      ["reinjected bytes", c.reinjectedBytes.c2s, c.reinjectedBytes.s2c],
      ["goodput (bit/s)", c.goodputBps.c2s, c.goodputBps.s2c],
      ["reordering delay mean / max (ms)", c.oooDelay.c2s.meanMs + " / " + c.oooDelay.c2s.maxMs, c.oooDelay.s2c.meanMs + " / " + c.oooDelay.s2c.maxMs],
    ]);
    table(sec, ["subflow", "initiator → listener", "kind", "backup", "bytes c2s", "bytes s2c", "retrans c2s/s2c", "reinjected c2s/s2c", "RTT ms", "end"],
      c.subflows.map((f) => [f.index, f.src + ":" + f.sport + " → " + f.dst + ":" + f.dport, f.join ? "join" : "initial", f.backup ? "yes" : "no",
        f.bytes.c2s, f.bytes.s2c, f.retransmittedBytes.c2s + "/" + f.retransmittedBytes.s2c, f.reinjectedBytes.c2s + "/" + f.reinjectedBytes.s2c,
        f.rttMs === null ? "-" : f.rttMs, f.reset ? "RST: " + f.reset.reason : f.closed ? "FIN" : "open"]));
    if (s === undefined) {
      sec.appendChild(el("p", "Plots are drawn for the " + data.plottedLimit + " connections that carried the most data; see --json or --csv for this one.", "empty"));
      continue;
    }

    const t0 = c.firstT;
    for (const dir of ["c2s", "s2c"]) {
      const dsn = s.dsn.filter((d) => d.dir === dir);
      if (dsn.length === 0) continue;
      const acks = s.dataAck.filter((a) => a.dir === dir);
      plot(sec, "Data sequence number over time, " + (dir === "c2s" ? "client → server" : "server → client") + " (points: data by subflow; line: Data ACK)", "DSN (bytes)",
        dsn.map((d) => scatter("subflow " + d.subflow, d.subflow)).concat(acks.map(() => line("Data ACK", 9, [4, 3]))),
        aligned(dsn.map((d) => d.points).concat(acks.map((a) => a.points)), t0));
    }

    // Goodput bins all share the connection's origin and width, so they align; an empty bin is 0.
    plot(sec, "Goodput per subflow (new data-level bytes)", "Mbit/s",
      s.goodput.map((g) => Object.assign(line("subflow " + g.subflow + " " + g.dir, g.subflow, g.dir === "s2c" ? [5, 3] : undefined), { paths: uPlot.paths.stepped({ align: 1 }) })),
      aligned(s.goodput.map((g) => g.bins.map(([t, b]) => [t, (b * 8) / g.binSeconds / 1e6])), t0, 0));

    plot(sec, "RTT samples per subflow (data to ACK, at the capture point)", "ms",
      s.rtt.map((r) => Object.assign(scatter("subflow " + r.subflow + " " + r.dir, r.subflow), r.dir === "s2c" ? { fill: "#fff" } : {})), aligned(s.rtt.map((r) => r.points), t0));

    // Reordering delay: bytes per quarter-decade bin, both directions on the same bins.
    const edges = Array.from(new Set(["c2s", "s2c"].flatMap((d) => c.oooDelay[d].histogram.map((h) => h[0])))).sort((a, b) => a - b);
    const byDir = (d) => { const m = new Map(c.oooDelay[d].histogram); return edges.map((e) => m.get(e) || 0); };
    plot(sec, "Data-level reordering delay at the receiver (bytes per delay bin)", "bytes",
      [{ label: "c2s", stroke: COLORS[0], fill: COLORS[0] + "88", paths: uPlot.paths.bars({ size: [0.4, 40], align: -1 }) },
       { label: "s2c", stroke: COLORS[1], fill: COLORS[1] + "88", paths: uPlot.paths.bars({ size: [0.4, 40], align: 1 }) }],
      edges.length === 0 ? [] : [edges.map((_, i) => i), byDir("c2s"), byDir("s2c")],
      { scales: { x: { time: false }, y: { range: (u, min, max) => [0, max * 1.05 || 1] } }, axes: [{ label: "delay ≥ (ms)", values: (u, ticks) => ticks.map((i) => (edges[i] === undefined ? "" : edges[i] === 0 ? "0" : String(edges[i]))) }, { label: "bytes", size: 70 }] });

    const types = Array.from(new Set(c.signals.map((e) => e.type)));
    plot(sec, "Signalling timeline", "", types.map((ty, i) => scatter(ty, i)),
      aligned(types.map((ty, i) => c.signals.filter((e) => e.type === ty).map((e) => [e.t, i + 1])), t0),
      { axes: [{ label: "seconds" }, { values: (u, ticks) => ticks.map((v) => types[v - 1] || ""), size: 110 }], scales: { x: { time: false }, y: { range: [0, types.length + 1] } } });
    if (c.signals.length > 0) table(sec, ["t (s)", "subflow", "dir", "signal", "detail"], c.signals.map((e) => [(e.t - t0).toFixed(6), e.subflow, e.dir, e.type, e.detail]));
    const counts = Object.entries(c.anomalyCounts);
    sec.appendChild(el("h3", "Anomalies"));
    if (counts.length === 0) sec.appendChild(el("p", "none", "empty"));
    else table(sec, ["frame", "subflow", "dir", "type", "detail"], c.anomalies.map((a) => [a.frame, a.subflow, a.dir, a.type, a.detail]));
  }
`;

/** Connections that get plots; the others get their tables only, so that a page of a busy server stays light. */
export const MAX_PLOTTED_CONNECTIONS = 20;

/** The whole report page. */
export function reportHtml(r: AnalysisReport, title: string): string {
  // Plot the connections that carried the most data.
  const plotted = new Set(
    [...r.connections]
      .sort((a, b) => b.bytes.c2s + b.bytes.s2c - (a.bytes.c2s + a.bytes.s2c))
      .slice(0, MAX_PLOTTED_CONNECTIONS)
      .map((c) => c.index),
  );
  const data = { ...r, series: r.series.filter((s) => plotted.has(s.connection)), plottedLimit: MAX_PLOTTED_CONNECTIONS };
  return htmlPage(`mptcp analyze: ${title}`, data, SCRIPT);
}

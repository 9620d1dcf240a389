/**
 * An experiment's HTML report (`mptcp sim exp-* --report FILE.html`): a self-contained page
 * (src/report/page.ts) with the experiment's checks (measured against expected, and the note
 * where one explains the value), its table, and its plots (`ExperimentResult.plots`): lines over
 * time or over a swept size, or points per category (controllers, modes) with published values
 * beside the measured ones.
 */
import { htmlPage } from "../../report/page.js";
import type { ExperimentResult } from "./experiment.js";

/** What the page embeds: the result without its flows (the table and checks say what they did). */
export interface ExperimentReportData {
  name: string;
  description: string;
  seed: number;
  simulatedSeconds: number;
  table: string[][];
  checks: ExperimentResult["checks"];
  plots: ExperimentResult["plots"];
}

const SCRIPT = String.raw`
  const root = document.getElementById("report");
  root.appendChild(el("p", data.description + " (seed " + data.seed + ", " + data.simulatedSeconds.toFixed(1) + " simulated seconds)."));
  root.appendChild(el("h2", "Checks"));
  const failed = data.checks.filter((c) => !c.pass).length;
  root.appendChild(el("p", failed === 0 ? "Every check passes." : failed + " of " + data.checks.length + " checks fail.", failed === 0 ? undefined : "bad"));
  const checks = el("table");
  const head = el("tr");
  for (const c of ["", "claim", "measured", "expected", "note"]) head.appendChild(el("th", c));
  checks.appendChild(head);
  for (const c of data.checks) {
    const tr = el("tr");
    tr.appendChild(el("td", c.pass ? "PASS" : "FAIL", c.pass ? undefined : "bad"));
    for (const v of [c.name, c.measured, c.expected, c.note === undefined ? "" : c.note]) tr.appendChild(el("td", String(v)));
    checks.appendChild(tr);
  }
  root.appendChild(checks);
  root.appendChild(el("h2", "Results"));
  table(root, data.table[0], data.table.slice(1));
  if (data.plots.length > 0) root.appendChild(el("h2", "Plots"));
  for (const p of data.plots) {
    const cols = [p.x, ...p.series.map((s) => s.values)];
    const cat = p.categories !== undefined;
    const series = p.series.map((s, i) => {
      // A sweep of a few sizes shows its points; a time series is a line.
      if (!cat) return Object.assign(line(s.label, i, s.dashed ? [6, 4] : undefined), p.x.length <= 16 ? { points: { show: true, size: 6 } } : {});
      const c = COLORS[i % COLORS.length];
      // Measured values filled, reference ones (published, bounds) hollow.
      return { label: s.label, stroke: c, paths: () => null, points: { show: true, size: s.dashed ? 8 : 10, width: 2, fill: s.dashed ? "#fff" : c } };
    });
    const x = cat
      ? { time: false, range: [-0.5, p.x.length - 0.5] }
      : p.logX ? { time: false, distr: 3, log: 2 } : { time: false };
    const xAxis = cat
      ? { label: p.xLabel, splits: () => p.x, values: (u, splits) => splits.map((i) => p.categories[i] ?? "") }
      : { label: p.xLabel };
    // Points per category are compared from zero up.
    const y = cat ? { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } : {};
    plot(root, p.title, p.yLabel, series, cols, { scales: { x, y }, axes: [xAxis, { label: p.yLabel, size: 70 }], series: [{ label: p.xLabel }, ...series] });
  }
`;

export function experimentReportData(r: ExperimentResult, description: string): ExperimentReportData {
  return { name: r.name, description, seed: r.seed, simulatedSeconds: r.simulatedSeconds, table: r.table, checks: r.checks, plots: r.plots };
}

export function experimentHtml(r: ExperimentResult, description: string): string {
  return htmlPage(`mptcp sim ${r.name}`, experimentReportData(r, description), SCRIPT);
}

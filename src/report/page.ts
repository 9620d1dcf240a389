/**
 * The parts every self-contained HTML page of ours shares (`mptcp analyze --report`, `mptcp demo`,
 * experiment reports): uPlot's script and style sheet read from node_modules and inlined, so a
 * page needs no network; report data embedded as JSON; and the page-side helpers that build
 * tables and plots from it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** uPlot's minified script and style sheet, read when a page is written. */
export function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const css = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  return { js, css };
}

/** JSON that is safe inside a <script> element (no "</script>", no "<!--"). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export const BASE_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; border-top: 1px solid #ccc; padding-top: 12px; }
h3 { font-size: 15px; margin: 18px 0 4px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; font-size: 13px; }
.plot { margin: 4px 0 12px; } .empty { color: #888; font-style: italic; } .bad { color: #b00; }
`;

/**
 * Page-side helpers, defined inside the page script's function: `COLORS`, `width()`,
 * `el(tag, text, cls)`, `aligned(list, t0, fill)` (uPlot wants one shared x array: the series'
 * times merged, gaps filled with null or `fill`), `plot(parent, title, yLabel, series, cols,
 * opts)`, `scatter(label, i)`, `line(label, i, dash)` and `table(parent, header, rows)`.
 */
export const PAGE_HELPERS = String.raw`
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
  const width = () => Math.max(400, Math.min(1200, document.body.clientWidth - 40));
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };

  function aligned(list, t0, fill) {
    const xs = Array.from(new Set(list.flatMap((pts) => pts.map((p) => p[0])))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const ys = list.map((pts) => { const y = new Array(xs.length).fill(fill === undefined ? null : fill); for (const [t, v] of pts) y[at.get(t)] = v; return y; });
    return [xs.map((x) => x - t0), ...ys];
  }

  function plot(parent, title, yLabel, series, cols, opts) {
    const box = el("div", undefined, "plot");
    parent.appendChild(el("h3", title));
    parent.appendChild(box);
    if (cols.length === 0 || cols[0].length === 0) { box.appendChild(el("p", "no data", "empty")); return; }
    new uPlot(Object.assign({
      width: width(), height: 300,
      scales: { x: { time: false } },
      axes: [{ label: "seconds" }, { label: yLabel, size: 70 }],
      series: [{ label: "t (s)" }, ...series],
    }, opts || {}), cols, box);
  }

  const scatter = (label, i) => ({ label, stroke: COLORS[i % COLORS.length], fill: COLORS[i % COLORS.length], paths: () => null, points: { show: true, size: 4 } });
  const line = (label, i, dash) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, dash, spanGaps: true, points: { show: false } });

  function table(parent, header, rows) {
    const t = el("table");
    const h = el("tr");
    for (const c of header) h.appendChild(el("th", c));
    t.appendChild(h);
    for (const r of rows) { const tr = el("tr"); for (const c of r) tr.appendChild(el("td", String(c))); t.appendChild(tr); }
    parent.appendChild(t);
  }
`;

/** A whole page: title, one root element, the data, uPlot, and `script` (which reads `data`). */
export function htmlPage(title: string, data: unknown, script: string): string {
  const { js, css } = uplotAssets();
  const esc = title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc}</title>
<style>${css}</style><style>${BASE_STYLE}</style>
</head><body>
<h1>${esc}</h1>
<div id="report"></div>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${js}</script>
<script>(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
${PAGE_HELPERS}
${script}
  document.body.setAttribute("data-rendered", "1");
})();</script>
</body></html>
`;
}

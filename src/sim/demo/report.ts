/**
 * The demo's HTML report: what happened to each path over time, as a self-contained page
 * (src/report/page.ts): throughput per subflow, the data sequence numbers each subflow carried,
 * and the server's congestion windows, with the WiFi failure marked.
 */
import { htmlPage } from "../../report/page.js";
import type { DemoResult } from "./demo.js";

const SCRIPT = String.raw`
  const root = document.getElementById("report");
  root.appendChild(el("p", "A download of " + (data.bytes / 1e6) + " MB over WiFi (" + data.paths[0].rateMbps + " Mbit/s, " + data.paths[0].delayMs +
    " ms) and cellular (" + data.paths[1].rateMbps + " Mbit/s, " + data.paths[1].delayMs + " ms); the WiFi goes down for good at t = " + data.failAtSeconds + " s."));
  table(root, ["", "value"], [
    ["bytes intact (SHA-256)", data.integrity ? "yes" : "NO"],
    [data.completed ? "completed at (s)" : "did not complete by (s)", data.completionSeconds],
    ["goodput (Mbit/s)", data.goodputMbps],
    ["longest stall after the failure (s)", data.stallSeconds],
    ["reinjected chunks", data.reinjections],
  ]);
  table(root, ["subflow", "local → remote", "MB before", "Mbit/s before", "MB after", "Mbit/s after", "state at the end"],
    data.subflows.map((s) => [s.name, s.local + " → " + s.remote, (s.bytesBefore / 1e6).toFixed(2), s.mbpsBefore, (s.bytesAfter / 1e6).toFixed(2), s.mbpsAfter, s.state]));
  const names = ["wifi", "cellular"];
  const idx = (n) => names.indexOf(n);
  const fail = { label: "WiFi down", stroke: "#888", dash: [2, 4], width: 1, points: { show: false } };
  function withFail(series, cols, top) {
    // A vertical marker: two points at the failure time, from 0 to the top of the plot.
    const t = data.failAtSeconds;
    const xs = cols[0].slice();
    const at = xs.findIndex((x) => x >= t);
    const i = at < 0 ? xs.length : at;
    const out = [xs.slice(0, i).concat([t, t], xs.slice(i))];
    for (let k = 1; k < cols.length; k++) out.push(cols[k].slice(0, i).concat([null, null], cols[k].slice(i)));
    out.push(new Array(out[0].length).fill(null));
    out[out.length - 1][i] = 0;
    out[out.length - 1][i + 1] = top;
    return [series.concat([fail]), out];
  }
  const top = (list) => Math.max(1, ...list.flatMap((s) => s.points.map((p) => p[1])));
  let [s1, c1] = withFail(data.series.throughputMbps.map((s) => line(s.name, idx(s.name))), aligned(data.series.throughputMbps.map((s) => s.points), 0, 0), top(data.series.throughputMbps));
  plot(root, "Throughput per subflow, as the client receives it", "Mbit/s", s1, c1);
  [s1, c1] = withFail(data.series.dsn.map((s) => scatter(s.name, idx(s.name))), aligned(data.series.dsn.map((s) => s.points), 0), top(data.series.dsn));
  plot(root, "Data sequence number sent by the server, coloured by subflow", "MB", s1, c1);
  [s1, c1] = withFail(data.series.cwndKB.map((s) => line(s.name, idx(s.name))), aligned(data.series.cwndKB.map((s) => s.points), 0), top(data.series.cwndKB));
  plot(root, "Server's congestion window per subflow", "kB", s1, c1);
`;

export function demoHtml(r: DemoResult): string {
  return htmlPage("mptcp demo: WiFi + cellular, WiFi fails midway", r, SCRIPT);
}

/**
 * Runs every benchmark in turn (`npm run bench`). Each prints its own figures and ratios.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const benches = process.argv.length > 2 ? process.argv.slice(2) : ["wire-codec", "pcap-stream", "sim-events", "sim-tcp", "host-memory", "tun", "udp", "kernel-goodput", "analyze"];

for (const name of benches) {
  console.log(`\n== ${name} ==`);
  const args = name === "pcap-stream" ? ["256"] : name === "analyze" ? ["200000"] : [];
  const res = spawnSync(process.execPath, [join(here, `${name}.js`), ...args], { stdio: "inherit" });
  if (res.status !== 0) process.exitCode = 1;
}

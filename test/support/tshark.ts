/**
 * Running tshark, the independent decoder our output is checked against. Tests that need it call
 * `tsharkAvailable()` and skip with the reason when it is absent.
 */
import { spawnSync } from "node:child_process";

let cached: boolean | undefined;

export function tsharkAvailable(): boolean {
  cached ??= spawnSync("tshark", ["--version"], { stdio: "ignore" }).status === 0;
  return cached;
}

export const NO_TSHARK = "tshark is not installed (Debian package tshark; .ci/run installs it)";

let editcap: boolean | undefined;

/** editcap, Wireshark's capture editor (it comes with tshark), for snapped copies of captures. */
export function editcapAvailable(): boolean {
  editcap ??= spawnSync("editcap", ["-h"], { stdio: "ignore" }).status === 0;
  return editcap;
}

/**
 * `tshark -r file -T fields` with every occurrence of each field joined by commas; returns one
 * row per frame as a map from field name to its values (empty fields are absent).
 */
export function tsharkFields(file: string, fields: string[], extraArgs: string[] = []): Map<number, Map<string, string[]>> {
  const args = ["-r", file, "-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "separator=\t",
    ...extraArgs, "-e", "frame.number", ...fields.flatMap((f) => ["-e", f])];
  const res = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`tshark failed: ${res.stderr}`);
  const rows = new Map<number, Map<string, string[]>>();
  for (const line of res.stdout.split("\n")) {
    if (!line) continue;
    const cols = line.split("\t");
    const row = new Map<string, string[]>();
    fields.forEach((f, i) => {
      const v = cols[i + 1];
      if (v) row.set(f, v.split("|"));
    });
    rows.set(Number(cols[0]), row);
  }
  return rows;
}

/**
 * Captures of the interop tests (issue 5 item 6), checked by an independent decoder: tcpdump
 * records what crossed the kernel's side of our TUN devices, and tshark with its MPTCP analysis
 * must find no malformed packet, no data segment without a DSS mapping and no echoed-key
 * mismatch. (tshark 4.0 also flags some pure ACKs and FINs that Linux itself sends as missing a
 * mapping; those carry no data and do not count.)
 *
 * Only headers are kept (the snap length): the payload is checked end to end by SHA-256, and a
 * short record keeps tcpdump ahead of a fast transfer.
 */
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import type { ChildProcess } from "node:child_process";
import { tsharkAvailable } from "./tshark.js";

const execFileAsync = promisify(execFile);

/** Enough for IPv6 (40), TCP with a full option space (60) and a little payload. */
const SNAPLEN = 160;

export interface Capture {
  file: string;
  /**
   * Stops tcpdump and resolves with the packets its socket dropped (0 when it kept up); call it
   * before the device goes away. Calling it again returns the same answer.
   */
  stop(): Promise<number>;
}

/** Whether the captures can be made and checked here; otherwise the reason. */
export function captureSkipReason(): string | false {
  if (!tsharkAvailable()) return "tshark is not installed (Debian package tshark)";
  if (spawnSync("tcpdump", ["--version"], { stdio: "ignore" }).status !== 0) return "tcpdump is not installed";
  return false;
}

/**
 * Starts tcpdump on `iface` (`any` for every device), in network namespace `ns` if given, writing
 * `file`; resolves once it listens. The process is pushed on `children` so a test's `after` can
 * kill it if the test fails before `stop()`.
 */
export async function startCapture(file: string, iface: string, children: ChildProcess[], ns?: string): Promise<Capture> {
  // -Z root: tcpdump otherwise drops to its own user, which cannot write the test's directory.
  // --immediate-mode: packets reach the file as they come, not when a ring block fills or times
  // out, so none is lost when the device disappears before tcpdump is stopped.
  const argv = ["tcpdump", "-i", iface, "-n", "-s", String(SNAPLEN), "-B", "16384", "--immediate-mode", "-U", "-Z", "root", "-w", file];
  const child = ns === undefined ? spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] }) : spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    const onData = (d: string): void => {
      stderr += d;
      if (/listening on/.test(stderr)) {
        child.stderr!.off("data", onData);
        child.stderr!.on("data", (more: string) => (stderr += more));
        resolve();
      }
    };
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`tcpdump exited with ${code} before listening: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped: Promise<number> | undefined;
  return {
    file,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
        await exited;
        const m = /(\d+) packets? dropped by kernel/.exec(stderr);
        return m === null ? 0 : Number(m[1]);
      })()),
  };
}

const PREFS = ["-o", "tcp.analyze_sequence_numbers:TRUE", "-o", "mptcp.analyze_mptcp:TRUE", "-o", "mptcp.analyze_mappings:TRUE"];

/** `tshark -r file -Y filter -T fields`: one tab-separated line per matching frame. */
async function tsharkLines(file: string, filter: string, fields: string[]): Promise<string[]> {
  const args = ["-r", file, "-n", ...PREFS, "-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", ...fields.flatMap((f) => ["-e", f])];
  const { stdout } = await execFileAsync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 28 });
  return stdout.split("\n").filter((l) => l !== "");
}

/**
 * What tshark objects to in `file`: one line per offending frame (empty when clean), and how many
 * frames carry MPTCP options at all (a capture without any is not evidence of anything).
 */
export async function captureProblems(file: string): Promise<{ problems: string[]; mptcpFrames: number }> {
  const filter = "_ws.malformed || mptcp.connection.echoed_key_mismatch || (mptcp.dss.missing_mapping && tcp.len > 0)";
  // Two passes of tshark, side by side: most of each is its start-up.
  const [bad, mptcp] = await Promise.all([
    tsharkLines(file, filter, ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "tcp.len", "_ws.expert.message"]),
    tsharkLines(file, "tcp.options.mptcp.subtype", ["frame.number"]),
  ]);
  const problems = bad.map((line) => {
    const [frame, v4, v6, port, len, expert] = line.split("\t");
    return `frame ${frame} from ${v4 || v6}:${port} (len ${len}): ${expert ?? ""}`;
  });
  return { problems, mptcpFrames: mptcp.length };
}

/**
 * Stops `capture` (if not yet) and asserts that tshark objects to nothing in it and, unless
 * `mptcp` is false (a connection where neither end offered MPTCP), that it decoded MPTCP options.
 */
export async function assertCleanCapture(capture: Capture, mptcp = true): Promise<void> {
  const dropped = await capture.stop();
  const { problems, mptcpFrames } = await captureProblems(capture.file);
  if (mptcp) assert.ok(mptcpFrames > 0, `tshark found no MPTCP option in ${capture.file}`);
  assert.deepEqual(problems.slice(0, 10), [], `tshark on ${capture.file} (${problems.length} frames; tcpdump dropped ${dropped})`);
}

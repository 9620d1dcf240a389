/** Helpers for the testbed tests that build real namespaces: names, skip reasons, the CLI, cleanup. */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { CLI_SCRIPT } from "../support/cli.js";
import { testbedDown } from "../../src/testbed/testbed.js";

/** Why a testbed cannot be built here, or false when it can. */
export function testbedSkipReason(): string | false {
  if (process.platform !== "linux") return "the testbed needs Linux";
  if (process.getuid?.() !== 0) return "the testbed needs root";
  if (spawnSync("ip", ["-V"], { stdio: "ignore" }).status !== 0) return "the `ip` command is missing";
  if (spawnSync("tc", ["-V"], { stdio: "ignore" }).status !== 0) return "the `tc` command is missing";
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun does not exist";
  try {
    if (readFileSync("/proc/sys/net/mptcp/enabled", "utf8").trim() !== "1") return "net.mptcp.enabled is 0";
  } catch {
    return "the kernel has no MPTCP";
  }
  return false;
}

let counter = 0;

/** A testbed name no concurrent run uses: `mtb`, the pid and a counter (at most 12 characters). */
export function uniqueName(): string {
  return `mtb${process.pid % 100_000}-${counter++}`;
}

/** Removes every testbed a test made, whatever state it is in; never throws. */
export function cleanUp(names: readonly string[]): void {
  for (const name of names) {
    try {
      testbedDown(name);
    } catch {
      // Refused (no state file): the namespace is still ours, made under a unique name.
      try {
        execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
      } catch {
        // Already gone.
      }
    }
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `mptcp` CLI of this build without blocking the event loop. */
export function runCliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CLI_SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** `ip ARGS` in namespace `ns`, as text. */
export function ipIn(ns: string, ...args: string[]): string {
  return execFileSync("ip", ["-n", ns, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

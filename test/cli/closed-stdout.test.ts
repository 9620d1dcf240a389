/**
 * A reader that goes away before the output is written (`mptcp sim --list | head -1`, a pager
 * quit early) ends the command quietly: exit code 0 and nothing on stderr, never an EPIPE stack
 * trace. The child's stdout is a pipe whose reading end is closed before the child has started.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { CLI_SCRIPT } from "../support/cli.js";

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CLI_SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

for (const args of [["sim", "--list"], ["--help"], ["sim", "tcp-lossy", "--bytes", "200KB"], ["sim", "tcp-lossy", "--bytes", "200KB", "--json"], ["demo", "--no-report", "--bytes", "300000"]]) {
  test(`mptcp ${args.join(" ")} into a closed pipe: exit 0, nothing on stderr`, async () => {
    const r = await withClosedStdout(args);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
  });
}

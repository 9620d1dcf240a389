/** Runs the `mptcp` CLI of this build in a child process, as a user would. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";

const MAIN = new URL("../../src/cli/main.js", import.meta.url).href;

/** The code `bin/mptcp.js` runs, pointed at this build's CLI (dist/ or a private build dir). */
export const CLI_SCRIPT = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`;

export function runCli(args: string[], opts: { input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--input-type=module", "-e", CLI_SCRIPT, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    input: opts.input ?? "",
  });
}

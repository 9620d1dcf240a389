/**
 * `mptcp testbed up | exec | down`: the command-line face of src/testbed/ (docs/testbed.md).
 */
import type { Command } from "commander";
import { TestbedError } from "../testbed/errors.js";
import { describeImpairment, parseUpFlags } from "../testbed/spec.js";
import type { UpFlags } from "../testbed/spec.js";
import { statePath } from "../testbed/state.js";
import type { TestbedState } from "../testbed/state.js";
import { testbedDown, testbedExec, testbedUp } from "../testbed/testbed.js";
import { CliError } from "./errors.js";

/**
 * Thrown to end the CLI with a command's exit code and no message of our own: `testbed exec`
 * passes on the exit code of what it ran.
 */
export class ChildExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit code ${exitCode}`);
    this.name = "ChildExit";
  }
}

export function registerTestbed(program: Command): void {
  const testbed = program
    .command("testbed")
    .description("a network namespace with the kernel's MPTCP and N TUN paths for mptcp-ts (up | exec | down)")
    // So that `exec` can leave the options of the command it runs alone.
    .enablePositionalOptions();

  testbed
    .command("up")
    .description("create a testbed: namespace, one TUN device per path, kernel endpoints and limits, impairments")
    .option("--paths <n>", "number of paths, 1 to 8 (default 2)")
    .option("--name <name>", "testbed and namespace name, at most 12 characters (default mptcp-tb)")
    .option("--rate <r[,r...]>", "rate per path in bit/s, e.g. 10mbit or 10mbit,2mbit (tbf towards mptcp-ts, paced by mptcp-ts the other way)")
    .option("--delay <ms[,ms...]>", "one-way delay per path in ms, applied by mptcp-ts both ways")
    .option("--loss <p[,p...]>", "loss probability per path (0.01 or 1%), applied by mptcp-ts both ways")
    .option("--seed <n>", "seed of the loss patterns (default 1)")
    .option("--json", "print the testbed's state as JSON")
    .action((opts: UpFlags & { json?: boolean }) => {
      const state = cli(() => testbedUp(parseUpFlags(opts)));
      process.stdout.write(opts.json ? `${JSON.stringify(state, null, 2)}\n` : upSummary(state));
    });

  testbed
    .command("exec")
    .description("run a command inside a testbed's namespace (mptcp testbed exec NAME -- CMD ARGS...)")
    .argument("<name>", "testbed name")
    .argument("<command...>", "the command and its arguments (after --, or from the first word that is not an option)")
    .passThroughOptions()
    // Commander drops the first `--` at the top level; the command's own options then reach here.
    .allowUnknownOption()
    .action(async (name: string, command: string[]) => {
      const code = await cliAsync(() => testbedExec(name, command));
      if (code !== 0) throw new ChildExit(code);
    });

  testbed
    .command("down")
    .description("remove a testbed: its namespace (with its devices) and its state file; harmless if already gone")
    .argument("<name>", "testbed name")
    .action((name: string) => {
      const r = cli(() => testbedDown(name));
      process.stdout.write(r.removed ? `testbed ${name} removed\n` : `no testbed named ${name}; nothing to do\n`);
      if (r.lingering.length > 0) {
        process.stderr.write(`mptcp: processes ${r.lingering.join(", ")} still run in it; its devices go when they exit\n`);
      }
    });
}

/** What `up` prints: each path and the exact `--tun` flags to give `mptcp client` or `server`. */
export function upSummary(s: TestbedState): string {
  const lines = [`testbed ${s.name} is up: namespace ${s.namespace}, ${s.paths.length} path${s.paths.length === 1 ? "" : "s"}, state in ${statePath(s.name)}`];
  for (const p of s.paths) {
    const announce = p.endpointId !== undefined ? `; the kernel announces ${p.kernel.ipv4} (endpoint ${p.endpointId}, signal)` : "";
    lines.push(`  path ${p.index}: ${p.device}  kernel ${p.kernel.ipv4} ${p.kernel.ipv6}  mptcp-ts --tun ${p.tun}  ${describeImpairment(p.impairment)}${announce}`);
  }
  const tun = s.paths.map((p) => `--tun ${p.tun}`).join(" ");
  const k0 = s.paths[0]!.kernel.ipv4;
  lines.push(
    `mptcp-ts flags: ${tun}`,
    "run both ends inside the namespace, for example:",
    `  mptcp testbed exec ${s.name} -- mptcpize run <a TCP server listening on ${k0}>`,
    `  mptcp testbed exec ${s.name} -- mptcp client ${k0}:PORT ${tun} --send 10M`,
  );
  if (s.paths.some((p) => p.impairment.delayUs || p.impairment.loss || p.impairment.rateBps)) {
    lines.push("mptcp-ts applies the delay and loss (both ways) and the rate towards the kernel itself, on these devices; tbf applies the rate towards mptcp-ts");
  }
  lines.push(`remove it with: mptcp testbed down ${s.name}`);
  return `${lines.join("\n")}\n`;
}

function cli<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof TestbedError ? new CliError(e.message) : e;
  }
}

async function cliAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw e instanceof TestbedError ? new CliError(e.message) : e;
  }
}

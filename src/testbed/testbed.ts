/**
 * `mptcp testbed up | exec | down`: a network namespace holding the kernel's MPTCP peer and N
 * TUN devices, one per path, that mptcp-ts attaches to from inside the same namespace (see
 * docs/testbed.md). Nothing outside the namespace is changed, except the state file.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { join } from "node:path";
import { TestbedError } from "./errors.js";
import { endpointId, LIMITS, upSteps } from "./plan.js";
import type { TestbedSpec } from "./spec.js";
import { checkName } from "./spec.js";
import { NETNS_DIR, readState, removeState, STATE_DIR, writeState } from "./state.js";
import type { TestbedState } from "./state.js";

/** Throws a TestbedError naming the first thing this machine lacks for a testbed. */
export function checkRequirements(opts: { tc: boolean }): void {
  if (process.platform !== "linux") throw new TestbedError(`the testbed needs Linux network namespaces (this is ${process.platform})`);
  if (process.getuid?.() !== 0) throw new TestbedError("the testbed needs root (it creates a network namespace and TUN devices)");
  if (!hasTool("ip", ["-V"])) throw new TestbedError("the testbed needs the `ip` command (Debian package iproute2)");
  if (opts.tc && !hasTool("tc", ["-V"])) throw new TestbedError("--rate needs the `tc` command (Debian package iproute2)");
  if (!existsSync("/dev/net/tun")) throw new TestbedError("the testbed needs /dev/net/tun: load the tun module (modprobe tun)");
  if (!existsSync("/proc/sys/net/mptcp/enabled")) throw new TestbedError("the testbed needs a kernel with MPTCP (CONFIG_MPTCP=y)");
}

function hasTool(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.error === undefined && r.status === 0;
}

/** Runs one command; throws a TestbedError with the command and its first line of stderr. */
function run(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new TestbedError(`${argv.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split("\n")[0] || `exit code ${r.status}`;
    throw new TestbedError(`${argv.join(" ")} failed: ${why}`);
  }
  return r.stdout;
}

export function namespaceExists(name: string): boolean {
  return existsSync(join(NETNS_DIR, name));
}

export interface UpOptions {
  /** Where the state file goes. Default /run/mptcp-testbed. */
  stateDir?: string;
  /** Time of creation for the state file. Default now. */
  now?: Date;
}

/**
 * Builds the testbed `spec` describes and returns its state (also written to the state file).
 * If a step fails, what was made is removed again before the error is thrown.
 */
export function testbedUp(spec: TestbedSpec, opts: UpOptions = {}): TestbedState {
  const dir = opts.stateDir ?? STATE_DIR;
  checkRequirements({ tc: spec.paths.some((p) => p.impairment.rateBps) });
  const name = spec.name;
  if (readState(name, dir)) throw new TestbedError(`testbed ${name} already exists (mptcp testbed down ${name} removes it)`);
  if (namespaceExists(name)) throw new TestbedError(`a network namespace named ${name} exists and is not a testbed; choose another --name`);

  const state: TestbedState = {
    version: 1,
    name,
    namespace: name,
    createdAt: (opts.now ?? new Date()).toISOString(),
    complete: false,
    limits: { ...LIMITS },
    paths: spec.paths.map((p) => ({
      ...p,
      tun: `${p.device}=${p.stack.ipv4}`,
      tbf: (p.impairment.rateBps ?? 0) > 0,
      ...(p.index > 0 ? { endpointId: endpointId(p) } : {}),
    })),
  };
  run(["ip", "netns", "add", name]);
  try {
    // Written before the namespace is filled: if this process dies now, `down` still removes it.
    writeState(state, dir);
    for (const step of upSteps(spec)) run(step.argv);
    state.complete = true;
    writeState(state, dir);
    return state;
  } catch (e) {
    deleteNamespace(name);
    removeState(name, dir);
    throw e;
  }
}

export interface DownResult {
  /** Whether there was a testbed to remove. */
  removed: boolean;
  /** Processes still running in the namespace: it lives on, unnamed, until they exit. */
  lingering: number[];
}

/**
 * Removes testbed `name`: its namespace (the devices, addresses, qdiscs and endpoints go with
 * it) and its state file. A testbed that is already gone is not an error. A namespace of that
 * name with no state file is not ours and is left alone.
 */
export function testbedDown(name: string, opts: { stateDir?: string } = {}): DownResult {
  checkName(name);
  const dir = opts.stateDir ?? STATE_DIR;
  const state = readState(name, dir);
  if (!state) {
    if (namespaceExists(name)) throw new TestbedError(`network namespace ${name} was not made by mptcp testbed (no ${join(dir, name)}.json); not touching it`);
    return { removed: false, lingering: [] };
  }
  if (state.name !== name || state.namespace !== name) {
    throw new TestbedError(`${join(dir, name)}.json names namespace ${state.namespace}, not ${name}; not touching it`);
  }
  checkRequirements({ tc: false });
  let lingering: number[] = [];
  if (namespaceExists(name)) {
    lingering = pidsIn(name);
    run(["ip", "netns", "del", name]);
  }
  removeState(name, dir);
  return { removed: true, lingering };
}

function pidsIn(name: string): number[] {
  try {
    return run(["ip", "netns", "pids", name]).split("\n").filter((l) => l.trim() !== "").map(Number);
  } catch {
    return [];
  }
}

function deleteNamespace(name: string): void {
  try {
    run(["ip", "netns", "del", name]);
  } catch {
    // Cleaning up after another failure, which is the error worth reporting.
  }
}

/**
 * Runs `command` inside testbed `name` (`ip netns exec`), with this process's stdio, and
 * resolves to its exit code (128 + the signal number if a signal ended it). SIGTERM and SIGHUP
 * sent to this process are passed on to it; SIGINT (Ctrl-C) reaches it from the terminal.
 */
export async function testbedExec(name: string, command: string[], opts: { stateDir?: string } = {}): Promise<number> {
  checkName(name);
  if (command.length === 0) throw new TestbedError("testbed exec: no command given (mptcp testbed exec NAME -- CMD ARGS...)");
  const state = readState(name, opts.stateDir ?? STATE_DIR);
  if (!state || !namespaceExists(state.namespace)) throw new TestbedError(`no testbed named ${name} (mptcp testbed up --name ${name} makes one)`);
  checkRequirements({ tc: false });
  // Ctrl-C reaches the child from the terminal (same process group): this process only waits
  // for it, and must not send a second SIGINT, which a program may take as "quit right now".
  // SIGTERM and SIGHUP are sent to this process alone, so they are passed on. The handlers go in
  // before the child exists: it may be visible in the namespace before spawn() returns here.
  const run: { child?: ReturnType<typeof spawn>; pending?: NodeJS.Signals } = {};
  const ignore = (): void => {};
  const forward = (sig: NodeJS.Signals): void => {
    if (run.child === undefined) run.pending = sig;
    else run.child.kill(sig);
  };
  process.on("SIGINT", ignore);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  const started = spawn("ip", ["netns", "exec", state.namespace, ...command], { stdio: "inherit" });
  run.child = started;
  if (run.pending !== undefined) started.kill(run.pending);
  try {
    return await new Promise<number>((resolve, reject) => {
      started.once("error", (e) => reject(new TestbedError(`ip netns exec: ${e.message}`)));
      started.once("exit", (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    });
  } finally {
    process.off("SIGINT", ignore);
    process.off("SIGTERM", forward);
    process.off("SIGHUP", forward);
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? osConstants.signals[signal] : 1;
}

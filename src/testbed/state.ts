/**
 * The testbed's state file, /run/mptcp-testbed/<name>.json: what `up` made, so that `down`
 * removes exactly that, and so that mptcp-ts's TUN runtime can find the delay and loss to apply
 * on a device that belongs to a testbed (the kernel has no netem here; see src/io/impair.ts).
 *
 * /run is a tmpfs: a reboot removes the namespaces and these files together.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ImpairOptions } from "../io/impair.js";
import { TestbedError } from "./errors.js";
import type { PathSpec } from "./spec.js";

export const STATE_DIR = "/run/mptcp-testbed";
/** Where `ip netns` keeps its named namespaces (iproute2's NETNS_RUN_DIR). */
export const NETNS_DIR = "/run/netns";

export interface PathState extends PathSpec {
  /** The value of `--tun` that puts mptcp-ts on this path (IPv4 address). */
  tun: string;
  /** Whether a tbf qdisc shapes the kernel → mptcp-ts direction. */
  tbf: boolean;
  /** The kernel endpoint id of this path's `signal` endpoint (paths 1 and up), or undefined. */
  endpointId?: number;
}

export interface TestbedState {
  version: 1;
  name: string;
  /** The network namespace `up` created; `down` deletes it and nothing else. */
  namespace: string;
  /** ISO 8601 time of `up`. */
  createdAt: string;
  /** False while `up` is still building (a crash then leaves a half-made testbed `down` removes). */
  complete: boolean;
  /** The kernel path manager's limits in the namespace. */
  limits: { subflows: number; addAddrAccepted: number };
  paths: PathState[];
}

export function statePath(name: string, dir = STATE_DIR): string {
  return join(dir, `${name}.json`);
}

/** The state of testbed `name`, or undefined when there is none. */
export function readState(name: string, dir = STATE_DIR): TestbedState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(name, dir), "utf8");
  } catch {
    return undefined;
  }
  return parseState(text, statePath(name, dir));
}

export function parseState(text: string, where: string): TestbedState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TestbedError(`${where} is not JSON; remove it by hand if the testbed is gone`);
  }
  const s = value as Partial<TestbedState> | null;
  if (!s || s.version !== 1 || typeof s.name !== "string" || typeof s.namespace !== "string" || !Array.isArray(s.paths)) {
    throw new TestbedError(`${where} is not a testbed state file (version 1); remove it by hand if the testbed is gone`);
  }
  return s as TestbedState;
}

/** Writes the state atomically (a reader never sees half a file). */
export function writeState(state: TestbedState, dir = STATE_DIR): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = statePath(state.name, dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeState(name: string, dir = STATE_DIR): void {
  rmSync(statePath(name, dir), { force: true });
}

/** Every readable testbed state in `dir`; files that do not parse are skipped. */
export function listStates(dir = STATE_DIR): TestbedState[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: TestbedState[] = [];
  for (const f of names) {
    if (!f.endsWith(".json")) continue;
    try {
      const s = readState(f.slice(0, -".json".length), dir);
      if (s) out.push(s);
    } catch {
      // Not ours or damaged: another file's problem, not this lookup's.
    }
  }
  return out;
}

export interface ImpairmentLookup {
  /** Default /run/mptcp-testbed. */
  stateDir?: string;
  /**
   * Only answer when this process runs inside the testbed's namespace, where the device lives.
   * Default true; tests of the lookup alone turn it off.
   */
  checkNamespace?: boolean;
}

/**
 * The impairment mptcp-ts applies on `device` when it belongs to a testbed, or undefined when it
 * does not (or the path is not impaired). The runtime wraps the device's driver with
 * `impair(driver, options)`. The result never paces received datagrams: the testbed's tbf
 * already shapes that direction in the kernel.
 */
export function testbedImpairment(device: string, lookup: ImpairmentLookup = {}): ImpairOptions | undefined {
  for (const state of listStates(lookup.stateDir)) {
    const path = state.paths.find((p) => p.device === device);
    if (!path) continue;
    if (lookup.checkNamespace !== false && !insideNamespace(state.namespace)) continue;
    const imp = path.impairment;
    if (!imp || !(imp.rateBps || imp.delayUs || imp.loss)) return undefined;
    return { ...imp, paceReceived: false };
  }
  return undefined;
}

/** Whether this process's network namespace is the named one (same nsfs inode). */
export function insideNamespace(namespace: string): boolean {
  try {
    const mine = statSync("/proc/self/ns/net");
    const named = statSync(join(NETNS_DIR, namespace));
    return mine.ino === named.ino && mine.dev === named.dev;
  } catch {
    return false;
  }
}

/**
 * What a testbed is made of, decided before anything is touched: its name, its paths with their
 * devices and addresses, and each path's impairment. Pure functions, so the CLI's flags are
 * checked (and tested) without root.
 *
 * Path i is a TUN device `<name>-t<i>` inside the namespace `<name>`, carrying 10.123.<i>.0/24
 * and fd00:123:<i>::/64: the kernel's end is .1 / ::1, mptcp-ts's end .2 / ::2.
 */
import type { ImpairOptions } from "../io/impair.js";
import { TestbedError } from "./errors.js";

export const DEFAULT_NAME = "mptcp-tb";
export const DEFAULT_PATHS = 2;
/**
 * At most 8 paths: the kernel PM accepts at most 8 announced addresses per connection
 * (MPTCP_PM_ADDR_MAX) and the testbed's subflow limit is 8.
 */
export const MAX_PATHS = 8;
/** IFNAMSIZ - 1 bytes for `<name>-t<i>` with one digit: the name may have 12. */
export const MAX_NAME_LENGTH = 12;

export interface PathSpec {
  index: number;
  /** The TUN device inside the namespace. */
  device: string;
  kernel: { ipv4: string; ipv6: string };
  stack: { ipv4: string; ipv6: string };
  /** Rate, delay and loss on this path; empty when it is not impaired. */
  impairment: ImpairOptions;
}

export interface TestbedSpec {
  /** The testbed's name, which is also its network namespace's name. */
  name: string;
  paths: PathSpec[];
}

/** The flags of `mptcp testbed up`, as text. */
export interface UpFlags {
  name?: string;
  paths?: string;
  rate?: string;
  delay?: string;
  loss?: string;
  seed?: string;
}

export function checkName(name: string): void {
  // The namespace name is a file in /run/netns and a prefix of device names: keep it plain.
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new TestbedError(`testbed name "${name}" must be 1 to ${MAX_NAME_LENGTH} letters, digits, "-" or "_" (it prefixes device names)`);
  }
}

/** The devices and addresses of path `index` of testbed `name`. */
export function pathAddresses(name: string, index: number): Omit<PathSpec, "impairment"> {
  // RFC 5952 text, as `ip -j addr` prints it: path 0's prefix is fd00:123::/64.
  const v6 = index === 0 ? "fd00:123:" : `fd00:123:${index.toString(16)}:`;
  return {
    index,
    device: `${name}-t${index}`,
    kernel: { ipv4: `10.123.${index}.1`, ipv6: `${v6}:1` },
    stack: { ipv4: `10.123.${index}.2`, ipv6: `${v6}:2` },
  };
}

export function parseUpFlags(flags: UpFlags): TestbedSpec {
  const name = flags.name ?? DEFAULT_NAME;
  checkName(name);
  const count = flags.paths === undefined ? DEFAULT_PATHS : parseCount(flags.paths);
  const rates = perPath(flags.rate, count, "--rate", parseRate);
  const delays = perPath(flags.delay, count, "--delay", parseDelayMs);
  const losses = perPath(flags.loss, count, "--loss", parseLoss);
  const seed = flags.seed === undefined ? 1 : parseSeed(flags.seed);
  const paths: PathSpec[] = [];
  for (let i = 0; i < count; i++) {
    const impairment: ImpairOptions = {};
    if (rates[i]) impairment.rateBps = rates[i];
    if (delays[i]) impairment.delayUs = Math.round(delays[i]! * 1000);
    if (losses[i]) impairment.loss = losses[i];
    // Each path its own loss stream, reproducible from the testbed's seed.
    if (impairment.loss !== undefined) impairment.seed = seed * 1000 + i;
    paths.push({ ...pathAddresses(name, i), impairment });
  }
  return { name, paths };
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_PATHS) throw new TestbedError(`--paths ${text}: expected 1 to ${MAX_PATHS}`);
  return n;
}

function parseSeed(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new TestbedError(`--seed ${text}: expected a non-negative integer`);
  return Number(text);
}

/** One value for every path, or exactly one per path, comma-separated. */
function perPath(text: string | undefined, count: number, flag: string, parse: (t: string, flag: string) => number): number[] {
  if (text === undefined) return new Array<number>(count).fill(0);
  const values = text.split(",").map((t) => parse(t.trim(), flag));
  if (values.length === 1) return new Array<number>(count).fill(values[0]!);
  if (values.length !== count) throw new TestbedError(`${flag} ${text}: give one value or ${count} (one per path), not ${values.length}`);
  return values;
}

const RATE_UNITS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

/**
 * A rate in bits per second, tc style with decimal prefixes: `10mbit`, `10M`, `1.5gbit`,
 * `500k`, `1000000`. `0` means no limit.
 */
export function parseRate(text: string, flag = "--rate"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:bit|bps)?$/i.exec(text);
  if (!m) throw new TestbedError(`${flag} ${text}: expected a rate in bits per second such as 10mbit, 500k or 1g`);
  const bps = Math.round(Number(m[1]) * RATE_UNITS[m[2]!.toLowerCase()]!);
  if (bps !== 0 && bps < 8000) throw new TestbedError(`${flag} ${text}: at least 8 kbit/s (tbf needs a burst of one MTU)`);
  return bps;
}

/** A one-way delay in milliseconds (`20`, `2.5`, `20ms`). */
export function parseDelayMs(text: string, flag = "--delay"): number {
  const m = /^(\d+(?:\.\d+)?)(?:ms)?$/.exec(text);
  const ms = m ? Number(m[1]) : NaN;
  if (!(ms >= 0 && ms <= 10_000)) throw new TestbedError(`${flag} ${text}: expected a one-way delay in milliseconds, 0 to 10000`);
  return ms;
}

/** A loss probability: a fraction (`0.01`) or a percentage (`1%`). */
export function parseLoss(text: string, flag = "--loss"): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  const p = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(p >= 0 && p < 1)) throw new TestbedError(`${flag} ${text}: expected a loss probability below 1, as 0.01 or 1%`);
  return p;
}

/** The impairment in words, for the summary: "10 Mbit/s, 20 ms, 1% loss" or "none". */
export function describeImpairment(imp: ImpairOptions): string {
  const parts: string[] = [];
  if (imp.rateBps) parts.push(formatRate(imp.rateBps));
  if (imp.delayUs) parts.push(`${imp.delayUs / 1000} ms each way`);
  if (imp.loss) parts.push(`${+(imp.loss * 100).toPrecision(6)}% loss each way`);
  return parts.length ? parts.join(", ") : "not impaired";
}

function formatRate(bps: number): string {
  if (bps >= 1e9) return `${+(bps / 1e9).toPrecision(6)} Gbit/s`;
  if (bps >= 1e6) return `${+(bps / 1e6).toPrecision(6)} Mbit/s`;
  return `${+(bps / 1e3).toPrecision(6)} kbit/s`;
}

/**
 * The paths of `mptcp client` and `mptcp server`: `--tun` and `--udp` flags parsed into packet
 * drivers, one per path, in the order given (every `--tun` first, then every `--udp`). Path i is
 * the stack's interface i.
 *
 *   --tun DEV=ADDR[,peer=PEER]
 *   --udp [ADDR@]LOCALIP:PORT=REMOTEIP:PORT[,peer=PEER]
 *
 * ADDR is the stack's own IP address on the path (for UDP, the address inside the tunnel; it
 * defaults to the local UDP address). PEER is the other end's address on the path: the client
 * sends the path's extra subflow there (default: the server address it connected to, which the
 * Linux kernel accepts on any path, but an mptcp-ts server answers from the interface of the
 * address joined, so two mptcp-ts stacks want `peer=`), and packets to PEER leave by this path
 * (a host route), so a join to an address the peer announces takes the path that reaches it.
 *
 * The path manager, as Linux's `ip mptcp` takes it (RFC 8684 §3.4; pm/endpoint-spec.ts):
 *
 *   --endpoint "ADDR [id N] [signal] [subflow] [backup] [fullmesh] [port P]"   (repeatable)
 *   --limits "[subflows N] [add_addr_accepted M]"
 *
 * ADDR must be one of the paths' addresses: `signal` announces it with ADD_ADDR, `subflow` opens
 * a subflow from it, `backup` marks its subflows backup.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { DriverError } from "../io/driver.js";
import type { PacketDriver } from "../io/driver.js";
import { impair } from "../io/impair.js";
import { testbedImpairment } from "../testbed/state.js";
import { openTun, parseTunPath } from "../io/tun.js";
import { openUdp, parseUdpPath } from "../io/udp.js";
import type { UdpPathSpec } from "../io/udp.js";
import { parseEndpoint } from "../mptcp/pm/endpoint-spec.js";
import { EndpointTable, PM_ADDR_MAX, isPmConfigError } from "../mptcp/pm/endpoints.js";
import type { PmLimits } from "../mptcp/pm/endpoints.js";
import { createStack } from "../runtime/stack.js";
import { HostError } from "../stack/host.js";
import type { Stack } from "../runtime/stack.js";
import { formatAddress, parseAddress } from "../wire/address.js";
import type { CcOptions } from "./cc-flags.js";
import { CliError } from "./errors.js";

export interface PathSpec {
  /** The flag as given, for messages. */
  text: string;
  kind: "tun" | "udp";
  /** The stack's address on this path. */
  stackAddress: string;
  /** The peer's address on this path, when given with `,peer=`. */
  peer?: string;
  /** TUN: the device name. */
  device?: string;
  udp?: UdpPathSpec;
}

export interface OpenPath {
  spec: PathSpec;
  driver: PacketDriver;
}

/** Parses the flags; throws CliError (exit 2) saying what is wrong. */
export function parsePaths(tun: readonly string[], udp: readonly string[]): PathSpec[] {
  const out: PathSpec[] = [];
  for (const text of tun) {
    const { body, peer } = splitPeer(text, "--tun");
    const t = wrap(() => parseTunPath(body));
    out.push({ text, kind: "tun", stackAddress: t.stackAddress, device: t.device, ...(peer !== undefined ? { peer } : {}) });
  }
  for (const text of udp) {
    const { body, peer } = splitPeer(text, "--udp");
    const u = wrap(() => parseUdpPath(body));
    out.push({ text, kind: "udp", stackAddress: u.stackAddress, udp: u, ...(peer !== undefined ? { peer } : {}) });
  }
  if (out.length === 0) {
    throw new CliError("no path: give at least one --tun DEV=ADDR (needs root) or --udp [ADDR@]LOCALIP:PORT=REMOTEIP:PORT");
  }
  checkDistinctAddresses(out);
  return out;
}

/**
 * Path i is the stack's interface i and its address is that interface's: an address on two
 * interfaces would make the source of a segment ambiguous (the Host refuses it). Leaving out
 * `ADDR@` on two loopback UDP paths is the usual way to get there.
 */
function checkDistinctAddresses(specs: readonly PathSpec[]): void {
  const seen = new Map<string, PathSpec>();
  for (const spec of specs) {
    const key = canonical(spec.stackAddress);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, spec);
      continue;
    }
    const hint = spec.kind === "udp" ? "give each --udp its own with ADDR@ (e.g. 10.0.1.1@LOCALIP:PORT=REMOTEIP:PORT)" : "give each --tun its own DEV=ADDR";
    throw new CliError(`--${first.kind} "${first.text}" and --${spec.kind} "${spec.text}" have the same stack address ${spec.stackAddress}: ${hint}`);
  }
}

/**
 * Opens every path's driver; on a failure closes those already open and throws CliError with the
 * driver's one-line reason (no root, no /dev/net/tun, address in use: exit code 2).
 */
export async function openPaths(specs: readonly PathSpec[], opts: { offload?: boolean } = {}): Promise<OpenPath[]> {
  const open: OpenPath[] = [];
  try {
    for (const spec of specs) {
      let driver: PacketDriver = spec.kind === "tun" ? await openTun({ device: spec.device!, offload: opts.offload === true }) : await openUdp({ local: spec.udp!.local, remote: spec.udp!.remote });
      // A device of `mptcp testbed up` carries its rate, delay and loss: netem is missing, so our
      // side of the link applies them (src/io/impair.ts).
      const impairment = spec.kind === "tun" ? testbedImpairment(spec.device!) : undefined;
      if (impairment !== undefined) driver = impair(driver, impairment);
      open.push({ spec, driver });
    }
    return open;
  } catch (e) {
    await Promise.all(open.map((p) => p.driver.close()));
    if (e instanceof DriverError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * The index of the path named by `--backup`: a TUN device name, a path's stack address, or its
 * index (0-based); throws CliError otherwise.
 */
export function pathIndex(specs: readonly PathSpec[], name: string): number {
  const i = specs.findIndex((s) => s.device === name || s.stackAddress === name);
  if (i >= 0) return i;
  if (/^\d+$/.test(name) && Number(name) < specs.length) return Number(name);
  throw new CliError(`--backup ${name}: no path has that device, address or index`);
}

function splitPeer(text: string, flag: string): { body: string; peer?: string } {
  const m = /^(.*),peer=([^,]+)$/.exec(text);
  if (m === null) return { body: text };
  if (isIP(m[2]!) === 0) throw new CliError(`${flag} "${text}": peer "${m[2]}" is not an IP address`);
  return { body: m[1]!, peer: m[2]! };
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DriverError) throw new CliError(e.message);
    throw e;
  }
}

export interface StackFlags {
  /** Ask for DSS checksums (RFC 8684 §3.1 flag A). */
  checksums?: boolean;
  /** Pace every subflow's data (`--pacing`, TcpConfig.pacing). */
  pacing?: boolean;
  /** false: plain TCP only (`--no-mptcp`). */
  mptcp?: boolean;
  /** Subflows wanted per connection, the initial one included (`--subflows`). */
  subflows?: number;
  /** The path manager's endpoints and limits (`--endpoint`, `--limits`), from `parsePathManager`. */
  pm?: PathManagerFlags;
  /** Congestion control, its floor and the scheduler (`--cc`, `--cc-floor`, `--scheduler`), from `parseCcFlags`. */
  cc?: CcOptions;
}

export interface PathManagerFlags {
  /** `ip mptcp endpoint add` lines, each checked. */
  endpoints: string[];
  limits?: Partial<PmLimits>;
}

/**
 * Checks `--endpoint` and `--limits`; throws CliError (exit 2) saying what is wrong. An endpoint
 * must name one of the paths' addresses: the stack has no other.
 */
export function parsePathManager(endpoints: readonly string[], limits: string | undefined, specs: readonly PathSpec[]): PathManagerFlags {
  const own = new Set(specs.map((s) => canonical(s.stackAddress)));
  // The table the MptcpHost builds from them, so that what the kernel would refuse (port without
  // signal, an id twice, an address twice, more than PM_ADDR_MAX) is a usage error here, as in a
  // scenario file (src/sim/scenario/validate-mptcp.ts).
  const table = new EndpointTable();
  for (const text of endpoints) {
    const e = parseEndpoint(text);
    if ("errno" in e) throw new CliError(`--endpoint "${text}": ${e.message}`);
    if (!own.has(formatAddress(e.addr))) throw new CliError(`--endpoint "${text}": ${formatAddress(e.addr)} is not the address of any path (--tun, --udp)`);
    const added = table.add(e);
    if (isPmConfigError(added)) throw new CliError(`--endpoint "${text}": ${added.message} (${added.errno})`);
  }
  return { endpoints: [...endpoints], ...(limits !== undefined ? { limits: parseLimits(limits) } : {}) };
}

/** `ip mptcp limits set` words: `subflows N` and `add_addr_accepted M`, each 0..8, any order. */
export function parseLimits(text: string): Partial<PmLimits> {
  const words = text.trim().split(/\s+/).filter((w) => w !== "");
  const out: Partial<PmLimits> = {};
  if (words.length === 0) throw new CliError(`--limits "${text}": expected "subflows N add_addr_accepted M"`);
  for (let i = 0; i < words.length; i += 2) {
    const key = words[i]!;
    const value = Number(words[i + 1]);
    if (key !== "subflows" && key !== "add_addr_accepted") throw new CliError(`--limits "${text}": unknown keyword "${key}" (subflows, add_addr_accepted)`);
    if (!Number.isInteger(value) || value < 0 || value > PM_ADDR_MAX) throw new CliError(`--limits "${text}": ${key} takes 0 to ${PM_ADDR_MAX}, not "${words[i + 1] ?? ""}"`);
    out[key === "subflows" ? "subflows" : "addAddrAccepted"] = value;
  }
  return out;
}

function canonical(address: string): string {
  const a = parseAddress(address);
  return a === undefined ? address : formatAddress(a);
}

/**
 * The stack of a command: one interface per open path, MPTCP as the flags say. The flags were
 * checked (parsePaths, parsePathManager); should the Host or the path manager still refuse the
 * configuration (HostError, RangeError), the paths are closed and it is a CliError, not a trace.
 */
export async function createPathStack(paths: readonly OpenPath[], flags: StackFlags): Promise<Stack> {
  try {
    return buildStack(paths, flags);
  } catch (e) {
    await Promise.all(paths.map((p) => p.driver.close()));
    if (e instanceof HostError || e instanceof RangeError) throw new CliError(`the paths or the path manager flags: ${e.message}`);
    throw e;
  }
}

function buildStack(paths: readonly OpenPath[], flags: StackFlags): Stack {
  const joins = Math.max(2, paths.length - 1, (flags.subflows ?? 0) - 1);
  const pm = flags.pm;
  // A host route to each path's peer: packets to it (a join to an address it announced) leave there.
  const routes = paths.flatMap((p, iface) => (p.spec.peer === undefined ? [] : [{ prefix: p.spec.peer, prefixLength: p.spec.peer.includes(":") ? 128 : 32, iface }]));
  return createStack({
    drivers: paths.map((p) => ({ driver: p.driver, address: p.spec.stackAddress })),
    mptcp: {
      enabled: flags.mptcp !== false,
      checksums: flags.checksums === true,
      subflows: joins,
      ...(pm !== undefined && pm.endpoints.length > 0 ? { endpoints: pm.endpoints } : {}),
      ...(pm?.limits !== undefined ? { limits: pm.limits } : {}),
      ...flags.cc,
    },
    ...(flags.pacing === true ? { tcp: { pacing: true } } : {}),
    ...(routes.length > 0 ? { routes } : {}),
  });
}

/**
 * A note (not an error) when a TUN path's kernel cannot speak MPTCP: mptcp-ts needs nothing of
 * the kernel's MPTCP, but a kernel peer without it makes every connection fall back to TCP.
 */
export function kernelMptcpNote(specs: readonly PathSpec[]): string | undefined {
  if (!specs.some((s) => s.kind === "tun")) return undefined;
  try {
    if (readFileSync("/proc/sys/net/mptcp/enabled", "utf8").trim() === "1") return undefined;
    return "note: net.mptcp.enabled is 0 here: a kernel peer on this machine will use plain TCP (sysctl -w net.mptcp.enabled=1)";
  } catch {
    return "note: this kernel has no MPTCP (CONFIG_MPTCP): a kernel peer on this machine will use plain TCP";
  }
}

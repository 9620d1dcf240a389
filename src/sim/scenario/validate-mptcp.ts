/**
 * The MPTCP parts of scenario files: a host's `mptcp` block (MptcpHost options, path-manager
 * endpoints and limits as `ip mptcp endpoint|limits` take them), a flow's extra subflows and
 * abort time, and middlebox nodes. Errors name the field, like the rest of validate.ts.
 */
import { CONGESTION_FLOORS, CONGESTION_KINDS } from "../../mptcp/cc/index.js";
import { NDIFFPORTS_MAX } from "../../mptcp/connection-config.js";
import { EndpointTable, PM_ADDR_MAX, isPmConfigError } from "../../mptcp/pm/endpoints.js";
import type { EndpointFlags, EndpointSpec } from "../../mptcp/pm/endpoints.js";
import { parseEndpoint } from "../../mptcp/pm/endpoint-spec.js";
import { HANDOVER_MODES } from "../../mptcp/pm/handover.js";
import { SCHEDULER_NAMES } from "../../mptcp/sched/registry.js";
import type { PathManagerName } from "../../stack/mptcp-host.js";
import { addressEquals, formatAddress } from "../../wire/address.js";
import type { IpAddress } from "../../wire/address.js";
import { validateMiddleboxConfig } from "../middlebox/registry.js";
import { Fields, ScenarioError, addressValue, bool, duration, expected, join, nodeName, nonNegativeInt, portValue, positiveDuration, str } from "./fields.js";
import type { Parser } from "./fields.js";
import { isHostEvent } from "./model.js";
import type { BoxSpec, EventSpec, HostEventAction, HostEventSpec, HostSpec, MiddleboxSpec, ScenarioMptcp, SubflowSpec } from "./model.js";

const limit: Parser<number> = (v, path) => {
  const n = nonNegativeInt(v, path);
  return n <= PM_ADDR_MAX ? n : expected(`a limit in 0-${PM_ADDR_MAX} (MPTCP_PM_ADDR_MAX)`)(v, path);
};

/** One of `names`, as the CLI flag of the same setting takes it. */
function oneOf<T extends string>(names: readonly T[]): Parser<T> {
  return (v, path) => (typeof v === "string" && (names as readonly string[]).includes(v) ? (v as T) : expected(`one of ${names.join(", ")}`)(v, path));
}

const PATH_MANAGERS: readonly PathManagerName[] = ["kernel", ...HANDOVER_MODES];

/** `net.mptcp.stale_loss_cnt` (a count, 0 for never) or our rule, "first-timeout". */
const staleLossCount: Parser<number | "first-timeout"> = (v, path) =>
  v === "first-timeout" ? v : Number.isInteger(v) && (v as number) >= 0 ? (v as number) : expected('a non-negative integer or "first-timeout"')(v, path);

/** A host's `mptcp:` block; `addresses` are the host's own (endpoints must be among them). */
export function mptcpSpec(f: Fields, addresses: IpAddress[]): ScenarioMptcp {
  const m: ScenarioMptcp = {
    enabled: f.optional("enabled", bool) ?? true,
    checksums: f.optional("checksums", bool) ?? false,
    endpoints: [],
  };
  f.assign(m, "subflows", limit);
  f.assign(m, "addAddrAccepted", limit);
  f.assign(m, "addAddrTimeout", positiveDuration);
  f.assign(m, "closeTimeout", duration);
  f.assign(m, "dssEverySegment", bool);
  f.assign(m, "congestion", oneOf(CONGESTION_KINDS));
  f.assign(m, "congestionFloor", oneOf(CONGESTION_FLOORS));
  f.assign(m, "scheduler", oneOf(SCHEDULER_NAMES));
  f.assign(m, "pathManager", oneOf(PATH_MANAGERS));
  f.assign(m, "ndiffports", (v, path) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= NDIFFPORTS_MAX ? (v as number) : expected(`a subflow count in 1-${NDIFFPORTS_MAX}`)(v, path)));
  f.assign(m, "autotune", bool);
  f.assign(m, "staleLossCount", staleLossCount);
  f.assign(m, "allowJoinInitialAddrPort", bool);
  m.endpoints = f.optional("endpoints", (v, path) => endpointList(v, path, addresses)) ?? [];
  f.done();
  return m;
}

const FLAG_NAMES: readonly (keyof EndpointFlags)[] = ["signal", "subflow", "backup", "fullmesh"];

/**
 * Endpoints as text (`"10.0.1.2 id 2 signal"`, iproute2's syntax) or objects (`{ address, id,
 * port, signal, subflow, backup, fullmesh }`), checked by the same table the MptcpHost builds, so
 * what the kernel would refuse (a duplicate, port without signal, too many) is an error here.
 */
function endpointList(v: unknown, path: string, addresses: IpAddress[]): EndpointSpec[] {
  if (!Array.isArray(v)) return expected("a list of endpoints")(v, path);
  const table = new EndpointTable();
  return v.map((item: unknown, i) => {
    const at = `${path}[${i}]`;
    const spec = pmEndpoint(item, at, addresses);
    const added = table.add(spec);
    if (isPmConfigError(added)) throw new ScenarioError(at, `${added.message} (${added.errno})`);
    return spec;
  });
}

/** One endpoint, as text or as an object (`endpointList`), on one of `addresses`. */
function pmEndpoint(item: unknown, at: string, addresses: IpAddress[]): EndpointSpec {
  let spec: EndpointSpec;
  if (typeof item === "string") {
    const parsed = parseEndpoint(item);
    if (isPmConfigError(parsed)) throw new ScenarioError(at, `${parsed.message} (expected like "10.0.1.2 id 2 signal")`);
    spec = parsed;
  } else {
    const e = Fields.of(item, at);
    spec = { addr: e.required("address", addressValue) };
    const id = e.optional("id", nonNegativeInt);
    if (id !== undefined) spec.id = id;
    const port = e.optional("port", portValue);
    if (port !== undefined) spec.port = port;
    const flags: Partial<EndpointFlags> = {};
    for (const name of FLAG_NAMES) if (e.optional(name, bool) === true) flags[name] = true;
    if (Object.keys(flags).length > 0) spec.flags = flags;
    e.done();
  }
  if (!addresses.some((a) => addressEquals(a, spec.addr))) throw new ScenarioError(at, `${formatAddress(spec.addr)} is not an address of this host`);
  return spec;
}

/**
 * An `events:` entry with `host`: an interface of an MPTCP host losing or regaining its link, or
 * one of its path manager's endpoints added, deleted or made (no) backup.
 */
export function hostEventSpec(f: Fields, hosts: Map<string, HostSpec>): HostEventSpec {
  const at = f.required("at", duration);
  const name = f.required("host", str);
  const host = hosts.get(name);
  if (host === undefined) throw f.error("host", `no host named "${name}"`);
  if (host.mptcp === undefined) throw f.error("host", `host "${name}" does not run MPTCP (give it mptcp: { enabled: true })`);
  const action = f.required("action", str);
  let ev: HostEventAction;
  switch (action) {
    case "interface-down":
    case "interface-up": {
      const iface = f.required("interface", nonNegativeInt);
      if (iface >= host.interfaces.length) throw f.error("interface", `host "${name}" has interfaces 0-${host.interfaces.length - 1}`);
      ev = { action, iface };
      break;
    }
    case "endpoint-add": {
      const addresses = host.interfaces.flatMap((i) => i.addresses);
      ev = { action, endpoint: f.required("endpoint", (v, path) => pmEndpoint(v, path, addresses)) };
      break;
    }
    case "endpoint-delete":
      ev = { action, id: f.required("id", nonNegativeInt) };
      break;
    case "endpoint-backup":
      ev = { action, id: f.required("id", nonNegativeInt), backup: f.optional("backup", bool) ?? true };
      break;
    default:
      throw f.error("action", `expected interface-down, interface-up, endpoint-add, endpoint-delete or endpoint-backup, got "${action}"`);
  }
  f.done();
  return { ...ev, at, host: name };
}

/**
 * The endpoint events of each host, in time order, against its endpoint table as the MptcpHost
 * keeps it: what the kernel would refuse when the event comes (a duplicate, an ID not there) is
 * an error naming the event, not a failure in the middle of the run.
 */
export function checkEndpointEvents(events: EventSpec[], hosts: Map<string, HostSpec>): void {
  const tables = new Map<string, EndpointTable>();
  const order = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  for (const { e, i } of order) {
    if (!isHostEvent(e) || !e.action.startsWith("endpoint-")) continue;
    let table = tables.get(e.host);
    if (table === undefined) {
      table = new EndpointTable();
      for (const spec of hosts.get(e.host)!.mptcp!.endpoints) table.add(spec);
      tables.set(e.host, table);
    }
    const [field, r] =
      e.action === "endpoint-add" ? ["endpoint", table.add(e.endpoint)]
      : e.action === "endpoint-delete" ? ["id", table.delete(e.id)]
      : e.action === "endpoint-backup" ? ["id", table.change(e.id, { backup: e.backup })]
      : ["action", undefined];
    if (isPmConfigError(r)) throw new ScenarioError(`events[${i}].${field}`, `${r.message} (${r.errno})`);
  }
}

/** A flow's `subflows:` list: each from one of the client's addresses to one of the server's. */
export function subflowList(f: Fields, from: HostSpec, to: HostSpec, port: number): SubflowSpec[] {
  const own = (h: HostSpec, a: IpAddress): boolean => h.interfaces.some((i) => i.addresses.some((x) => addressEquals(x, a)));
  const list = f.list("subflows", (s) => {
    const src = s.required("from", addressValue);
    if (!own(from, src)) throw s.error("from", `not an address of host "${from.name}"`);
    const dst = s.required("to", addressValue);
    if (!own(to, dst)) throw s.error("to", `not an address of host "${to.name}"`);
    if (src.length !== dst.length) throw s.error("to", "not of the same address family as from");
    const spec: SubflowSpec = { from: src, to: dst, port: s.optional("port", portValue) ?? port, backup: s.optional("backup", bool) ?? false };
    s.done();
    return spec;
  }, false);
  if (list.length > 0 && (from.mptcp === undefined || !from.mptcp.enabled)) {
    throw f.error("subflows", `host "${from.name}" does not run MPTCP (give it mptcp: { enabled: true })`);
  }
  return list;
}

/** A `middleboxes:` entry: a name and a chain of boxes, each `{ kind, ...config }` or a kind. */
export function middleboxSpec(f: Fields): MiddleboxSpec {
  const name = f.required("name", nodeName);
  const boxes = f.required("boxes", (v, path) => {
    if (!Array.isArray(v) || v.length === 0) return expected("a non-empty list of boxes")(v, path);
    return v.map((item: unknown, i) => boxSpec(item, `${path}[${i}]`));
  });
  f.done();
  return { name, boxes };
}

function boxSpec(item: unknown, path: string): BoxSpec {
  let kind: string;
  let config: Record<string, unknown>;
  if (typeof item === "string") {
    kind = item;
    config = {};
  } else {
    const f = Fields.of(item, path);
    kind = f.required("kind", str);
    const { kind: _, ...rest } = item as Record<string, unknown>;
    config = rest;
  }
  const errors = validateMiddleboxConfig(kind, config);
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new ScenarioError(join(path, e.field), e.message);
  }
  return { kind, config };
}

/**
 * Scenario files (YAML or JSON, docs/scenarios.md) into a validated `Scenario`. Every error names
 * the field path and what was expected, e.g. `links[2].rate: expected a rate like "10Mbit", got
 * "fast"`; unknown fields are errors too, so a typo does not silently fall back to a default.
 */
import { parse as parseYaml } from "yaml";
import type { Jitter, LinkConfig } from "../link.js";
import { formatAddress } from "../../wire/address.js";
import { parseCidr } from "../router.js";
import {
  Fields, ScenarioError, addressList, addressValue, bool, duration, endpointValue, join, lossValue, mtuValue, nodeName,
  nonNegativeInt, portValue, positiveDuration, positiveInt, positiveSize, queueValue, rateValue, seedValue, size, str,
} from "./fields.js";
import type { Parser } from "./fields.js";
import type {
  Endpoint, EventAction, FlowSpec, HostSpec, LinkDirection, LinkEventSpec, LinkSpec, RouterSpec, Scenario, ScenarioMptcp, ScenarioTcp,
} from "./model.js";
import { checkEndpointEvents, hostEventSpec, middleboxSpec, mptcpSpec, subflowList } from "./validate-mptcp.js";

export { ScenarioError } from "./fields.js";

/** Parses YAML (a superset of JSON) text and validates it. */
export function parseScenarioText(text: string, fallbackName = "scenario"): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: false });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    throw new ScenarioError("", `not valid YAML or JSON${where(text, err)}: ${msg}`);
  }
  return validateScenario(raw, fallbackName);
}

/** " at line L, column C" of a YAML parser error (its `pos`: offsets into the text), or "". */
function where(text: string, err: unknown): string {
  const pos = (err as { pos?: unknown }).pos;
  if (!Array.isArray(pos) || typeof pos[0] !== "number") return "";
  const before = text.slice(0, Math.min(pos[0], text.length));
  const line = before.split("\n").length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf("\n")}`;
}

const DEFAULT_DURATION = 600_000_000;
const DEFAULT_PORT = 5001;

/** Validates a parsed document (or a built-in written as an object). */
export function validateScenario(raw: unknown, fallbackName = "scenario"): Scenario {
  const doc = Fields.of(raw, "");
  const name = doc.optional("name", str) ?? fallbackName;
  const description = doc.optional("description", str) ?? "";
  const seed = doc.optional("seed", seedValue) ?? 1;
  const duration = doc.optional("duration", positiveDuration) ?? DEFAULT_DURATION;

  const hosts = doc.list("hosts", hostSpec, true);
  const routers = doc.list("routers", routerSpec, false);
  const middleboxes = doc.list("middleboxes", middleboxSpec, false);
  const nodes = new Map<string, { kind: "host" | "router" | "middlebox"; interfaces: number | undefined }>();
  const declare = (n: string, kind: "host" | "router" | "middlebox", at: string, interfaces: number | undefined): void => {
    if (nodes.has(n)) throw new ScenarioError(`${at}.name`, `duplicate node name "${n}"`);
    nodes.set(n, { kind, interfaces });
  };
  hosts.forEach((h, i) => declare(h.name, "host", `hosts[${i}]`, h.interfaces.length));
  // Routes and flows find a host by its address: two hosts with one address would split them.
  const owner = new Map<string, string>();
  hosts.forEach((h, i) => {
    for (const a of h.interfaces.flatMap((iface) => iface.addresses)) {
      const text = formatAddress(a);
      const other = owner.get(text);
      if (other !== undefined && other !== h.name) throw new ScenarioError(`hosts[${i}]`, `${text} is also an address of host "${other}"`);
      owner.set(text, h.name);
    }
  });
  routers.forEach((r, i) => declare(r.name, "router", `routers[${i}]`, undefined));
  middleboxes.forEach((m, i) => declare(m.name, "middlebox", `middleboxes[${i}]`, 2));

  const links = doc.list("links", (f) => linkSpec(f, nodes), false);
  const used = new Set<string>();
  const linkNames = new Set<string>();
  links.forEach((l, i) => {
    // Each interface sends on one link: the `from` end, and the `to` end of a duplex link.
    const senders: ["from" | "to", Endpoint][] = l.reverse === undefined ? [["from", l.from]] : [["from", l.from], ["to", l.to]];
    for (const [end, e] of senders) {
      const key = `${e.node}.${e.iface}`;
      if (used.has(key)) throw new ScenarioError(`links[${i}].${end}`, `interface ${key} already has a link`);
      used.add(key);
    }
    if (linkNames.has(l.name)) throw new ScenarioError(`links[${i}].name`, `duplicate link name "${l.name}"`);
    linkNames.add(l.name);
  });
  // A router's interfaces are the ends of its links: a route may only send on one that has a link.
  routers.forEach((r, i) => {
    for (const [prefix, target] of Object.entries(r.routes)) {
      for (const iface of Array.isArray(target) ? target : [target]) {
        if (!used.has(`${r.name}.${iface}`)) {
          throw new ScenarioError(join(`routers[${i}].routes`, prefix), `router "${r.name}" sends on no link from interface ${iface}`);
        }
      }
    }
  });

  const hostByName = new Map(hosts.map((h) => [h.name, h]));
  const flows = doc.list("flows", (f, i) => flowSpec(f, i, hostByName), true);
  const flowNames = new Set<string>();
  flows.forEach((f, i) => {
    if (flowNames.has(f.name)) throw new ScenarioError(`flows[${i}].name`, `duplicate flow name "${f.name}"`);
    flowNames.add(f.name);
  });
  const events = doc.list("events", (f) => (f.has("host") ? hostEventSpec(f, hostByName) : eventSpec(f, links)), false);
  checkEndpointEvents(events, hostByName);
  doc.done();
  return { name, description, seed, duration, hosts, routers, middleboxes, links, flows, events };
}

// -------------------------------------------------------------------------------------------------
// Sections
// -------------------------------------------------------------------------------------------------

function hostSpec(f: Fields): HostSpec {
  const name = f.required("name", nodeName);
  let interfaces: HostSpec["interfaces"];
  if (f.has("addresses")) {
    if (f.has("interfaces")) throw f.error("addresses", "give either addresses (one interface) or interfaces, not both");
    interfaces = [{ addresses: f.required("addresses", addressList) }];
    const mtu = f.optional("mtu", mtuValue);
    if (mtu !== undefined) interfaces[0]!.mtu = mtu;
  } else {
    interfaces = f.list("interfaces", (i) => {
      const iface: HostSpec["interfaces"][number] = { addresses: i.required("addresses", addressList) };
      const mtu = i.optional("mtu", mtuValue);
      if (mtu !== undefined) iface.mtu = mtu;
      i.done();
      return iface;
    }, true);
    if (interfaces.length === 0) throw f.error("interfaces", "expected at least one interface");
  }
  const routes = f.optional("routes", (v, path) => routeTable(v, path, hostInterface(interfaces.length))) ?? {};
  const tcp = f.optional("tcp", (v, path) => tcpSpec(Fields.of(v, path))) ?? {};
  // `mptcp:` with nothing after it is the block with every default: MPTCP on, as the docs say
  // of a present block (null would otherwise read as absent, and the host as plain TCP).
  const mptcpBlock = (v: unknown, path: string): ScenarioMptcp => mptcpSpec(Fields.of(v ?? {}, path), interfaces.flatMap((i) => i.addresses));
  const mptcp = f.optional("mptcp", mptcpBlock) ?? (f.isNull("mptcp") ? mptcpBlock(null, join(f.path, "mptcp")) : undefined);
  f.done();
  return {
    name,
    interfaces,
    routes: Object.entries(routes).map(([cidr, iface]) => {
      const r = parseCidr(cidr, iface);
      return { prefix: r.prefix, prefixLength: r.prefixLength, iface };
    }),
    tcp,
    ...(mptcp !== undefined ? { mptcp } : {}),
  };
}

function tcpSpec(f: Fields): ScenarioTcp {
  const t: ScenarioTcp = {};
  const cc = f.optional("congestion", str);
  if (cc !== undefined) {
    if (cc !== "cubic" && cc !== "reno") throw f.error("congestion", `expected cubic or reno, got "${cc}"`);
    t.congestion = cc;
  }
  f.assign(t, "sendBufferSize", positiveSize, "sendBuffer");
  f.assign(t, "recvBufferSize", positiveSize, "recvBuffer");
  f.assign(t, "sack", bool);
  f.assign(t, "rack", bool);
  f.assign(t, "timestamps", bool);
  f.assign(t, "windowScaling", bool);
  f.assign(t, "nagle", bool);
  f.assign(t, "pacing", bool);
  f.assign(t, "initialCwnd", positiveInt);
  f.assign(t, "minRto", positiveDuration);
  f.assign(t, "delayedAck", duration);
  f.assign(t, "msl", duration);
  f.assign(t, "synRetries", positiveInt);
  f.assign(t, "maxRetries", positiveInt);
  f.done();
  return t;
}

function routerSpec(f: Fields): RouterSpec {
  const name = f.required("name", nodeName);
  const routes = f.required("routes", (v, path) => routeTable(v, path, routerInterfaces));
  const ecmpSeed = f.optional("ecmpSeed", nonNegativeInt);
  f.done();
  return { name, routes, ...(ecmpSeed !== undefined ? { ecmpSeed } : {}) };
}

function hostInterface(interfaces: number): Parser<number> {
  return (v, path) => {
    const iface = nonNegativeInt(v, path);
    if (iface >= interfaces) throw new ScenarioError(path, `interface ${iface} does not exist (the host has ${interfaces})`);
    return iface;
  };
}

/** A router's interface, or a list of them for equal-cost multipath (ECMP). */
const routerInterfaces: Parser<number | number[]> = (v, path) => {
  if (!Array.isArray(v)) return nonNegativeInt(v, path);
  if (v.length === 0) throw new ScenarioError(path, "expected an interface or a non-empty list of interfaces");
  const list = v.map((x, i) => nonNegativeInt(x, `${path}[${i}]`));
  if (new Set(list).size !== list.length) throw new ScenarioError(path, "an interface is listed twice");
  return list;
};

function routeTable<T>(v: unknown, path: string, iface: Parser<T>): Record<string, T> {
  const f = Fields.of(v, path);
  const out: Record<string, T> = {};
  for (const key of f.keys()) {
    let ok: boolean;
    try {
      const r = parseCidr(key);
      ok = r.prefixLength <= r.prefix.length * 8;
    } catch {
      ok = false;
    }
    if (!ok) throw new ScenarioError(join(path, key), `expected a prefix like "10.0.0.0/24" or "2001:db8::/32"`);
    out[key] = f.required(key, iface);
  }
  return out;
}

function linkSpec(f: Fields, nodes: Map<string, { kind: string; interfaces: number | undefined }>): LinkSpec {
  const endpoint = (field: string): Endpoint => {
    const e = f.required(field, endpointValue);
    const node = nodes.get(e.node);
    if (node === undefined) throw f.error(field, `no host, router or middlebox named "${e.node}"`);
    if (node.interfaces !== undefined && e.iface >= node.interfaces) {
      throw f.error(field, `${node.kind} "${e.node}" has no interface ${e.iface} (it has ${node.interfaces})`);
    }
    return e;
  };
  const from = endpoint("from");
  const to = endpoint("to");
  const name = f.optional("name", str) ?? `${from.node}.${from.iface}-${to.node}.${to.iface}`;
  const duplex = f.optional("duplex", bool) ?? true;
  const forward = linkConfig(f, undefined);
  let reverse: LinkConfig | undefined;
  if (f.has("reverse")) {
    if (!duplex) throw f.error("reverse", "a one-way link (duplex: false) has no reverse direction");
    reverse = f.required("reverse", (v, path) => {
      const r = Fields.of(v, path);
      const cfg = linkConfig(r, forward);
      r.done();
      return cfg;
    });
  } else if (duplex) {
    reverse = { ...forward };
  }
  f.done();
  return { name, from, to, forward, reverse };
}

/** The link parameters of `f`, defaulting to `base` (the forward direction for `reverse:`). */
function linkConfig(f: Fields, base: LinkConfig | undefined): LinkConfig {
  const cfg: LinkConfig = base === undefined ? {} : { ...base };
  const rate = f.optional("rate", rateValue);
  if (rate !== undefined) cfg.rateBps = rate;
  const delay = f.optional("delay", duration);
  if (delay !== undefined) cfg.delayUs = delay;
  const loss = f.optional("loss", lossValue);
  if (loss !== undefined) cfg.loss = loss;
  const jitter = f.optional("jitter", duration);
  const reorder = f.optional("reorder", bool);
  if (jitter !== undefined || reorder !== undefined) {
    const j: Jitter = { maxUs: jitter ?? cfg.jitter?.maxUs ?? 0 };
    if (reorder ?? cfg.jitter?.reorder) j.reorder = true;
    cfg.jitter = j;
  }
  const whenDown = f.optional("whenDown", str);
  if (whenDown !== undefined) {
    if (whenDown !== "drop-queue" && whenDown !== "keep-queue") throw f.error("whenDown", `expected drop-queue or keep-queue, got "${whenDown}"`);
    cfg.whenDown = whenDown;
  }
  const queue = f.optional("queue", queueValue);
  if (queue !== undefined) {
    delete cfg.queueLimitBytes;
    delete cfg.queueLimitPackets;
    if ("packets" in queue) cfg.queueLimitPackets = queue.packets;
    else if ("bytes" in queue) cfg.queueLimitBytes = queue.bytes;
    else {
      if (cfg.rateBps === undefined) throw f.error("queue", "a queue given as a time needs the link's rate");
      cfg.queueLimitBytes = Math.round((queue.time * cfg.rateBps) / 8e6);
    }
  }
  return cfg;
}

function flowSpec(f: Fields, index: number, hosts: Map<string, HostSpec>): FlowSpec {
  const name = f.optional("name", str) ?? `flow-${index}`;
  const host = (field: string): HostSpec => {
    const n = f.required(field, str);
    const h = hosts.get(n);
    if (h === undefined) throw f.error(field, `no host named "${n}"`);
    return h;
  };
  const from = host("from");
  const to = host("to");
  if (from === to) throw f.error("to", "a flow needs two different hosts");
  let address = f.optional("address", addressValue);
  const own = to.interfaces.flatMap((i) => i.addresses);
  if (address !== undefined) {
    const a = address;
    if (!own.some((x) => x.length === a.length && x.every((b, j) => b === a[j]))) {
      throw f.error("address", `not an address of host "${to.name}"`);
    }
  } else {
    const families = new Set(from.interfaces.flatMap((i) => i.addresses.map((a) => a.length)));
    address = own.find((a) => families.has(a.length));
    if (address === undefined) throw f.error("to", `host "${to.name}" has no address of a family "${from.name}" has`);
  }
  const port = f.optional("port", portValue) ?? DEFAULT_PORT;
  const bytes = f.required("bytes", size);
  const start = f.optional("start", duration) ?? 0;
  const subflows = subflowList(f, from, to, port);
  const abortAfter = f.optional("abortAfter", positiveDuration);
  f.done();
  return { name, from: from.name, to: to.name, address, port, bytes, start, subflows, ...(abortAfter !== undefined ? { abortAfter } : {}) };
}

function eventSpec(f: Fields, links: LinkSpec[]): LinkEventSpec {
  const at = f.required("at", duration);
  const linkName = f.required("link", str);
  const link = links.find((l) => l.name === linkName);
  if (link === undefined) throw f.error("link", `no link named "${linkName}"`);
  const direction = (f.optional("direction", str) ?? "both") as LinkDirection;
  if (direction !== "both" && direction !== "forward" && direction !== "reverse") {
    throw f.error("direction", `expected forward, reverse or both, got "${String(direction)}"`);
  }
  if (direction === "reverse" && link.reverse === undefined) throw f.error("direction", `link "${linkName}" is one-way`);
  const action = f.required("action", str);
  let ev: EventAction;
  switch (action) {
    case "down":
    case "blackhole": {
      const forTime = f.optional("for", positiveDuration);
      ev = forTime === undefined ? { action } : { action, for: forTime };
      break;
    }
    case "up":
      ev = { action };
      break;
    case "rate":
      ev = { action, rateBps: f.required("rate", rateValue) };
      break;
    case "delay":
      ev = { action, delayUs: f.required("delay", duration) };
      break;
    case "loss":
      ev = { action, loss: f.required("loss", lossValue) };
      break;
    default:
      throw f.error("action", `expected down, up, rate, delay, loss or blackhole (or, with host, a host event), got "${action}"`);
  }
  f.done();
  return { ...ev, at, link: linkName, direction };
}


/**
 * The kernel-like endpoint table of a Host: what `ip mptcp endpoint` and `ip mptcp limits`
 * configure on Linux (net/mptcp/pm_netlink.c, per network namespace), with the same validation,
 * ID allocation and defaults, so a Linux configuration carries over unchanged.
 *
 * An endpoint is a local address (optionally a port) with flags:
 * - `signal`: announce it to the peer with ADD_ADDR (RFC 8684 §3.4.1);
 * - `subflow`: open a subflow from it towards the peer (MP_JOIN, §3.2);
 * - `backup`: subflows from it carry the backup flag (MP_JOIN B, MP_PRIO, §3.3.8);
 * - `fullmesh`: (`subflow` only) open subflows from it to every known peer address, and use it
 *   for subflows towards addresses the peer announces;
 * - `port`: (`signal` only) announce the address with this port; the Host listens on it.
 *
 * Limits (`ip mptcp limits`): `subflows` (extra subflows per connection, default 2) and
 * `add_addr_accepted` (peer announcements acted on per connection, default 0), each at most 8
 * (`MPTCP_PM_ADDR_MAX`), as is the number of endpoints.
 */
import { addressEquals, type IpAddress } from "../../wire/address.js";

export interface EndpointFlags {
  signal: boolean;
  subflow: boolean;
  backup: boolean;
  fullmesh: boolean;
}

export interface Endpoint {
  /** Address ID, 1..255 (0 is the address of the initial subflow, RFC 8684 §3.4.1). */
  id: number;
  addr: IpAddress;
  /** Only for signal-only endpoints; otherwise 0 (Linux clears it). */
  port: number;
  flags: EndpointFlags;
}

/** What `ip mptcp endpoint add` takes. */
export interface EndpointSpec {
  addr: IpAddress;
  id?: number;
  port?: number;
  flags?: Partial<EndpointFlags>;
}

export interface PmLimits {
  /** Extra subflows per connection (initial subflow not counted). */
  subflows: number;
  /** ADD_ADDR from the peer acted on per connection. */
  addAddrAccepted: number;
}

/** `MPTCP_PM_ADDR_MAX`: most endpoints, and the largest value of either limit. */
export const PM_ADDR_MAX = 8;

/** Largest Address ID (`MPTCP_PM_MAX_ADDR_ID`). */
export const PM_MAX_ADDR_ID = 255;

/** The limits of a fresh network namespace (pm_netlink.sh "defaults limits"). */
export const DEFAULT_PM_LIMITS: Readonly<PmLimits> = { subflows: 2, addAddrAccepted: 0 };

/** Why a configuration command was refused, with the kernel's errno and message. */
export interface PmConfigError {
  errno: "EINVAL" | "EEXIST" | "EBUSY" | "ERANGE" | "ENOENT";
  message: string;
}

export function isPmConfigError(x: unknown): x is PmConfigError {
  return typeof x === "object" && x !== null && "errno" in x;
}

const NO_FLAGS: EndpointFlags = { signal: false, subflow: false, backup: false, fullmesh: false };

/** Linux `address_use_port`: only a signal-only endpoint keeps its port. */
function usesPort(f: EndpointFlags): boolean {
  return f.signal && !f.subflow;
}

function sameEndpointAddress(a: Endpoint, addr: IpAddress, port: number): boolean {
  if (!addressEquals(a.addr, addr)) return false;
  // Linux compares ports only when either side has one.
  return a.port === 0 && port === 0 ? true : a.port === port;
}

export class EndpointTable {
  private entries: Endpoint[] = [];
  private nextId = 1;
  private limitValues: PmLimits = { ...DEFAULT_PM_LIMITS };

  /** The endpoints in the kernel's list order (port-based ones first, then by insertion). */
  list(): readonly Endpoint[] {
    return this.entries;
  }

  get limits(): Readonly<PmLimits> {
    return this.limitValues;
  }

  /** Number of `signal` endpoints (Linux `add_addr_signal_max`). */
  get signalCount(): number {
    return this.entries.filter((e) => e.flags.signal).length;
  }

  /** Number of `subflow` endpoints (Linux `local_addr_max`). */
  get subflowCount(): number {
    return this.entries.filter((e) => e.flags.subflow).length;
  }

  /** `ip mptcp endpoint add`: the new endpoint, or why not. */
  add(spec: EndpointSpec): Endpoint | PmConfigError {
    const flags: EndpointFlags = { ...NO_FLAGS, ...spec.flags };
    let port = spec.port ?? 0;
    if (port !== 0 && !usesPort(flags)) return { errno: "EINVAL", message: "flags must have signal and not subflow when using port" };
    if (flags.signal && flags.fullmesh) return { errno: "EINVAL", message: "flags mustn't have both signal and fullmesh" };
    if (spec.addr.length !== 4 && spec.addr.length !== 16) return { errno: "EINVAL", message: "unknown address family" };
    if (spec.id !== undefined && (!Number.isInteger(spec.id) || spec.id < 0 || spec.id > PM_MAX_ADDR_ID)) {
      return { errno: "EINVAL", message: "invalid address id" };
    }
    if (this.entries.length >= PM_ADDR_MAX) return { errno: "ERANGE", message: "too many addresses" };
    const requested = spec.id ?? 0;
    if (requested !== 0 && this.entries.some((e) => e.id === requested)) return { errno: "EBUSY", message: "address id in use" };
    if (!usesPort(flags)) port = 0;
    if (this.entries.some((e) => sameEndpointAddress(e, spec.addr, port))) return { errno: "EEXIST", message: "address already exists" };
    const id = requested !== 0 ? requested : this.freeId();
    if (id === 0) return { errno: "EINVAL", message: "no free address id" };
    if (id > this.nextId) this.nextId = id;
    const entry: Endpoint = { id, addr: spec.addr.slice(), port, flags };
    // Linux puts port-based endpoints at the head of the list, the others at the tail.
    if (port !== 0) this.entries.unshift(entry);
    else this.entries.push(entry);
    return entry;
  }

  /** The lowest free ID from the last one given, wrapping to 1 (pm_netlink.c `find_next_zero_bit`). */
  private freeId(): number {
    if (this.nextId === PM_MAX_ADDR_ID) this.nextId = 1;
    const used = new Set(this.entries.map((e) => e.id));
    for (let id = this.nextId; id <= PM_MAX_ADDR_ID; id++) if (!used.has(id)) return id;
    for (let id = 1; id < this.nextId; id++) if (!used.has(id)) return id;
    return 0;
  }

  /** `ip mptcp endpoint delete id N`: the removed endpoint (connections send REMOVE_ADDR). */
  delete(id: number): Endpoint | PmConfigError {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i < 0) return { errno: "EINVAL", message: "address not found" };
    return this.entries.splice(i, 1)[0]!;
  }

  /** `ip mptcp endpoint flush`: removes every endpoint and restarts ID allocation at 1. */
  flush(): Endpoint[] {
    const gone = this.entries;
    this.entries = [];
    this.nextId = 1;
    return gone;
  }

  /**
   * `ip mptcp endpoint change id N [no]backup [no]fullmesh`: the updated endpoint (a backup change
   * makes connections send MP_PRIO on its subflows, RFC 8684 §3.3.8).
   */
  change(id: number, change: { backup?: boolean; fullmesh?: boolean }): Endpoint | PmConfigError {
    const e = this.entries.find((x) => x.id === id);
    if (e === undefined) return { errno: "EINVAL", message: "address not found" };
    if (change.fullmesh === true && e.flags.signal) return { errno: "EINVAL", message: "invalid addr flags" };
    if (change.backup !== undefined) e.flags.backup = change.backup;
    if (change.fullmesh !== undefined) e.flags.fullmesh = change.fullmesh;
    return e;
  }

  /** The endpoint with this local address (and port, if it has one). */
  lookup(addr: IpAddress, port = 0): Endpoint | undefined {
    return this.entries.find((e) => addressEquals(e.addr, addr) && (e.port === 0 || e.port === port));
  }

  byId(id: number): Endpoint | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** `ip mptcp limits set [subflows N] [add_addr_accepted N]`. */
  setLimits(limits: Partial<PmLimits>): Readonly<PmLimits> | PmConfigError {
    for (const v of [limits.subflows, limits.addAddrAccepted]) {
      if (v === undefined) continue;
      if (!Number.isInteger(v) || v < 0) return { errno: "EINVAL", message: "invalid limit" };
      if (v > PM_ADDR_MAX) return { errno: "EINVAL", message: "limit greater than maximum" };
    }
    this.limitValues = { ...this.limitValues, ...limits };
    return this.limitValues;
  }
}

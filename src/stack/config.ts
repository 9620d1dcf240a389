/**
 * What a Host is made of: its interfaces and addresses, the injected randomness, TCP defaults
 * and listen-queue limits, and the seam through which MPTCP will ride on its connections.
 */
import type { RandomSource } from "../crypto/random.js";
import type { IpAddress } from "../wire/address.js";
import type { TcpConfig } from "../tcp/config.js";
import type { TcpHook } from "../tcp/hook.js";
import type { TcpRepr } from "../wire/tcp-types.js";

export interface HostInterfaceConfig {
  /** The addresses of this interface (4 or 16 bytes each); a Host may have several per family. */
  addresses: IpAddress[];
  /** IP MTU in bytes (default 1500). The MSS we advertise is derived from it (RFC 9293 §3.7.1). */
  mtu?: number;
}

/** A static route for choosing the interface, hence the source address, of an active open. */
export interface HostRoute {
  prefix: IpAddress;
  prefixLength: number;
  iface: number;
}

/** What the higher layer is told when a connection is created. */
export interface HookContext {
  local: IpAddress;
  localPort: number;
  remote: IpAddress;
  remotePort: number;
  /** The SYN of a passive open (its MP_CAPABLE or MP_JOIN decides what MPTCP does). */
  syn?: TcpRepr;
}

export interface HostConfig {
  /** Interfaces by index, as the simulator or runtime wires them. */
  interfaces: HostInterfaceConfig[];
  /** Keys, the ISN secret, timestamp offsets and ephemeral ports come from here (DESIGN.md §2). */
  random: RandomSource;
  /** Overrides of the TCP defaults (src/tcp/config.ts) for every connection; `mss` is per MTU. */
  tcp?: Partial<TcpConfig>;
  /**
   * Routes for active opens without a local address: the longest match picks the interface and
   * its first address of the destination's family. Without a match, the address of that family
   * sharing the longest prefix with the destination (RFC 6724 §5 rule 8), the first on a tie.
   */
  routes?: HostRoute[];
  /** Ephemeral port range, inclusive (default 49152-65535, RFC 6335 §6 / RFC 6056 §2.1). */
  ephemeralPorts?: [number, number];
  /** Default accept-queue length of a listener (Linux's somaxconn default is 4096; we use 128). */
  backlog?: number;
  /** Default most SYN-RECEIVED connections per listener (Linux tcp_max_syn_backlog-like). */
  synQueue?: number;
  /**
   * The MPTCP seam (src/tcp/hook.ts): asked for each new connection, active (no `syn`) or
   * passive; a hook returned rides on that connection. Absent: plain TCP.
   */
  tcpHook?: (ctx: HookContext) => TcpHook | undefined;
}

export const DEFAULT_MTU = 1500;
export const DEFAULT_BACKLOG = 128;
export const DEFAULT_SYN_QUEUE = 256;
export const DEFAULT_EPHEMERAL_PORTS: [number, number] = [49152, 65535];

/** The IP plus TCP fixed header length for an address family (RFC 9293 §3.7.1, RFC 8200). */
export function headerOverhead(addressLength: number): number {
  return addressLength === 4 ? 40 : 60;
}

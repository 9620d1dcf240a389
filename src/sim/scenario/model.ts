/**
 * A scenario after validation: everything the runner needs, in the simulator's units (integer µs,
 * bits/s, bytes). Files are parsed into this by validate.ts; built-ins are written as raw objects
 * of the file format and validated the same way, so both are checked by one piece of code.
 */
import type { CongestionFloor, CongestionKind } from "../../mptcp/cc/index.js";
import type { EndpointSpec } from "../../mptcp/pm/endpoints.js";
import type { SchedulerName } from "../../mptcp/sched/registry.js";
import type { PathManagerName } from "../../stack/mptcp-host.js";
import type { IpAddress } from "../../wire/address.js";
import type { LinkConfig } from "../link.js";
import type { LossModel } from "../loss.js";

export interface ScenarioTcp {
  congestion?: "cubic" | "reno";
  sendBufferSize?: number;
  recvBufferSize?: number;
  sack?: boolean;
  /** RACK time-based loss detection (RFC 8985 §6), TcpConfig.rack. */
  rack?: boolean;
  timestamps?: boolean;
  windowScaling?: boolean;
  nagle?: boolean;
  /** Pacing at 200% / 120% of cwnd per srtt (src/tcp/pacing.ts), TcpConfig.pacing. */
  pacing?: boolean;
  initialCwnd?: number;
  minRto?: number;
  delayedAck?: number;
  msl?: number;
  synRetries?: number;
  maxRetries?: number;
}

/**
 * MPTCP on a host: it runs an `MptcpHost` (src/stack/mptcp-host.ts) instead of a plain `Host`.
 * Fields left out keep the MptcpHost defaults (Linux's).
 */
export interface ScenarioMptcp {
  /** Offer and accept MPTCP; false: the MptcpHost makes every connection plain TCP. */
  enabled: boolean;
  /** Ask for DSS checksums (flag A, RFC 8684 §3.1). */
  checksums: boolean;
  /** Extra subflows per connection, opened and accepted (`ip mptcp limits set subflows N`). */
  subflows?: number;
  /** Peer ADD_ADDRs acted on per connection (`ip mptcp limits set add_addr_accepted N`). */
  addAddrAccepted?: number;
  /** ADD_ADDR retransmission time, µs (`net.mptcp.add_addr_timeout`). */
  addAddrTimeout?: number;
  /** How long a connection waits for a new subflow after losing its last one, µs (`net.mptcp.close_timeout`). */
  closeTimeout?: number;
  /** The whole DSS on every data segment, as Linux sends it (MptcpOptions.dssEverySegment). */
  dssEverySegment?: boolean;
  /** Congestion control of every subflow (MptcpOptions.congestion); `--cc` overrides it. */
  congestion?: CongestionKind;
  /** OLIA's and BALIA's least ssthresh, "linux" or "draft" (MptcpOptions.congestionFloor); `--cc-floor` overrides it. */
  congestionFloor?: CongestionFloor;
  /** Which subflow carries each chunk (MptcpOptions.scheduler); `--scheduler` overrides it. */
  scheduler?: SchedulerName;
  /** "kernel" (the endpoints) or a handover policy (MptcpOptions.pathManager); `--pm` overrides it. */
  pathManager?: PathManagerName;
  /** Subflows in all over the initial addresses, by source port (the ndiffports path manager). */
  ndiffports?: number;
  /** Receive-buffer autotuning up to the TCP receive buffer (MptcpOptions.autotune). */
  autotune?: boolean;
  /**
   * When a subflow is stale (MptcpOptions.staleLossCount): a number is Linux's
   * `net.mptcp.stale_loss_cnt` (0: never), "first-timeout" our default rule.
   */
  staleLossCount?: number | "first-timeout";
  /**
   * Peers may join at our initial address and port (`net.mptcp.allow_join_initial_addr_port`);
   * false sets flag C on the MP_CAPABLE (RFC 8684 §3.1).
   */
  allowJoinInitialAddrPort?: boolean;
  /** `ip mptcp endpoint add` entries, in order. */
  endpoints: EndpointSpec[];
}

export interface HostSpec {
  name: string;
  interfaces: { addresses: IpAddress[]; mtu?: number }[];
  /** CIDR → interface, for hosts with several interfaces. */
  routes: { prefix: IpAddress; prefixLength: number; iface: number }[];
  tcp: ScenarioTcp;
  /** Present: the host runs MPTCP. */
  mptcp?: ScenarioMptcp;
}

/** One box of a middlebox node: a registered kind (src/sim/middlebox/registry.ts) and its config. */
export interface BoxSpec {
  kind: string;
  config: Record<string, unknown>;
}

/**
 * A bump in the wire with two interfaces running a chain of boxes (`MiddleboxNode`): what
 * arrives on interface 0 crosses the boxes in order and leaves on 1, and back in reverse.
 */
export interface MiddleboxSpec {
  name: string;
  boxes: BoxSpec[];
}

export interface RouterSpec {
  name: string;
  /** CIDR text → interface, or a list of interfaces for ECMP, as `Router` takes them. */
  routes: Record<string, number | number[]>;
  /** The salt of the router's ECMP hash (default: drawn from the run's seed and the router's name). */
  ecmpSeed?: number;
}

export interface Endpoint {
  node: string;
  iface: number;
}

export interface LinkSpec {
  name: string;
  from: Endpoint;
  to: Endpoint;
  forward: LinkConfig;
  /** The to→from direction; undefined for a one-way link. */
  reverse: LinkConfig | undefined;
}

export interface FlowSpec {
  name: string;
  /** Client host. */
  from: string;
  /** Server host. */
  to: string;
  /** Destination address (one of the server's). */
  address: IpAddress;
  port: number;
  bytes: number;
  /** Start time, µs. */
  start: number;
  /** Extra MPTCP subflows the client opens once connected (MP_JOIN, RFC 8684 §3.2). */
  subflows: SubflowSpec[];
  /** The client aborts the connection this long after the start, µs (MP_FASTCLOSE, §3.5). */
  abortAfter?: number;
}

/** A subflow a flow's client opens with MP_JOIN as soon as the connection is established. */
export interface SubflowSpec {
  /** One of the client's addresses. */
  from: IpAddress;
  /** The server address to join. */
  to: IpAddress;
  /** Default: the flow's port. */
  port: number;
  /** The MP_JOIN backup flag (§3.3.8). */
  backup: boolean;
}

export type LinkDirection = "forward" | "reverse" | "both";

export type EventAction =
  | { action: "down"; for?: number }
  | { action: "up" }
  | { action: "rate"; rateBps: number }
  | { action: "delay"; delayUs: number }
  | { action: "loss"; loss: LossModel }
  | { action: "blackhole"; for?: number };

/** A link event: what happens to a link (both directions, or one). */
export type LinkEventSpec = EventAction & {
  /** µs. */
  at: number;
  link: string;
  direction: LinkDirection;
};

/**
 * What a host's link monitor reports or its operator does (an MptcpHost's path-manager
 * commands): an interface losing or regaining its link (`interfaceDown`, `interfaceUp`), and
 * `ip mptcp endpoint add | delete | change [no]backup`.
 */
export type HostEventAction =
  | { action: "interface-down" | "interface-up"; iface: number }
  | { action: "endpoint-add"; endpoint: EndpointSpec }
  | { action: "endpoint-delete"; id: number }
  | { action: "endpoint-backup"; id: number; backup: boolean };

export type HostEventSpec = HostEventAction & {
  /** µs. */
  at: number;
  host: string;
};

export type EventSpec = LinkEventSpec | HostEventSpec;

export function isHostEvent(e: EventSpec): e is HostEventSpec {
  return "host" in e;
}

export interface Scenario {
  name: string;
  description: string;
  /** The default seed (the command line's --seed overrides it). */
  seed: number | string;
  /** Run limit, µs of simulated time. */
  duration: number;
  hosts: HostSpec[];
  routers: RouterSpec[];
  middleboxes: MiddleboxSpec[];
  links: LinkSpec[];
  flows: FlowSpec[];
  events: EventSpec[];
}

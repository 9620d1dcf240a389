/**
 * A scenario after validation: everything the runner needs, in the simulator's units (integer µs,
 * bits/s, bytes). Files are parsed into this by validate.ts; built-ins are written as raw objects
 * of the file format and validated the same way, so both are checked by one piece of code.
 */
import type { IpAddress } from "../../wire/address.js";
import type { LinkConfig } from "../link.js";
import type { LossModel } from "../loss.js";

export interface ScenarioTcp {
  congestion?: "cubic" | "reno";
  sendBufferSize?: number;
  recvBufferSize?: number;
  sack?: boolean;
  timestamps?: boolean;
  windowScaling?: boolean;
  nagle?: boolean;
  initialCwnd?: number;
  minRto?: number;
  delayedAck?: number;
  msl?: number;
}

export interface HostSpec {
  name: string;
  interfaces: { addresses: IpAddress[]; mtu?: number }[];
  /** CIDR → interface, for hosts with several interfaces. */
  routes: { prefix: IpAddress; prefixLength: number; iface: number }[];
  tcp: ScenarioTcp;
}

export interface RouterSpec {
  name: string;
  /** CIDR text → interface, as `Router` takes them. */
  routes: Record<string, number>;
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
}

export type LinkDirection = "forward" | "reverse" | "both";

export type EventAction =
  | { action: "down"; for?: number }
  | { action: "up" }
  | { action: "rate"; rateBps: number }
  | { action: "delay"; delayUs: number }
  | { action: "loss"; loss: LossModel }
  | { action: "blackhole"; for?: number };

export type EventSpec = EventAction & {
  /** µs. */
  at: number;
  link: string;
  direction: LinkDirection;
};

export interface Scenario {
  name: string;
  description: string;
  /** The default seed (the command line's --seed overrides it). */
  seed: number | string;
  /** Run limit, µs of simulated time. */
  duration: number;
  hosts: HostSpec[];
  routers: RouterSpec[];
  links: LinkSpec[];
  flows: FlowSpec[];
  events: EventSpec[];
}

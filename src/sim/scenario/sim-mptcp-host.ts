/**
 * An MptcpHost with applications, as a simulator node: SimHost's twin for hosts that run MPTCP,
 * on the shared `HostNode`, with the same application table (app-router.ts). The byte-stream
 * events of each MPTCP connection go to its application, right after each input (so what the
 * application writes leaves in the same simulator step); the multipath events
 * (fallback, subflow up and down, addresses, priorities) go to the connection's observer, which
 * the runner uses to keep a record of every subflow.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import type { MptcpConnectionEvent } from "../../mptcp/events.js";
import type { MptcpEvent } from "../../stack/mptcp-events.js";
import type { MptcpHost, MptcpListener } from "../../stack/mptcp-host.js";
import { HostNode } from "../host-node.js";
import type { SimNode, Transmit } from "../node.js";
import { AppRouter } from "./app-router.js";
import type { App } from "./apps.js";

/** The events of `MptcpConnectionEvent` that are not byte-stream events. */
export type MultipathEvent = Exclude<MptcpConnectionEvent, { type: "connected" | "readable" | "writable" | "peer-closed" | "reset" | "timed-out" | "closed" }>;

/** An application of an MPTCP connection: its byte-stream events, and optionally the others. */
export interface MptcpApp extends App {
  onMultipathEvent?(event: MultipathEvent, now: number): void;
}

export class SimMptcpHost extends AppRouter<MptcpConnection, MptcpListener, MptcpApp> implements SimNode {
  private readonly node: HostNode;

  constructor(
    readonly name: string,
    readonly host: MptcpHost,
  ) {
    super();
    this.node = new HostNode(host, (e, now) => this.route(e, now));
  }

  receive(packet: Uint8Array, iface: number, now: number): void {
    this.node.receive(packet, iface, now);
  }

  handleTimeout(now: number): void {
    this.node.handleTimeout(now);
  }

  pollTransmit(now: number): Transmit | undefined {
    return this.node.pollTransmit(now);
  }

  pollTimeout(): number | undefined {
    return this.node.pollTimeout();
  }

  /** Hands one event to its application. */
  private route(e: MptcpEvent, now: number): void {
    switch (e.type) {
      case "incoming":
        this.accept(e.listener);
        return;
      case "fallback":
      case "subflow-up":
      case "subflow-down":
      case "address-announced":
      case "address-removed":
      case "priority-changed":
        this.appOf(e.connection)?.onMultipathEvent?.(e, now);
        return;
      default:
        this.deliver(e.type, e.connection, now);
    }
  }
}

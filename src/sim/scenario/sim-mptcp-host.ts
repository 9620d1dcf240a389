/**
 * An MptcpHost with applications, as a simulator node: SimHost's twin for hosts that run MPTCP,
 * on the shared `HostNode`. The byte-stream events of each MPTCP connection go to its application, right after each input
 * (so what the application writes leaves in the same simulator step); the multipath events
 * (fallback, subflow up and down, addresses, priorities) go to the connection's observer, which
 * the runner uses to keep a record of every subflow.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import type { MptcpConnectionEvent } from "../../mptcp/events.js";
import type { MptcpEvent } from "../../stack/mptcp-events.js";
import type { MptcpHost, MptcpListener } from "../../stack/mptcp-host.js";
import { HostNode } from "../host-node.js";
import type { SimNode, Transmit } from "../node.js";
import type { App } from "./apps.js";

/** The events of `MptcpConnectionEvent` that are not byte-stream events. */
export type MultipathEvent = Exclude<MptcpConnectionEvent, { type: "connected" | "readable" | "writable" | "peer-closed" | "reset" | "timed-out" | "closed" }>;

/** An application of an MPTCP connection: its byte-stream events, and optionally the others. */
export interface MptcpApp extends App {
  onMultipathEvent?(event: MultipathEvent, now: number): void;
}

export class SimMptcpHost implements SimNode {
  private readonly apps = new Map<MptcpConnection, MptcpApp>();
  private readonly acceptors = new Map<MptcpListener, (conn: MptcpConnection) => MptcpApp | undefined>();
  private readonly node: HostNode;

  constructor(
    readonly name: string,
    readonly host: MptcpHost,
  ) {
    this.node = new HostNode(host, (e, now) => this.route(e, now));
  }

  /** Connection `conn` is driven by `app` from now on. */
  attach(conn: MptcpConnection, app: MptcpApp): void {
    this.apps.set(conn, app);
  }

  /** Connections accepted on `listener` get the app `appFor` returns (none: they are reset). */
  serve(listener: MptcpListener, appFor: (conn: MptcpConnection) => MptcpApp | undefined): void {
    this.acceptors.set(listener, appFor);
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
    if (e.type === "incoming") {
      const appFor = this.acceptors.get(e.listener);
      for (let c = e.listener.accept(); c !== undefined; c = e.listener.accept()) {
        const app = appFor?.(c);
        if (app === undefined) c.abort();
        else this.apps.set(c, app);
      }
      return;
    }
    const app = this.apps.get(e.connection);
    if (app === undefined) return;
    switch (e.type) {
      case "fallback":
      case "subflow-up":
      case "subflow-down":
      case "address-announced":
      case "address-removed":
      case "priority-changed":
        app.onMultipathEvent?.(e, now);
        return;
      default:
        app.onEvent(e.type, e.connection, now);
        if (e.type === "closed") this.apps.delete(e.connection);
    }
  }
}

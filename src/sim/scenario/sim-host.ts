/**
 * A Host with applications, as a simulator node. The Host alone is already a SimNode; this
 * wrapper hands its events to the applications right after each input, inside the same
 * simulator step, so whatever they write is sent by the `pollTransmit` calls that follow
 * (no `wake` needed). Calls made from outside an input (a flow starting) need `sim.wake`.
 */
import type { Connection } from "../../stack/connection.js";
import type { Host, HostTransmit } from "../../stack/host.js";
import type { Listener } from "../../stack/listener.js";
import type { SimNode } from "../node.js";
import { AppRouter } from "./app-router.js";
import type { App } from "./apps.js";

export class SimHost extends AppRouter<Connection, Listener, App> implements SimNode {
  constructor(
    readonly name: string,
    readonly host: Host,
  ) {
    super();
  }

  receive(packet: Uint8Array, iface: number, now: number): void {
    this.host.receive(packet, iface, now);
    this.dispatch(now);
  }

  handleTimeout(now: number): void {
    this.host.handleTimeout(now);
    this.dispatch(now);
  }

  pollTransmit(now: number): HostTransmit | undefined {
    return this.host.pollTransmit(now);
  }

  pollTimeout(): number | undefined {
    return this.host.pollTimeout();
  }

  /** Hands every pending Host event to its application. */
  dispatch(now: number): void {
    for (let e = this.host.pollEvent(); e !== undefined; e = this.host.pollEvent()) {
      if (e.type === "incoming") this.accept(e.listener);
      else this.deliver(e.type, e.connection, now);
    }
  }
}

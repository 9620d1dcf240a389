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
import type { App } from "./apps.js";

export class SimHost implements SimNode {
  private readonly apps = new Map<Connection, App>();
  private readonly acceptors = new Map<Listener, (conn: Connection) => App | undefined>();

  constructor(
    readonly name: string,
    readonly host: Host,
  ) {}

  /** Connection `conn` is driven by `app` from now on. */
  attach(conn: Connection, app: App): void {
    this.apps.set(conn, app);
  }

  /** Connections accepted on `listener` get the app `appFor` returns (none: they are reset). */
  serve(listener: Listener, appFor: (conn: Connection) => App | undefined): void {
    this.acceptors.set(listener, appFor);
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
      if (e.type === "incoming") {
        const appFor = this.acceptors.get(e.listener);
        for (let c = e.listener.accept(); c !== undefined; c = e.listener.accept()) {
          const app = appFor?.(c);
          if (app === undefined) c.abort();
          else this.apps.set(c, app);
        }
        continue;
      }
      const app = this.apps.get(e.connection);
      if (app === undefined) continue;
      app.onEvent(e.type, e.connection, now);
      if (e.type === "closed") this.apps.delete(e.connection);
    }
  }
}

/**
 * Which application drives which connection of a scenario host: what SimHost (TCP) and
 * SimMptcpHost share. A client's connection gets its application when it is opened (`attach`); a
 * server's when it is accepted, from the function registered for its listener (`serve`).
 */
import type { ConnectionEventType } from "../../stack/events.js";
import type { App, ByteStream } from "./apps.js";

/** A connection as the router needs it: the applications' byte stream, and a reset. */
interface Routed extends ByteStream {
  abort(): void;
}

/** A listener as the router needs it: its accepted connections, one at a time. */
interface Accepting<C> {
  accept(): C | undefined;
}

export abstract class AppRouter<C extends Routed, L extends Accepting<C>, A extends App> {
  private readonly apps = new Map<C, A>();
  private readonly acceptors = new Map<L, (conn: C) => A | undefined>();

  /** Connection `conn` is driven by `app` from now on. */
  attach(conn: C, app: A): void {
    this.apps.set(conn, app);
  }

  /** Connections accepted on `listener` get the app `appFor` returns (none: they are reset). */
  serve(listener: L, appFor: (conn: C) => A | undefined): void {
    this.acceptors.set(listener, appFor);
  }

  /** `listener`'s "incoming": every connection it holds gets its application, or is reset. */
  protected accept(listener: L): void {
    const appFor = this.acceptors.get(listener);
    for (let c = listener.accept(); c !== undefined; c = listener.accept()) {
      const app = appFor?.(c);
      if (app === undefined) c.abort();
      else this.apps.set(c, app);
    }
  }

  /** The application driving `conn`, if any. */
  protected appOf(conn: C): A | undefined {
    return this.apps.get(conn);
  }

  /** A byte-stream event to `conn`'s application; "closed" is a connection's last, so it is forgotten. */
  protected deliver(type: ConnectionEventType, conn: C, now: number): void {
    const app = this.apps.get(conn);
    if (app === undefined) return;
    app.onEvent(type, conn, now);
    if (type === "closed") this.apps.delete(conn);
  }
}

/**
 * Application events of a Host (DESIGN.md §2), read with `Host.pollEvent()`. Each names the
 * connection (or listener) it is about; per connection they come in the order the connection
 * produced them, and "closed" is always a connection's last.
 */
import type { ConnectionEventType } from "../tcp/events.js";
import type { Connection } from "./connection.js";
import type { Listener } from "./listener.js";

export type { ConnectionEventType } from "../tcp/events.js";

export type HostEvent =
  /** A connection completed its handshake on `listener`: `listener.accept()` returns it. */
  | { type: "incoming"; listener: Listener }
  | { type: ConnectionEventType; connection: Connection };

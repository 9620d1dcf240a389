/**
 * Application events of a Host (DESIGN.md §2), read with `Host.pollEvent()`. Each names the
 * connection (or listener) it is about; per connection they come in the order the connection
 * produced them, and "closed" is always a connection's last.
 */
import type { Connection } from "./connection.js";
import type { Listener } from "./listener.js";

export type ConnectionEventType =
  /** An active open completed its handshake (passive ones announce themselves as "incoming"). */
  | "connected"
  /** New in-order data can be read with `read`. */
  | "readable"
  /** Send-buffer space freed after a `write` that did not take everything. */
  | "writable"
  /** The peer's FIN arrived: nothing more will come after what is buffered. */
  | "peer-closed"
  /** The peer reset the connection. */
  | "reset"
  /** Retransmissions, SYNs or keepalives went unanswered. */
  | "timed-out"
  /** The connection reached CLOSED; nothing more will happen on it. */
  | "closed";

export type HostEvent =
  /** A connection completed its handshake on `listener`: `listener.accept()` returns it. */
  | { type: "incoming"; listener: Listener }
  | { type: ConnectionEventType; connection: Connection };

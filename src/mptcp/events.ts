/**
 * Application events of an MptcpHost (DESIGN.md §2), read with `MptcpHost.pollEvent()`. They are
 * about the MPTCP connection, never about one of its subflows: the application sees one byte
 * stream whatever carries it. Per connection they come in the order they happened, and "closed"
 * is a connection's last.
 */
import type { MptcpConnection } from "./connection.js";
import type { MptcpListener } from "./host.js";

export type MptcpConnectionEventType =
  /** An active open completed its handshake (passive ones announce themselves as "incoming"). */
  | "connected"
  /** New in-order data can be read with `read`. */
  | "readable"
  /** Send-buffer space freed after a `write` that did not take everything. */
  | "writable"
  /** The peer's DATA_FIN (or, after a fallback, its FIN) arrived: nothing follows what is buffered. */
  | "peer-closed"
  /** The connection was reset (a RST, MP_TCPRST or a fatal protocol error on its only subflow). */
  | "reset"
  /** Retransmissions went unanswered on the last subflow. */
  | "timed-out"
  /** Nothing more will happen on the connection. */
  | "closed";

export type MptcpEvent =
  /** A connection completed its handshake on `listener`: `listener.accept()` returns it. */
  | { type: "incoming"; listener: MptcpListener }
  /** The connection continues as plain TCP (RFC 8684 §3.7); `reason` says why. */
  | { type: "fallback"; connection: MptcpConnection; reason: string }
  | { type: MptcpConnectionEventType; connection: MptcpConnection };

/**
 * Events of one MPTCP connection (DESIGN.md §2). They are about the MPTCP connection, never about
 * one of its subflows: the application sees one byte stream whatever carries it. Per connection
 * they come in the order they happened, and "closed" is a connection's last. The kinds are those
 * of a TCP connection, with MPTCP meanings: "peer-closed" is the peer's DATA_FIN (or, after a
 * fallback, its FIN); "reset" a RST, MP_FASTCLOSE or a fatal protocol error on the only subflow;
 * "timed-out" unanswered retransmissions on the last subflow.
 */
import type { ConnectionEventType } from "../tcp/events.js";
import type { MptcpConnection } from "./connection.js";

export type MptcpConnectionEventType = ConnectionEventType;

export type MptcpConnectionEvent =
  /** The connection continues as plain TCP (RFC 8684 §3.7); `reason` says why. */
  | { type: "fallback"; connection: MptcpConnection; reason: string }
  | { type: MptcpConnectionEventType; connection: MptcpConnection };

/**
 * Events of one MPTCP connection (DESIGN.md §2). They are about the MPTCP connection, never about
 * one of its subflows: the application sees one byte stream whatever carries it. Per connection
 * they come in the order they happened, and "closed" is a connection's last. The kinds are those
 * of a TCP connection, with MPTCP meanings: "peer-closed" is the peer's DATA_FIN (or, after a
 * fallback, its FIN); "reset" a RST, MP_FASTCLOSE or a fatal protocol error on the only subflow;
 * "timed-out" unanswered retransmissions on the last subflow. A connection still open at the data
 * level reports those only once no new subflow came within the host's `closeTimeout`
 * (close-timeout.ts).
 */
import type { ConnectionEventType } from "../tcp/events.js";
import type { MptcpConnection } from "./connection.js";
import type { SubflowStats } from "./stats.js";

export type MptcpConnectionEventType = ConnectionEventType;

export type MptcpConnectionEvent =
  /** The connection continues as plain TCP (RFC 8684 §3.7); `reason` says why. */
  | { type: "fallback"; connection: MptcpConnection; reason: string }
  /** A subflow can carry data: the initial one after the handshake, a joined one after its 4th ACK. */
  | { type: "subflow-up"; connection: MptcpConnection; subflow: SubflowStats }
  /**
   * A subflow that was up went away; `reason` says why: "reset", "timed-out", "closed" (a FIN, or
   * the connection's end), "removed" (its address was withdrawn, REMOVE_ADDR §3.4.2). With the
   * connection's own end, one for each subflow up comes before "closed". A join that fails before
   * it is up reports nothing (the counters say why).
   */
  | { type: "subflow-down"; connection: MptcpConnection; subflow: SubflowStats; reason: string }
  /** The peer announced an address (ADD_ADDR, §3.4.1); `port` when it named one. */
  | { type: "address-announced"; connection: MptcpConnection; id: number; address: string; port?: number }
  /** The peer withdrew address `id` (REMOVE_ADDR, §3.4.2). */
  | { type: "address-removed"; connection: MptcpConnection; id: number }
  /** The peer changed a subflow's priority (MP_PRIO, §3.3.8). */
  | { type: "priority-changed"; connection: MptcpConnection; subflow: SubflowStats }
  | { type: MptcpConnectionEventType; connection: MptcpConnection };

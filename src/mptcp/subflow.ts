/**
 * What an MPTCP connection needs of one of its subflows: a TCP connection with its 4-tuple and
 * the byte-stream calls. The stack's `Connection` is one; keeping the shape here lets `mptcp/`
 * stay below `stack/` (DESIGN.md §1).
 */
import type { TcpConnection, TcpStats } from "../tcp/connection.js";
import type { TcpState } from "../tcp/state.js";
import type { IpAddress } from "../wire/address.js";

export interface Subflow {
  readonly local: IpAddress;
  readonly localPort: number;
  readonly remote: IpAddress;
  readonly remotePort: number;
  /** The interface its segments leave through. */
  readonly iface: number;
  /** The TCP state machine: the MPTCP layer reads its sequence and window state. */
  readonly tcp: TcpConnection;
  readonly state: TcpState;
  write(data: Uint8Array): number;
  read(max?: number): Uint8Array | undefined;
  shutdown(): void;
  /** Full close; with `discardLateData` later data is acknowledged and dropped (TcpConnection.close). */
  close(discardLateData?: boolean): void;
  abort(): void;
  /** Sends an ACK soon even with no data: the hook has options for it (a DATA_ACK, an ADD_ADDR). */
  requestAck(): void;
  /** The hook would now reserve differently: the owner polls this subflow again. */
  wake(): void;
  stats(): TcpStats;
}

/**
 * A snapshot of one MPTCP connection for applications, CLIs and scenario results: its mode, why
 * it fell back (if it did) and, per subflow, the 4-tuple, priority, RTT, congestion window and
 * controller, bytes and state. Field names are public (`mptcp client --json`, `mptcp sim --json`): add, never rename.
 */
import type { TcpState } from "../tcp/state.js";
import { formatAddress } from "../wire/address.js";
import type { MptcpMode } from "./connection-config.js";
import type { Subflow } from "./subflow.js";

export interface SubflowStats {
  /** "initial" for the subflow of the MP_CAPABLE handshake, "join" for one opened with MP_JOIN. */
  kind: "initial" | "join";
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  /** Either side asked that the subflow carry data only when no regular one can (§3.3.8). */
  backup: boolean;
  /** Smoothed RTT in microseconds; undefined before the first sample. */
  rtt: number | undefined;
  /** Congestion window in bytes. */
  cwnd: number;
  /** Payload bytes the subflow's TCP sent (its retransmissions included) and received in order. */
  bytesSent: number;
  bytesReceived: number;
  /** The subflow's TCP state ("CLOSED" once it is gone). */
  state: TcpState;
  /** Its TCP's loss recovery: segments sent again, fast recoveries entered, retransmission timeouts. */
  retransmissions: number;
  fastRetransmits: number;
  timeouts: number;
  /** Bytes per second, when the subflow paces (TcpConfig.pacing). */
  pacingRate?: number;
  /** Its congestion controller's name ("cubic", "reno", "lia", "olia", "balia", ...). */
  congestion: string;
}

export interface MptcpStats {
  mode: MptcpMode;
  /** false, or the reason the connection continues as plain TCP (RFC 8684 §3.7). */
  fallback: false | string;
  /** DSS checksums in use (§3.1). */
  checksums: boolean;
  subflows: SubflowStats[];
}

/** One subflow's entry; `backup` as the caller knows it (the TCP layer does not). */
export function subflowStats(sub: Subflow, kind: SubflowStats["kind"], backup: boolean): SubflowStats {
  const s = sub.stats();
  return {
    kind,
    local: formatAddress(sub.local),
    localPort: sub.localPort,
    remote: formatAddress(sub.remote),
    remotePort: sub.remotePort,
    backup,
    rtt: s.srtt,
    cwnd: s.cwnd,
    bytesSent: s.bytesSent,
    bytesReceived: s.bytesReceived,
    state: s.state,
    retransmissions: s.retransmissions,
    fastRetransmits: s.fastRetransmits,
    timeouts: s.timeouts,
    ...(s.pacingRate !== undefined ? { pacingRate: s.pacingRate } : {}),
    congestion: sub.tcp.congestion.name,
  };
}

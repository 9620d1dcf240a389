/**
 * The `mptcp` part of a flow's result: how the connection ran (MPTCP or fallback, and why), every
 * subflow it ever had with its 4-tuple, priority, bytes and last state, and the MPTcpExt counters
 * of the two hosts. A connection's `stats()` lists the subflows it has now and a few closed ones;
 * a ledger fed by its "subflow-up"/"subflow-down" events and by snapshots keeps every subflow, so
 * one that failed early still appears at the end.
 */
import type { MptcpConnection } from "../../mptcp/connection.js";
import type { MptcpCounters } from "../../mptcp/counters.js";
import { nonZeroCounters } from "../../mptcp/counters.js";
import type { SubflowStats } from "../../mptcp/stats.js";

export interface ReportedSubflow {
  /** "initial" (the MP_CAPABLE handshake's) or "join" (MP_JOIN). */
  kind: "initial" | "join";
  /**
   * The client's end, as the client sees it (behind a NAT, its inside address); when only the
   * server runs MPTCP, as the server sees it (the NAT's public address).
   */
  local: string;
  localPort: number;
  /** The server's end. */
  remote: string;
  remotePort: number;
  backup: boolean;
  /** Payload bytes the client's end sent (TCP retransmissions included) and received. */
  bytesSent: number;
  bytesReceived: number;
  /** bytesSent + bytesReceived. */
  bytes: number;
  /** The TCP state last seen ("CLOSED" once gone). */
  state: string;
  /** Smoothed RTT at the last snapshot, ms (null before a sample). */
  srttMs: number | null;
  cwnd: number;
}

export interface FlowMptcp {
  /** The connection's mode at the end, from the MPTCP end (the client's when both are). */
  mode: string;
  /** false, or why the client's connection continued as plain TCP (RFC 8684 §3.7). */
  fallback: false | string;
  /** The same for the server's connection (absent when the server does not run MPTCP). */
  serverFallback?: false | string;
  /** DSS checksums in use (§3.1). */
  checksums: boolean;
  /** Every subflow the connection had, in the order first seen, from the client's side. */
  subflows: ReportedSubflow[];
  /** Non-zero MPTcpExt counters of each end's host (hosts that run MPTCP): whole-host totals. */
  counters: { client?: Partial<MptcpCounters>; server?: Partial<MptcpCounters> };
  /** Subflows of `FlowSpec.subflows` that could not be opened, and why. */
  joinErrors?: string[];
}

/** Every subflow of one connection, by 4-tuple, updated by each snapshot. */
export class SubflowLedger {
  private readonly byTuple = new Map<string, ReportedSubflow>();

  /**
   * Records `list` as seen from one end. `fromServer`: the list is the server's view, so local
   * and remote (and sent and received) are swapped into the client's.
   */
  observe(list: readonly SubflowStats[], fromServer = false): void {
    for (const s of list) {
      const r = fromServer ? reported(s, true) : reported(s, false);
      const key = `${r.local}|${r.localPort}|${r.remote}|${r.remotePort}`;
      this.byTuple.set(key, r);
    }
  }

  get subflows(): ReportedSubflow[] {
    return [...this.byTuple.values()];
  }
}

function reported(s: SubflowStats, swap: boolean): ReportedSubflow {
  const [local, localPort, remote, remotePort] = swap ? [s.remote, s.remotePort, s.local, s.localPort] : [s.local, s.localPort, s.remote, s.remotePort];
  const [sent, received] = swap ? [s.bytesReceived, s.bytesSent] : [s.bytesSent, s.bytesReceived];
  return {
    kind: s.kind,
    local,
    localPort,
    remote,
    remotePort,
    backup: s.backup,
    bytesSent: sent,
    bytesReceived: received,
    bytes: sent + received,
    state: s.state,
    srttMs: s.rtt === undefined ? null : s.rtt / 1000,
    cwnd: s.cwnd,
  };
}

/** The flow's `mptcp` result from its connections (either may be a plain TCP one: undefined). */
export function flowMptcp(
  client: MptcpConnection | undefined,
  server: MptcpConnection | undefined,
  ledger: SubflowLedger,
  counters: { client?: MptcpCounters; server?: MptcpCounters },
  joinErrors: readonly string[],
): FlowMptcp {
  if (client !== undefined) ledger.observe(client.stats().subflows);
  else if (server !== undefined) ledger.observe(server.stats().subflows, true);
  const main = client ?? server;
  const out: FlowMptcp = {
    mode: main?.mode ?? "none",
    fallback: client === undefined ? "client does not run MPTCP" : client.stats().fallback,
    checksums: main?.checksums ?? false,
    subflows: ledger.subflows,
    counters: {},
  };
  if (server !== undefined) out.serverFallback = server.stats().fallback;
  if (counters.client !== undefined) out.counters.client = nonZeroCounters(counters.client);
  if (counters.server !== undefined) out.counters.server = nonZeroCounters(counters.server);
  if (joinErrors.length > 0) out.joinErrors = [...joinErrors];
  return out;
}

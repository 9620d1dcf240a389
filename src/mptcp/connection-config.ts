/**
 * The shapes an MptcpConnection is built from: its mode, its configuration, what it needs of its
 * owner (the MptcpHost), and the constants of its data path.
 */
import type { CongestionFloor, CongestionKind } from "./cc/index.js";
import type { SchedulerName } from "./sched/registry.js";
import type { Subflow } from "./subflow.js";
import type { IpAddress } from "../wire/address.js";
import type { MptcpConnection } from "./connection.js";
import type { MptcpCounters } from "./counters.js";
import type { MptcpConnectionEvent } from "./events.js";
import type { JoinSubflow } from "./join.js";
import type { EndpointTable } from "./pm/endpoints.js";

/** What a connection is doing. */
export type MptcpMode =
  /** The MP_CAPABLE handshake has not decided yet. */
  | "handshake"
  /** MPTCP with DSS mappings. */
  | "mptcp"
  /** Plain TCP after a fallback (RFC 8684 §3.7), or from the start. */
  | "fallback";

export interface MptcpConnectionConfig {
  /** Ask for DSS checksums (flag A, RFC 8684 §3.1). */
  checksums: boolean;
  /** Data-level receive buffer: the shared receive window (§3.3.4). */
  recvBufferSize: number;
  /** Data-level send buffer: written and not yet data-acknowledged. */
  sendBufferSize: number;
  /** Whether the subflow's TCP offers window scaling (to read the peer's scaled windows). */
  windowScaling: boolean;
  /** Subflows besides the initial one (Linux `ip mptcp limits set subflows N`, default 2). */
  maxSubflows: number;
  /**
   * Client: MP_CAPABLE SYN retransmissions before the next SYN goes without MPTCP (Linux
   * `net.mptcp.syn_retrans_before_tcp_fallback`, default 2): a path that drops MPTCP SYNs.
   */
  synRetransBeforeFallback: number;
  /** Time between ADD_ADDR transmissions until echoed, µs (`net.mptcp.add_addr_timeout`). */
  addAddrTimeout: number;
  /**
   * How long a connection still open at the data level waits for a new subflow once its last one
   * is gone, µs (Linux `net.mptcp.close_timeout`, 60 s; close-timeout.ts). 0 ends it with its
   * last subflow.
   */
  closeTimeout: number;
  /**
   * Accept joins to the initial subflow's address and port (Linux
   * `net.mptcp.allow_join_initial_addr_port`, default true); false sets flag C (§3.1).
   */
  allowJoinInitialAddrPort: boolean;
  /** Congestion control of every subflow (cc/): undefined keeps the TCP configuration's. */
  congestion?: CongestionKind;
  /** OLIA's and BALIA's least ssthresh after a loss (cc/coupled.ts); undefined is "linux". */
  congestionFloor?: CongestionFloor;
  /** Subflows in all over the initial addresses, by source port (the ndiffports path manager), up to `NDIFFPORTS_MAX`. */
  ndiffports?: number;
  /** Opportunistic retransmission and penalisation (sched/opportunistic.ts); default on. */
  opportunistic?: boolean;
  /**
   * The delay-aware rule of the lowest-RTT scheduler and tail reinjection (sched/arrival.ts,
   * sched/reinject.ts); default on.
   */
  delayAware?: boolean;
  /** The full DSS mapping on every data segment, as Linux sends it; default off (send-mapping.ts). */
  dssEverySegment?: boolean;
  /**
   * Receive-buffer autotuning (rcv-space.ts): the window starts at 128 KB and grows with what the
   * application reads, up to `recvBufferSize`. Off (undefined or false, the default):
   * `recvBufferSize` from the start.
   */
  autotune?: boolean;
  /** Which subflow carries each chunk (sched/); default lowest-RTT. */
  scheduler?: SchedulerName;
  /**
   * When a subflow is stale (RFC 8684 §3.3.6): a number is Linux's `net.mptcp.stale_loss_cnt`
   * with its connection-level retransmission timer (stale-loss.ts, data-rtx.ts; 0: never stale);
   * "first-timeout" marks a subflow stale at its first retransmission timeout (stall.ts).
   */
  staleLossCount?: number | "first-timeout";
}

/** What a connection needs of its MptcpHost. */
export interface MptcpConnectionOwner {
  readonly counters: MptcpCounters;
  /** The Host's endpoints and limits, which the kernel-like path manager follows (pm/). */
  readonly endpoints: EndpointTable;
  /** Queues an application event (the host holds back those of connections not yet accepted). */
  emit(event: MptcpConnectionEvent): void;
  /** The connection has work for `service` (data to pump, an ACK to request, a timer). */
  changed(conn: MptcpConnection): void;
  /** The subflow got something to send outside an input of the Host. */
  touchSubflow(subflow: Subflow): void;
  /** The connection is gone: release its token. */
  released(conn: MptcpConnection): void;
  /**
   * Client: MP_CAPABLE SYNs went unanswered and the plain SYN after them was answered, so the
   * path drops MPTCP SYNs (a blackhole): the host may stop offering MPTCP for a while. With
   * `confirmed` false, MPTCP worked end to end on an active open instead.
   */
  activeOpenResult(conn: MptcpConnection, blackhole: boolean): void;
  /** A fresh 32-bit MP_JOIN nonce from the injected random source (§3.2). */
  joinNonce(): number;
  /**
   * Opens the TCP connection of an MP_JOIN initiated by `conn`, with `join`'s hook on it, from
   * `local` (undefined: routing picks). Throws HostError as `Host.connect` does.
   */
  connectJoin(conn: MptcpConnection, join: JoinSubflow, local: IpAddress | undefined, remote: IpAddress, remotePort: number): Subflow;
}

/** The subflow limit when none is configured (Linux's default `subflows 2`). */
export const DEFAULT_MAX_SUBFLOWS = 2;

/**
 * Largest chunk mapped at once. A DSS data-level length has 16 bits (§3.3), and one more DSN may
 * go to a DATA_FIN riding on the mapping.
 */
export const MAX_MAPPING_BYTES = 65_000;

/**
 * Room the data-level reassembly keeps beyond the window it offers. TCP rounds the window it
 * advertises up to its scale unit (RFC 7323 §2.3, at most 2^14 bytes) and accepts what the peer
 * sends into the rounded window; those bytes are acknowledged at the subflow level, so the
 * connection must take them too.
 */
export const WINDOW_SLACK = 1 << 14;

/** Smallest window room worth a new mapping while data is in flight (about one segment). */
export const DATA_SWS_BYTES = 1400;

/** Linux's `net.mptcp.syn_retrans_before_tcp_fallback` default. */
export const DEFAULT_SYN_RETRANS_BEFORE_FALLBACK = 2;

/** The most subflows the ndiffports path manager is asked for (`--pm ndiffports:N`, scenario files). */
export const NDIFFPORTS_MAX = 8;
/** First timeout of a DATA_FIN sent on its own (no data to ride on), doubled per retry. */
export const DATA_FIN_RTO = 200_000;
export const DATA_FIN_RTO_MAX = 60_000_000;

/**
 * Per-Host MPTCP counters, named exactly as the Linux MPTcpExt MIB (net/mptcp/mib.c, the list
 * `nstat` and /proc/net/netstat show on Linux 6.18), so a run of this stack and a kernel run can
 * be compared counter by counter, and the kernel selftests' expectations (mptcp_join.sh reads
 * these) carry over.
 *
 * The order is the kernel's, and the descriptions follow the comments of net/mptcp/mib.h. Like
 * the kernel, counters count events (segments, options), not bytes. Counters whose event cannot
 * happen in this stack (socket creation errors, MD5 signatures) stay at zero so that the set is
 * the same. Linux 6.18 has no counter for data dropped at the out-of-order memory cap (older
 * kernels had RcvPruned); the connection keeps its own.
 */

export const MPTCP_MIB = {
  MPCapableSYNRX: "MP_CAPABLE SYNs received (passive opens)",
  MPCapableSYNTX: "MP_CAPABLE SYNs sent (active opens)",
  MPCapableSYNACKRX: "MP_CAPABLE SYN/ACKs received",
  MPCapableACKRX: "MP_CAPABLE third ACKs received",
  MPCapableFallbackACK: "server-side fallbacks during the 3-way handshake",
  MPCapableFallbackSYNACK: "client-side fallbacks during the 3-way handshake",
  MPCapableSYNTXDrop: "client-side fallbacks because MP_CAPABLE SYNs were dropped",
  MPCapableSYNTXDisabled: "client-side MP_CAPABLE disabled because of past drops (blackhole)",
  MPCapableEndpAttempt: "MP_CAPABLE SYNs to a port-based endpoint (prohibited)",
  MPFallbackTokenInit: "fallbacks because no token could be allocated",
  MPTCPRetrans: "segments retransmitted at the MPTCP level (reinjections)",
  MPJoinNoTokenFound: "MP_JOIN SYNs with an unknown token",
  MPJoinSynRx: "MP_JOIN SYNs received",
  MPJoinSynBackupRx: "MP_JOIN SYNs received with the backup flag",
  MPJoinSynAckRx: "MP_JOIN SYN/ACKs received",
  MPJoinSynAckBackupRx: "MP_JOIN SYN/ACKs received with the backup flag",
  MPJoinSynAckHMacFailure: "MP_JOIN SYN/ACKs with a wrong HMAC",
  MPJoinAckRx: "MP_JOIN third ACKs received",
  MPJoinAckHMacFailure: "MP_JOIN third ACKs with a wrong HMAC",
  MPJoinRejected: "MP_JOINs refused by the path manager (limits, flag C)",
  MPJoinSynTx: "MP_JOIN SYNs sent",
  MPJoinSynTxCreatSkErr: "MP_JOIN subflow creation errors",
  MPJoinSynTxBindErr: "MP_JOIN subflow bind errors",
  MPJoinSynTxConnectErr: "MP_JOIN subflow connect errors",
  DSSNotMatching: "mappings that contradict the mapping in force",
  DSSCorruptionFallback: "DSS corruption detected: fallback to TCP",
  DSSCorruptionReset: "DSS corruption detected: joined subflow reset",
  InfiniteMapTx: "infinite mappings sent",
  InfiniteMapRx: "infinite mappings received",
  DSSNoMatchTCP: "mappings that do not match the TCP sequence numbers of their segment",
  DataCsumErr: "DSS checksum failures",
  OFOQueueTail: "segments put at the tail of the data-level out-of-order queue",
  OFOQueue: "segments put in the data-level out-of-order queue",
  OFOMerge: "segments merged in the data-level out-of-order queue",
  NoDSSInWindow: "segments outside the data-level receive window",
  DuplicateData: "segments discarded as duplicates at the data level",
  AddAddr: "ADD_ADDR received (E=0)",
  AddAddrTx: "ADD_ADDR sent (E=0)",
  AddAddrTxDrop: "ADD_ADDR not sent for lack of resources",
  EchoAdd: "ADD_ADDR echoes received (E=1)",
  EchoAddTx: "ADD_ADDR echoes sent (E=1)",
  EchoAddTxDrop: "ADD_ADDR echoes not sent for lack of resources",
  PortAdd: "ADD_ADDR received with a port",
  AddAddrDrop: "incoming ADD_ADDR dropped (bad HMAC, limits)",
  MPJoinPortSynRx: "MP_JOIN SYNs received on a different port",
  MPJoinPortSynAckRx: "MP_JOIN SYN/ACKs received from a different port",
  MPJoinPortAckRx: "MP_JOIN third ACKs received on a different port",
  MismatchPortSynRx: "MP_JOIN SYNs with a mismatched port",
  MismatchPortAckRx: "MP_JOIN third ACKs with a mismatched port",
  RmAddr: "REMOVE_ADDR received",
  RmAddrDrop: "incoming REMOVE_ADDR dropped",
  RmAddrTx: "REMOVE_ADDR sent",
  RmAddrTxDrop: "REMOVE_ADDR not sent for lack of resources",
  RmSubflow: "subflows removed",
  MPPrioTx: "MP_PRIO sent",
  MPPrioRx: "MP_PRIO received",
  MPFailTx: "MP_FAIL sent",
  MPFailRx: "MP_FAIL received",
  MPFastcloseTx: "MP_FASTCLOSE sent",
  MPFastcloseRx: "MP_FASTCLOSE received",
  MPRstTx: "MP_TCPRST sent",
  MPRstRx: "MP_TCPRST received",
  SubflowStale: "subflows marked stale",
  SubflowRecover: "stale subflows back to active",
  SndWndShared: "subflow send windows overridden by the connection's",
  RcvWndShared: "subflow receive windows overridden by the connection's",
  RcvWndConflictUpdate: "subflow receive windows overridden after a conflict with another subflow",
  RcvWndConflict: "conflicts while updating the connection's receive window",
  MPCurrEstab: "connections established now (a gauge)",
  Blackhole: "MPTCP blackholes detected",
  MPCapableDataFallback: "fallbacks: no DSS or MP_CAPABLE with data on the first established packet",
  MD5SigFallback: "fallbacks because of a conflicting TCP option (MD5 signatures)",
  DssFallback: "fallbacks because of a bad or missing DSS",
  SimultConnectFallback: "fallbacks after a simultaneous connect",
  FallbackFailed: "fallbacks impossible in the connection's state",
  WinProbe: "MPTCP-level zero-window probes sent",
} as const;

export type MptcpCounterName = keyof typeof MPTCP_MIB;

/** The counters in the kernel's order. */
export const MPTCP_COUNTER_NAMES = Object.keys(MPTCP_MIB) as MptcpCounterName[];

/** One value per counter. */
export type MptcpCounters = Record<MptcpCounterName, number>;

/** All counters at zero. */
export function newMptcpCounters(): MptcpCounters {
  const c = {} as MptcpCounters;
  for (const name of MPTCP_COUNTER_NAMES) c[name] = 0;
  return c;
}

/** Adds `by` (1 by default) to counter `name`. */
export function bump(counters: MptcpCounters, name: MptcpCounterName, by = 1): void {
  counters[name] += by;
}

/** The counters that are not zero, in the kernel's order (for reports and test assertions). */
export function nonZeroCounters(counters: MptcpCounters): Partial<MptcpCounters> {
  const out: Partial<MptcpCounters> = {};
  for (const name of MPTCP_COUNTER_NAMES) if (counters[name] !== 0) out[name] = counters[name];
  return out;
}

/** The non-zero counters as `nstat` prints them: `MPTcpExt<Name>  <value>` per line. */
export function formatNstat(counters: MptcpCounters): string {
  return MPTCP_COUNTER_NAMES.filter((n) => counters[n] !== 0)
    .map((n) => `MPTcpExt${n} ${counters[n]}`)
    .join("\n");
}

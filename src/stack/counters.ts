/**
 * Per-Host counters: every datagram the Host drops says why (like `nstat`'s TcpExt and IpExt),
 * so a test or a report can tell a bad checksum from a full SYN queue.
 */
export interface HostCounters {
  /** Datagrams handed to `receive`, and their bytes. */
  ipIn: number;
  ipInBytes: number;
  /** Datagrams returned by `pollTransmit`, and their bytes. */
  ipOut: number;
  ipOutBytes: number;
  /** The IP header did not parse (truncated, bad length, unsupported version, bad extension chain). */
  dropIpMalformed: number;
  /** The IPv4 header checksum was wrong. */
  dropIpChecksum: number;
  /** An IP fragment: TCP relies on path MTU discovery (RFC 1191/8201) and we never reassemble. */
  dropFragment: number;
  /** Not addressed to any of our addresses. */
  dropNotLocal: number;
  /** Not TCP. */
  dropNotTcp: number;
  /** The TCP header did not parse. */
  dropTcpMalformed: number;
  /** The TCP checksum was wrong (RFC 9293 §3.1: "discard"). */
  dropTcpChecksum: number;
  /** Segments delivered to a connection or a listener. */
  tcpIn: number;
  /** Segments sent by connections. */
  tcpOut: number;
  /** RSTs the Host sent for segments that matched nothing (RFC 9293 §3.10.7.1). */
  rstSent: number;
  /** Segments for nothing that were themselves RSTs: dropped, never answered. */
  dropRstForNothing: number;
  /** Segments for a listener that were neither a SYN nor answerable with a RST. */
  dropListen: number;
  /** SYNs dropped because the listener's SYN queue (SYN-RECEIVED connections) was full. */
  dropSynQueueFull: number;
  /** SYNs dropped because the listener's accept queue (backlog) was full. */
  dropBacklogFull: number;
  /**
   * Handshake-completing ACKs dropped because the accept queue filled meanwhile (Linux's
   * ListenOverflows): the connection stays in SYN-RECEIVED and the peer retransmits.
   */
  dropAcceptOverflow: number;
  /** Connections opened by `connect`, accepted by listeners, and removed once CLOSED. */
  activeOpens: number;
  passiveOpens: number;
  connectionsClosed: number;
}

export function newHostCounters(): HostCounters {
  return {
    ipIn: 0, ipInBytes: 0, ipOut: 0, ipOutBytes: 0,
    dropIpMalformed: 0, dropIpChecksum: 0, dropFragment: 0, dropNotLocal: 0, dropNotTcp: 0,
    dropTcpMalformed: 0, dropTcpChecksum: 0,
    tcpIn: 0, tcpOut: 0, rstSent: 0, dropRstForNothing: 0, dropListen: 0,
    dropSynQueueFull: 0, dropBacklogFull: 0, dropAcceptOverflow: 0,
    activeOpens: 0, passiveOpens: 0, connectionsClosed: 0,
  };
}

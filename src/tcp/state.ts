/** The eleven connection states of RFC 9293 §3.3.2. */
export type TcpState =
  | "CLOSED"
  | "LISTEN"
  | "SYN-SENT"
  | "SYN-RECEIVED"
  | "ESTABLISHED"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSE-WAIT"
  | "CLOSING"
  | "LAST-ACK"
  | "TIME-WAIT";

/** States in which both ISNs are known (RFC 9293 §3.10.7.4 "otherwise" branch). */
export function isSynchronized(s: TcpState): boolean {
  return s !== "CLOSED" && s !== "LISTEN" && s !== "SYN-SENT" && s !== "SYN-RECEIVED";
}

/** States in which we may still send data (our FIN not yet queued). */
export function canSendData(s: TcpState): boolean {
  return s === "ESTABLISHED" || s === "CLOSE-WAIT";
}

/** States in which unacknowledged data or our FIN may still need (re)transmitting. */
export function canTransmit(s: TcpState): boolean {
  switch (s) {
    case "ESTABLISHED":
    case "CLOSE-WAIT":
    case "FIN-WAIT-1":
    case "CLOSING":
    case "LAST-ACK":
      return true;
    default:
      return false;
  }
}

/** States in which data from the peer is accepted (RFC 9293 §3.10.7.4 seventh step). */
export function canReceiveData(s: TcpState): boolean {
  return s === "ESTABLISHED" || s === "FIN-WAIT-1" || s === "FIN-WAIT-2";
}

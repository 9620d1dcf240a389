/**
 * The reset a closed port sends (RFC 9293 §3.10.7.1, "If the state is CLOSED"): the Host uses it
 * for segments that match no connection and no listener.
 */
import type { TcpRepr } from "../wire/tcp-types.js";
import { TCP_FLAG } from "../wire/tcp-types.js";
import { seqAdd } from "./seq.js";

/** The RST answering `seg`, or undefined when `seg` is itself a RST (never answer a reset). */
export function resetFor(seg: TcpRepr): TcpRepr | undefined {
  if (seg.flags & TCP_FLAG.RST) return undefined;
  const base = {
    srcPort: seg.dstPort,
    dstPort: seg.srcPort,
    window: 0,
    checksum: 0,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
  };
  // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
  if ((seg.flags & TCP_FLAG.ACK) === 0) {
    const len = seg.payload.length + (seg.flags & TCP_FLAG.SYN ? 1 : 0) + (seg.flags & TCP_FLAG.FIN ? 1 : 0);
    return { ...base, seq: 0, ack: seqAdd(seg.seq, len), flags: TCP_FLAG.RST | TCP_FLAG.ACK };
  }
  // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
  return { ...base, seq: seg.ack, ack: 0, flags: TCP_FLAG.RST };
}

/**
 * One captured frame reduced to what the analyzer needs: the TCP segment's addresses, ports,
 * sequence numbers, flags, payload length, timestamps option and MPTCP options.
 *
 * Captures cut short by a snap length are common (tcpdump -s 96): then the payload length comes
 * from the IP header and only the captured part of the payload is kept (`payload.length` is less
 * than `payloadLen`), which is enough for everything but the DSS checksum.
 */
import type { IpAddress } from "../wire/address.js";
import { isParseError } from "../wire/error.js";
import { decodeLinkLayer, tcpOfIp, type CapturedPacket } from "../wire/pcap/index.js";
import { TcpPacket } from "../wire/tcp.js";
import { parseTcpOptions } from "../wire/tcp-options.js";
import type { MptcpOption } from "../wire/mptcp/types.js";

export interface Segment {
  /** 1-based frame number within its capture. */
  frame: number;
  /** Index of the capture (0 or 1). */
  capture: number;
  /** Seconds since the Unix epoch (a double, about 0.2 µs resolution). */
  t: number;
  src: IpAddress;
  dst: IpAddress;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** Flag bits per TCP_FLAG. */
  flags: number;
  window: number;
  /** Payload length on the wire. */
  payloadLen: number;
  /** The captured part of the payload. */
  payload: Uint8Array;
  tsVal?: number;
  tsEcr?: number;
  /** Right edge of the first SACK block: the latest data the receiver holds beyond a hole (RFC 2018 §4). */
  sackRight?: number;
  mptcp: MptcpOption[];
  /** MPTCP options (kind 30) that did not decode. */
  mptcpMalformed: number;
}

/** Decodes a captured frame; undefined for anything that is not a decodable TCP segment. */
export function decodeSegment(pkt: CapturedPacket, frame: number, capture: number): Segment | undefined {
  const ip = decodeLinkLayer(pkt.linkType, pkt.data);
  if (ip === null || isParseError(ip)) return undefined;
  const l3 = tcpOfIp(ip, pkt.data.length < pkt.origLen);
  if (l3 === undefined || isParseError(l3)) return undefined;
  const tcp = TcpPacket.check(l3.tcp);
  if (isParseError(tcp)) return undefined;
  const headerLen = tcp.headerLength;
  const seg: Segment = {
    frame,
    capture,
    t: pkt.time,
    src: l3.src,
    dst: l3.dst,
    sport: tcp.srcPort,
    dport: tcp.dstPort,
    seq: tcp.seq,
    ack: tcp.ack,
    flags: tcp.flags,
    window: tcp.window,
    payloadLen: Math.max(0, l3.wireLen - headerLen),
    payload: tcp.payload,
    mptcp: [],
    mptcpMalformed: 0,
  };
  if (headerLen > 20) {
    for (const opt of parseTcpOptions(tcp.optionArea)) {
      if (opt.kind === "mptcp") seg.mptcp.push(opt.option);
      else if (opt.kind === "timestamps") {
        seg.tsVal = opt.tsVal;
        seg.tsEcr = opt.tsEcr;
      } else if (opt.kind === "sack" && opt.blocks.length > 0) seg.sackRight = opt.blocks[0]![1];
      else if (opt.kind === "malformed" && opt.type === 30) seg.mptcpMalformed++;
    }
  }
  return seg;
}

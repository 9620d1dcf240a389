/**
 * Decoding of one captured frame into the record `mptcp dump` prints: addresses, ports, flags,
 * sequence numbers, payload length, every TCP option, and the MPTCP options with all their fields.
 */
import { formatAddress } from "../wire/address.js";
import { isParseError, type ParseError } from "../wire/error.js";
import { tcpOfIp, type CapturedTcp } from "../wire/pcap/captured-tcp.js";
import { parseTcp } from "../wire/tcp.js";
import { TCP_FLAG, type TcpOption, type TcpRepr } from "../wire/tcp-types.js";
import { toHex } from "../wire/bytes.js";
import { malformedMptcpJson, mptcpOptionJson, type JsonObject } from "./mptcp-json.js";

/** Flag letters in the order `mptcp dump` prints them. */
const FLAG_LETTERS: Array<[string, number]> = [
  ["S", TCP_FLAG.SYN],
  ["A", TCP_FLAG.ACK],
  ["F", TCP_FLAG.FIN],
  ["R", TCP_FLAG.RST],
  ["P", TCP_FLAG.PSH],
  ["U", TCP_FLAG.URG],
  ["E", TCP_FLAG.ECE],
  ["C", TCP_FLAG.CWR],
];

export function flagString(flags: number): string {
  let s = "";
  for (const [letter, bit] of FLAG_LETTERS) if (flags & bit) s += letter;
  return s;
}

export interface SegmentRecord extends JsonObject {
  t: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: string;
  seq: number;
  ack: number;
  win: number;
  /**
   * Payload bytes on the wire (from the IP header when the frame was snapped). A snapped frame's
   * record also has `captured`, the payload bytes the capture kept, fewer than `len`.
   */
  len: number;
  options: JsonObject[];
  mptcp: JsonObject[];
}

/** A frame that holds IP but not a decodable TCP segment header. */
export interface UndecodableRecord extends JsonObject {
  t: number;
  src: string;
  dst: string;
  error: string;
}

function tcpOptionJson(opt: TcpOption): JsonObject {
  switch (opt.kind) {
    case "eol":
      return opt.trailing ? { kind: "eol", trailing: toHex(opt.trailing) } : { kind: "eol" };
    case "nop":
    case "sack-permitted":
      return { kind: opt.kind };
    case "mss":
      return { kind: opt.kind, mss: opt.mss };
    case "wscale":
      return { kind: opt.kind, shift: opt.shift };
    case "sack":
      return { kind: opt.kind, blocks: opt.blocks.map(([l, r]) => [l, r]) };
    case "timestamps":
      return { kind: opt.kind, tsVal: opt.tsVal, tsEcr: opt.tsEcr };
    case "mptcp":
      return { kind: "mptcp", subtype: mptcpOptionJson(opt.option).subtype! };
    case "unknown":
      return { kind: "unknown", type: opt.type, data: toHex(opt.data) };
    case "malformed":
      return { kind: "malformed", type: opt.type, bytes: toHex(opt.bytes), error: opt.error.toString() };
  }
}

/** The MPTCP options of a segment, malformed ones included. */
export function mptcpOptionsJson(options: TcpOption[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const opt of options) {
    if (opt.kind === "mptcp") out.push(mptcpOptionJson(opt.option));
    else if (opt.kind === "malformed" && opt.type === 30) out.push(malformedMptcpJson(opt.bytes, opt.error));
  }
  return out;
}

/**
 * The record of `tcp`, whose payload is what was captured; `len` is the payload length on the
 * wire, longer than the captured payload when the capture's snap length cut the frame.
 */
export function segmentRecord(t: number, src: Uint8Array, dst: Uint8Array, tcp: TcpRepr, len = tcp.payload.length): SegmentRecord {
  return {
    t,
    src: formatAddress(src),
    dst: formatAddress(dst),
    sport: tcp.srcPort,
    dport: tcp.dstPort,
    flags: flagString(tcp.flags),
    seq: tcp.seq,
    ack: tcp.ack,
    win: tcp.window,
    len,
    ...(tcp.payload.length < len ? { captured: tcp.payload.length } : {}),
    options: tcp.options.map(tcpOptionJson),
    mptcp: mptcpOptionsJson(tcp.options),
  };
}

function undecodable(t: number, l3: CapturedTcp, error: ParseError, prefix = ""): UndecodableRecord {
  return { t, src: formatAddress(l3.src), dst: formatAddress(l3.dst), error: prefix + error.toString() };
}

/**
 * Decodes an IP packet. Returns undefined for what `dump` does not show (not TCP, or a fragment
 * after the first), a record for a TCP segment, an undecodable record (with its error) for a TCP
 * packet whose TCP header does not parse or that is cut short, and a ParseError when the IP
 * header does not parse.
 *
 * `snapped`: the capture kept fewer bytes of the frame than were on the wire. The segment is then
 * shown when its header and options were captured, with its length on the wire; a header cut by
 * the snap length is undecodable, and says so.
 */
export function decodeIpPacket(t: number, ip: Uint8Array, snapped = false): SegmentRecord | UndecodableRecord | ParseError | undefined {
  const l3 = tcpOfIp(ip, snapped);
  if (isParseError(l3)) {
    // An IP length that points past a frame the capture did not snap: the packet was cut some
    // other way. Still a TCP packet, so it is shown, with the IP layer's reason.
    const cut = snapped ? undefined : tcpOfIp(ip, true);
    return cut === undefined || isParseError(cut) ? l3 : undecodable(t, cut, l3);
  }
  if (l3 === undefined) return undefined;
  const tcp = parseTcp(l3.tcp);
  if (isParseError(tcp)) return undecodable(t, l3, tcp, snapped && l3.tcp.length < l3.wireLen ? "snapped frame: " : "");
  return segmentRecord(t, l3.src, l3.dst, tcp, Math.max(0, l3.wireLen - (l3.tcp.length - tcp.payload.length)));
}

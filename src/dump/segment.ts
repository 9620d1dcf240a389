/**
 * Decoding of one captured frame into the record `mptcp dump` prints: addresses, ports, flags,
 * sequence numbers, payload length, every TCP option, and the MPTCP options with all their fields.
 */
import { formatAddress } from "../wire/address.js";
import { isParseError, type ParseError } from "../wire/error.js";
import { IPPROTO_TCP, parseIpPacket, type IpRepr } from "../wire/ip.js";
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

export function segmentRecord(t: number, src: Uint8Array, dst: Uint8Array, tcp: TcpRepr): SegmentRecord {
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
    len: tcp.payload.length,
    options: tcp.options.map(tcpOptionJson),
    mptcp: mptcpOptionsJson(tcp.options),
  };
}

/** A fragment that does not start at offset 0 holds no TCP header. */
function nonFirstFragment(pkt: IpRepr): boolean {
  if (!pkt.isFragment) return false;
  return pkt.version === 4 ? (pkt.fragmentOffset ?? 0) !== 0 : (pkt.fragment?.offset ?? 0) !== 0;
}

/**
 * Decodes an IP packet. Returns undefined for what `dump` does not show (not TCP, or a fragment
 * after the first), a record for a TCP segment, and an undecodable record (with its error) for a
 * TCP packet whose header does not parse.
 */
export function decodeIpPacket(t: number, ip: Uint8Array): SegmentRecord | UndecodableRecord | ParseError | undefined {
  const pkt = parseIpPacket(ip);
  if (isParseError(pkt)) return pkt;
  if (pkt.protocol !== IPPROTO_TCP || nonFirstFragment(pkt)) return undefined;
  const tcp = parseTcp(pkt.payload);
  if (isParseError(tcp)) return { t, src: formatAddress(pkt.src), dst: formatAddress(pkt.dst), error: tcp.toString() };
  return segmentRecord(t, pkt.src, pkt.dst, tcp);
}

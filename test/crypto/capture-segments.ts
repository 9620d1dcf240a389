/**
 * Test helper: the TCP segments of a capture file with their MPTCP options, decoded by the
 * project's own readers (io/capture-file, wire/pcap link layer, wire/ip, wire/tcp).
 */
import { readCapture } from "../../src/io/capture-file.js";
import { decodeLinkLayer } from "../../src/wire/pcap/link-layer.js";
import { IPPROTO_TCP, parseIpPacket } from "../../src/wire/ip.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { formatAddress } from "../../src/wire/address.js";
import { isParseError } from "../../src/wire/error.js";
import type { IpAddress } from "../../src/wire/address.js";
import type { MptcpOption } from "../../src/wire/mptcp/types.js";

export interface Segment {
  /** 1-based packet number in the file, as tshark and Wireshark count. */
  packet: number;
  /** "address.port" of the sender and of the receiver. */
  src: string;
  dst: string;
  srcAddr: IpAddress;
  dstAddr: IpAddress;
  /** TCP flag bits (`TCP_FLAG`). */
  flags: number;
  payloadLength: number;
  mptcp: MptcpOption[];
}

export interface CaptureSegments {
  segments: Segment[];
  /** MPTCP options the option parser rejected, as "packet N: error". */
  malformedMptcp: string[];
  /** Packets whose link, IP or TCP header did not parse, as "packet N: error". */
  undecodable: string[];
}

export async function readSegments(path: string): Promise<CaptureSegments> {
  const segments: Segment[] = [];
  const malformedMptcp: string[] = [];
  const undecodable: string[] = [];
  let packet = 0;
  for await (const p of readCapture(path)) {
    packet++;
    const ipBytes = decodeLinkLayer(p.linkType, p.data);
    if (ipBytes === null) continue;
    if (isParseError(ipBytes)) {
      undecodable.push(`packet ${packet}: ${ipBytes.toString()}`);
      continue;
    }
    const ip = parseIpPacket(ipBytes);
    if (isParseError(ip)) {
      undecodable.push(`packet ${packet}: ${ip.toString()}`);
      continue;
    }
    if (ip.protocol !== IPPROTO_TCP || ip.isFragment) continue;
    const tcp = parseTcp(ip.payload);
    if (isParseError(tcp)) {
      undecodable.push(`packet ${packet}: ${tcp.toString()}`);
      continue;
    }
    const mptcp: MptcpOption[] = [];
    for (const o of tcp.options) {
      if (o.kind === "mptcp") mptcp.push(o.option);
      else if (o.kind === "malformed" && o.type === 30) malformedMptcp.push(`packet ${packet}: ${o.error.toString()}`);
    }
    segments.push({
      packet,
      src: `${formatAddress(ip.src)}.${tcp.srcPort}`,
      dst: `${formatAddress(ip.dst)}.${tcp.dstPort}`,
      srcAddr: ip.src,
      dstAddr: ip.dst,
      flags: tcp.flags,
      payloadLength: tcp.payload.length,
      mptcp,
    });
  }
  return { segments, malformedMptcp, undecodable };
}

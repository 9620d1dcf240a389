/**
 * Counting, in captured IP datagrams, the data segments a sender sent and how many of them
 * declare a DSS mapping (RFC 8684 §3.3.1): a DSS with a DSN, or the MP_CAPABLE that carries the
 * client's first data (§3.1). For the tests of the DSS once per mapping and of mapping ahead.
 */
import assert from "node:assert/strict";
import { parseIpPacket } from "../../src/wire/ip.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { isParseError } from "../../src/wire/error.js";
import type { TcpRepr } from "../../src/wire/tcp-types.js";

/** Whether a segment's options declare a mapping. */
export function declaresMapping(seg: TcpRepr): boolean {
  return seg.options.some((o) => o.kind === "mptcp" && (o.option.subtype === "MP_CAPABLE" || (o.option.subtype === "DSS" && o.option.dsn !== undefined)));
}

/** Tallies the data segments of the datagrams `add` is given that `mine` selects. */
export class MappingCount {
  data = 0;
  declaring = 0;
  /** The payload length of each data segment counted, in order. */
  readonly payloads: number[] = [];

  constructor(private readonly mine: (seg: TcpRepr) => boolean) {}

  add(packet: Uint8Array): void {
    const ip = parseIpPacket(packet);
    assert.ok(!isParseError(ip));
    const seg = parseTcp(ip.payload);
    assert.ok(!isParseError(seg));
    if (seg.payload.length === 0 || !this.mine(seg)) return;
    this.data++;
    this.payloads.push(seg.payload.length);
    if (declaresMapping(seg)) this.declaring++;
  }
}

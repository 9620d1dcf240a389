/**
 * A box that silently drops SYNs carrying MPTCP options, as some firewalls do with SYNs bearing
 * unknown options. RFC 8684 §3.1 lets the initiator retry without MP_CAPABLE after SYNs go
 * unanswered (Linux: after `syn_retrans_before_tcp_fallback` = 2 lost MPTCP SYNs, remembered for
 * `blackhole_timeout`), and plain SYNs cross this box. With `limit` it drops only the first N,
 * a blackhole that goes away.
 */
import { TCP_FLAG } from "../../wire/tcp-types.js";
import { MPTCP_SUBTYPE } from "../../wire/mptcp/types.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { mptcpSubtypes } from "./options.js";
import { TcpDatagram } from "./segment.js";

export interface DropMptcpSynConfig {
  /** Which MPTCP SYNs: MP_CAPABLE, MP_JOIN, or either (default). */
  match?: "any" | "mp-capable" | "mp-join";
  /** Also drop SYN/ACKs that carry them. Default false (SYNs only). */
  synAck?: boolean;
  /** Drop at most this many, then let them all through. Default: no limit. */
  limit?: number;
  /** Default `both`. */
  directions?: Directions;
}

export function readDropMptcpSynConfig(r: ConfigReader): DropMptcpSynConfig & Required<Omit<DropMptcpSynConfig, "limit">> {
  const limit = r.int("limit", 0, Number.MAX_SAFE_INTEGER);
  const config = {
    match: r.oneOf("match", ["any", "mp-capable", "mp-join"], "any"),
    synAck: r.bool("synAck", false),
    directions: r.directions(),
  };
  return limit === undefined ? config : { ...config, limit };
}

export class DropMptcpSyn implements Middlebox {
  readonly kind = "mbox-drop-mptcp-syn";
  readonly counters: MiddleboxCounters = newCounters();
  private readonly config: ReturnType<typeof readDropMptcpSynConfig>;

  constructor(config: DropMptcpSynConfig = {}) {
    this.config = readConfig(config, readDropMptcpSynConfig);
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const { limit } = this.config;
    if ((limit === undefined || this.counters.dropped < limit) && this.matches(packet, dir)) {
      this.counters.dropped++;
      return;
    }
    emit(packet, dir);
  }

  private matches(packet: Uint8Array, dir: Direction): boolean {
    if (!actsOn(this.config.directions, dir)) return false;
    const seg = TcpDatagram.parse(packet);
    if (seg === undefined || (seg.flags & TCP_FLAG.SYN) === 0) return false;
    if ((seg.flags & TCP_FLAG.ACK) !== 0 && !this.config.synAck) return false;
    const { match } = this.config;
    return mptcpSubtypes(seg.optionArea).some(
      (t) =>
        (t === MPTCP_SUBTYPE.MP_CAPABLE && match !== "mp-join") ||
        (t === MPTCP_SUBTYPE.MP_JOIN && match !== "mp-capable"),
    );
  }
}

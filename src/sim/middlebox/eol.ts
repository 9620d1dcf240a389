/**
 * The box RFC 8041 §3.1 reports from measurements: it lets the SYN and SYN/ACK (and their MPTCP
 * options) through untouched, so both ends believe MPTCP was negotiated, then overwrites every
 * MPTCP option of every later segment with zeros (End of Option List), which also hides any
 * option that follows it in the same header. The header length is unchanged. RFC 8684 §3.7 is
 * what saves the connection: the third ACK or the first data arrives without MPTCP options, and
 * the initial subflow falls back to TCP.
 */
import { TCP_FLAG, TCPOPT } from "../../wire/tcp-types.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { optionSpans } from "./options.js";
import { TcpDatagram } from "./segment.js";

export interface EolAfterSynConfig {
  /** Default `both`. */
  directions?: Directions;
  /** Default true. */
  fixTcpChecksum?: boolean;
}

export function readEolAfterSynConfig(r: ConfigReader): Required<EolAfterSynConfig> {
  return { directions: r.directions(), fixTcpChecksum: r.bool("fixTcpChecksum", true) };
}

export class EolAfterSyn implements Middlebox {
  readonly kind = "mbox-eol-after-syn";
  readonly counters: MiddleboxCounters = newCounters();
  private readonly config: Required<EolAfterSynConfig>;

  constructor(config: EolAfterSynConfig = {}) {
    this.config = readConfig(config, readEolAfterSynConfig);
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const seg = actsOn(this.config.directions, dir) ? TcpDatagram.parse(packet) : undefined;
    if (seg === undefined || (seg.flags & TCP_FLAG.SYN) !== 0) return emit(packet, dir);
    const mptcp = optionSpans(seg.optionArea).filter((s) => s.kind === TCPOPT.MPTCP);
    if (mptcp.length === 0) return emit(packet, dir);
    const out = seg.copy();
    for (const s of mptcp) out.bytes.fill(TCPOPT.EOL, out.optionsStart + s.start, out.optionsStart + s.end);
    this.counters.modified++;
    emit(out.sealEdited(seg, this.config.fixTcpChecksum), dir);
  }
}

/**
 * Option strippers (RFC 8041 §3.1; RFC 8684 §3.1 and §3.7 on what MPTCP does about them): boxes
 * that do not know kind 30 and remove it — from SYNs only (where unknown options are most often
 * removed), from every segment, or from data segments only. Removed options are overwritten with
 * NOPs, keeping the header length (what most boxes do, since it needs no resizing), or cut out
 * with the header shrunk.
 */
import { TCP_FLAG, TCPOPT } from "../../wire/tcp-types.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { optionSpans } from "./options.js";
import { TcpDatagram } from "./segment.js";

export interface OptionStripperConfig {
  /** Which segments lose their MPTCP options: with SYN set, all, or with payload. Default `all`. */
  segments?: "syn" | "all" | "data";
  /** `nop` (default): overwrite with NOPs; `remove`: cut out and shrink the header. */
  replaceWith?: "nop" | "remove";
  /** Default `both`. */
  directions?: Directions;
  /** Default true; false leaves the old TCP checksum, so receivers drop the segment. */
  fixTcpChecksum?: boolean;
}

export function readOptionStripperConfig(r: ConfigReader, segments: "syn" | "all" | "data" = "all"): Required<OptionStripperConfig> {
  return {
    segments: r.oneOf("segments", ["syn", "all", "data"], segments),
    replaceWith: r.oneOf("replaceWith", ["nop", "remove"], "nop"),
    directions: r.directions(),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
  };
}

export class OptionStripper implements Middlebox {
  readonly counters: MiddleboxCounters = newCounters();
  private readonly config: Required<OptionStripperConfig>;

  constructor(config: OptionStripperConfig = {}, readonly kind = `mbox-strip-${config.segments ?? "all"}`) {
    this.config = readConfig(config, readOptionStripperConfig);
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const out = actsOn(this.config.directions, dir) ? this.strip(packet) : undefined;
    if (out === undefined) return emit(packet, dir);
    this.counters.modified++;
    emit(out, dir);
  }

  /** The rewritten datagram, or undefined if this one is left alone. */
  private strip(packet: Uint8Array): Uint8Array | undefined {
    const seg = TcpDatagram.parse(packet);
    if (seg === undefined) return undefined;
    const { segments } = this.config;
    if (segments === "syn" && (seg.flags & TCP_FLAG.SYN) === 0) return undefined;
    if (segments === "data" && seg.payloadLength === 0) return undefined;
    const area = seg.optionArea;
    const mptcp = optionSpans(area).filter((s) => s.kind === TCPOPT.MPTCP);
    if (mptcp.length === 0) return undefined;
    if (this.config.replaceWith === "nop") {
      const out = seg.copy();
      for (const s of mptcp) out.bytes.fill(TCPOPT.NOP, out.optionsStart + s.start, out.optionsStart + s.end);
      return out.sealEdited(seg, this.config.fixTcpChecksum);
    }
    // Cut the options out; what follows them (other options, an EOL and its padding) moves up.
    if (!seg.checksumValid()) return undefined;
    const kept: number[] = [];
    let from = 0;
    for (const s of mptcp) {
      for (let i = from; i < s.start; i++) kept.push(area[i]!);
      from = s.end;
    }
    for (let i = from; i < area.length; i++) kept.push(area[i]!);
    const rebuilt = seg.rebuild(trimPadding(Uint8Array.from(kept)), seg.payload)!;
    return rebuilt.seal(this.config.fixTcpChecksum);
  }
}

/**
 * Drops trailing zero bytes beyond what the remaining options need, so the header shrinks to the
 * smallest 4-byte multiple that holds them (rebuild pads again).
 */
function trimPadding(area: Uint8Array): Uint8Array {
  const spans = optionSpans(area);
  const used = spans.length === 0 ? 0 : spans[spans.length - 1]!.end;
  let end = area.length;
  while (end > used && area[end - 1] === 0) end--;
  return area.subarray(0, end);
}


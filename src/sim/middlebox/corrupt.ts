/**
 * A payload corrupter that repairs the TCP checksum afterwards, so that TCP accepts the damaged
 * segment and only the DSS checksum (RFC 8684 §3.3.1) can catch it; what follows is MP_FAIL and
 * the infinite mapping, or an RST with MP_FAIL when other subflows remain (§3.7). The kernel's
 * selftests (mptcp_join.sh "fail") do the same with `tc action pedit` rewriting payload bytes and
 * `csum tcp` fixing the checksum. With `fixTcpChecksum: false` it is ordinary corruption instead,
 * which TCP's checksum catches and turns into loss.
 */
import type { Rng } from "../../util/rng.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { TcpDatagram } from "./segment.js";

export interface PayloadCorrupterConfig {
  /** Probability that a data segment is corrupted. Default 1. */
  probability?: number;
  /** Corrupt at most this many segments. Default: no limit. */
  limit?: number;
  /** Default `both`. */
  directions?: Directions;
  /** Default true: repair the TCP checksum, so only the DSS checksum can tell. */
  fixTcpChecksum?: boolean;
}

export function readPayloadCorrupterConfig(r: ConfigReader): PayloadCorrupterConfig & Required<Omit<PayloadCorrupterConfig, "limit">> {
  const limit = r.int("limit", 0, Number.MAX_SAFE_INTEGER);
  const config = {
    probability: r.probability("probability", 1),
    directions: r.directions(),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
  };
  return limit === undefined ? config : { ...config, limit };
}

export class PayloadCorrupter implements Middlebox {
  readonly kind = "mbox-corrupt-payload";
  readonly counters: MiddleboxCounters = newCounters();
  private readonly config: ReturnType<typeof readPayloadCorrupterConfig>;

  /**
   * `rng` draws, per data segment, whether to corrupt it (one draw), then which byte (one draw)
   * and the non-zero XOR mask (one draw).
   */
  constructor(config: PayloadCorrupterConfig = {}, private readonly rng: Rng) {
    this.config = readConfig(config, readPayloadCorrupterConfig);
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const { limit } = this.config;
    const seg =
      actsOn(this.config.directions, dir) && (limit === undefined || this.counters.modified < limit)
        ? TcpDatagram.parse(packet)
        : undefined;
    if (seg === undefined || seg.payloadLength === 0 || !this.rng.chance(this.config.probability)) return emit(packet, dir);
    const out = seg.copy();
    const at = out.optionsEnd + this.rng.nextBelow(seg.payloadLength);
    out.bytes[at] = out.bytes[at]! ^ (1 + this.rng.nextBelow(255));
    this.counters.modified++;
    emit(out.sealEdited(seg, this.config.fixTcpChecksum, at), dir);
  }
}

/**
 * Segment splitting as TCP segmentation offload does it (RFC 8684 §3.3.1 and RFC 8041 §3.1 count
 * it among the middleboxes MPTCP must survive): a data segment larger than the box's limit is cut
 * into pieces, each with a copy of the whole TCP header and all its options. A DSS mapping is
 * therefore repeated on every piece although each carries only part of the mapped data; the
 * receiver must accept repeated identical mappings. Sequence numbers advance by the bytes before
 * each piece; FIN and PSH stay on the last piece and CWR on the first (as Linux's GSO does), and
 * IPv4 pieces get consecutive Identifications.
 */
import { TCP_FLAG } from "../../wire/tcp-types.js";
import type { Rng } from "../../util/rng.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { TcpDatagram } from "./segment.js";

export interface SplitterConfig {
  /** Cut into pieces of at most this many payload bytes (an MSS). Default: use `pieces`. */
  maxPayload?: number;
  /** Without `maxPayload`: cut into this many nearly equal pieces. Default 2. */
  pieces?: number;
  /** Probability that a data segment is split. Default 1 (always). */
  probability?: number;
  /** Default `both`. */
  directions?: Directions;
  /** Default true. */
  fixTcpChecksum?: boolean;
}

export function readSplitterConfig(r: ConfigReader): SplitterConfig & Required<Omit<SplitterConfig, "maxPayload">> {
  const maxPayload = r.int("maxPayload", 1, 65535);
  const config = {
    pieces: r.int("pieces", 2, 64, 2),
    probability: r.probability("probability", 1),
    directions: r.directions(),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
  };
  return maxPayload === undefined ? config : { ...config, maxPayload };
}

export interface SplitterCounters extends MiddleboxCounters {
  /** Pieces sent in place of the split datagrams. */
  pieces: number;
}

/** Flags that belong on the last piece only, and on the first piece only. */
const LAST_ONLY = TCP_FLAG.FIN | TCP_FLAG.PSH;
const FIRST_ONLY = TCP_FLAG.CWR;

export class Splitter implements Middlebox {
  readonly kind = "mbox-split";
  readonly counters: SplitterCounters = { ...newCounters(), pieces: 0 };
  private readonly config: ReturnType<typeof readSplitterConfig>;

  /** `rng` decides which segments are split when `probability` is below 1 (one draw each). */
  constructor(config: SplitterConfig = {}, private readonly rng?: Rng) {
    this.config = readConfig(config, readSplitterConfig);
    if (this.config.probability < 1 && rng === undefined) throw new RangeError("mbox-split with a probability needs an Rng");
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const seg = actsOn(this.config.directions, dir) ? TcpDatagram.parse(packet) : undefined;
    const sizes = seg === undefined ? undefined : this.pieceSizes(seg);
    if (seg === undefined || sizes === undefined) return emit(packet, dir);
    this.counters.modified++;
    for (const piece of splitSegment(seg, sizes)) {
      this.counters.pieces++;
      emit(piece.seal(this.config.fixTcpChecksum), dir);
    }
  }

  /** The payload length of each piece, or undefined to leave the segment whole. */
  private pieceSizes(seg: TcpDatagram): number[] | undefined {
    const len = seg.payloadLength;
    // TSO never sees SYNs or RSTs with data; leave them (and anything too small) alone.
    if (len < 2 || (seg.flags & (TCP_FLAG.SYN | TCP_FLAG.RST)) !== 0) return undefined;
    const { maxPayload, pieces } = this.config;
    if (maxPayload !== undefined && len <= maxPayload) return undefined;
    if (this.config.probability < 1 && !this.rng!.chance(this.config.probability)) return undefined;
    if (!seg.checksumValid()) return undefined;
    const sizes: number[] = [];
    if (maxPayload !== undefined) {
      for (let left = len; left > 0; left -= maxPayload) sizes.push(Math.min(left, maxPayload));
    } else {
      const n = Math.min(pieces, len);
      for (let i = 0; i < n; i++) sizes.push(Math.floor(len / n) + (i < len % n ? 1 : 0));
    }
    return sizes;
  }
}

/** Cuts `seg` into pieces of the given payload lengths (summing to its payload), not sealed. */
export function splitSegment(seg: TcpDatagram, sizes: readonly number[]): TcpDatagram[] {
  const pieces: TcpDatagram[] = [];
  const payload = seg.payload;
  let off = 0;
  for (let i = 0; i < sizes.length; i++) {
    const piece = seg.rebuild(seg.optionArea, payload.subarray(off, off + sizes[i]!))!;
    piece.seq = seg.seq + off;
    let flags = seg.flags;
    if (i !== sizes.length - 1) flags &= ~LAST_ONLY;
    if (i !== 0) flags &= ~FIRST_ONLY;
    piece.flags = flags;
    piece.ipId = seg.ipId + i;
    pieces.push(piece);
    off += sizes[i]!;
  }
  return pieces;
}

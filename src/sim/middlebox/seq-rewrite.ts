/**
 * Sequence-number rewriting (RFC 8041 §3.1; Honda et al., IMC 2011, found it on a sizeable share
 * of the paths they measured): firewalls that randomise initial sequence numbers add a per-connection
 * offset to the sequence numbers one side sends and subtract it from the acknowledgments (and,
 * if they remember to, the SACK blocks) going the other way. TCP does not notice; MPTCP does not
 * either, because the DSS mapping carries the subflow sequence number relative to the ISN
 * (RFC 8684 §3.3.1). A box that forgets the SACK blocks turns every SACK into nonsense.
 */
import { TCP_FLAG, TCPOPT } from "../../wire/tcp-types.js";
import { readU32, writeU32 } from "../../wire/bytes.js";
import type { Rng } from "../../util/rng.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { optionSpans } from "./options.js";
import { TcpDatagram } from "./segment.js";

export interface SeqRewriterConfig {
  /**
   * Whose sequence numbers are shifted: senders on the forward path, on the reverse path, or both
   * (default; each direction of a connection gets its own offset).
   */
  directions?: Directions;
  /** A fixed offset for every flow instead of a random one (tests, reproducing a capture). */
  offset?: number;
  /** Rewrite SACK blocks in the acknowledging direction too. Default true. */
  rewriteSack?: boolean;
  /** Default true. */
  fixTcpChecksum?: boolean;
}

export function readSeqRewriterConfig(r: ConfigReader): SeqRewriterConfig & Required<Omit<SeqRewriterConfig, "offset">> {
  const offset = r.int("offset", 0, 0xffffffff);
  const config = {
    directions: r.directions(),
    rewriteSack: r.bool("rewriteSack", true),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
  };
  return offset === undefined ? config : { ...config, offset };
}

export interface SeqRewriterCounters extends MiddleboxCounters {
  /** Flow directions with an offset. */
  flows: number;
}

export class SeqRewriter implements Middlebox {
  readonly kind = "mbox-seq-rewrite";
  readonly counters: SeqRewriterCounters = { ...newCounters(), flows: 0 };
  private readonly config: ReturnType<typeof readSeqRewriterConfig>;
  /** Offset added to the sequence numbers of each sender, by flow key (sender > receiver). */
  private readonly offsets = new Map<string, number>();

  /** `rng` draws the offsets (one 32-bit draw per new flow direction, in order of arrival). */
  constructor(config: SeqRewriterConfig = {}, private readonly rng?: Rng) {
    this.config = readConfig(config, readSeqRewriterConfig);
    if (this.config.offset === undefined && rng === undefined) throw new RangeError("mbox-seq-rewrite needs an Rng or a fixed offset");
  }

  /** The offset this box adds to the sequence numbers of flow `key`, if it has one. */
  offsetOf(key: string): number | undefined {
    return this.offsets.get(key);
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const seg = TcpDatagram.parse(packet);
    if (seg === undefined) return emit(packet, dir);
    let own = this.offsets.get(seg.flowKey);
    if (own === undefined && actsOn(this.config.directions, dir)) {
      own = this.newOffset();
      this.offsets.set(seg.flowKey, own);
      this.counters.flows++;
    }
    const peer = (seg.flags & TCP_FLAG.ACK) !== 0 ? this.offsets.get(seg.reverseFlowKey) : undefined;
    if (own === undefined && peer === undefined) return emit(packet, dir);
    const out = seg.copy();
    if (own !== undefined) out.seq = seg.seq + own;
    if (peer !== undefined) {
      // The peer received shifted sequence numbers and acknowledges in that space.
      out.ack = seg.ack - peer;
      if (this.config.rewriteSack) shiftSackBlocks(out, -peer);
    }
    this.counters.modified++;
    emit(out.sealEdited(seg, this.config.fixTcpChecksum), dir);
  }

  private newOffset(): number {
    if (this.config.offset !== undefined) return this.config.offset;
    // Zero would leave the flow as it is; the box means to shift it.
    for (;;) {
      const x = this.rng!.nextU32();
      if (x !== 0) return x;
    }
  }
}

/** Adds `delta` (mod 2^32) to both edges of every SACK block (RFC 2018 §3) of `seg`, in place. */
export function shiftSackBlocks(seg: TcpDatagram, delta: number): void {
  const base = seg.optionsStart;
  for (const s of optionSpans(seg.optionArea)) {
    if (s.kind !== TCPOPT.SACK) continue;
    for (let i = base + s.start + 2; i + 4 <= base + s.end; i += 4) writeU32(seg.bytes, i, (readU32(seg.bytes, i) + delta) >>> 0);
  }
}

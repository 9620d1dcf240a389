/**
 * Segment coalescing as receive offload (GRO/LRO) and some proxies do it (RFC 8684 §3.3.1, RFC
 * 8041 §3.1): consecutive in-order data segments of one flow are merged into one, which keeps the
 * first segment's header and options only. The options of the others — their DSS mappings and
 * Data ACKs among them — are lost, so the merged segment carries data beyond what its mapping
 * covers. The acknowledgment number and window are the last segment's (LRO keeps the newest) and
 * PSH is set if any segment had it.
 *
 * The box holds a candidate segment up to `holdUs` waiting for the next one, so it delays what it
 * holds; a segment of the same flow and direction that cannot be merged (out of order, no data,
 * SYN/FIN/RST/URG) first releases the held one, so nothing is reordered within a direction.
 */
import { TCP_FLAG } from "../../wire/tcp-types.js";
import type { Rng } from "../../util/rng.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { TcpDatagram } from "./segment.js";

export interface CoalescerConfig {
  /** Merge at most this many segments into one. Default 2. */
  maxSegments?: number;
  /** Stop merging before the payload exceeds this. Default 65000 bytes. */
  maxPayload?: number;
  /** How long a segment waits for the next one, in µs. Default 2000. */
  holdUs?: number;
  /** Probability that a data segment is held for merging. Default 1 (always). */
  probability?: number;
  /** Default `both`. */
  directions?: Directions;
  /** Default true. */
  fixTcpChecksum?: boolean;
}

export function readCoalescerConfig(r: ConfigReader): Required<CoalescerConfig> {
  return {
    maxSegments: r.int("maxSegments", 2, 64, 2),
    maxPayload: r.int("maxPayload", 2, 65000, 65000),
    holdUs: r.int("holdUs", 0, 60_000_000, 2000),
    probability: r.probability("probability", 1),
    directions: r.directions(),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
  };
}

export interface CoalescerCounters extends MiddleboxCounters {
  /** Segments absorbed into an earlier one (each was received and not sent on its own). */
  merged: number;
}

interface Held {
  dir: Direction;
  /** The segments so far, in order; the first gives the header. */
  parts: TcpDatagram[];
  /** The original datagram, sent as it was if nothing joins it. */
  first: Uint8Array;
  nextSeq: number;
  payloadLength: number;
  deadline: number;
}

/** Only ACK and PSH may be set on a segment that is merged. */
const MERGEABLE = TCP_FLAG.ACK | TCP_FLAG.PSH;

export class Coalescer implements Middlebox {
  readonly kind = "mbox-coalesce";
  readonly counters: CoalescerCounters = { ...newCounters(), merged: 0 };
  private readonly config: Required<CoalescerConfig>;
  /** Held segments by flow key, in the order they were first held. */
  private readonly held = new Map<string, Held>();

  /** `rng` decides which segments are held when `probability` is below 1 (one draw each). */
  constructor(config: CoalescerConfig = {}, private readonly rng?: Rng) {
    this.config = readConfig(config, readCoalescerConfig);
    if (this.config.probability < 1 && rng === undefined) throw new RangeError("mbox-coalesce with a probability needs an Rng");
  }

  process(packet: Uint8Array, dir: Direction, now: number, emit: Emit): void {
    this.counters.seen++;
    const seg = actsOn(this.config.directions, dir) ? TcpDatagram.parse(packet) : undefined;
    if (seg === undefined) return emit(packet, dir);
    const key = seg.flowKey;
    const h = this.held.get(key);
    const mergeable =
      seg.payloadLength > 0 && (seg.flags & ~MERGEABLE) === 0 && (seg.flags & TCP_FLAG.ACK) !== 0 && seg.checksumValid();
    if (h !== undefined) {
      if (mergeable && seg.seq === h.nextSeq && h.payloadLength + seg.payloadLength <= this.config.maxPayload) {
        h.parts.push(seg);
        h.nextSeq = (h.nextSeq + seg.payloadLength) >>> 0;
        h.payloadLength += seg.payloadLength;
        this.counters.merged++;
        if (h.parts.length >= this.config.maxSegments) this.release(key, h, emit);
        return;
      }
      this.release(key, h, emit);
    }
    if (mergeable && (this.config.probability >= 1 || this.rng!.chance(this.config.probability))) {
      this.held.set(key, {
        dir,
        parts: [seg],
        first: packet,
        nextSeq: (seg.seq + seg.payloadLength) >>> 0,
        payloadLength: seg.payloadLength,
        deadline: now + this.config.holdUs,
      });
      return;
    }
    emit(packet, dir);
  }

  handleTimeout(now: number, emit: Emit): void {
    for (const [key, h] of this.held) if (h.deadline <= now) this.release(key, h, emit);
  }

  pollTimeout(): number | undefined {
    let earliest: number | undefined;
    for (const h of this.held.values()) if (earliest === undefined || h.deadline < earliest) earliest = h.deadline;
    return earliest;
  }

  private release(key: string, h: Held, emit: Emit): void {
    this.held.delete(key);
    const merged = h.parts.length === 1 ? undefined : mergeSegments(h.parts);
    if (merged === undefined) {
      // Nothing joined it, or (with large IPv6 extension headers) the merge would not fit.
      emit(h.first, h.dir);
      this.counters.merged -= h.parts.length - 1;
      for (let i = 1; i < h.parts.length; i++) emit(h.parts[i]!.bytes, h.dir);
      return;
    }
    this.counters.modified++;
    emit(merged.seal(this.config.fixTcpChecksum), h.dir);
  }
}

/**
 * One segment from consecutive `parts`: the first's headers and options, all the payloads; not
 * sealed. Undefined if it would not fit in an IP datagram.
 */
export function mergeSegments(parts: readonly TcpDatagram[]): TcpDatagram | undefined {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  let total = 0;
  for (const p of parts) total += p.payloadLength;
  const payload = new Uint8Array(total);
  let off = 0;
  let flags = 0;
  for (const p of parts) {
    payload.set(p.payload, off);
    off += p.payloadLength;
    flags |= p.flags;
  }
  const merged = first.rebuild(first.optionArea, payload);
  if (merged === undefined) return undefined;
  merged.ack = last.ack;
  merged.window = last.window;
  merged.flags = first.flags | (flags & TCP_FLAG.PSH);
  return merged;
}

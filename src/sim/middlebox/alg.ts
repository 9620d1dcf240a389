/**
 * A payload-modifying application-level gateway (RFC 8041 §3.1; RFC 8684 §3.7 is MPTCP's answer:
 * the DSS checksum detects it, and MP_FAIL falls back to a single subflow). Like an FTP or SIP ALG
 * rewriting an address in the payload, it replaces every occurrence of a byte pattern within each
 * data segment (a pattern split across two segments is missed, as by ALGs that look at one packet
 * at a time). The TCP checksum is fixed, so TCP cannot see it.
 *
 * When the replacement has another length the byte stream grows or shrinks, and the box must then
 * shift the sequence numbers of everything the sender sends after it and the acknowledgments (and
 * SACK blocks) coming back, for the rest of the connection, as NAT ALGs do. Per direction of a
 * flow it keeps the offset before and after the last rewritten segment and where that segment
 * starts: a retransmission of that segment or anything earlier gets the offset before, anything
 * after it the offset after. Retransmitting older rewritten segments with different boundaries is
 * beyond this bookkeeping (and beyond that of real ALGs).
 */
import { TCP_FLAG } from "../../wire/tcp-types.js";
import { ConfigReader, readConfig } from "./config.js";
import { actsOn, newCounters, type Direction, type Directions, type Emit, type Middlebox, type MiddleboxCounters } from "./middlebox.js";
import { TcpDatagram, seqAfter } from "./segment.js";
import { shiftSackBlocks } from "./seq-rewrite.js";

export interface AlgConfig {
  /** The pattern, as text (UTF-8) or byte values. Default "10.0.0.1". */
  find?: string | number[];
  /** The replacement. Default "192.168.1.100"; give one of the same length for the variant that
   * needs no sequence number shifts. */
  replace?: string | number[];
  /** Only segments to or from this TCP port (as an FTP ALG watches port 21). Default: all. */
  port?: number;
  /** Default `both`. */
  directions?: Directions;
  /** Default true. */
  fixTcpChecksum?: boolean;
  /**
   * Rewrite only the first `limit` segments that contain the pattern (an ALG that rewrites one
   * control message, such as an FTP PORT command); sequence shifts go on. Default: no limit.
   */
  limit?: number;
}

export interface ResolvedAlgConfig {
  find: Uint8Array;
  replace: Uint8Array;
  port?: number;
  directions: Directions;
  fixTcpChecksum: boolean;
  limit?: number;
}

export function readAlgConfig(r: ConfigReader): ResolvedAlgConfig {
  const find = r.bytes("find", "10.0.0.1");
  if (find.length === 0) r.fail("find", "must not be empty");
  const config: ResolvedAlgConfig = {
    find,
    replace: r.bytes("replace", "192.168.1.100"),
    directions: r.directions(),
    fixTcpChecksum: r.bool("fixTcpChecksum", true),
  };
  const port = r.int("port", 0, 65535);
  if (port !== undefined) config.port = port;
  const limit = r.int("limit", 0, Number.MAX_SAFE_INTEGER);
  if (limit !== undefined) config.limit = limit;
  return config;
}

export interface AlgCounters extends MiddleboxCounters {
  /** Pattern occurrences replaced. */
  replacements: number;
  /** Of the modified segments, those only shifted (sequence, acknowledgment, SACK numbers). */
  shifted: number;
}

/** The sequence-number bookkeeping of one direction of a flow, in the sender's original space. */
interface Shift {
  /** Original sequence number of the start of the last rewritten segment. */
  pos: number;
  /** Offset of data up to and including that segment's first byte... */
  before: number;
  /** ...and of data after it. */
  after: number;
}

export class Alg implements Middlebox {
  readonly kind = "mbox-alg";
  readonly counters: AlgCounters = { ...newCounters(), replacements: 0, shifted: 0 };
  readonly config: ResolvedAlgConfig;
  private readonly shifts = new Map<string, Shift>();
  /** Segments rewritten so far (for `limit`). */
  private rewrites = 0;

  constructor(config: AlgConfig = {}) {
    this.config = readConfig(config, readAlgConfig);
  }

  process(packet: Uint8Array, dir: Direction, _now: number, emit: Emit): void {
    this.counters.seen++;
    const seg = TcpDatagram.parse(packet);
    if (seg === undefined) return emit(packet, dir);
    const own = this.shifts.get(seg.flowKey);
    const peer = (seg.flags & TCP_FLAG.ACK) !== 0 ? this.shifts.get(seg.reverseFlowKey) : undefined;
    const { port } = this.config;
    const { limit } = this.config;
    const watched = actsOn(this.config.directions, dir) && (port === undefined || seg.srcPort === port || seg.dstPort === port) &&
      (limit === undefined || this.rewrites < limit);
    const rewritten =
      watched && seg.payloadLength > 0 && seg.checksumValid() ? replaceAll(seg.payload, this.config.find, this.config.replace) : undefined;
    if (rewritten === undefined && own === undefined && peer === undefined) return emit(packet, dir);

    let out = seg.copy();
    let replaced = false;
    if (rewritten !== undefined) {
      const rebuilt = seg.rebuild(seg.optionArea, rewritten.payload);
      // A segment that would outgrow an IP datagram is left as it is, like one the ALG cannot parse.
      if (rebuilt !== undefined) {
        out = rebuilt;
        replaced = true;
        this.rewrites++;
        this.counters.replacements += rewritten.count;
        const delta = rewritten.payload.length - seg.payloadLength;
        if (delta !== 0) this.record(seg.flowKey, own, seg.seq, delta);
      }
    }
    if (own !== undefined) out.seq = seg.seq + seqOffset(own, seg.seq);
    if (peer !== undefined) {
      const off = ackOffset(peer, seg.ack);
      out.ack = seg.ack - off;
      shiftSackBlocks(out, -off);
    }
    if (!replaced && own === undefined && peer === undefined) return emit(packet, dir);
    this.counters.modified++;
    if (!replaced) this.counters.shifted++;
    emit(replaced ? out.seal(this.config.fixTcpChecksum) : out.sealEdited(seg, this.config.fixTcpChecksum), dir);
  }

  /** Records that the segment at original `seq` grew by `delta` bytes. */
  private record(key: string, s: Shift | undefined, seq: number, delta: number): void {
    if (s === undefined) {
      this.shifts.set(key, { pos: seq, before: 0, after: delta });
    } else if (seqAfter(seq, s.pos)) {
      s.before = s.after;
      s.after = (s.after + delta) | 0;
      s.pos = seq;
    }
    // Otherwise a retransmission of data already accounted for: the offsets stay.
  }
}

/** Offset of sender data at original sequence number `seq`. */
function seqOffset(s: Shift, seq: number): number {
  return seqAfter(seq, s.pos) ? s.after : s.before;
}

/** Offset to remove from an acknowledgment (in the shifted space) of that direction's data. */
function ackOffset(s: Shift, ack: number): number {
  // ack - before <= pos: it acknowledges data up to the rewritten segment's start, shifted by before.
  return seqAfter((ack - s.before) >>> 0, s.pos) ? s.after : s.before;
}

/** `payload` with every non-overlapping occurrence of `find` replaced, or undefined if none. */
export function replaceAll(payload: Uint8Array, find: Uint8Array, replace: Uint8Array): { payload: Uint8Array; count: number } | undefined {
  const starts: number[] = [];
  const last = payload.length - find.length;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < find.length; j++) if (payload[i + j] !== find[j]) continue outer;
    starts.push(i);
    i += find.length - 1;
  }
  if (starts.length === 0) return undefined;
  const out = new Uint8Array(payload.length + starts.length * (replace.length - find.length));
  let from = 0;
  let to = 0;
  for (const s of starts) {
    out.set(payload.subarray(from, s), to);
    to += s - from;
    out.set(replace, to);
    to += replace.length;
    from = s + find.length;
  }
  out.set(payload.subarray(from), to);
  return { payload: out, count: starts.length };
}

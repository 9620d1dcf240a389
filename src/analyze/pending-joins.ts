/**
 * MP_JOIN SYNs whose token (RFC 8684 §3.2) no connection of the capture has yet. A join is sent
 * once the token's key is known, so in a capture in time order its connection comes first; but
 * captures merged from several interfaces (mergecap of `sim --pcap` files, of tcpdump on two
 * devices) can put the join SYN before the segment that reveals the key, at the same
 * microsecond or, with clocks apart, earlier. Such a subflow's segments are held here until
 * the token becomes known, then replayed in their order, so the order of frames within a capture
 * does not decide whether a subflow is attached.
 *
 * Memory is bounded: a few joins, each holding a few segments with copies of their bytes (not
 * the capture's read buffer they were views into). A join that outgrows its share, is pushed out
 * by newer ones, or is still waiting when the capture ends is given up: a subflow of an unknown
 * connection, as a join to a token the capture never reveals always was.
 */
import type { Segment } from "./segment.js";
import type { Subflow } from "./subflow.js";

/** Joins waiting at once; beyond, the oldest is given up. */
const MAX_JOINS = 64;
/** Segments and captured bytes one join may hold before it is given up. */
const MAX_SEGMENTS = 32;
const MAX_BYTES = 256 * 1024;

export interface HeldJoin {
  token: number;
  /** The subflow, built from its SYN, not yet part of a connection. */
  readonly sub: Subflow;
  /** Its segments so far, in capture order; `forward` is from the SYN's sender. */
  readonly segments: Array<{ seg: Segment; forward: boolean }>;
  bytes: number;
  /** Given up: its segments are ignored from now on. */
  givenUp: boolean;
}

export class PendingJoins {
  /** Waiting joins, oldest first. */
  private readonly waiting = new Set<HeldJoin>();
  /** Joins given up so far. */
  givenUp = 0;

  /** Starts holding the subflow that `sub`'s join SYN opens, for `token`. */
  hold(token: number, sub: Subflow): HeldJoin {
    const j: HeldJoin = { token, sub, segments: [], bytes: 0, givenUp: false };
    this.waiting.add(j);
    if (this.waiting.size > MAX_JOINS) this.giveUp(this.waiting.values().next().value!);
    return j;
  }

  /** Keeps a segment of a waiting join (nothing once it was given up). */
  add(j: HeldJoin, seg: Segment, forward: boolean): void {
    if (j.givenUp) return;
    j.segments.push({ seg: ownCopy(seg), forward });
    j.bytes += seg.payload.length;
    if (j.segments.length > MAX_SEGMENTS || j.bytes > MAX_BYTES) this.giveUp(j);
  }

  /** The joins waiting for `token`, which are no longer held. */
  take(token: number): HeldJoin[] {
    const out: HeldJoin[] = [];
    for (const j of this.waiting) {
      if (j.token !== token) continue;
      this.waiting.delete(j);
      out.push(j);
    }
    return out;
  }

  /** The capture ended: every join still waiting is given up. */
  finish(): void {
    for (const j of this.waiting) this.giveUp(j);
  }

  private giveUp(j: HeldJoin): void {
    this.waiting.delete(j);
    j.givenUp = true;
    j.segments.length = 0;
    this.givenUp++;
  }
}

/** The segment with its own copies of the bytes it viewed in the capture's read buffer. */
function ownCopy(seg: Segment): Segment {
  return { ...seg, src: seg.src.slice(), dst: seg.dst.slice(), payload: seg.payload.slice(), mptcp: seg.mptcp.map(ownBytes) };
}

/** An option with copies of its byte fields (HMACs, addresses). */
function ownBytes<T extends object>(option: T): T {
  const copy = { ...option } as Record<string, unknown>;
  for (const [k, v] of Object.entries(copy)) if (v instanceof Uint8Array) copy[k] = v.slice();
  return copy as T;
}

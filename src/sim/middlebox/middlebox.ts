/**
 * What every middlebox is: a transform on the datagrams crossing it in either direction, with
 * counters. Boxes are placed in the simulator inside a `MiddleboxNode` (node.ts), a two-interface
 * bump in the wire; several boxes can share one node as a chain.
 *
 * Directions are fixed by the node's interfaces, not by who opened a connection: a datagram that
 * arrives on interface 0 travels `forward` and leaves on interface 1; one that arrives on
 * interface 1 travels `reverse` and leaves on interface 0. For a NAT, interface 0 is the inside.
 */

/** `forward`: in on interface 0, out on interface 1. `reverse`: in on 1, out on 0. */
export type Direction = "forward" | "reverse";

/** Which directions a box acts on; the other direction crosses it untouched. */
export type Directions = Direction | "both";

/** Hands a datagram to whatever follows the box in direction `dir`. */
export type Emit = (packet: Uint8Array, dir: Direction) => void;

/** Counters every box keeps. Boxes add their own beside these. */
export interface MiddleboxCounters {
  /** Datagrams that entered the box (TCP or not). */
  seen: number;
  /** Datagrams the box changed (a split or coalesced datagram counts once). */
  modified: number;
  /** Datagrams the box discarded. */
  dropped: number;
}

export interface Middlebox {
  /** The registry name (`mbox-nat`, ...), for reports. */
  readonly kind: string;
  readonly counters: MiddleboxCounters;
  /**
   * A datagram travelling in `dir` arrived at time `now`. The box calls `emit` zero times (drop or
   * hold), once, or several times (split), now or from `handleTimeout`. It must not modify
   * `packet`: it copies before changing anything, since taps may hold the original.
   */
  process(packet: Uint8Array, dir: Direction, now: number, emit: Emit): void;
  /** Boxes that hold datagrams (coalescing) release them here once `pollTimeout` is reached. */
  handleTimeout?(now: number, emit: Emit): void;
  /** The earliest time `handleTimeout` must run, or undefined for never. */
  pollTimeout?(): number | undefined;
}

export function newCounters(): MiddleboxCounters {
  return { seen: 0, modified: 0, dropped: 0 };
}

/** True when a box configured for `dirs` acts on a datagram travelling in `dir`. */
export function actsOn(dirs: Directions, dir: Direction): boolean {
  return dirs === "both" || dirs === dir;
}

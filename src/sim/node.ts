/**
 * What the simulator needs of a node: the sans-I/O contract of DESIGN.md §2, with the interface a
 * datagram arrived on and the interface to send one out of. A `Host` (src/stack/) satisfies it
 * directly; routers and middleboxes are small nodes of their own.
 *
 * The simulator drives every node the same way: after each input (`receive` or `handleTimeout`)
 * it drains `pollTransmit` until undefined, then reads `pollTimeout` and sets the node's single
 * timer to it. A node never sees a clock: `now` is passed in, in integer microseconds.
 */

/** A datagram leaving a node. */
export interface Transmit {
  /** A complete IP datagram (IPv4 or IPv6). The node must not modify it afterwards. */
  packet: Uint8Array;
  /** The index of the interface to send it on (0-based, as wired with `Simulator.addLink`). */
  iface: number;
}

export interface SimNode {
  /** A datagram arrived on interface `iface` at time `now`. */
  receive(packet: Uint8Array, iface: number, now: number): void;
  /** Time reached the deadline last returned by `pollTimeout` (or later). */
  handleTimeout(now: number): void;
  /**
   * The next datagram to send, or undefined when there is none for now. Called repeatedly after
   * every input; the returned object is read at once, so a node may reuse it between calls.
   */
  pollTransmit(now: number): Transmit | undefined;
  /** The earliest time at which `handleTimeout` must be called, or undefined for never. */
  pollTimeout(): number | undefined;
}

/**
 * `MiddleboxNode`: a bump in the wire for the simulator, with two interfaces and a chain of boxes.
 * A datagram arriving on interface 0 crosses the boxes in order and leaves on interface 1; one
 * arriving on interface 1 crosses them in reverse order and leaves on interface 0, as along a real
 * path. Crossing is instantaneous (queues and delays belong to the links); only a box that holds
 * datagrams (coalescing) gives the node a timer. A node with no boxes is a wire.
 */
import { Queue } from "../../util/queue.js";
import type { SimNode, Transmit } from "../node.js";
import type { Direction, Emit, Middlebox } from "./middlebox.js";

export interface MiddleboxNodeCounters {
  /** Datagrams that arrived on an interface other than 0 and 1 (dropped). */
  badInterface: number;
}

export class MiddleboxNode implements SimNode {
  readonly counters: MiddleboxNodeCounters = { badInterface: 0 };
  readonly boxes: readonly Middlebox[];
  private readonly outPackets = new Queue<Uint8Array>();
  private readonly outIfaces = new Queue<number>();
  private readonly transmit: Transmit = { packet: new Uint8Array(0), iface: 0 };
  /** `emitters[i]` takes what box i emits and hands it to the next box in its direction. */
  private readonly emitters: Emit[];
  private now = 0;

  constructor(boxes: Middlebox | readonly Middlebox[]) {
    this.boxes = Array.isArray(boxes) ? [...(boxes as readonly Middlebox[])] : [boxes as Middlebox];
    this.emitters = this.boxes.map((_, i) => (packet: Uint8Array, dir: Direction) =>
      this.enter(dir === "forward" ? i + 1 : i - 1, packet, dir),
    );
  }

  receive(packet: Uint8Array, iface: number, now: number): void {
    this.now = now;
    if (iface === 0) this.enter(0, packet, "forward");
    else if (iface === 1) this.enter(this.boxes.length - 1, packet, "reverse");
    else this.counters.badInterface++;
  }

  handleTimeout(now: number): void {
    this.now = now;
    this.boxes.forEach((box, i) => {
      const due = box.pollTimeout?.();
      if (due !== undefined && due <= now) box.handleTimeout?.(now, this.emitters[i]!);
    });
  }

  /** The returned object is reused by the next call. */
  pollTransmit(_now: number): Transmit | undefined {
    const packet = this.outPackets.shift();
    if (packet === undefined) return undefined;
    this.transmit.packet = packet;
    this.transmit.iface = this.outIfaces.shift()!;
    return this.transmit;
  }

  pollTimeout(): number | undefined {
    let earliest: number | undefined;
    for (const box of this.boxes) {
      const t = box.pollTimeout?.();
      if (t !== undefined && (earliest === undefined || t < earliest)) earliest = t;
    }
    return earliest;
  }

  /** Hands `packet` to box `index`, or out of the node once it has crossed the last one. */
  private enter(index: number, packet: Uint8Array, dir: Direction): void {
    if (index < 0 || index >= this.boxes.length) {
      this.outPackets.push(packet);
      this.outIfaces.push(dir === "forward" ? 1 : 0);
      return;
    }
    this.boxes[index]!.process(packet, dir, this.now, this.emitters[index]!);
  }
}

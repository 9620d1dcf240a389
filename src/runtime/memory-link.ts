/**
 * An in-process point-to-point link: two `PacketDriver`s whose sends arrive at each other, in
 * batches at the end of the current turn of the event loop (as a UDP driver batches what one
 * poll read). For tests and examples of two stacks in one process; no sockets, no root.
 */
import { emptyStats } from "../io/driver.js";
import type { DriverError, DriverStats, PacketDriver, PacketHandler } from "../io/driver.js";

export interface MemoryLinkOptions {
  /** The link's MTU in bytes (default 1500). */
  mtu?: number;
  /** Names for logs (default `mem:a` and `mem:b`). */
  names?: [string, string];
}

/** Makes a link; what `a.send`s arrives at `b`'s handler and the other way round. */
export function memoryLink(opts: MemoryLinkOptions = {}): [PacketDriver, PacketDriver] {
  const mtu = opts.mtu ?? 1500;
  const [na, nb] = opts.names ?? ["mem:a", "mem:b"];
  const a = new MemoryDriver(na, mtu);
  const b = new MemoryDriver(nb, mtu);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryDriver implements PacketDriver {
  readonly stats: DriverStats = emptyStats();
  peer: MemoryDriver | undefined;
  private handler: PacketHandler | undefined;
  private inbox: Uint8Array[] = [];
  private delivery: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    readonly mtu: number,
  ) {}

  onPackets(handler: PacketHandler): void {
    this.handler = handler;
  }

  onError(_handler: (err: DriverError) => void): void {
    // A memory link does not fail.
  }

  send(packet: Uint8Array): void {
    const peer = this.peer;
    if (this.closed || packet.length > this.mtu || peer === undefined || peer.closed) {
      this.stats.txErrors++;
      return;
    }
    this.stats.txPackets++;
    this.stats.txBytes += packet.length;
    peer.arrive(packet);
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.delivery) clearImmediate(this.delivery);
    this.delivery = undefined;
    this.stats.rxDropped += this.inbox.length;
    this.inbox = [];
    return Promise.resolve();
  }

  private arrive(packet: Uint8Array): void {
    this.inbox.push(packet);
    this.delivery ??= setImmediate(() => this.deliver());
  }

  private deliver(): void {
    this.delivery = undefined;
    const packets = this.inbox;
    this.inbox = [];
    const s = this.stats;
    if (this.handler === undefined || this.closed) {
      s.rxDropped += packets.length;
      return;
    }
    s.rxBatches++;
    s.rxPackets += packets.length;
    for (const p of packets) s.rxBytes += p.length;
    this.handler(packets);
  }
}

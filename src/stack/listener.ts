/**
 * A listening port (RFC 9293 §3.10.1 passive OPEN) with its two queues, as in BSD and Linux:
 *
 * - the SYN queue: connections in SYN-RECEIVED, at most `synQueueLimit`;
 * - the accept queue: connections whose handshake completed and that the application has not
 *   accepted yet, at most `backlog`.
 *
 * A SYN finding either queue full is dropped (the client retransmits it), so a busy server sheds
 * load without resetting anybody.
 */
import type { IpAddress } from "../wire/address.js";
import type { Connection } from "./connection.js";
import { Queue } from "../util/queue.js";

/** What a listener needs of its Host. */
export interface ListenerOwner {
  closeListener(listener: Listener): void;
}

export class Listener {
  /** @internal Connections in SYN-RECEIVED for this listener. */
  synReceived = 0;
  /** @internal Established connections waiting for `accept`. */
  readonly acceptQueue = new Queue<Connection>();
  private open = true;

  constructor(
    private readonly owner: ListenerOwner,
    readonly port: number,
    /** Only segments to this local address (any of ours when undefined). */
    readonly address: IpAddress | undefined,
    readonly backlog: number,
    readonly synQueueLimit: number,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Connections waiting to be accepted. */
  get pending(): number {
    return this.acceptQueue.length;
  }

  /** The oldest connection whose handshake completed, or undefined. Call after "incoming". */
  accept(): Connection | undefined {
    return this.acceptQueue.shift();
  }

  /** Stops listening; connections not yet accepted are reset. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.owner.closeListener(this);
  }
}

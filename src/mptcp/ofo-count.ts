/**
 * MPTcpExt OFOQueue as Linux counts it (net/mptcp/protocol.c `__mptcp_move_skb`,
 * `mptcp_data_queue_ofo`): data reaches the data level from each subflow in that subflow's
 * order, since the subflow's TCP holds what arrives out of order at its own level (TcpExt
 * TCPOFOQueue) until the hole is filled; a segment is counted when it then lies beyond the data
 * level's in-order point, in other subflow order. A loss on one subflow alone therefore counts
 * nothing here: the subflow puts its data back in order before the data level sees it.
 *
 * This stack's data level takes every segment as it arrives (reassembly.ts), so the count comes
 * from a shadow of Linux's order: per subflow, segments beyond the subflow's in-order point wait
 * (`SubflowOrder`) until it passes them; per connection, the in-order point of the data moved so
 * far and the ranges held beyond it (`DataOrder`). The window check that precedes Linux's count
 * (NoDSSInWindow) is left out: the reassembly counts that one as the data arrives.
 */
import { RangeSet } from "../tcp/range-set.js";

/** Data-level bytes `[dsn, dsn + data.length)` (a receive mapping's chunk; only its length is read). */
export interface OrderChunk {
  readonly dsn: number;
  readonly data: { readonly length: number };
}

/** Per connection: Linux's `msk->ack_seq` over the data moved from the subflows so far. */
export class DataOrder {
  private ack: number;
  private readonly ahead = new RangeSet();

  constructor(initialDsn = 1) {
    this.ack = initialDsn;
  }

  /** One segment's data moved from its subflow; returns whether it was out of order (OFOQueue). */
  move(c: OrderChunk): boolean {
    const end = c.dsn + c.data.length;
    if (c.dsn > this.ack) {
      this.ahead.add(c.dsn, end);
      return true;
    }
    // In order (the part below `ack`, already moved, is discarded first as Linux's subflow does).
    if (end > this.ack) {
      this.ack = end;
      // `__mptcp_ofo_queue`: what was held beyond and is now reached follows.
      for (let r = this.ahead.at(0); r !== undefined && r[0] <= this.ack; r = this.ahead.at(0)) {
        this.ack = Math.max(this.ack, r[1]);
        this.ahead.removeBelow(r[1]);
      }
    }
    return false;
  }
}

interface Held {
  end: number;
  chunks: readonly OrderChunk[];
}

/** Per subflow: the segments that arrived beyond its in-order point, in subflow offset order. */
export class SubflowOrder {
  private readonly held: Held[] = [];
  /** Data-level bytes held beyond the subflow's in-order point (Linux: still in its TCP's ofo queue). */
  heldBytes = 0;

  /**
   * A segment's payload `[offset, end)` of the subflow's stream gave data-level `chunks`;
   * `inOrderBefore` and `inOrderAfter` are the subflow's in-order point around it. Calls `move`
   * for every chunk that now reaches the data level, in subflow order.
   */
  arrived(offset: number, end: number, chunks: readonly OrderChunk[], inOrderBefore: number, inOrderAfter: number, move: (c: OrderChunk) => void): void {
    if (offset > inOrderBefore) {
      if (chunks.length > 0) this.insert({ end, chunks });
      return;
    }
    for (const c of chunks) move(c);
    let n = 0;
    while (n < this.held.length && this.held[n]!.end <= inOrderAfter) {
      for (const c of this.held[n]!.chunks) {
        this.heldBytes -= c.data.length;
        move(c);
      }
      n++;
    }
    if (n > 0) this.held.splice(0, n);
  }

  private insert(h: Held): void {
    for (const c of h.chunks) this.heldBytes += c.data.length;
    let i = this.held.length;
    while (i > 0 && this.held[i - 1]!.end > h.end) i--;
    this.held.splice(i, 0, h);
  }
}

/**
 * Mapping ahead of the window (RFC 8684 §3.3.1, §3.3.5), with the DSS once per mapping.
 *
 * Where the peer's data-level window limits the sender, each Data ACK opens the window by about
 * two segments. Handed to a subflow only as the window opens, the data would go as one mapping
 * per Data ACK, a DSS on every other segment (24-28 option bytes taken from its payload). So the
 * subflow that takes the new data may be handed up to `AHEAD_BYTES` beyond the window's right
 * edge: its mappings then span many segments, and its TCP sends none of those bytes before the
 * window reaches them (`sendLimit`, TcpHook.sendLimit). §3.3.5 holds on the wire: no byte goes
 * beyond the right edge. §3.3.1 lets a mapping cover bytes not sent yet.
 *
 * Data handed ahead is committed to that subflow, so only the subflow the scheduler picks for new
 * data gets it, and only while no other subflow holds data: no reinjection or opportunistic
 * retransmission then waits behind bytes the window holds back on it. If the subflow fails, what
 * it held goes again on the others (§3.3.6) like any data it carried, never beyond the edge
 * (send-queue.ts `next`).
 */

import { MAX_MAPPING_BYTES } from "./connection-config.js";

/** At most this many bytes beyond the right edge: one mapping's worth. */
export const AHEAD_BYTES = MAX_MAPPING_BYTES;

/**
 * The run of bytes handed ahead to one subflow: contiguous in DSN, appended to the subflow's
 * stream from `offset` on. Later chunks of the run continue it (a reinjection written between
 * two of them only moves their bytes further along the stream, so `limit` stays on the safe
 * side).
 */
export class AheadRun<S> {
  constructor(
    readonly sub: S,
    /** Stream offset of the run's first byte. */
    readonly offset: number,
    /** DSN of the run's first byte. */
    readonly dsn: number,
    /** DSN after the run's last byte. */
    public end: number,
  ) {}

  /**
   * The stream offset the subflow's TCP may send up to with the right edge at `edge`, or
   * undefined once the edge has passed the whole run (the run is over).
   */
  limit(edge: number): number | undefined {
    if (edge >= this.end) return undefined;
    return this.offset + Math.max(0, edge - this.dsn);
  }
}

/**
 * The infinite mapping (RFC 8684 §3.7) a sender answers MP_FAIL with on its only subflow: a DSS
 * whose data-level length is 0, mapping the subflow linearly onto the data stream from the
 * segment's first byte, after which the sender sends no MPTCP option and is plain TCP.
 *
 * The segment that carries it may be lost like any other, and TCP then sends its bytes again.
 * The receiver has sent MP_FAIL and waits for this mapping (§3.7); without it, those bytes are
 * data with no mapping. So, as every other mapping (§3.3.1: the copy of a mapping's first byte
 * declares it), the infinite mapping goes again on every copy of the segment that declared it,
 * although the connection has fallen back; Linux likewise writes the DSS of a retransmitted skb
 * marked `infinite_map` after the fallback (options.c `mptcp_established_options`,
 * `mptcp_check_infinite_map`). A copy starting before it ends at it, as a segment never crosses a
 * mapping's end, so that the copy of its first byte starts there and declares it. Once the
 * subflow has acknowledged that byte, no copy can start there any more and it is forgotten.
 */
import type { Dss, MptcpOption } from "../wire/mptcp/types.js";
import type { DsnSpace } from "./dsn.js";
import { offsetToSsn } from "./mapping.js";

/**
 * The infinite mapping from subflow stream offset `offset`, whose DSN is `offset + 1` on the
 * only subflow, linear since the first data byte (DSN 1 at offset 0). With checksums its checksum
 * is 0 (§3.3.1).
 */
export function infiniteMappingDss(offset: number, space: DsnSpace, checksums: boolean): Dss {
  const dss: Dss = { subtype: "DSS", fin: false, dataAck64: false, dsn64: true, dsn: space.toWire64(offset + 1), ssn: offsetToSsn(offset), dataLen: 0 };
  if (checksums) dss.checksum = 0;
  return dss;
}

/** What a segment of the subflow carries after the fallback, while the infinite mapping may be sent again. */
export interface FallbackPlan {
  options: MptcpOption[];
  maxPayload?: number;
}

/** The infinite mapping as it went out on a data segment, until the subflow acknowledges its first byte. */
export class SentInfiniteMapping {
  /**
   * `offset`: the subflow stream offset of the first byte of the segment that carried it;
   * `options`: that segment's MPTCP options (the infinite mapping with its Data ACK), sent again
   * as they were.
   */
  constructor(readonly offset: number, private readonly options: readonly MptcpOption[]) {}

  /**
   * The options of a data segment starting at `offset` (a retransmission: new data starts beyond
   * it), and its payload limit; undefined when it carries none and has no limit.
   */
  plan(offset: number): FallbackPlan | undefined {
    if (offset === this.offset) return { options: [...this.options] };
    if (offset < this.offset) return { options: [], maxPayload: this.offset - offset };
    return undefined;
  }

  /** Whether it may still be sent again, the subflow having acknowledged its bytes below `acked`. */
  outstanding(acked: number): boolean {
    return acked <= this.offset;
  }
}

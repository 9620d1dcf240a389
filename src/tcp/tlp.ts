/**
 * Tail Loss Probe (RFC 8985 §7): the probe timeout and the bookkeeping of one probe episode.
 *
 * When the last segments of a flight are lost, no ACK comes back to show a hole, and only the
 * retransmission timeout would repair them: at least 200 ms, then a window of one segment. TLP
 * sends one segment two smoothed RTTs after the last ACK instead; its ACK carries the SACK
 * information that lets ordinary recovery (RFC 6675) repair the tail, or acknowledges the tail
 * the probe itself retransmitted. Positions are send offsets. When to arm the PTO and what the
 * probe carries is the connection's (recovery.ts, output.ts); this class holds TLP.end_seq and
 * TLP.is_retrans and decides, from an ACK, whether the probe repaired a loss (§7.4).
 */

/** RFC 8985 §7.2: the PTO when no RTT sample exists yet. */
export const PTO_WITHOUT_SRTT = 1_000_000;

/**
 * RFC 8985 §7.2 TLP_calc_PTO(), before the cap at the RTO's expiry: 2·SRTT, plus the peer's
 * delayed-ACK allowance when only one segment is in flight (its ACK may be delayed, with no
 * second segment to trigger it), or one second without an RTT sample.
 */
export function probeTimeout(srtt: number | undefined, oneSegment: boolean, maxAckDelay: number): number {
  if (srtt === undefined) return PTO_WITHOUT_SRTT;
  return 2 * srtt + (oneSegment ? maxAckDelay : 0);
}

/** How an ACK bears on the open probe episode (RFC 8985 §7.4.2 TLP_process_ack). */
export interface ProbeAck {
  /** The cumulative ACK, as a send offset. */
  ack: number;
  /** A duplicate ACK (RFC 5681 §2): no new data acknowledged, no data carried. */
  duplicate: boolean;
  /** The ACK carried a SACK option. */
  sack: boolean;
  /** The first SACK block when it reports a duplicate (RFC 2883 D-SACK), as send offsets. */
  dsack: readonly [number, number] | undefined;
}

export class TailLossProbe {
  /** RFC 8985 TLP.end_seq: SND.NXT after the probe, while its episode is open. */
  endSeq: number | undefined = undefined;
  /** RFC 8985 TLP.is_retrans: the probe retransmitted data rather than sending new data. */
  isRetrans = false;
  /** The PTO expired: the next `pollTransmit` sends the probe. */
  pending = false;
  /** When the data the retransmitted probe repeats was first sent (for the controller). */
  originalSentAt = 0;

  /** RFC 8985 §7.1: "Reset TLP.is_retrans and TLP.end_seq when initiating ... fast recovery, or RTO recovery." */
  reset(): void {
    this.endSeq = undefined;
    this.isRetrans = false;
    this.pending = false;
  }

  /**
   * A probe went out and SND.NXT is now `sndMax`. A probe of new data while a retransmitted
   * probe's episode is open keeps that episode's verdict pending: it still decides whether a
   * loss happened.
   */
  sent(sndMax: number, retransmission: boolean, originalSentAt: number): void {
    if (retransmission) this.originalSentAt = originalSentAt;
    this.isRetrans = retransmission || (this.endSeq !== undefined && this.isRetrans);
    this.endSeq = sndMax;
  }

  /**
   * RFC 8985 §7.4.2: ends the episode once an ACK says what became of the probe. Returns true
   * when the probe repaired a loss, which calls for a congestion response: an ACK beyond the
   * probe that neither a D-SACK of the probe nor a duplicate ACK preceded (had both the
   * original and the probe arrived, the receiver would have answered the second with one of
   * them). An ACK of exactly TLP.end_seq is ambiguous and leaves the episode open: it is the
   * ACK of the original or of the probe, and the next ACK tells which.
   */
  onAck(a: ProbeAck): boolean {
    const end = this.endSeq;
    if (end === undefined || a.ack < end) return false;
    if (!this.isRetrans) {
      // The probe carried new data, which was delivered: nothing was repaired.
      this.endSeq = undefined;
      return false;
    }
    if (a.dsack !== undefined && a.dsack[1] === end) {
      // Case 1: the receiver got the probe as a duplicate; the original was not lost.
      this.endSeq = undefined;
      return false;
    }
    if (a.ack > end) {
      this.endSeq = undefined;
      return true;
    }
    if (a.duplicate && !a.sack) {
      // Case 2: a duplicate ACK without SACK answered the probe; the original arrived too.
      this.endSeq = undefined;
    }
    return false;
  }
}

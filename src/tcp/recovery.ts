/**
 * The sender's reaction to acknowledgments and timeouts: RTT samples (RFC 6298, RFC 7323 §4),
 * fast retransmit (RFC 5681 §3.2) with limited transmit (RFC 3042), NewReno (RFC 6582),
 * SACK-based recovery entry (RFC 6675 §5), retransmission timeouts with backoff (RFC 6298 §5),
 * tail loss probes (RFC 8985 §7), RACK's time-based loss detection when configured (RFC 8985 §6),
 * and the Eifel algorithm (RFC 3522 detection, RFC 4015 response) that undoes responses to losses
 * that were not real. What to send next is output.ts;
 * the state machine that calls these is connection.ts.
 */
import type { TcpRepr } from "../wire/tcp-types.js";
import { findTimestamps } from "./options.js";
import { seqSub } from "./seq.js";
import { TcpOutput } from "./output.js";
import type { ProbeAck } from "./tlp.js";

export class TcpRecovery extends TcpOutput {
  /** The retransmission timer expired (RFC 6298 §5.4 - §5.6; for a SYN, RFC 9293 §3.8.3). */
  protected onRetransmitTimeout(now: number): void {
    this.timers.clear("retransmit");
    if (this.st === "SYN-SENT" || this.st === "SYN-RECEIVED") {
      // RFC 6298 §5.5 applied to the SYN; RFC 9293 §3.8.3 R2 for SYNs (Linux tcp_syn_retries).
      if (++this.retries > this.cfg.synRetries) {
        this.timedOut();
        return;
      }
      this.rtt.backoff();
      this.timed = undefined;
      this.synPending = true;
      this.counters.timeouts++;
      return;
    }
    if (this.sndUna >= this.sndMax) return;
    // RFC 8985 §7.1: RTO recovery ends any probe episode; no PTO runs until it is over.
    this.tlp.reset();
    this.timers.clear("lossProbe");
    // Going back N resends every octet not SACKed: RACK judges those copies, not the originals.
    this.timers.clear("reorder");
    this.rack?.restart();
    // A peer that shrank its window to zero but still answers is not dead: retransmissions then
    // act as window probes and do not count toward the limit (RFC 9293 §3.8.6.1; Linux does
    // the same in tcp_retransmit_timer).
    const probing = this.sndWnd === 0 && now - this.lastHeard <= this.cfg.maxRto;
    if (!probing && ++this.retries > this.cfg.maxRetries) {
      this.timedOut();
      return;
    }
    this.counters.timeouts++;
    // RFC 5681 §3.1 eq. 4 and the loss window; ssthresh is reduced once per timed-out segment.
    if (this.retries <= 1) {
      this.cc.onCongestionEvent(now, this.sentTimeOfUna(now), true, this.sndMax - this.sndUna);
      this.undo = "armed";
    }
    // RFC 6298 §5.5 back off, §5.4 retransmit the earliest unacknowledged segment (and, going
    // back N, the rest as the window allows).
    this.rtt.backoff();
    this.timed = undefined;
    this.inRecovery = false;
    this.inflation = 0;
    this.dupAcks = 0;
    this.retransmitHead = false;
    // RFC 6582 §3.2 step 4 / RFC 6675 §5.1: no new fast recovery until this data is acknowledged.
    this.recoverPoint = this.sndMax;
    // SACK information is kept across the timeout, so that going back N skips what the peer
    // holds (RFC 6675 §5.1 with Errata 1610, as Linux does); reneging clears it instead.
    this.board.highRxt = this.sndUna;
    // Going back N resends everything unSACKed; what fast recovery resent before no longer counts.
    this.board.forgetRetransmissions();
    this.sndNxt = this.sndUna;
    this.timers.set("retransmit", now + this.rtt.rto);
  }

  /**
   * The PTO expired (RFC 8985 §7.3): the probe goes out on the next `pollTransmit`, which also
   * re-arms the RTO. The RTO is held until then even when it is due now too (the PTO is capped
   * by it): the probe replaces that timeout.
   */
  protected onLossProbeTimeout(): void {
    this.timers.clear("lossProbe");
    if (this.sndUna < this.sndMax) this.tlp.pending = true;
  }

  /**
   * RFC 8985 §7.4: what an ACK says about the open probe episode. A loss the probe repaired
   * gets the congestion response fast recovery would have given it (§7.4.2: the original, the
   * probe or an ACK was lost), once: the episode ends with it.
   */
  protected onLossProbeAck(ack: ProbeAck, now: number): void {
    if (!this.tlp.onAck(ack)) return;
    this.counters.lossProbeRecoveries++;
    this.cc.onCongestionEvent(now, this.tlp.originalSentAt, false, this.sndMax - this.sndUna);
  }

  /** Retransmissions went unanswered too long (RFC 9293 §3.8.3 R2): give up. */
  protected timedOut(): void {
    this.events.push({ type: "timed-out" });
    this.enterClosed(undefined);
  }

  /**
   * An ACK of new data (RFC 9293 §3.10.7.4 fifth step, "If SND.UNA < SEG.ACK =< SND.NXT"):
   * RTT, reordering and spurious-retransmission checks, recovery progress, the controller, and
   * the retransmission timer. `fackBefore` is the highest SACKed octet before this ACK.
   */
  protected onNewAck(
    seg: TcpRepr,
    ack: number,
    flightBefore: number,
    fackBefore: number | undefined,
    now: number,
  ): void {
    const acked = ack - this.sndUna;
    // RTT sample: RFC 7323 §4.3 (timestamps) or RFC 6298 §3 (Karn: never a retransmission).
    const ts = this.tsOk ? findTimestamps(seg.options) : undefined;
    if (ts !== undefined && ts.tsEcr !== 0) {
      // An echo older than the head's last transmission is of an earlier copy, and says nothing
      // of this round trip: a receiver answers a copy of data it already has before it would
      // record the copy's timestamp (RFC 7323 §5.3, R2 before R3), so when the ACK of the
      // original was lost, the ACK of the retransmission echoes the original, and the sample
      // would span every backed-off timeout in between (seconds under heavy loss, and the RTO
      // with it). A spurious retransmission's echo is dropped too, as Karn drops its sample.
      const resent = this.headResentTsVal;
      if (resent === undefined || seqSub(ts.tsEcr, resent) >= 0) this.rttSample(this.tsSample(ts.tsEcr, now), now);
    } else if (this.timed !== undefined && ack >= this.timed.end) {
      this.rttSample(now - this.timed.at, now);
      this.timed = undefined;
    }
    const oldUna = this.sndUna;
    const spurious = this.checkSpurious(ack, ts?.tsEcr);
    // Not after a timeout, when going back N resends what may still be on its way (Linux checks
    // no reordering in its Loss state either).
    if (this.sackOk && !this.afterTimeout()) this.board.acknowledged(this.sndUna, ack, fackBefore, this.dataMss());
    this.sndUna = ack;
    this.headResentTsVal = undefined;
    if (this.sndNxt < ack) this.sndNxt = ack;
    this.sendBuf.ack(Math.min(ack - 1, this.sendBuf.end));
    this.board.advance(ack);
    this.sent.ack(ack);
    this.rack?.onAcked(ack);
    this.retries = 0;
    if (this.board.reneged(ack)) this.board.clear();
    if (spurious) this.undoCongestionResponse(fackBefore === undefined ? 0 : fackBefore - oldUna);

    if (this.inRecovery) {
      this.cc.onRecoveryAck?.(acked);
      if (ack >= this.recoverPoint) {
        // RFC 6582 §3.2 step 6 / RFC 6675 §5: full acknowledgment ends recovery with
        // cwnd = ssthresh (the controller already holds it).
        this.inRecovery = false;
        this.inflation = 0;
        this.dupAcks = 0;
      } else if (!this.sackOk) {
        // RFC 6582 §3.2 step 5: partial ACK. Retransmit the next unacknowledged segment, deflate
        // by the amount acknowledged, add back one SMSS if at least one SMSS was acknowledged.
        this.retransmitHead = true;
        this.inflation -= acked;
        if (acked >= this.dataMss()) this.inflation += this.dataMss();
      }
    } else {
      this.dupAcks = 0;
      const cwnd = this.cc.window();
      const slowStart = cwnd < this.cc.ssthresh();
      const cwndLimited = flightBefore + this.dataMss() >= cwnd || (slowStart && 2 * flightBefore >= cwnd);
      this.cc.onAck(now, acked, this.rttSnapshot(), flightBefore, !cwndLimited);
    }

    // RFC 6298 §5.2 / §5.3, and RFC 8985 §7.2: an ACK of new data restarts the PTO.
    if (this.sndUna >= this.sndMax) {
      this.timers.clear("retransmit");
      this.timers.clear("lossProbe");
    } else {
      this.timers.set("retransmit", now + this.rtt.rto);
      this.armLossProbe(now);
    }

    if (this.wantWritable && this.sendBuf.free > 0 && !this.finQueued) {
      this.wantWritable = false;
      this.events.push({ type: "writable" });
    }
  }

  /**
   * Eifel detection (RFC 3522 §2): the first ACK for the retransmitted head echoes a TSval older
   * than that of the retransmission, so the original arrived and the retransmission was not
   * needed. Only with timestamps; equal values (one clock tick) count as a real loss.
   */
  protected checkSpurious(ack: number, tsEcr: number | undefined): boolean {
    const undo = this.undo;
    if (undo === undefined || undo === "armed" || ack <= undo.head) return false;
    this.undo = undefined;
    return tsEcr !== undefined && seqSub(tsEcr, undo.tsVal) < 0;
  }

  /**
   * Eifel response (RFC 4015 §3): the loss was not real, so restore the congestion state from
   * before the response, leave recovery, and after a timeout resume with new data instead of
   * going back N (SND.NXT = SND.MAX).
   */
  protected undoCongestionResponse(reordering: number): void {
    this.counters.spuriousRecoveries++;
    // A fast retransmit that was not needed measured the reordering: the head arrived
    // `reordering` octets behind the highest SACKed one.
    if (this.inRecovery && reordering > 0) this.board.reorderedBy(reordering, this.dataMss());
    this.cc.onSpuriousCongestionEvent?.();
    this.inRecovery = false;
    this.inflation = 0;
    this.dupAcks = 0;
    this.retransmitHead = false;
    this.recoverPoint = 0;
    if (this.sndNxt < this.sndMax) this.sndNxt = this.sndMax;
  }

  /** A duplicate ACK (RFC 5681 §2) or, with SACK, an ACK with new SACK information. */
  protected onDupAck(now: number): void {
    this.dupAcks++;
    if (this.inRecovery) {
      // RFC 6582 §3.2 step 4: each further duplicate inflates cwnd by one SMSS. (With SACK the
      // pipe estimate does this job, RFC 6675 §5.)
      if (!this.sackOk) this.inflation += this.dataMss();
      return;
    }
    // With RACK, loss is found by time once the ACK is processed (`rackDetect`), not counted.
    if (this.rack !== undefined) return;
    const lostHead = this.sackOk && this.board.isLost(this.sndUna, this.sndUna, this.dataMss());
    if (this.dupAcks < this.board.dupThresh && !lostHead) return;
    this.enterFastRecovery(now);
  }

  /**
   * Fast recovery begins (RFC 5681 §3.2 steps 2-4 / RFC 6675 §5 steps 4.1-4.3), unless the data
   * outstanding at the last one is not all acknowledged yet: RFC 6582 §3.2 step 2 ("ack - 1 >
   * recover") / RFC 6675 §5 ("HighACK >= RecoveryPoint").
   */
  protected enterFastRecovery(now: number): void {
    if (this.sackOk ? this.sndUna < this.recoverPoint : this.sndUna <= this.recoverPoint) return;
    this.inRecovery = true;
    this.recoverPoint = this.sndMax;
    this.counters.fastRetransmits++;
    this.cc.onCongestionEvent(now, this.sentTimeOfUna(now), false, this.sndMax - this.sndUna);
    // RFC 8985 §7.1: fast recovery ends any probe episode.
    this.tlp.reset();
    this.timers.clear("lossProbe");
    this.retransmitHead = true;
    this.undo = "armed";
    this.board.highRxt = this.sndUna;
    // A head already retransmitted in the previous recovery is still in flight (a new recovery
    // may start as soon as HighACK passes RecoveryPoint): do not send it a third time.
    const resent = this.sackOk && this.rack === undefined ? this.board.retransmitted.rangeContaining(this.sndUna) : undefined;
    if (resent !== undefined) {
      this.retransmitHead = false;
      this.board.highRxt = resent[1];
    }
    this.inflation = this.sackOk ? 0 : this.board.dupThresh * this.dataMss();
  }

  /** An RTT sample, for the estimator (RFC 6298) and RACK.min_RTT (RFC 8985 §6.2 step 1). */
  protected rttSample(rtt: number, now: number): void {
    this.rtt.sample(rtt);
    this.rack?.sampleRtt(rtt, now);
  }

  /**
   * RFC 8985 §6.2 steps 2-5 after an ACK was processed: `delivered` are the octets it delivered
   * for the first time (cumulatively or SACKed), `tsEcr` its timestamp echo, `dsack` whether it
   * reported a duplicate, `wasInRecovery` whether fast recovery ran before it.
   */
  protected rackAfterAck(
    delivered: ReadonlyArray<readonly [number, number]>,
    tsEcr: number | undefined,
    dsack: boolean,
    wasInRecovery: boolean,
    now: number,
  ): void {
    const rack = this.rack!;
    const echoedAt = tsEcr !== undefined && tsEcr !== 0 ? now - this.tsSample(tsEcr, now) : undefined;
    if (delivered.length > 0) rack.onDelivered(delivered, now, echoedAt);
    rack.updateReoWnd({
      dsack,
      sndUna: this.sndUna,
      sndNxt: this.sndMax,
      inRecovery: this.inRecovery || this.afterTimeout(),
      exitedRecovery: wasInRecovery && !this.inRecovery,
      sackedBytes: this.board.sacked.size,
      smss: this.dataMss(),
      dupThresh: this.board.dupThresh,
      srtt: this.rtt.srtt,
    });
    this.rackDetect(now);
  }

  /** RACK's reordering timer expired (RFC 8985 §6.2 step 5, RACK_detect_loss_and_arm_timer()). */
  protected onReorderTimeout(now: number): void {
    this.timers.clear("reorder");
    if (this.rack === undefined || this.sndUna >= this.sndMax) return;
    if (this.rackDetect(now) > 0) this.counters.reorderTimeouts++;
  }

  /**
   * RFC 8985 §6.2 step 5: deems lost what RACK finds overdue and arms the reordering timer for
   * the rest. A loss starts fast recovery (§6.2: "the sender enters fast recovery" with RFC 6675's
   * congestion response); a lost retransmission in recovery lowers the window a second time
   * (RFC 5681 §4.3, RFC 8985 §9.3), as for `lostRetransmissions`. Returns the octets deemed lost.
   */
  protected rackDetect(now: number): number {
    const v = this.rack!.detectLoss(now, this.sndUna, this.board.sacked, this.board.lost);
    if (v.timeout > 0) this.timers.set("reorder", now + v.timeout);
    else this.timers.clear("reorder");
    if (v.marked === 0) return 0;
    if (!this.inRecovery && !this.afterTimeout()) {
      this.enterFastRecovery(now);
    } else if (this.inRecovery && v.lostRetransmissionAt !== undefined) {
      this.counters.lostRetransmissions++;
      const pipe = this.board.pipe(this.sndUna, this.sndMax, this.dataMss());
      this.cc.onCongestionEvent(now, v.lostRetransmissionAt, false, Math.min(pipe, this.cc.window()));
    }
    return v.marked;
  }
}

/**
 * The sender's SACK scoreboard and the RFC 6675 §4 helpers: IsLost, SetPipe and NextSeg rule 1,
 * with a DupThresh that adapts to the reordering the path shows.
 *
 * Reordering: octets that the cumulative ACK covers for the first time, that were never
 * retransmitted, and that lie below an octet the peer had already SACKed, arrived after it: they
 * were late, not lost. Their distance below that highest SACKed octet is the path's reordering
 * depth, and DupThresh is raised past it so that the same reordering no longer looks like loss
 * (RFC 4653 §3 motivates this; Linux's tcp_check_sack_reordering is the model). A SACK block
 * alone proves nothing: a receiver reports only its three or four most recent blocks, so a block
 * heard late may have arrived long ago. Positions are send-side stream offsets (0 = the SYN),
 * never wrapping sequence numbers.
 */
import { RangeSet } from "./range-set.js";

/** RFC 6675 §2: DupThresh. */
export const DUP_THRESH = 3;
/** Upper bound on the adapted DupThresh, in segments (Linux tcp_max_reordering). */
export const MAX_REORDERING = 300;

export class Scoreboard {
  /** Octets the peer reported in SACK blocks, above SND.UNA. */
  readonly sacked = new RangeSet();
  /** Octets retransmitted and not yet cumulatively acknowledged. */
  readonly retransmitted = new RangeSet();
  /** RFC 6675 HighRxt: one past the highest octet retransmitted in this recovery. */
  highRxt = 0;
  /** RFC 6675 DupThresh, in segments; raised by observed reordering. */
  dupThresh = DUP_THRESH;

  /**
   * Records SACK blocks (RFC 6675 §4 Update()), ignoring blocks outside `(sndUna, sndMax]` and
   * D-SACKs (RFC 2883 §4: a first block below the cumulative ACK). Returns newly SACKed octets.
   */
  update(blocks: ReadonlyArray<[number, number]>, sndUna: number, sndMax: number): number {
    let added = 0;
    for (const [s, e] of blocks) {
      if (e <= s || s < sndUna || e > sndMax) continue;
      added += this.sacked.add(s, e);
    }
    return added;
  }

  /**
   * A cumulative ACK moved SND.UNA from `from` to `to`; `fack` is the highest SACKed octet
   * before that ACK's own SACK blocks were applied. Checks the new octets for reordering.
   */
  acknowledged(from: number, to: number, fack: number | undefined, smss: number): void {
    // Nothing was SACKed (the usual ACK): no octet can have arrived behind a SACKed one, and
    // there is no need to build the list of gaps.
    if (fack === undefined) return;
    for (const [gs, ge] of this.sacked.gaps(from, to)) this.observe(gs, ge, fack, smss);
  }

  /**
   * Whether the receiver dropped data it had SACKed: the cumulative ACK stops at the start of a
   * SACKed block, which a receiver still holding that block would have acknowledged (RFC 2018
   * §8 allows reneging; the test is Linux's tcp_check_sack_reneging).
   */
  reneged(sndUna: number): boolean {
    return this.sacked.contains(sndUna);
  }

  /** Forgets everything below the cumulative ACK. */
  advance(sndUna: number): void {
    this.sacked.removeBelow(sndUna);
    this.retransmitted.removeBelow(sndUna);
    if (this.highRxt < sndUna) this.highRxt = sndUna;
  }

  /** Forgets the SACK and retransmission state (reneging); DupThresh is kept. */
  clear(): void {
    this.sacked.clear();
    this.retransmitted.clear();
    this.highRxt = 0;
  }

  /** `[start, end)` was delivered for the first time while `fack` was the highest SACKed octet. */
  private observe(start: number, end: number, fack: number | undefined, smss: number): void {
    if (fack === undefined || start >= fack) return;
    if (this.retransmitted.coveredIn(start, end) > 0) return;
    this.reorderedBy(fack - start, smss);
  }

  /** An octet arrived `distance` octets behind a later one: DupThresh goes past that depth. */
  reorderedBy(distance: number, smss: number): void {
    const depth = Math.ceil(distance / smss);
    this.dupThresh = Math.min(MAX_REORDERING, Math.max(this.dupThresh, depth + 1));
  }

  /**
   * The offset below which every un-SACKed octet is lost (RFC 6675 §4 IsLost): DupThresh
   * discontiguous SACKed blocks, or more than (DupThresh - 1) * SMSS SACKed octets, lie above
   * it. Holes only exist between SACKed blocks, so the boundary is the start of the highest block
   * for which the condition holds; `sndUna` when none does.
   */
  lostBoundary(sndUna: number, smss: number): number {
    let bytes = 0;
    let blocks = 0;
    for (let i = this.sacked.count - 1; i >= 0; i--) {
      const [s, e] = this.sacked.at(i)!;
      bytes += e - s;
      blocks++;
      if (blocks >= this.dupThresh || bytes > (this.dupThresh - 1) * smss) return Math.max(s, sndUna);
    }
    return sndUna;
  }

  /** RFC 6675 §4 IsLost(seq). */
  isLost(seq: number, sndUna: number, smss: number): boolean {
    return !this.sacked.contains(seq) && seq < this.lostBoundary(sndUna, smss);
  }

  /**
   * RFC 6675 §4 SetPipe(): un-SACKed octets not deemed lost, plus un-SACKed octets retransmitted
   * in this recovery (below HighRxt) once more. Lost octets retransmitted in an EARLIER recovery
   * and not acknowledged yet count too: that retransmission is in flight. (A new recovery starts
   * as soon as HighACK passes RecoveryPoint; without this its pipe forgot them and the sender
   * flooded the path, every hole again at each recovery.)
   */
  pipe(sndUna: number, sndMax: number, smss: number): number {
    const lost = this.lostBoundary(sndUna, smss);
    const notLost = sndMax - lost - this.sacked.coveredIn(lost, sndMax);
    const rxtEnd = Math.min(this.highRxt, sndMax);
    let retransmitted = rxtEnd > sndUna ? rxtEnd - sndUna - this.sacked.coveredIn(sndUna, rxtEnd) : 0;
    const from = Math.max(rxtEnd, sndUna);
    // Usually every retransmission is this recovery's, below HighRxt: nothing more to count.
    const rxtMax = this.retransmitted.max;
    if (rxtMax === undefined || rxtMax <= from) return notLost + retransmitted;
    for (let i = 0; i < this.retransmitted.count; i++) {
      const [s, e] = this.retransmitted.at(i)!;
      if (e <= from) continue;
      if (s >= lost) break;
      const a = Math.max(s, from);
      const b = Math.min(e, lost);
      retransmitted += b - a - this.sacked.coveredIn(a, b);
    }
    return notLost + retransmitted;
  }

  /**
   * RFC 6675 §4 NextSeg() rule 1: the first un-SACKed, lost range at or above HighRxt, as
   * `[start, end)`, or undefined. Octets retransmitted in an earlier recovery and not yet
   * acknowledged are skipped: that retransmission is still in flight (if it is lost too, the
   * retransmission timer recovers it).
   */
  nextLost(sndUna: number, smss: number): [number, number] | undefined {
    const lost = this.lostBoundary(sndUna, smss);
    const from = Math.max(this.highRxt, sndUna);
    if (from >= lost) return undefined;
    for (const [gs, ge] of this.sacked.gaps(from, lost)) {
      let x = gs;
      while (x < ge) {
        const inFlight = this.retransmitted.rangeContaining(x);
        if (inFlight !== undefined) {
          x = inFlight[1];
          continue;
        }
        return [x, Math.min(ge, this.retransmitted.nextStartAfter(x))];
      }
    }
    return undefined;
  }
}

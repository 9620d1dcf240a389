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
 *
 * Lost retransmissions: each retransmission made in SACK recovery is remembered with the highest
 * octet sent at the time; once the peer SACKs enough data sent after it while its octets are
 * still missing, it was lost too (`detectLostRetransmissions`), and NextSeg offers it first.
 *
 * With RACK (`rack`, RFC 8985 §6, rack.ts) the octets deemed lost are those RACK put in `lost`,
 * by time, instead of those below DupThresh SACKed blocks; IsLost, SetPipe and NextSeg read that
 * set, and a retransmission takes its octets out of it (RACK judges the retransmission itself).
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
  /**
   * Octets ever retransmitted, not yet cumulatively acknowledged: kept across a timeout, which
   * forgets `retransmitted` (Linux TCPCB_EVER_RETRANS). An earlier copy of them may arrive late,
   * which is no sign of reordering.
   */
  private readonly everRetransmitted = new RangeSet();
  /** RFC 6675 HighRxt: one past the highest octet retransmitted in this recovery. */
  highRxt = 0;
  /** RFC 6675 DupThresh, in segments; raised by observed reordering. */
  dupThresh = DUP_THRESH;
  /**
   * Retransmitted octets deemed lost again (`detectLostRetransmissions`): NextSeg sends them
   * before anything else, and SetPipe no longer counts them in flight.
   */
  private readonly relost = new RangeSet();
  /** Retransmissions of a SACK recovery not yet delivered: `[start, end, SND.MAX then, sent at]`. */
  private readonly rxtMarks: Array<[number, number, number, number]> = [];
  /**
   * Loss is RACK's (RFC 8985 §6) rather than DupThresh's: `lost` holds the octets it deemed lost
   * and not yet sent again.
   */
  rack = false;
  /** With `rack`: octets deemed lost and not retransmitted since. */
  readonly lost = new RangeSet();

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
    this.everRetransmitted.removeBelow(sndUna);
    this.relost.removeBelow(sndUna);
    this.lost.removeBelow(sndUna);
    if (this.highRxt < sndUna) this.highRxt = sndUna;
  }

  /** Forgets the SACK and retransmission state (reneging); DupThresh is kept. */
  clear(): void {
    this.sacked.clear();
    this.forgetRetransmissions();
    this.highRxt = 0;
  }

  /** Forgets what was retransmitted (a timeout: going back N resends every hole). */
  forgetRetransmissions(): void {
    this.retransmitted.clear();
    this.relost.clear();
    this.lost.clear();
    this.rxtMarks.length = 0;
  }

  /** Whether the octet at `x` was retransmitted before (and is not yet acknowledged). */
  everSentAgain(x: number): boolean {
    return this.everRetransmitted.contains(x);
  }

  /**
   * `[start, end)` was sent again at `now`, while `sndMax` was the highest octet sent;
   * `inRecovery`: during SACK recovery, where a loss of this copy is looked for
   * (`detectLostRetransmissions`).
   */
  sentAgain(start: number, end: number, sndMax: number, inRecovery: boolean, now: number): void {
    this.retransmitted.add(start, end);
    this.everRetransmitted.add(start, end);
    if (this.rack) {
      this.lost.remove(start, end);
      return;
    }
    if (!inRecovery) return;
    this.relost.remove(start, end);
    this.rxtMarks.push([start, end, sndMax, now]);
  }

  /**
   * Finds the retransmissions that were lost too: the peer SACKed data first sent after one
   * (above the SND.MAX of its time) as deeply as IsLost asks before it calls an original lost
   * (DupThresh blocks, or more than (DupThresh - 1) * SMSS octets), and its octets are still
   * missing. This is RACK's rule (RFC 8985 §6.2: a segment is lost once one sent later was
   * delivered, allowing for reordering), applied to retransmissions in sequence space, where the
   * order of sending is known without timestamps (Linux's `tcp_mark_lost_retrans` before RACK).
   * Without it a lost retransmission waits for the retransmission timer (RFC 6675 §5 leaves it
   * there), a collapse of the window to one segment. Returns when the latest of the
   * retransmissions found lost was sent, or undefined when none was.
   */
  detectLostRetransmissions(sndUna: number, smss: number): number | undefined {
    let lostAt: number | undefined;
    let kept = 0;
    const marks = this.rxtMarks;
    for (let i = 0; i < marks.length; i++) {
      const m = marks[i]!;
      const from = Math.max(m[0], sndUna);
      if (from >= m[1] || this.sacked.covers(from, m[1])) continue;
      if (!this.deliveredAbove(m[2], smss)) {
        // The marks were pushed in sending order, so their SND.MAX never decreases: nothing is
        // SACKed deeply enough above any later one either. They stay (a delivered one among them
        // is dropped at a later call).
        while (i < marks.length) marks[kept++] = marks[i++]!;
        break;
      }
      for (const [gs, ge] of this.sacked.gaps(from, m[1])) {
        this.retransmitted.remove(gs, ge);
        this.relost.add(gs, ge);
      }
      lostAt = Math.max(lostAt ?? 0, m[3]);
    }
    marks.length = kept;
    return lostAt;
  }

  /** Whether as much is SACKed above `mark` as IsLost asks above a lost octet. */
  private deliveredAbove(mark: number, smss: number): boolean {
    let bytes = 0;
    let blocks = 0;
    for (let i = this.sacked.count - 1; i >= 0; i--) {
      const [s, e] = this.sacked.at(i)!;
      if (e <= mark) break;
      bytes += e - Math.max(s, mark);
      blocks++;
      if (blocks >= this.dupThresh || bytes > (this.dupThresh - 1) * smss) return true;
    }
    return false;
  }

  /** `[start, end)` was delivered for the first time while `fack` was the highest SACKed octet. */
  private observe(start: number, end: number, fack: number | undefined, smss: number): void {
    if (fack === undefined || start >= fack) return;
    if (this.everRetransmitted.coveredIn(start, end) > 0) return;
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

  /** Octets of `set` within `[start, end)` not SACKed since (`relost` or RACK's `lost`). */
  private unsackedIn(set: RangeSet, start: number, end: number): number {
    let n = 0;
    for (let i = 0; i < set.count; i++) {
      const [s, e] = set.at(i)!;
      const a = Math.max(s, start);
      const b = Math.min(e, end);
      if (b > a) n += b - a - this.sacked.coveredIn(a, b);
    }
    return n;
  }

  /** The first octets of `set` at or above `sndUna` not SACKed since, as `[start, end)`. */
  private firstUnsacked(set: RangeSet, sndUna: number): [number, number] | undefined {
    for (let i = 0; i < set.count; i++) {
      const [s, e] = set.at(i)!;
      if (e <= sndUna) continue;
      const gap = this.sacked.gaps(Math.max(s, sndUna), e)[0];
      if (gap !== undefined) return gap;
    }
    return undefined;
  }

  /** RFC 6675 §4 IsLost(seq); with RACK, whether RACK deemed it lost (and it is still missing). */
  isLost(seq: number, sndUna: number, smss: number): boolean {
    if (this.rack) return this.lost.contains(seq) && !this.sacked.contains(seq);
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
    if (this.rack) return this.rackPipe(sndUna, sndMax);
    const lost = this.lostBoundary(sndUna, smss);
    const notLost = sndMax - lost - this.sacked.coveredIn(lost, sndMax);
    const rxtEnd = Math.min(this.highRxt, sndMax);
    let retransmitted = rxtEnd > sndUna ? rxtEnd - sndUna - this.sacked.coveredIn(sndUna, rxtEnd) - this.unsackedIn(this.relost, sndUna, rxtEnd) : 0;
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
   * `[start, end)`, or undefined; before it, any retransmission found lost again
   * (`detectLostRetransmissions`). Octets retransmitted in an earlier recovery and not yet
   * acknowledged are skipped: that retransmission is still in flight (if it is lost too, the
   * retransmission timer recovers it).
   */
  nextLost(sndUna: number, smss: number): [number, number] | undefined {
    if (this.rack) return this.firstUnsacked(this.lost, sndUna);
    // Retransmissions lost again go first: they hold the cumulative ACK.
    const again = this.firstUnsacked(this.relost, sndUna);
    if (again !== undefined) return again;
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

  /**
   * SetPipe with RACK: every octet sent and not acknowledged, less those SACKed and those deemed
   * lost and not sent again (Linux tcp_packets_in_flight: packets out, less SACKed and lost, plus
   * retransmitted; a retransmission leaves `lost`, so it counts once).
   */
  private rackPipe(sndUna: number, sndMax: number): number {
    return sndMax - sndUna - this.sacked.coveredIn(sndUna, sndMax) - this.unsackedIn(this.lost, sndUna, sndMax);
  }
}

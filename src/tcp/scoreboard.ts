/**
 * The sender's SACK scoreboard and the RFC 6675 §4 helpers: IsLost, SetPipe and NextSeg rule 1.
 * Positions are send-side stream offsets (0 = the SYN), never wrapping sequence numbers.
 */
import { RangeSet } from "./range-set.js";

/** RFC 6675 §2: DupThresh. */
export const DUP_THRESH = 3;

export class Scoreboard {
  /** Octets the peer reported in SACK blocks, above SND.UNA. */
  readonly sacked = new RangeSet();
  /** RFC 6675 HighRxt: one past the highest octet retransmitted in this recovery. */
  highRxt = 0;

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

  /** Forgets everything below the cumulative ACK. */
  advance(sndUna: number): void {
    this.sacked.removeBelow(sndUna);
    if (this.highRxt < sndUna) this.highRxt = sndUna;
  }

  clear(): void {
    this.sacked.clear();
    this.highRxt = 0;
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
      if (blocks >= DUP_THRESH || bytes > (DUP_THRESH - 1) * smss) return Math.max(s, sndUna);
    }
    return sndUna;
  }

  /** RFC 6675 §4 IsLost(seq). */
  isLost(seq: number, sndUna: number, smss: number): boolean {
    return !this.sacked.contains(seq) && seq < this.lostBoundary(sndUna, smss);
  }

  /**
   * RFC 6675 §4 SetPipe(): un-SACKed octets not deemed lost, plus un-SACKed octets retransmitted
   * in this recovery (below HighRxt) once more.
   */
  pipe(sndUna: number, sndMax: number, smss: number): number {
    const lost = this.lostBoundary(sndUna, smss);
    const notLost = sndMax - lost - this.sacked.coveredIn(lost, sndMax);
    const rxtEnd = Math.min(this.highRxt, sndMax);
    const retransmitted = rxtEnd > sndUna ? rxtEnd - sndUna - this.sacked.coveredIn(sndUna, rxtEnd) : 0;
    return notLost + retransmitted;
  }

  /**
   * RFC 6675 §4 NextSeg() rule 1: the first un-SACKed, lost range at or above HighRxt, as
   * `[start, end)`, or undefined.
   */
  nextLost(sndUna: number, smss: number): [number, number] | undefined {
    const lost = this.lostBoundary(sndUna, smss);
    const from = Math.max(this.highRxt, sndUna);
    if (from >= lost) return undefined;
    const gaps = this.sacked.gaps(from, lost);
    return gaps[0];
  }
}

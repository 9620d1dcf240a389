/**
 * RACK, time-based loss detection (RFC 8985 §6): a segment is lost once a segment sent after it
 * has been delivered and more than a reordering window has passed beyond one round trip since
 * it was sent. Where DupThresh counts how much data arrived above a hole, RACK compares send
 * times, so it also finds a hole in a flight too small to produce three duplicate ACKs, a lost
 * retransmission (sent after everything above it), and it tolerates reordering by time instead
 * of by a sequence distance that grows with the window.
 *
 * This class holds RACK's variables (§6.1) and the transmissions still outstanding: the
 * original sends, in sending order (which is also sequence order), and the retransmissions, in
 * sending order (§6.1 recommends a time-ordered list: only the oldest transmissions can be lost,
 * so detection stops at the first one sent after RACK.segment, and the work per ACK is what is
 * outstanding within the reordering window, not the whole flight). Positions are send offsets.
 * The connection feeds it (recovery.ts): what was sent, what each ACK newly delivered, RTT
 * samples; it answers with the octets to deem lost (added to the scoreboard's `lost` set, which
 * NextSeg and the pipe read) and how long until the next octets could be (the RACK reordering
 * timer of §6.2 step 5).
 */
import { RangeSet } from "./range-set.js";

/** How long a minimum RTT stands (RFC 8985 §6.2 step 1 asks for a windowed min; Linux tcp_min_rtt_wlen: 300 s). */
export const MIN_RTT_WINDOW = 300_000_000;
/** DSACK-free recoveries after which the reordering window shrinks back (§6.2 step 4). */
const REO_WND_PERSIST = 16;

/** A retransmission still outstanding: `[start, end)` sent again at `time`. */
interface Resend {
  start: number;
  end: number;
  time: number;
}

/** What RACK learnt from the ACK just processed, beyond the octets it delivered (§6.2 step 4). */
export interface RackAckInfo {
  /** The ACK carried a D-SACK (RFC 2883). */
  dsack: boolean;
  /** SND.UNA and SND.NXT (the highest sent, RFC 9293's SND.NXT) after the ACK. */
  sndUna: number;
  sndNxt: number;
  /** In fast recovery or recovering from a timeout. */
  inRecovery: boolean;
  /** The ACK ended a recovery. */
  exitedRecovery: boolean;
  /** Octets SACKed above SND.UNA, and the sender's MSS: RACK.segs_sacked. */
  sackedBytes: number;
  smss: number;
  /** RFC 6675 DupThresh. */
  dupThresh: number;
  srtt: number | undefined;
}

/** The outcome of one loss detection (§6.2 step 5). */
export interface RackVerdict {
  /** Octets newly deemed lost. */
  marked: number;
  /** When the latest of the retransmissions deemed lost was sent, if any was. */
  lostRetransmissionAt: number | undefined;
  /** Microseconds until the next outstanding octets could be deemed lost; 0 when none can yet. */
  timeout: number;
}

/** RFC 8985 §6.2 RACK_sent_after(): whether (t1, seq1) was sent after (t2, seq2). */
export function sentAfter(t1: number, seq1: number, t2: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && seq1 > seq2);
}

export class Rack {
  /** RACK.xmit_ts and RACK.end_seq: the most recently sent segment known delivered. */
  xmitTs: number | undefined = undefined;
  endSeq = 0;
  /** RACK.rtt: the RTT of that segment's delivery. */
  rtt = 0;
  /** RACK.fack: the highest octet delivered (one past it). */
  fack = 0;
  /** RACK.reordering_seen. */
  reorderingSeen = false;
  /** RACK.reo_wnd_mult, RACK.reo_wnd_persist, RACK.dsack_round. */
  reoWndMult = 1;
  reoWndPersist = 0;
  dsackRound: number | undefined = undefined;
  /** RACK.reo_wnd, as step 4 last computed it. */
  reoWnd = 0;

  private minRttValue: number | undefined = undefined;
  private minRttAt = 0;

  // Original transmissions, oldest first: `[starts[i], ends[i])` sent at `times[i]`. Entries
  // before `head` are acknowledged; before `cursor` every octet is delivered, deemed lost or
  // sent again, so detection starts at `cursor`.
  private starts: number[] = [];
  private ends: number[] = [];
  private times: number[] = [];
  private head = 0;
  private cursor = 0;
  /** Retransmissions outstanding, oldest first, each trimmed to the octets not sent again since. */
  private resends: Resend[] = [];
  /** Octets sent more than once and not yet acknowledged: their original send no longer counts. */
  private readonly resent = new RangeSet();
  private readonly verdict: RackVerdict = { marked: 0, lostRetransmissionAt: undefined, timeout: 0 };

  /** RACK.min_RTT (§6.2 step 1), undefined before any sample. */
  get minRtt(): number | undefined {
    return this.minRttValue;
  }

  /** §6.2 step 1: an RTT sample (RFC 6298 or RFC 7323) at `now`. */
  sampleRtt(rtt: number, now: number): void {
    if (this.minRttValue === undefined || rtt <= this.minRttValue || now - this.minRttAt > MIN_RTT_WINDOW) {
      this.minRttValue = rtt;
      this.minRttAt = now;
    }
  }

  /** `[start, end)` went out at `now`: new data, or sent again. */
  onSent(start: number, end: number, now: number, retransmission: boolean): void {
    const top = this.ends.length > this.head ? this.ends[this.ends.length - 1]! : start;
    if (!retransmission || start >= top) {
      this.starts.push(start);
      this.ends.push(end);
      this.times.push(now);
      return;
    }
    // A retransmission that runs past the highest octet sent carries new data too.
    if (end > top) this.onSent(top, end, now, false);
    const to = Math.min(end, top);
    this.resent.add(start, to);
    this.trimResends(start, to);
    this.resends.push({ start, end: to, time: now });
  }

  /** The cumulative ACK reached `sndUna`: forgets what lies below it. */
  onAcked(sndUna: number): void {
    while (this.head < this.ends.length && this.ends[this.head]! <= sndUna) this.head++;
    if (this.cursor < this.head) this.cursor = this.head;
    if (this.head > 64 && this.head * 2 > this.ends.length) {
      this.starts = this.starts.slice(this.head);
      this.ends = this.ends.slice(this.head);
      this.times = this.times.slice(this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
    // Retransmissions are outstanding below the new SND.UNA only if resent octets are.
    if (this.resends.length > 0 && (this.resent.min ?? Infinity) < sndUna) this.resends = this.resends.filter((r) => r.end > sndUna);
    this.resent.removeBelow(sndUna);
  }

  /**
   * A timeout or reneging: the original sends are looked at again from the oldest outstanding
   * (what was deemed lost is forgotten with the scoreboard's state).
   */
  restart(): void {
    this.cursor = this.head;
  }

  /**
   * §6.2 steps 2 and 3: `pieces` were delivered for the first time by this ACK (cumulatively
   * acknowledged or SACKed). RACK.segment becomes the most recently sent of the transmissions
   * that delivered them, skipping a retransmission whose delivery may be its original's: one the
   * ACK's timestamp echo predates (`echoedAt`, the millisecond tick of the echoed TSval, µs), or
   * one sent less than RACK.min_RTT ago. An original delivered below RACK.fack arrived late:
   * the path reorders.
   */
  onDelivered(pieces: ReadonlyArray<readonly [number, number]>, now: number, echoedAt: number | undefined): void {
    let bestTime = -1;
    let bestEnd = 0;
    const fackBefore = this.fack;
    for (const [a, b] of pieces) {
      // [first, last): the octets whose original send delivered them (none sent again, usually).
      let first = a;
      let last = b;
      if (!this.resent.isEmpty && this.resent.coveredIn(a, b) > 0) {
        for (const r of this.resends) {
          if (r.end <= a || r.start >= b) continue;
          if (echoedAt !== undefined && echoedAt < Math.floor(r.time / 1000) * 1000) continue;
          if (this.minRttValue !== undefined && now - r.time < this.minRttValue) continue;
          if (sentAfter(r.time, r.end, bestTime, bestEnd)) {
            bestTime = r.time;
            bestEnd = r.end;
          }
        }
        const firsts = this.resent.gaps(a, b);
        first = firsts.length > 0 ? firsts[0]![0] : b;
        last = firsts.length > 0 ? firsts[firsts.length - 1]![1] : b;
      }
      if (first < last) {
        const hi = this.originalAt(last - 1);
        if (hi >= 0 && sentAfter(this.times[hi]!, this.ends[hi]!, bestTime, bestEnd)) {
          bestTime = this.times[hi]!;
          bestEnd = this.ends[hi]!;
        }
        // Below RACK.fack: delivered after something sent later (in order, `first` is at it).
        if (first < fackBefore) {
          const lo = this.originalAt(first);
          if (lo >= 0 && this.ends[lo]! < fackBefore) this.reorderingSeen = true;
        }
      }
      if (b > this.fack) this.fack = b;
    }
    if (bestTime < 0) return;
    this.rtt = now - bestTime;
    if (this.xmitTs === undefined || sentAfter(bestTime, bestEnd, this.xmitTs, this.endSeq)) {
      this.xmitTs = bestTime;
      this.endSeq = bestEnd;
    }
  }

  /** §6.2 step 4, RACK_update_reo_wnd(): the reordering window for this ACK. */
  updateReoWnd(a: RackAckInfo): number {
    if (this.dsackRound !== undefined && a.sndUna >= this.dsackRound) this.dsackRound = undefined;
    if (this.dsackRound === undefined && a.dsack) {
      // A D-SACK shows a retransmission that reordering made spurious: widen the window, once
      // per round trip, and keep it wide for the next 16 recoveries.
      this.dsackRound = a.sndNxt;
      this.reoWndMult++;
      this.reoWndPersist = REO_WND_PERSIST;
    } else if (a.exitedRecovery && --this.reoWndPersist <= 0) {
      this.reoWndMult = 1;
    }
    if (!this.reorderingSeen && (a.inRecovery || a.sackedBytes >= a.dupThresh * a.smss)) {
      this.reoWnd = 0;
    } else {
      const quarter = (this.reoWndMult * (this.minRttValue ?? 0)) / 4;
      this.reoWnd = Math.floor(a.srtt === undefined ? quarter : Math.min(quarter, a.srtt));
    }
    return this.reoWnd;
  }

  /**
   * §6.2 step 5, RACK_detect_loss(): every outstanding octet whose latest transmission was sent
   * before RACK.segment and more than RACK.rtt + RACK.reo_wnd ago is lost; it is added to
   * `lost`. Octets SACKed (`sacked`), already in `lost`, or sent again since are not judged. The
   * verdict is valid until the next call.
   */
  detectLoss(now: number, sndUna: number, sacked: RangeSet, lost: RangeSet): RackVerdict {
    // One record, reused: this runs on every ACK.
    const verdict = this.verdict;
    verdict.marked = 0;
    verdict.lostRetransmissionAt = undefined;
    verdict.timeout = 0;
    const xmitTs = this.xmitTs;
    if (xmitTs === undefined) return verdict;
    const wait = this.rtt + this.reoWnd;
    let advancing = true;
    for (let i = this.cursor; i < this.ends.length; i++) {
      const time = this.times[i]!;
      const end = this.ends[i]!;
      if (!sentAfter(xmitTs, this.endSeq, time, end)) break;
      const state = this.judge(Math.max(this.starts[i]!, sndUna), end, time + wait - now, sacked, lost, true);
      if (state > 0) {
        verdict.timeout = Math.max(verdict.timeout, state);
        advancing = false;
      } else {
        verdict.marked -= state;
        if (advancing) this.cursor = i + 1;
      }
    }
    let kept = 0;
    let i = 0;
    const resends = this.resends;
    for (; i < resends.length; i++) {
      const r = resends[i]!;
      if (!sentAfter(xmitTs, this.endSeq, r.time, r.end)) break;
      const state = this.judge(Math.max(r.start, sndUna), r.end, r.time + wait - now, sacked, lost, false);
      if (state > 0) {
        verdict.timeout = Math.max(verdict.timeout, state);
        resends[kept++] = r;
      } else if (state < 0) {
        verdict.marked -= state;
        verdict.lostRetransmissionAt = r.time;
      }
    }
    while (i < resends.length) resends[kept++] = resends[i++]!;
    resends.length = kept;
    return verdict;
  }

  /**
   * One transmission of `[start, end)`, `remaining` µs from being overdue: its octets not
   * SACKed, not deemed lost and (for an original, `original`) not sent again. Returns
   * `remaining` when some are still awaited and it is positive; otherwise marks them lost and
   * returns minus their count (0 when none was left to judge).
   */
  private judge(start: number, end: number, remaining: number, sacked: RangeSet, lost: RangeSet, original: boolean): number {
    if (start >= end) return 0;
    const pieces: Array<[number, number]> = [];
    for (const gap of sacked.gaps(start, end)) {
      if (original) pieces.push(...this.resent.gaps(gap[0], gap[1]));
      else pieces.push(gap);
    }
    let awaited = 0;
    for (const [s, e] of pieces) awaited += e - s - lost.coveredIn(s, e);
    if (awaited === 0) return 0;
    if (remaining > 0) return remaining;
    // The pieces are disjoint: together they add exactly the awaited octets.
    for (const [s, e] of pieces) lost.add(s, e);
    return -awaited;
  }

  /** Index of the original transmission holding octet `x`, or -1. */
  private originalAt(x: number): number {
    let lo = this.head;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.ends.length && this.starts[lo]! <= x ? lo : -1;
  }

  /** `[start, end)` was sent again: earlier retransmissions of those octets no longer count. */
  private trimResends(start: number, end: number): void {
    if (!this.resends.some((r) => r.end > start && r.start < end)) return;
    const out: Resend[] = [];
    for (const r of this.resends) {
      if (r.end <= start || r.start >= end) {
        out.push(r);
        continue;
      }
      if (r.start < start) out.push({ start: r.start, end: start, time: r.time });
      if (r.end > end) out.push({ start: end, end: r.end, time: r.time });
    }
    this.resends = out;
  }
}

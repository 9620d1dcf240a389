/**
 * MPTCP-level reordering at the receiver (RFC 8684 §3.3.4: the receiver delivers data in DSN
 * order, whatever subflow it came on). Data that arrives beyond a hole waits until the hole is
 * filled; the time it waited is the head-of-line blocking cost of spreading data over subflows
 * (or of a loss). Only the out-of-order window is held, as ranges with their arrival times.
 */
import { DelayHistogram } from "./series.js";

/** Beyond this many waiting ranges the capture is taken to have missed the data of the hole. */
const MAX_PENDING = 4096;

interface Pending {
  start: number;
  end: number;
  t: number;
  /** False for the DATA_FIN's sequence number, which is not a byte. */
  counts: boolean;
}

export class DataReorder {
  /** Next in-order relative DSN; undefined until the first data. */
  private rcvNxt: number | undefined;
  private pending: Pending[] = [];
  readonly delays = new DelayHistogram();
  /** Holes skipped because the capture never showed the missing data. */
  gapsSkipped = 0;
  gapBytes = 0;

  /** `first` is where the data starts (1 past the IDSN) when known. */
  constructor(first?: number) {
    this.rcvNxt = first;
  }

  get next(): number | undefined {
    return this.rcvNxt;
  }

  /** Data [start, end) arrived at time `t`; `counts` is false for the DATA_FIN (§3.3.3). */
  arrive(start: number, end: number, t: number, counts = true): void {
    if (end <= start) return;
    if (this.rcvNxt === undefined) this.rcvNxt = start;
    if (end <= this.rcvNxt) return; // a duplicate
    if (start <= this.rcvNxt) {
      if (counts) this.delays.add(0, end - this.rcvNxt);
      this.rcvNxt = end;
      this.drain(t);
      return;
    }
    this.insert({ start, end, t, counts });
    if (this.pending.length > MAX_PENDING) {
      const first = this.pending[0]!;
      this.gapsSkipped++;
      this.gapBytes += first.start - this.rcvNxt;
      this.rcvNxt = first.start;
      this.drain(t);
    }
  }

  /**
   * The receiver acknowledged everything below `ack` at time `t` (a Data ACK, §3.3.2): data below
   * it that the capture never showed was missed by the capture, not by the receiver. The waiting
   * data below `ack` is taken as delivered by then.
   */
  acked(ack: number, t: number): void {
    if (this.rcvNxt === undefined || ack <= this.rcvNxt) return;
    const p = this.pending;
    let k = 0;
    let missed = 0;
    while (k < p.length && p[k]!.start < ack) {
      const r = p[k]!;
      if (r.start > this.rcvNxt) missed += r.start - this.rcvNxt;
      if (r.end > this.rcvNxt) {
        const from = Math.max(r.start, this.rcvNxt);
        if (r.counts) this.delays.add(t - r.t, r.end - from);
        this.rcvNxt = r.end;
      }
      k++;
    }
    if (k > 0) p.splice(0, k);
    if (this.rcvNxt < ack) {
      missed += ack - this.rcvNxt;
      this.rcvNxt = ack;
    }
    if (missed > 0) {
      this.gapsSkipped++;
      this.gapBytes += missed;
    }
    this.drain(t);
  }

  /** Ranges still waiting (at the end of the trace: holes that were never filled). */
  get waiting(): number {
    return this.pending.length;
  }

  private drain(now: number): void {
    const p = this.pending;
    let k = 0;
    while (k < p.length && p[k]!.start <= this.rcvNxt!) {
      const r = p[k]!;
      if (r.end > this.rcvNxt!) {
        if (r.counts) this.delays.add(now - r.t, r.end - this.rcvNxt!);
        this.rcvNxt = r.end;
      }
      k++;
    }
    if (k > 0) p.splice(0, k);
  }

  private insert(r: Pending): void {
    const p = this.pending;
    let i = p.length;
    while (i > 0 && p[i - 1]!.start > r.start) i--;
    p.splice(i, 0, r);
  }
}

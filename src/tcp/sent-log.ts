/**
 * When each new-data segment in flight was first sent, oldest first: the `sentTime` a
 * congestion controller gets with a loss (quinn's `on_congestion_event(sent)`), so that losses
 * of one window cause one reduction. A deque over two parallel arrays, compacted lazily.
 */
export class SentLog {
  private ends: number[] = [];
  private times: number[] = [];
  private head = 0;

  /** A segment ending at send offset `end` went out at `time`. */
  push(end: number, time: number): void {
    this.ends.push(end);
    this.times.push(time);
  }

  /** Forgets the segments the cumulative ACK `ack` covers. */
  ack(ack: number): void {
    while (this.head < this.ends.length && this.ends[this.head]! <= ack) this.head++;
    if (this.head > 64 && this.head * 2 > this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** Send time of the oldest segment still in flight. */
  oldest(): number | undefined {
    return this.head < this.times.length ? this.times[this.head] : undefined;
  }

  /** Send time of the newest segment still in flight. */
  newest(): number | undefined {
    return this.head < this.times.length ? this.times[this.times.length - 1] : undefined;
  }

  /**
   * Where the newest segment still in flight starts: the end of the one sent before it, or
   * `sndUna` when it is the only one (its start may have been acknowledged in part).
   */
  newestStart(sndUna: number): number {
    const i = this.ends.length - 2;
    return i >= this.head ? Math.max(sndUna, this.ends[i]!) : sndUna;
  }
}

/**
 * In-order received bytes waiting for the application: the payload views of the segments as
 * they arrived (no copy on arrival), read out in order. A read that fits in the first view
 * returns a sub-view; only a read spanning several views copies.
 */
export class RecvQueue {
  /**
   * The views waiting are `views[head, end)`. The array is reused once emptied rather than
   * truncated: an application that reads every segment as it arrives empties the queue once per
   * segment, and `length = 0` gave the array's backing store back, to be allocated again by the
   * next push.
   */
  private readonly views: Uint8Array[] = [];
  private head = 0;
  private end = 0;
  private bytes = 0;

  /** Bytes waiting. */
  get length(): number {
    return this.bytes;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.end === this.views.length) this.views.push(data);
    else this.views[this.end] = data;
    this.end++;
    this.bytes += data.length;
  }

  /** Takes up to `max` bytes (at least one is waiting). */
  read(max: number): Uint8Array {
    const first = this.views[this.head]!;
    const n = Math.min(max, this.bytes);
    let out: Uint8Array;
    if (n === first.length) {
      // The common case (the application reads what arrived): the view itself, no new one.
      out = first;
      this.consume(n);
    } else if (n < first.length) {
      out = first.subarray(0, n);
      this.consume(n);
    } else {
      out = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const v = this.views[this.head]!;
        const take = Math.min(n - done, v.length);
        out.set(v.subarray(0, take), done);
        done += take;
        this.consume(take);
      }
    }
    return out;
  }

  /** Drops `n` bytes from the front of the first view. */
  private consume(n: number): void {
    const v = this.views[this.head]!;
    this.bytes -= n;
    if (n < v.length) {
      this.views[this.head] = v.subarray(n);
      return;
    }
    this.views[this.head++] = EMPTY;
    if (this.head === this.end) {
      this.head = 0;
      this.end = 0;
      // A backlog that grew the array past what a reader keeping up needs is given back.
      if (this.views.length > 64) this.views.length = 0;
    } else if (this.head > 64 && this.head * 2 > this.end) {
      // Everything before `head` is read: move the rest to the front.
      const views = this.views;
      views.copyWithin(0, this.head, this.end);
      views.fill(EMPTY, this.end - this.head, this.end);
      this.end -= this.head;
      this.head = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);

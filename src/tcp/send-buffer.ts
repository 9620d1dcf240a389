/**
 * The send buffer: bytes the application wrote that are not yet acknowledged, as a list of
 * chunks indexed by stream offset (DESIGN.md §3). Offsets count data bytes from 0 (the first
 * byte after the SYN); the connection maps them to sequence numbers.
 *
 * Writes are copied once into fixed-size chunks (the caller may reuse its buffer), so many small
 * writes do not make many small chunks. Reading a range that lies in one chunk returns a view,
 * without copying; only a segment that straddles two chunks is copied.
 */

const CHUNK = 16 * 1024;

interface Chunk {
  /** Offset of `buf[0]`. */
  start: number;
  buf: Uint8Array;
  /** Bytes of `buf` in use. */
  len: number;
}

export class SendBuffer {
  private chunks: Chunk[] = [];
  /** Index of the first live chunk (chunks before it are released lazily). */
  private head = 0;
  /** Offset of the first unacknowledged byte. */
  private startOffset = 0;
  private endOffset = 0;

  constructor(readonly capacity: number) {}

  /** Offset of the oldest byte still held (everything before it was acknowledged). */
  get start(): number {
    return this.startOffset;
  }

  /** Offset one past the newest byte written. */
  get end(): number {
    return this.endOffset;
  }

  /** Bytes held (unacknowledged, sent or not). */
  get length(): number {
    return this.endOffset - this.startOffset;
  }

  get free(): number {
    return this.capacity - this.length;
  }

  /** Copies as much of `data` as fits and returns the number of bytes taken. */
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.free);
    let done = 0;
    while (done < n) {
      let tail = this.chunks.length > this.head ? this.chunks[this.chunks.length - 1] : undefined;
      if (tail === undefined || tail.len === tail.buf.length) {
        tail = { start: this.endOffset, buf: new Uint8Array(Math.min(CHUNK, this.capacity)), len: 0 };
        this.chunks.push(tail);
      }
      const take = Math.min(n - done, tail.buf.length - tail.len);
      tail.buf.set(data.subarray(done, done + take), tail.len);
      tail.len += take;
      done += take;
      this.endOffset += take;
    }
    return n;
  }

  /**
   * The bytes `[offset, offset + len)`, which must lie within `[start, end)`. A view when the
   * range is inside one chunk, a fresh copy otherwise.
   */
  read(offset: number, len: number): Uint8Array {
    if (offset < this.startOffset || offset + len > this.endOffset || len < 0) {
      const held = `[${this.startOffset}, ${this.endOffset})`;
      throw new RangeError(`send buffer read [${offset}, ${offset + len}) outside ${held}`);
    }
    if (len === 0) return new Uint8Array(0);
    let i = this.findChunk(offset);
    const first = this.chunks[i]!;
    const rel = offset - first.start;
    if (rel + len <= first.len) return first.buf.subarray(rel, rel + len);
    const out = new Uint8Array(len);
    let done = 0;
    let pos = offset;
    while (done < len) {
      const c = this.chunks[i++]!;
      const r = pos - c.start;
      const take = Math.min(len - done, c.len - r);
      out.set(c.buf.subarray(r, r + take), done);
      done += take;
      pos += take;
    }
    return out;
  }

  /** Releases everything below `offset` (an acknowledgment). */
  ack(offset: number): void {
    if (offset <= this.startOffset) return;
    this.startOffset = Math.min(offset, this.endOffset);
    while (this.head < this.chunks.length) {
      const c = this.chunks[this.head]!;
      // Keep a partly filled tail chunk: later writes still append to it.
      const isTail = this.head === this.chunks.length - 1;
      if (c.start + c.len > this.startOffset || (isTail && c.len < c.buf.length)) break;
      this.head++;
    }
    if (this.head > 32 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  private findChunk(offset: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunks[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * The send buffer: bytes the application wrote that are not yet acknowledged, as a list of
 * chunks indexed by stream offset (DESIGN.md §3). Offsets count data bytes from 0 (the first
 * byte after the SYN); the connection maps them to sequence numbers.
 *
 * Writes are copied once into chunks (the caller may reuse its buffer), so many small writes do
 * not make many small chunks. Reading a range that lies in one chunk returns a view, without
 * copying; only a segment that straddles two chunks is copied.
 *
 * Chunks start small and grow while the application keeps filling them: each chunk that fills up
 * makes the next one twice as large, up to MAX_CHUNK. A bulk transfer then allocates a chunk per
 * 256 KiB instead of per 16 KiB and copies a segment straddling two chunks 16 times less often,
 * while a connection that writes little holds one small chunk, and an idle one nothing larger.
 *
 * Fresh chunks are the expensive part of a bulk transfer (zeroed off-heap memory, touched page
 * by page, freed only by the GC). When the owner allows it (`reuse`, see `TcpOpenOptions`), the
 * last chunk acknowledged is kept as a spare and written again instead of allocating the next.
 * That is only correct when nobody reads a payload view after its bytes are acknowledged.
 */

const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 256 * 1024;

interface Chunk {
  /** Offset of `buf[0]`. */
  start: number;
  buf: Uint8Array;
  /**
   * `buf.buffer`, kept: reading a typed array's `.buffer` is a call into V8's runtime, and `read`
   * makes a view of the chunk's memory for every segment sent.
   */
  memory: ArrayBufferLike;
  /** Bytes of `buf` in use. */
  len: number;
}

/** Stands in for a released chunk until the list is compacted, so its memory can go. */
const NO_BYTES = new Uint8Array(0);
const RELEASED: Chunk = { start: 0, buf: NO_BYTES, memory: NO_BYTES.buffer, len: 0 };

export class SendBuffer {
  private chunks: Chunk[] = [];
  /** Index of the first live chunk (chunks before it are released lazily). */
  private head = 0;
  /** Offset of the first unacknowledged byte. */
  private startOffset = 0;
  private endOffset = 0;
  /** Size of the next chunk to allocate. */
  private chunkSize = MIN_CHUNK;
  /** An acknowledged chunk to write into next (only with `reuse`). */
  private spare: Uint8Array | undefined;

  constructor(
    readonly capacity: number,
    private readonly reuse = false,
  ) {}

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
    let tail = this.chunks.length > this.head ? this.chunks[this.chunks.length - 1] : undefined;
    while (done < n) {
      if (tail === undefined || tail.len === tail.buf.length) {
        const buf = this.newChunk();
        tail = { start: this.endOffset, buf, memory: buf.buffer, len: 0 };
        this.chunks.push(tail);
      }
      const take = Math.min(n - done, tail.buf.length - tail.len);
      tail.buf.set(take === data.length ? data : data.subarray(done, done + take), tail.len);
      tail.len += take;
      done += take;
      this.endOffset += take;
      if (tail.len === tail.buf.length) this.chunkSize = Math.min(MAX_CHUNK, 2 * this.chunkSize);
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
    // The constructor rather than `subarray`, which goes through the species protocol (slower).
    if (rel + len <= first.len) return new Uint8Array(first.memory, first.buf.byteOffset + rel, len);
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
      if (c.start + c.len > this.startOffset) break;
      // A partly filled tail chunk of the smallest size stays: later writes append to it.
      const isTail = this.head === this.chunks.length - 1;
      if (isTail && c.len < c.buf.length && c.buf.length === MIN_CHUNK) break;
      if (this.reuse) this.spare = c.buf;
      this.chunks[this.head++] = RELEASED;
    }
    if (this.head === this.chunks.length) {
      // Everything written was acknowledged: the burst is over, so start small again and hold
      // nothing large while idle.
      this.chunks.length = 0;
      this.head = 0;
      this.chunkSize = MIN_CHUNK;
      this.spare = undefined;
    } else if (this.head > 32 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** A chunk of the current size: the spare when it fits, else a new one. */
  private newChunk(): Uint8Array {
    const size = Math.min(this.chunkSize, this.capacity);
    const spare = this.spare;
    if (spare !== undefined && spare.length === size) {
      this.spare = undefined;
      return spare;
    }
    return new Uint8Array(size);
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

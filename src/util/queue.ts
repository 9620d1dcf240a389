/**
 * A FIFO queue on a growable ring buffer: O(1) push and shift without the O(n) `Array.shift`
 * of a long array. Capacity is a power of two so wrapping is a mask. Used for link queues and
 * router output in the simulator, and for the Host's ready list and event queue.
 */
export class Queue<T> {
  private buf: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & (this.buf.length - 1)] = item;
    this.count++;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined; // let the item (often a packet) be collected
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.count--;
    return item;
  }

  /** The item `i` places from the front (0: the next `shift`), or undefined past the end. */
  at(i: number): T | undefined {
    return i >= 0 && i < this.count ? this.buf[(this.head + i) & (this.buf.length - 1)] : undefined;
  }

  /** Items in order, without removing them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.buf[(this.head + i) & (this.buf.length - 1)]!;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}

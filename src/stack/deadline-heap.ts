/**
 * A binary min-heap of items keyed by a deadline, where each item knows its own position, so
 * moving or removing one is O(log n) without a search. The Host keeps one entry per connection
 * with a running timer: `pollTimeout()` is the top, and only connections whose timers are due are
 * touched by `handleTimeout()` (10 000 idle connections cost nothing per event).
 */

export interface HeapItem {
  /** Position in the heap, -1 when absent. Owned by the heap. */
  heapIndex: number;
  /** The key while in the heap. Owned by the heap. */
  deadline: number;
}

export class DeadlineHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The item with the earliest deadline. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts, moves (new deadline) or, with `undefined`, removes `item`. */
  set(item: T, deadline: number | undefined): void {
    if (deadline === undefined) {
      this.remove(item);
      return;
    }
    const i = item.heapIndex;
    if (i < 0) {
      item.deadline = deadline;
      item.heapIndex = this.items.length;
      this.items.push(item);
      this.up(item.heapIndex);
      return;
    }
    const old = item.deadline;
    if (old === deadline) return;
    item.deadline = deadline;
    if (deadline < old) this.up(i);
    else this.down(i);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    item.heapIndex = -1;
    const last = this.items.pop()!;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.up(i);
    this.down(last.heapIndex);
  }

  /** Removes and returns the earliest item if its deadline is at or before `now`. */
  popDue(now: number): T | undefined {
    const top = this.items[0];
    if (top === undefined || top.deadline > now) return undefined;
    this.remove(top);
    return top;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (p.deadline <= item.deadline) break;
      items[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]!.deadline < items[child]!.deadline) child++;
      const c = items[child]!;
      if (c.deadline >= item.deadline) break;
      items[i] = c;
      c.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}

/**
 * The demultiplexing table: established (and synchronizing) connections by 4-tuple.
 *
 * Buckets are keyed by the port pair, a single integer (local port · 2^16 + remote port), and
 * chained through the connections themselves, so a lookup allocates nothing and compares
 * addresses only among connections sharing both ports (several local addresses, or one server
 * port reached from the same client port of different hosts).
 */
import type { IpAddress } from "../wire/address.js";

export interface TableEntry {
  readonly local: IpAddress;
  readonly localPort: number;
  readonly remote: IpAddress;
  readonly remotePort: number;
  /** The next entry of the same bucket. Owned by the table. */
  nextInBucket: this | undefined;
}

export class ConnectionTable<T extends TableEntry> {
  private readonly buckets = new Map<number, T>();
  private count = 0;
  /** The entry `findIn` found last, while it is in the table. */
  private lastFound: T | undefined;

  get size(): number {
    return this.count;
  }

  find(local: IpAddress, localPort: number, remote: IpAddress, remotePort: number): T | undefined {
    for (let e = this.buckets.get(portKey(localPort, remotePort)); e !== undefined; e = e.nextInBucket) {
      if (sameAddress(e.local, local) && sameAddress(e.remote, remote)) return e;
    }
    return undefined;
  }

  /**
   * `find` with the addresses read in place: the local one at `buf[localAt]`, the remote one at
   * `buf[remoteAt]`, each `addressLength` bytes (a received datagram's header, uncut).
   */
  findIn(buf: Uint8Array, localAt: number, remoteAt: number, addressLength: number, localPort: number, remotePort: number): T | undefined {
    // Segments come in runs for one connection (a bulk transfer is all one 4-tuple): try the
    // last one found before hashing the ports.
    const last = this.lastFound;
    if (
      last !== undefined && last.localPort === localPort && last.remotePort === remotePort &&
      addressAt(last.local, buf, localAt, addressLength) && addressAt(last.remote, buf, remoteAt, addressLength)
    ) {
      return last;
    }
    for (let e = this.buckets.get(portKey(localPort, remotePort)); e !== undefined; e = e.nextInBucket) {
      if (addressAt(e.local, buf, localAt, addressLength) && addressAt(e.remote, buf, remoteAt, addressLength)) {
        this.lastFound = e;
        return e;
      }
    }
    return undefined;
  }

  /** Adds `entry`; the caller has checked that its 4-tuple is free. */
  add(entry: T): void {
    const key = portKey(entry.localPort, entry.remotePort);
    entry.nextInBucket = this.buckets.get(key);
    this.buckets.set(key, entry);
    this.count++;
  }

  remove(entry: T): boolean {
    const key = portKey(entry.localPort, entry.remotePort);
    let prev: T | undefined;
    for (let e = this.buckets.get(key); e !== undefined; prev = e, e = e.nextInBucket) {
      if (e !== entry) continue;
      if (prev !== undefined) prev.nextInBucket = e.nextInBucket;
      else if (e.nextInBucket !== undefined) this.buckets.set(key, e.nextInBucket);
      else this.buckets.delete(key);
      entry.nextInBucket = undefined;
      if (this.lastFound === entry) this.lastFound = undefined;
      this.count--;
      return true;
    }
    return false;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const head of this.buckets.values()) {
      for (let e: T | undefined = head; e !== undefined; e = e.nextInBucket) yield e;
    }
  }
}

function portKey(localPort: number, remotePort: number): number {
  return localPort * 0x10000 + remotePort;
}

/** Byte equality of two addresses (of either family). */
export function sameAddress(a: IpAddress, b: IpAddress): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `a` is the `length` bytes at `buf[at]`. */
function addressAt(a: IpAddress, buf: Uint8Array, at: number, length: number): boolean {
  if (a.length !== length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== buf[at + i]) return false;
  return true;
}

/**
 * Buffers for outgoing datagrams, carved from large slabs. Every datagram the Host sends is a
 * fresh buffer the caller owns, but allocating each one separately (an off-heap backing store
 * per 1500-byte packet, zero-filled and tracked by the GC) was the largest cost of the Host's
 * transmit path; a view into a shared slab is only a small on-heap object. A slab is freed when
 * the last datagram cut from it is, so packets that live long (a reassembly queue holding a
 * view of its payload) keep at most their slab alive.
 */

const SLAB_BYTES = 256 * 1024;
/** Larger datagrams get their own buffer, so one never pins a slab for little use. */
const MAX_CARVED = SLAB_BYTES / 8;

export class PacketSlab {
  /**
   * The slab itself. Held as the ArrayBuffer: reading a typed array's `.buffer` in the hot path
   * was a call into the runtime (V8's `TypedArrayPrototypeBuffer` builtin) per datagram.
   */
  private slab = new ArrayBuffer(SLAB_BYTES);
  private used = 0;

  /** A zero-filled buffer of `length` bytes, owned by the caller from now on. */
  alloc(length: number): Uint8Array {
    if (length > MAX_CARVED) return new Uint8Array(length);
    if (this.used + length > SLAB_BYTES) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.used = 0;
    }
    // A view made directly, not with `subarray`, which consults the species constructor (about
    // 40% slower per call on Node 20).
    const out = new Uint8Array(this.slab, this.used, length);
    // Keep each datagram 8-byte aligned, as a fresh allocation would be.
    this.used += (length + 7) & ~7;
    return out;
  }
}

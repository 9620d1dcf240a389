/**
 * The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of
 * the data taken as big-endian 16-bit words, with the TCP pseudo-headers of RFC 9293 §3.1 (IPv4)
 * and RFC 8200 §8.1 (IPv6).
 *
 * Data is summed piece by piece into an accumulator, a small integer: its low 16 bits are the
 * one's-complement sum so far and bit 16 says that an odd number of bytes has been added, so the
 * next piece starts on the low byte of a word. This is what lets a checksum cover a header built
 * on the stack followed by a payload view, or the DSS checksum (RFC 8684 §3.3.1: a 16-byte
 * pseudo-header, then the payload) without copying anything together.
 */
import type { IpAddress } from "./address.js";
import { SIMD_SUM } from "./checksum-simd.js";

/** A running sum for `checksumAdd`; start from 0 (or a pseudo-header sum). */
export type ChecksumAccumulator = number;

const ODD = 0x10000;

/** Below this many bytes the word-at-a-time path does not pay for its typed-array view. */
const WORDS_MIN_LEN = 64;
/**
 * From this many bytes on, WebAssembly SIMD (checksum-simd.ts) sums faster than the JavaScript
 * loop, copy into its memory and call included: measured faster from 48 bytes (82 against 112 ns),
 * 2.6x at 256 and 3.4x at 1,480 (bench/wire-codec.ts measures the full-size case). Headers and
 * pure ACKs, shorter, stay in JavaScript.
 */
const SIMD_MIN_LEN = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Word views of the two buffers last summed. Datagrams are carved from shared slabs, so calls
 * mostly sum a buffer seen just before: two, when a pair of hosts exchange data and ACKs, each
 * sender's slab verified by the other end. A typed-array view per call (an object of about a
 * hundred bytes, two per segment sent and received) cost more than its loop saved on small
 * packets. The views hold on to those two buffers until others are summed.
 */
let recentBuffer: ArrayBufferLike | undefined;
let recentView: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
let olderBuffer: ArrayBufferLike | undefined;
let olderView: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/** A word view of all of `buffer`, at least `words` long (it is, unless the buffer shrank). */
function wordsOf(buffer: ArrayBufferLike, words: number): Uint32Array<ArrayBufferLike> {
  // A resizable buffer may have shrunk since its view was made: then make a new one.
  if (buffer === recentBuffer && words <= recentView.length) return recentView;
  if (buffer === olderBuffer && words <= olderView.length) return olderView;
  olderBuffer = recentBuffer;
  olderView = recentView;
  recentBuffer = buffer;
  recentView = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  return recentView;
}

/**
 * Adds `bytes[start, end)` to the running sum `acc` and returns the new accumulator.
 *
 * The bytes are added as if they directly followed everything summed before, so pieces of any
 * length and alignment can be chained.
 */
export function checksumAdd(
  acc: ChecksumAccumulator,
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
): ChecksumAccumulator {
  if (end <= start) return acc;
  const len = end - start;
  let folded = len >= SIMD_MIN_LEN && SIMD_SUM !== undefined ? SIMD_SUM(bytes, start, end) : wordSum(bytes, start, end);
  // A piece that starts on an odd byte: its words straddle ours, and by the byte-order
  // independence of the one's-complement sum (RFC 1071 §2(B)) its sum is the byte-swapped sum.
  if (acc & ODD) folded = ((folded & 0xff) << 8) | (folded >>> 8);
  const parity = (acc ^ (len << 16)) & ODD;
  return fold((acc & 0xffff) + folded) | parity;
}

/**
 * The one's-complement sum that `bytes[start, end)` contributes to a larger region in which it
 * sits at byte `offset` (from an even-aligned start of that region), folded to 16 bits. For sums
 * taken out of order: the one's-complement sum is commutative and associative (RFC 1071 §2(A)),
 * and a byte's place in it depends only on whether its offset is even (high byte of a word) or
 * odd (low byte), so the pieces of a region may be summed in any order, each added with
 * `checksumAddU16`, as long as each byte is added once.
 */
export function checksumPiece(offset: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  return checksumAdd(offset & 1 ? ODD : 0, bytes, start, end) & 0xffff;
}

/**
 * The one's-complement sum of `bytes[start, end)` as big-endian 16-bit words from `start` (a
 * trailing odd byte is the high byte of a zero-padded word), folded to 16 bits: the JavaScript
 * loop, used below `SIMD_MIN_LEN` and where WebAssembly SIMD is missing. Exported for the tests
 * that hold the two implementations to each other.
 */
export function wordSum(bytes: Uint8Array, start: number, end: number): number {
  // Plain number arithmetic: each word is < 2^16, so the sum of even 2^36 bytes stays exact in a
  // double; the carries are folded once at the end (RFC 1071 §2(C), deferred carries).
  let sum = 0;
  let i = start;
  if (end - start >= WORDS_MIN_LEN && ((bytes.byteOffset + start) & 1) === 0) {
    // Bring the memory address to a 4-byte boundary with at most one 16-bit word, then sum whole
    // 32-bit machine words: the one's-complement sum may be taken over 32-bit units and folded
    // (RFC 1071 §2(C)), and on a little-endian machine each unit holds its two big-endian words
    // byte-swapped, so the folded sum is swapped back (RFC 1071 §2(B)).
    if ((bytes.byteOffset + i) & 2) {
      sum += (bytes[i]! << 8) | bytes[i + 1]!;
      i += 2;
    }
    const words = (end - i) >>> 2;
    let k = (bytes.byteOffset + i) >>> 2;
    const last = k + words;
    const u32 = wordsOf(bytes.buffer, last);
    let wide = 0;
    for (; k + 4 <= last; k += 4) wide += u32[k]! + u32[k + 1]! + u32[k + 2]! + u32[k + 3]!;
    for (; k < last; k++) wide += u32[k]!;
    const w = fold(wide);
    sum += LITTLE_ENDIAN ? ((w & 0xff) << 8) | (w >>> 8) : w;
    i += words << 2;
  }
  const even = i + ((end - i) & ~7);
  for (; i < even; i += 8) {
    sum +=
      ((bytes[i]! << 8) | bytes[i + 1]!) +
      ((bytes[i + 2]! << 8) | bytes[i + 3]!) +
      ((bytes[i + 4]! << 8) | bytes[i + 5]!) +
      ((bytes[i + 6]! << 8) | bytes[i + 7]!);
  }
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  // A trailing odd byte is the high byte of a word whose low byte comes with the next piece (or
  // is the zero pad of RFC 1071 §4.1 if nothing follows).
  if (i < end) sum += bytes[i]! << 8;
  return fold(sum);
}

/** Ends a sum: the one's complement of the folded sum, the value to put in a checksum field. */
export function checksumFinish(acc: ChecksumAccumulator): number {
  return ~fold(acc & 0xffff) & 0xffff;
}

/** The checksum of `bytes[start, end)` alone. A region that contains a correct checksum gives 0. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return checksumFinish(checksumAdd(0, bytes, start, end));
}

/** Adds a 16-bit value as one aligned word (for pseudo-header fields). */
export function checksumAddU16(acc: ChecksumAccumulator, value: number): ChecksumAccumulator {
  return fold((acc & 0xffff) + (value & 0xffff)) | (acc & ODD);
}

/** Adds a 32-bit value as two aligned words. */
export function checksumAddU32(acc: ChecksumAccumulator, value: number): ChecksumAccumulator {
  return fold((acc & 0xffff) + ((value >>> 16) & 0xffff) + (value & 0xffff)) | (acc & ODD);
}

/**
 * The IPv4 pseudo-header of RFC 9293 §3.1: source, destination, zero, protocol, and the TCP
 * length (header plus data).
 */
export function ipv4PseudoHeaderSum(
  src: IpAddress,
  dst: IpAddress,
  protocol: number,
  length: number,
): ChecksumAccumulator {
  const sum =
    ((src[0]! << 8) | src[1]!) + ((src[2]! << 8) | src[3]!) +
    ((dst[0]! << 8) | dst[1]!) + ((dst[2]! << 8) | dst[3]!) +
    (protocol & 0xff) + (length & 0xffff);
  return fold(sum);
}

/**
 * The IPv6 pseudo-header of RFC 8200 §8.1: source, final destination, the 32-bit upper-layer
 * packet length, three zero bytes and the next header value of the upper-layer protocol.
 */
export function ipv6PseudoHeaderSum(
  src: IpAddress,
  dst: IpAddress,
  nextHeader: number,
  length: number,
): ChecksumAccumulator {
  let sum = ((length >>> 16) & 0xffff) + (length & 0xffff) + (nextHeader & 0xff);
  for (let i = 0; i < 16; i += 2) sum += ((src[i]! << 8) | src[i + 1]!) + ((dst[i]! << 8) | dst[i + 1]!);
  return fold(sum);
}

/** The pseudo-header sum for the address family of `src` (4 bytes: IPv4, 16 bytes: IPv6). */
export function pseudoHeaderSum(
  src: IpAddress,
  dst: IpAddress,
  protocol: number,
  length: number,
): ChecksumAccumulator {
  return src.length === 4
    ? ipv4PseudoHeaderSum(src, dst, protocol, length)
    : ipv6PseudoHeaderSum(src, dst, protocol, length);
}

/** Folds the carries of a non-negative sum back into 16 bits (end-around carry). */
function fold(sum: number): number {
  // Above 2^32 the bitwise operators would truncate, so take the high part arithmetically first.
  while (sum > 0xffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

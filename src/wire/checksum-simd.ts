/**
 * The one's-complement sum of RFC 1071 with WebAssembly SIMD (src/wire/checksum.wat): 16 bytes
 * per instruction instead of the 4 of the JavaScript word loop; 1.6-3.4x as fast on a full-size
 * segment (docs/performance.md, session 4) even with the copy into the module's memory that it
 * needs. A module reads only its own memory, and the Host's datagrams live in ordinary
 * ArrayBuffers: keeping them in the module's memory would need their lifetimes, which views kept
 * by receive queues make unknowable, and a memory and instance per slab cost more than the copy.
 *
 * Where the engine has no WebAssembly SIMD, `SIMD_SUM` is undefined and checksum.ts keeps to its
 * JavaScript loop.
 */
import { WASM_BYTES } from "./checksum-wasm.js";

/** Bytes the module sums per call: its first memory page (see checksum.wat). */
const MAX_LEN = 64 * 1024;

/**
 * The part of the WebAssembly JavaScript API used here. The project's type libraries (ES2022,
 * @types/node 20) do not declare it, and an engine may lack it: it is looked up on `globalThis`.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface Exports {
  memory: { buffer: ArrayBuffer };
  sum(start: number, end: number): number;
}

function instantiate(): Exports | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  // `validate` is false where SIMD is missing: no exception path needed there.
  if (api === undefined || !api.validate(WASM_BYTES)) return undefined;
  return new api.Instance(new api.Module(WASM_BYTES)).exports as Exports;
}

const wasm = instantiate();
/** The module's memory; it never grows, so this view stays valid. */
const memory = wasm === undefined ? new Uint8Array(0) : new Uint8Array(wasm.memory.buffer, 0, MAX_LEN);

/**
 * The one's-complement sum of `bytes[start, end)` taken as big-endian 16-bit words from `start`
 * (a trailing odd byte is the high byte of a zero-padded word), folded to 16 bits; not
 * complemented. What `checksum.ts` sums in JavaScript, by SIMD.
 */
function simdSum(bytes: Uint8Array, start: number, end: number): number {
  const sum = wasm!.sum;
  let total: number;
  if (bytes.length <= MAX_LEN) {
    // The whole view, so no view of the part is made (that costs more than the extra bytes).
    memory.set(bytes);
    total = sum(start, end);
  } else {
    // Pieces of MAX_LEN, an even length, so each starts on a word boundary of the whole.
    total = 0;
    for (let from = start; from < end; from += MAX_LEN) {
      const to = Math.min(end, from + MAX_LEN);
      memory.set(bytes.subarray(from, to));
      total += sum(0, to - from);
      total = (total & 0xffff) + (total >>> 16);
    }
  }
  // The module summed little-endian words, i.e. the byte-swapped words: swap the folded sum back
  // (RFC 1071 §2(B)).
  return ((total & 0xff) << 8) | (total >>> 8);
}

/** `simdSum` where WebAssembly SIMD is available, else undefined. */
export const SIMD_SUM: ((bytes: Uint8Array, start: number, end: number) => number) | undefined =
  wasm === undefined ? undefined : simdSum;

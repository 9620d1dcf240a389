/**
 * A seeded, reproducible random generator (the simulator's streams, the impairing driver's losses,
 * the CLI's payloads): xoshiro128** (Blackman and Vigna, 2018) on 32-bit
 * integer math. It is small (four uint32 words), fast in V8 (`Math.imul`, shifts, no allocation)
 * and passes BigCrush; it is not cryptographic, which is fine for loss patterns, jitter and the
 * keys of simulated hosts (a simulation must be reproducible, not secret).
 *
 * Streams are derived by name, not by position: `fork(name)` hashes the parent's *seed key* with
 * the name, never its current state. A link named `a.0->r.0` therefore draws the same loss
 * pattern however many other links, hosts or draws the scenario adds, and forking twice with the
 * same name gives the same stream. Seeds and fork keys are expanded with SHA-256 (node:crypto is
 * the one dependency the core allows), which makes nearby seeds and names unrelated.
 */
import { createHash } from "node:crypto";
import type { RandomSource } from "../crypto/random.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

export class Rng implements RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Use `Rng.seeded` or `fork`; `key` is the 32-byte seed key this stream was expanded from. */
  private constructor(private readonly key: Uint8Array) {
    const v = new DataView(key.buffer, key.byteOffset, key.byteLength);
    this.s0 = v.getUint32(0);
    this.s1 = v.getUint32(4);
    this.s2 = v.getUint32(8);
    this.s3 = v.getUint32(12);
    // xoshiro's one forbidden state; SHA-256 output hits it with probability 2^-128.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * The root generator of a run. A number seed and its decimal string are the same seed
   * (`--seed 7` on the command line and `seed: 7` in a scenario file agree).
   */
  static seeded(seed: number | string): Rng {
    return new Rng(sha256(`mptcp-ts/rng/${String(seed)}`));
  }

  /**
   * A generator starting from the raw xoshiro128** state (four uint32, not all zero); for
   * known-answer tests. Its forks derive from the state's bytes.
   */
  static fromState(state: readonly [number, number, number, number]): Rng {
    const key = new Uint8Array(32);
    const v = new DataView(key.buffer);
    state.forEach((w, i) => v.setUint32(4 * i, w >>> 0));
    return new Rng(key);
  }

  /** An independent stream named `name`; it depends only on this stream's seed and the name. */
  fork(name: string): Rng {
    return new Rng(sha256(this.key, name));
  }

  /** The next uniformly distributed uint32. */
  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with all 53 bits of mantissa random (two draws). */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /**
   * A uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias: draws at or above the
   * largest multiple of n below 2^32 are rejected (at most half of them, usually almost none).
   */
  nextBelow(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= TWO_POW_32)) throw new RangeError(`nextBelow(${n})`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** A uniform integer in [lo, hi], both inclusive; at most 2^32 distinct values. */
  intBetween(lo: number, hi: number): number {
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && hi >= lo)) {
      throw new RangeError(`intBetween(${lo}, ${hi})`);
    }
    return lo + this.nextBelow(hi - lo + 1);
  }

  /**
   * True with probability p, from one 32-bit draw (resolution 2^-32). p <= 0 never draws true
   * and p >= 1 always does; both still consume a draw, so changing p does not shift the stream.
   */
  chance(p: number): boolean {
    return this.nextU32() < p * TWO_POW_32;
  }

  /** Fills `out` with random bytes, four per draw, little-endian (the crypto RandomSource). */
  fillBytes(out: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const x = this.nextU32();
      out[i] = x & 0xff;
      out[i + 1] = (x >>> 8) & 0xff;
      out[i + 2] = (x >>> 16) & 0xff;
      out[i + 3] = x >>> 24;
    }
    if (i < out.length) {
      let x = this.nextU32();
      for (; i < out.length; i++, x >>>= 8) out[i] = x & 0xff;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function sha256(...parts: (string | Uint8Array)[]): Uint8Array {
  const h = createHash("sha256");
  // A separator byte keeps ("ab", "c") and ("a", "bc") apart.
  for (const p of parts) h.update(p).update(new Uint8Array([0]));
  return new Uint8Array(h.digest());
}

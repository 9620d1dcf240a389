/**
 * The real clock and the real randomness the runtime injects into the sans-I/O core (DESIGN.md
 * §2): integer microseconds from the monotonic clock, and bytes from the operating system's CSPRNG.
 */
import { randomFillSync } from "node:crypto";
import type { RandomSource } from "../crypto/random.js";

/** A function returning the current time in integer microseconds. */
export type Clock = () => number;

/**
 * A clock of integer microseconds since the call that made it, from `process.hrtime.bigint()`:
 * monotonic (immune to wall-clock steps) and exact as a `number` for 285 years.
 */
export function monotonicClock(): Clock {
  const epoch = process.hrtime.bigint();
  return () => Number((process.hrtime.bigint() - epoch) / 1000n);
}

/**
 * Keys, nonces, ISN secrets and ephemeral ports from `crypto.randomFillSync`: RFC 8684 §3.1
 * wants keys an attacker cannot guess, and RFC 6528 ISNs need a secret.
 */
export const cryptoRandom: RandomSource = {
  fillBytes(out: Uint8Array): void {
    randomFillSync(out);
  },
};

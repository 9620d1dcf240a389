/**
 * How many cases a property test draws: its own count times `MPTCP_FUZZ` (a whole number, default
 * 1). `npm test` runs each property on its usual draws; a longer campaign (`npm run fuzz`,
 * scripts/fuzz.mjs) runs the same properties on many more, without editing them. fast-check
 * draws a fresh seed on each run, so every campaign also tries cases no earlier one did; the
 * random simulator scenarios are seeded by their index, so more of them are new ones.
 */
import fc from "fast-check";

export function fuzzScale(value: string | undefined): number {
  if (value === undefined || value === "") return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`MPTCP_FUZZ must be a whole number of at least 1, not "${value}"`);
  return n;
}

const SCALE = fuzzScale(process.env.MPTCP_FUZZ);

// A property that names no count of its own draws fast-check's default 100, scaled the same way:
// importing this module is enough for it.
fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 100 * SCALE });

/** `n` draws, times the campaign's scale. */
export const runs = (n: number): number => n * SCALE;

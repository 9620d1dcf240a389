/**
 * Numbers typed on the command line. `Number` alone takes "" and " " as 0 and "Infinity" as a
 * number, and commander's usual `parseFloat` takes "0.5abc" as 0.5: every flag that takes a
 * number reads it here, and then checks its own range.
 */

/** All of `text` as a finite number, or NaN (so that any range check on it fails). */
export function cliNumber(text: string): number {
  const n = text.trim() === "" ? Number.NaN : Number(text);
  return Number.isFinite(n) ? n : Number.NaN;
}

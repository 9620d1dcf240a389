/**
 * Typed parse errors for every codec in wire/ (DESIGN.md §4).
 *
 * A parser never throws on bad input: it returns a `ParseError` instead of its repr. The error
 * names the layer, the field and the reason, so the stack can count it and a tool can show it.
 * It is a plain class, not an `Error`, because capturing a stack trace for every malformed packet
 * would make bad input expensive.
 */

/** Why a field could not be accepted. */
export type ParseErrorReason =
  /** The input ends before the field does. */
  | "truncated"
  /** The input (or a length field) is longer than the format allows. */
  | "overlong"
  /** A length field holds a value the format does not define. */
  | "bad-length"
  /** A field holds a value the format forbids. */
  | "bad-value"
  /** Two fields contradict each other. */
  | "inconsistent"
  /** A well-formed value this codec does not handle (another protocol, version, link type). */
  | "unsupported"
  /** A checksum does not match. */
  | "bad-checksum";

export class ParseError {
  constructor(
    /** The format being parsed, for example `ipv4`, `tcp`, `mptcp.dss`, `pcapng`. */
    readonly layer: string,
    /** The field at fault, named as in its RFC (for example `data offset`, `length`). */
    readonly field: string,
    readonly reason: ParseErrorReason,
    /** A short human-readable detail, for example `need 20 bytes, have 12`. */
    readonly detail: string = "",
  ) {}

  /** One line, for logs and for `mptcp dump`. */
  toString(): string {
    return `${this.layer}: ${this.field}: ${this.reason}${this.detail ? ` (${this.detail})` : ""}`;
  }
}

/** Narrows a parse result: `if (isParseError(r)) return r;`. */
export function isParseError(value: unknown): value is ParseError {
  return value instanceof ParseError;
}

/** Shorthand for the most common error: `need` bytes were required, `have` were there. */
export function truncated(layer: string, field: string, need: number, have: number): ParseError {
  return new ParseError(layer, field, "truncated", `need ${need} bytes, have ${have}`);
}

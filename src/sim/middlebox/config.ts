/**
 * Reading a box's configuration from untyped data (a YAML or JSON scenario, or an object literal)
 * without throwing: each reader returns the value or its default, and records an error naming the
 * field when the value is present but wrong. Fields nobody read are reported too, so a misspelt
 * option is an error rather than a silently ignored one.
 */
import { parseAddress, type IpAddress } from "../../wire/address.js";
import type { Directions } from "./middlebox.js";

/** A configuration error: the field at fault (as written in the config) and what is wrong. */
export interface MiddleboxConfigError {
  field: string;
  message: string;
}

export function formatConfigError(e: MiddleboxConfigError): string {
  return `${e.field}: ${e.message}`;
}

export class ConfigReader {
  readonly errors: MiddleboxConfigError[] = [];
  private readonly raw: Record<string, unknown>;
  private readonly read = new Set<string>();

  constructor(raw: unknown) {
    if (raw === undefined || raw === null) this.raw = {};
    else if (typeof raw === "object" && !Array.isArray(raw)) this.raw = raw as Record<string, unknown>;
    else {
      this.raw = {};
      this.fail("(config)", "must be an object");
    }
  }

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  private get(field: string): unknown {
    this.read.add(field);
    return this.raw[field];
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const v = this.get(field);
    if (v === undefined) return fallback;
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
    this.fail(field, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    return fallback;
  }

  directions(fallback: Directions = "both"): Directions {
    return this.oneOf<Directions>("directions", ["forward", "reverse", "both"], fallback);
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.get(field);
    if (v === undefined) return fallback;
    if (typeof v === "boolean") return v;
    this.fail(field, "must be true or false");
    return fallback;
  }

  probability(field: string, fallback: number): number {
    const v = this.get(field);
    if (v === undefined) return fallback;
    if (typeof v === "number" && v >= 0 && v <= 1) return v;
    this.fail(field, "must be a number in [0, 1]");
    return fallback;
  }

  /** An integer in [min, max]; `fallback` undefined makes the field optional. */
  int(field: string, min: number, max: number, fallback: number): number;
  int(field: string, min: number, max: number, fallback?: number): number | undefined;
  int(field: string, min: number, max: number, fallback?: number): number | undefined {
    const v = this.get(field);
    if (v === undefined) return fallback;
    if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
    this.fail(field, `must be an integer in [${min}, ${max}]`);
    return fallback;
  }

  /** An IPv4 or IPv6 address in text form. */
  address(field: string, fallback: string): IpAddress {
    const v = this.get(field) ?? fallback;
    const addr = typeof v === "string" ? parseAddress(v) : undefined;
    if (addr !== undefined) return addr;
    this.fail(field, "must be an IPv4 or IPv6 address");
    return parseAddress(fallback)!;
  }

  /** A byte pattern: a string (UTF-8) or an array of byte values. */
  bytes(field: string, fallback: string): Uint8Array {
    const v = this.get(field) ?? fallback;
    if (typeof v === "string") return new TextEncoder().encode(v);
    if (Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return Uint8Array.from(v as number[]);
    this.fail(field, "must be a string or an array of byte values");
    return new TextEncoder().encode(fallback);
  }

  /** Reports the fields present but never read, then returns every error. */
  finish(): MiddleboxConfigError[] {
    for (const key of Object.keys(this.raw)) if (!this.read.has(key)) this.fail(key, "unknown field");
    return this.errors;
  }
}

/**
 * Reads a typed config through the same reader as the registry, so programmatic and file configs
 * get the same defaults and checks. A bad programmatic config is a programming error: it throws a
 * `RangeError` listing every fault.
 */
export function readConfig<T>(config: object, read: (r: ConfigReader) => T): T {
  const r = new ConfigReader(config);
  const out = read(r);
  const errors = r.finish();
  if (errors.length !== 0) throw new RangeError(errors.map(formatConfigError).join("; "));
  return out;
}

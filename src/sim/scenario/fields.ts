/**
 * The field readers of scenario files: an object whose keys are checked off as they are read, and
 * one parser per kind of value. Each returns the value or throws a `ScenarioError` naming the field
 * path and what was expected, e.g. `links[2].rate: expected a rate like "10Mbit", got "fast"`.
 */
import { parseAddress } from "../../wire/address.js";
import type { IpAddress } from "../../wire/address.js";
import type { LossModel } from "../loss.js";
import type { Endpoint } from "./model.js";
import { parseDuration, parseProbability, parseQueue, parseRate, parseSize } from "./units.js";
import type { QueueLimit } from "./units.js";

export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  constructor(
    /** Where in the file: `links[2].rate`, or empty for the document itself. */
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === "" ? reason : `${path}: ${reason}`);
  }
}


export type Parser<T> = (v: unknown, path: string) => T;

export function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

export function expected(what: string): (v: unknown, path: string) => never {
  return (v, path) => {
    throw new ScenarioError(path, `expected ${what}, got ${describeValue(v)}`);
  };
}

/** An object being read: remembers which keys were used, so `done()` can reject the others. */
export class Fields {
  private readonly seen = new Set<string>();

  private constructor(readonly path: string, private readonly obj: Record<string, unknown>) {}

  static of(v: unknown, path: string): Fields {
    if (typeof v !== "object" || v === null || Array.isArray(v)) expected("an object")(v, path);
    return new Fields(path, v as Record<string, unknown>);
  }

  keys(): string[] {
    const k = Object.keys(this.obj);
    k.forEach((x) => this.seen.add(x));
    return k;
  }

  /** The key is written with no value (`mptcp:` alone in YAML is null). */
  isNull(key: string): boolean {
    return this.obj[key] === null;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  error(key: string, reason: string): ScenarioError {
    return new ScenarioError(join(this.path, key), reason);
  }

  required<T>(key: string, parse: Parser<T>): T {
    this.seen.add(key);
    if (!this.has(key)) throw this.error(key, "required");
    return parse(this.obj[key], join(this.path, key));
  }

  optional<T>(key: string, parse: Parser<T>): T | undefined {
    this.seen.add(key);
    return this.has(key) ? parse(this.obj[key], join(this.path, key)) : undefined;
  }

  /** `optional(field, parse)`, stored as `target[key]` when the field is there. */
  assign<O extends object, K extends keyof O & string>(target: O, key: K, parse: Parser<NonNullable<O[K]>>, field: string = key): void {
    const v = this.optional(field, parse);
    if (v !== undefined) target[key] = v;
  }

  list<T>(key: string, item: (f: Fields, index: number) => T, required: boolean): T[] {
    this.seen.add(key);
    if (!this.has(key)) {
      if (required) throw this.error(key, "required");
      return [];
    }
    const v = this.obj[key];
    const path = join(this.path, key);
    if (!Array.isArray(v)) expected("a list")(v, path);
    return (v as unknown[]).map((x, i) => item(Fields.of(x, `${path}[${i}]`), i));
  }

  /** Rejects the fields nobody asked for. */
  done(): void {
    for (const k of Object.keys(this.obj)) {
      if (!this.seen.has(k)) throw this.error(k, "unknown field");
    }
  }
}

export const str: Parser<string> = (v, path) => (typeof v === "string" && v !== "" ? v : expected("a non-empty string")(v, path));

export const bool: Parser<boolean> = (v, path) => (typeof v === "boolean" ? v : expected("true or false")(v, path));

export const nodeName: Parser<string> = (v, path) => {
  const s = str(v, path);
  return /^[A-Za-z0-9_-]+$/.test(s) ? s : expected("a name of letters, digits, - and _")(v, path);
};

export const positiveInt: Parser<number> = (v, path) => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : expected("a positive integer")(v, path));

export const nonNegativeInt: Parser<number> = (v, path) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : expected("a non-negative integer")(v, path));

export const seedValue: Parser<number | string> = (v, path) =>
  (Number.isSafeInteger(v) && (v as number) >= 0) || (typeof v === "string" && v !== "") ? (v as number | string) : expected("a non-negative integer or a string")(v, path);

export const portValue: Parser<number> = (v, path) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535 ? (v as number) : expected("a port in 1-65535")(v, path));

export const mtuValue: Parser<number> = (v, path) => (Number.isInteger(v) && (v as number) >= 576 && (v as number) <= 65535 ? (v as number) : expected("an MTU in 576-65535")(v, path));

export const rateValue: Parser<number> = (v, path) => parseRate(v) ?? expected('a rate like "10Mbit"')(v, path);

export const duration: Parser<number> = (v, path) => parseDuration(v) ?? expected('a duration like "20ms"')(v, path);

export const positiveDuration: Parser<number> = (v, path) => {
  const d = duration(v, path);
  return d > 0 ? d : expected('a positive duration like "2s"')(v, path);
};

export const size: Parser<number> = (v, path) => parseSize(v) ?? expected('a size like "64KB"')(v, path);

export const positiveSize: Parser<number> = (v, path) => {
  const s = size(v, path);
  return s > 0 ? s : expected('a positive size like "4MB"')(v, path);
};

export const queueValue: Parser<QueueLimit> = (v, path) => parseQueue(v) ?? expected('a queue size like "64KB", "100 packets" or "50ms"')(v, path);

export const probability: Parser<number> = (v, path) => parseProbability(v) ?? expected('a probability like "1%" or 0.01')(v, path);

export const addressValue: Parser<IpAddress> = (v, path) => (typeof v === "string" ? parseAddress(v) : undefined) ?? expected("an IPv4 or IPv6 address")(v, path);

export const addressList: Parser<IpAddress[]> = (v, path) => {
  const items = Array.isArray(v) ? v : [v];
  if (items.length === 0) expected("at least one address")(v, path);
  return items.map((x, i) => addressValue(x, Array.isArray(v) ? `${path}[${i}]` : path));
};

export const endpointValue: Parser<Endpoint> = (v, path) => {
  const m = typeof v === "string" ? /^([A-Za-z0-9_-]+)(?:\.(\d+))?$/.exec(v) : null;
  if (m === null) return expected('a node or node.interface, like "r.1"')(v, path);
  return { node: m[1]!, iface: m[2] === undefined ? 0 : Number(m[2]) };
};

export const lossValue: Parser<LossModel> = (v, path) => {
  if (typeof v !== "object" || v === null) return { kind: "bernoulli", p: probability(v, path) };
  const f = Fields.of(v, path);
  const model = f.required("model", str);
  let loss: LossModel;
  if (model === "bernoulli") loss = { kind: "bernoulli", p: f.required("p", probability) };
  else if (model === "gilbert-elliott") {
    const ge: LossModel = { kind: "gilbert-elliott", p: f.required("p", probability), r: f.required("r", probability) };
    const h = f.optional("h", probability);
    const k = f.optional("k", probability);
    if (h !== undefined) ge.h = h;
    if (k !== undefined) ge.k = k;
    loss = ge;
  } else throw f.error("model", `expected bernoulli or gilbert-elliott, got "${model}"`);
  f.done();
  return loss;
};

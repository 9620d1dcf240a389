/**
 * The middleboxes by name, as scenarios name them (`mbox-nat`, ...), each with a one-line
 * description, a validator for its configuration and a constructor. Configurations are untyped
 * data from a scenario file; every error names its field. Boxes that draw random numbers take an
 * `Rng`; give each its own fork (by convention `sim.rng.fork("mbox/<node>/<box>")`) so that adding
 * a box elsewhere does not change its draws.
 */
import type { Rng } from "../../util/rng.js";
import { Alg, readAlgConfig } from "./alg.js";
import { Coalescer, readCoalescerConfig } from "./coalesce.js";
import { ConfigReader, type MiddleboxConfigError } from "./config.js";
import { PayloadCorrupter, readPayloadCorrupterConfig } from "./corrupt.js";
import { DropMptcpSyn, readDropMptcpSynConfig } from "./drop-syn.js";
import { EolAfterSyn, readEolAfterSynConfig } from "./eol.js";
import type { Middlebox } from "./middlebox.js";
import { Nat, readNatConfig } from "./nat.js";
import { SeqRewriter, readSeqRewriterConfig } from "./seq-rewrite.js";
import { Splitter, readSplitterConfig } from "./split.js";
import { OptionStripper, readOptionStripperConfig } from "./strip.js";

export interface MiddleboxKind {
  name: string;
  description: string;
  /** Checks a configuration (undefined: all defaults) without building anything. */
  validate(config: unknown): MiddleboxConfigError[];
  /** Builds the box; call `validate` first (a bad config throws a `RangeError`). */
  create(config: unknown, rng: Rng): Middlebox;
}

function kind(
  name: string,
  description: string,
  read: (r: ConfigReader) => unknown,
  create: (config: object, rng: Rng) => Middlebox,
): MiddleboxKind {
  return {
    name,
    description,
    validate(config) {
      const r = new ConfigReader(config);
      read(r);
      return r.finish();
    },
    create: (config, rng) => create((config ?? {}) as object, rng),
  };
}

/** Strippers differ only in which segments they strip; `segments` is fixed by the name. */
function stripper(segments: "syn" | "all" | "data", description: string): MiddleboxKind {
  const name = `mbox-strip-${segments}`;
  return kind(
    name,
    description,
    (r) => {
      const c = readOptionStripperConfig(r, segments);
      if (c.segments !== segments) r.fail("segments", `is "${segments}" for ${name}`);
      return c;
    },
    (config) => new OptionStripper({ ...config, segments }, name),
  );
}

const KINDS: readonly MiddleboxKind[] = [
  stripper("syn", "removes MPTCP options from SYN and SYN/ACK segments (NOPs in their place, or the header shrunk)"),
  stripper("all", "removes MPTCP options from every segment"),
  stripper("data", "removes MPTCP options from segments that carry data"),
  kind("mbox-eol-after-syn", "passes SYN and SYN/ACK, then overwrites every MPTCP option with EOL (RFC 8041 §3.1)",
    readEolAfterSynConfig, (c) => new EolAfterSyn(c)),
  kind("mbox-seq-rewrite", "adds a random per-flow offset to sequence numbers and removes it from ACKs and SACK blocks",
    readSeqRewriterConfig, (c, rng) => new SeqRewriter(c, rng)),
  kind("mbox-nat", "NAPT: rewrites the inside source address and port (interface 0 is inside); ADD_ADDR untouched",
    readNatConfig, (c, rng) => new Nat(c, rng)),
  kind("mbox-split", "splits data segments into pieces that each carry a copy of all options, as TSO does",
    readSplitterConfig, (c, rng) => new Splitter(c, rng)),
  kind("mbox-coalesce", "merges consecutive in-order data segments, keeping only the first one's options, as GRO/LRO do",
    readCoalescerConfig, (c, rng) => new Coalescer(c, rng)),
  kind("mbox-alg", "rewrites a byte pattern in payloads and shifts sequence numbers when the length changes",
    readAlgConfig, (c) => new Alg(c)),
  kind("mbox-drop-mptcp-syn", "drops SYNs carrying MP_CAPABLE or MP_JOIN (optionally only the first N)",
    readDropMptcpSynConfig, (c) => new DropMptcpSyn(c)),
  kind("mbox-corrupt-payload", "flips a payload byte in data segments and fixes the TCP checksum, so only the DSS checksum can tell",
    readPayloadCorrupterConfig, (c, rng) => new PayloadCorrupter(c, rng)),
];

const BY_NAME = new Map(KINDS.map((k) => [k.name, k]));

/** Every middlebox kind, in a stable order. */
export function middleboxKinds(): readonly MiddleboxKind[] {
  return KINDS;
}

export function middleboxKind(name: string): MiddleboxKind | undefined {
  return BY_NAME.get(name);
}

/** The errors of `config` for the box `name` (an unknown name is an error on field `kind`). */
export function validateMiddleboxConfig(name: string, config: unknown): MiddleboxConfigError[] {
  const k = BY_NAME.get(name);
  if (k === undefined) return [{ field: "kind", message: `unknown middlebox "${name}"; known: ${KINDS.map((x) => x.name).join(", ")}` }];
  return k.validate(config);
}

/** Builds the box `name`, or returns the errors of its configuration. */
export function createMiddlebox(name: string, config: unknown, rng: Rng): Middlebox | MiddleboxConfigError[] {
  const errors = validateMiddleboxConfig(name, config);
  if (errors.length !== 0) return errors;
  return BY_NAME.get(name)!.create(config, rng);
}

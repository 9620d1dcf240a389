import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createMiddlebox, middleboxKind, middleboxKinds, validateMiddleboxConfig } from "../../../src/sim/middlebox/registry.js";
import { Rng } from "../../../src/util/rng.js";
import { OptionStripper } from "../../../src/sim/middlebox/strip.js";
import { Nat } from "../../../src/sim/middlebox/nat.js";
import { TCP_FLAG } from "../../../src/wire/tcp-types.js";
import { MPC_SYN, run, segment } from "./helpers.js";

const NAMES = [
  "mbox-strip-syn", "mbox-strip-all", "mbox-strip-data", "mbox-eol-after-syn", "mbox-seq-rewrite", "mbox-nat",
  "mbox-split", "mbox-coalesce", "mbox-alg", "mbox-drop-mptcp-syn", "mbox-corrupt-payload",
];

describe("middlebox registry", () => {
  test("every name, each with a one-line description, and all defaults valid", () => {
    assert.deepEqual(middleboxKinds().map((k) => k.name), NAMES);
    for (const k of middleboxKinds()) {
      assert.ok(k.description.length > 10 && !k.description.includes("\n"), k.name);
      assert.deepEqual(k.validate(undefined), [], k.name);
      assert.deepEqual(k.validate({}), [], k.name);
      const box = k.create(undefined, Rng.seeded(1));
      assert.equal(box.kind, k.name);
    }
  });

  test("errors name the field", () => {
    assert.deepEqual(validateMiddleboxConfig("mbox-nat", { publicAddress: "x", portMin: 0, colour: "red" }), [
      { field: "publicAddress", message: "must be an IPv4 or IPv6 address" },
      { field: "portMin", message: "must be an integer in [1, 65535]" },
      { field: "colour", message: "unknown field" },
    ]);
    assert.deepEqual(validateMiddleboxConfig("mbox-split", { probability: 2, directions: "up" }), [
      { field: "probability", message: "must be a number in [0, 1]" },
      { field: "directions", message: 'must be one of "forward", "reverse", "both"' },
    ]);
    assert.deepEqual(validateMiddleboxConfig("mbox-strip-syn", { segments: "all" }), [{ field: "segments", message: 'is "syn" for mbox-strip-syn' }]);
    assert.deepEqual(validateMiddleboxConfig("mbox-alg", "10.0.0.1"), [{ field: "(config)", message: "must be an object" }]);
    assert.equal(validateMiddleboxConfig("mbox-nope", {})[0]!.field, "kind");
  });

  test("createMiddlebox builds a configured box or returns the errors", () => {
    const strip = createMiddlebox("mbox-strip-syn", { replaceWith: "remove" }, Rng.seeded(1));
    assert.ok(strip instanceof OptionStripper);
    const syn = segment({ flags: TCP_FLAG.SYN, options: [MPC_SYN] });
    assert.equal(run(strip, syn)[0]!.length, syn.length - 4);
    const nat = createMiddlebox("mbox-nat", { publicAddress: "2001:db8::99", portAllocation: "preserve" }, Rng.seeded(1));
    assert.ok(nat instanceof Nat);
    assert.deepEqual(createMiddlebox("mbox-coalesce", { holdUs: -1 }, Rng.seeded(1)), [
      { field: "holdUs", message: "must be an integer in [0, 60000000]" },
    ]);
    assert.equal(middleboxKind("mbox-alg")!.name, "mbox-alg");
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzScale, runs } from "../support/fuzz.js";

test("MPTCP_FUZZ: unset or empty is 1, a whole number scales the draws, anything else is an error naming it", () => {
  assert.equal(fuzzScale(undefined), 1);
  assert.equal(fuzzScale(""), 1);
  assert.equal(fuzzScale("20"), 20);
  for (const bad of ["0", "-3", "1.5", "x", "2e400"]) assert.throws(() => fuzzScale(bad), /MPTCP_FUZZ must be a whole number of at least 1, not "/, bad);
});

test("a property without a count of its own draws fast-check's 100 times the scale, as runs(100) does", () => {
  assert.equal(fc.readConfigureGlobal().numRuns, runs(100));
  assert.equal(runs(100), 100 * fuzzScale(process.env.MPTCP_FUZZ));
});

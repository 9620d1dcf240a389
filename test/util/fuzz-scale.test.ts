import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzScale } from "../support/fuzz.js";

test("MPTCP_FUZZ: unset or empty is 1, a whole number scales the draws, anything else is an error naming it", () => {
  assert.equal(fuzzScale(undefined), 1);
  assert.equal(fuzzScale(""), 1);
  assert.equal(fuzzScale("20"), 20);
  for (const bad of ["0", "-3", "1.5", "x", "2e400"]) assert.throws(() => fuzzScale(bad), /MPTCP_FUZZ must be a whole number of at least 1, not "/, bad);
});

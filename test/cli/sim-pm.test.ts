import { test } from "node:test";
import assert from "node:assert/strict";
import { mptcpOverrides } from "../../src/cli/sim.js";
import { CliError } from "../../src/cli/errors.js";

test("mptcp sim --pm: kernel, ndiffports:N, or a handover policy; anything else names the flag", () => {
  assert.deepEqual(mptcpOverrides({ pm: "kernel" }), {});
  assert.deepEqual(mptcpOverrides({ pm: "ndiffports:3" }), { ndiffports: 3 });
  for (const pm of ["full", "backup", "single-path"] as const) assert.deepEqual(mptcpOverrides({ pm }), { pathManager: pm });
  for (const pm of ["single", "ndiffports:0", "fullmesh"]) {
    assert.throws(() => mptcpOverrides({ pm }), (e: unknown) => e instanceof CliError && /^--pm: /.test(e.message) && e.message.includes(`"${pm}"`));
  }
});

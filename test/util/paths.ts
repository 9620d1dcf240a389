/** Paths for tests. Tests run from the repository root (`npm test` does), whatever dist/ layout. */
import { existsSync } from "node:fs";
import { join } from "node:path";

export const repoRoot = process.cwd();

/** A file under test/fixtures/. */
export function fixture(name: string): string {
  return join(repoRoot, "test", "fixtures", name);
}

/** A file under ../shared/captures/ (public v0 captures), beside the checkout. */
export function sharedCapture(name: string): string {
  return join(repoRoot, "..", "shared", "captures", name);
}

/** Why a test that reads ../shared/captures is skipped in a clone that has no shared/ beside it. */
export const NO_SHARED = "../shared/captures is not beside this checkout (CI and the development machines have it)";

/** The skip option for a test that needs a shared capture: false when present, else the reason. */
export function skipUnlessShared(name: string): false | string {
  return existsSync(sharedCapture(name)) ? false : NO_SHARED;
}

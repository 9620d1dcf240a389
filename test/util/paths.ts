/** Paths for tests. Tests run from the repository root (`npm test` does), whatever dist/ layout. */
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

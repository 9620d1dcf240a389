// `npm run fuzz [-- SCALE]`: the property tests and the random simulator scenarios (the test files
// that take their draws from test/support/fuzz.ts), each on SCALE times its usual number of draws
// (default 20), with the same reporters as `npm test`. Run after a build.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const scale = process.argv[2] ?? "20";
if (!/^[1-9][0-9]*$/.test(scale)) {
  console.error(`fuzz: the scale must be a whole number of at least 1, not "${scale}"`);
  process.exit(2);
}

/** The compiled test files that import the draw count. */
function fuzzed(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...fuzzed(p));
    else if (e.name.endsWith(".test.js") && readFileSync(p, "utf8").includes("support/fuzz.js")) out.push(p);
  }
  return out;
}

const files = fuzzed("dist/test").sort();
if (files.length === 0) {
  console.error("fuzz: no compiled property tests under dist/test (run npm run build first)");
  process.exit(2);
}
console.log(`# fuzz: ${files.length} files, ${scale} times their draws`);
const r = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=tap", "--test-reporter-destination=stdout", "--test-reporter=./scripts/failures-reporter.mjs", "--test-reporter-destination=stdout", ...files],
  { stdio: "inherit", env: { ...process.env, MPTCP_FUZZ: scale } },
);
process.exit(r.status ?? 1);

// A node:test reporter that prints, after the run, every failed test with its file, line and
// message: the TAP stream above it is long, and CI shows only its end. TODO tests and suites that
// failed only because a child did are left out (the child is listed).
export default async function* failuresReporter(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== "test:fail") continue;
    const d = event.data;
    if (d.todo !== undefined && d.todo !== false) continue;
    const err = d.details?.error;
    if (err?.failureType === "subtestsFailed") continue;
    const cause = err?.cause ?? err;
    const message = String(cause?.message ?? cause ?? "").split("\n").slice(0, 6).join("\n    ");
    failed.push(`- ${d.name}\n    at ${d.file ?? "?"}:${d.line ?? "?"}\n    ${message}`);
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} failed test${failed.length === 1 ? "" : "s"}:\n${failed.join("\n")}\n`;
}

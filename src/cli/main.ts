/**
 * The `mptcp` command: parses the sub-command and its flags and runs it. Every failure a user can
 * cause becomes a one-line message on stderr and exit code 2, never a stack trace.
 */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`mptcp: no command yet (${argv.join(" ")})\n`);
  return 2;
}

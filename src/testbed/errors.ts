/**
 * A testbed operation that cannot be done: a bad flag, a missing tool or privilege, a name in
 * use. The message is one line saying what is needed; the CLI prints it and exits with code 2.
 */
export class TestbedError extends Error {
  override readonly name = "TestbedError";
}

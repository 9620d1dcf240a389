/**
 * `createPathStack` when the Host or the path manager refuses what the flags asked for (flags
 * that did not go through `parsePaths` / `parsePathManager`): a CliError, one line with exit code
 * 2, and every path's driver closed, so the process neither prints a trace nor stays alive.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { memoryLink } from "../../src/runtime/memory-link.js";
import type { PacketDriver } from "../../src/io/driver.js";
import { CliError } from "../../src/cli/errors.js";
import { createPathStack, type OpenPath } from "../../src/cli/paths.js";

/** A path over an in-memory link whose `close` is counted. */
function path(stackAddress: string, closed: string[]): OpenPath {
  const [driver] = memoryLink({ names: [`mem:${stackAddress}`, "mem:peer"] });
  const counted: PacketDriver = Object.assign(Object.create(driver) as PacketDriver, {
    close: () => {
      closed.push(stackAddress);
      return driver.close();
    },
  });
  return { spec: { text: `${stackAddress}@mem`, kind: "udp", stackAddress }, driver: counted };
}

describe("createPathStack: a refused configuration is a usage error", () => {
  test("one address on two paths (HostError): CliError, exit code 2, both drivers closed", async () => {
    const closed: string[] = [];
    await assert.rejects(createPathStack([path("10.0.0.1", closed), path("10.0.0.1", closed)], {}), (e: unknown) => {
      assert.ok(e instanceof CliError, String(e));
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /^the paths or the path manager flags: address 10\.0\.0\.1 on two interfaces$/);
      return true;
    });
    assert.deepEqual(closed, ["10.0.0.1", "10.0.0.1"]);
  });

  test("an endpoint the path manager refuses (RangeError): CliError naming it, drivers closed", async () => {
    const closed: string[] = [];
    await assert.rejects(createPathStack([path("10.0.0.1", closed)], { pm: { endpoints: ["10.0.0.1 port 80"] } }), (e: unknown) => {
      assert.ok(e instanceof CliError, String(e));
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /10\.0\.0\.1 port 80: flags must have signal/);
      return true;
    });
    assert.deepEqual(closed, ["10.0.0.1"]);
  });
});

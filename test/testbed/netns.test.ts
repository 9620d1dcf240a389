/**
 * `mptcp testbed up | exec | down` on this machine: what `up` builds is read back from the
 * kernel (`ip -j addr`, `ip mptcp endpoint`, `ip mptcp limits`, `tc -j qdisc`), `exec` runs in
 * the namespace and passes on exit codes, and `down` removes everything, twice harmlessly.
 * Needs root, ip, tc, /dev/net/tun and MPTCP; otherwise skipped with the reason.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { CLI_SCRIPT, runCli } from "../support/cli.js";
import { until } from "../io/util.js";
import { TestbedError } from "../../src/testbed/errors.js";
import { parseUpFlags } from "../../src/testbed/spec.js";
import { readState, statePath } from "../../src/testbed/state.js";
import { testbedUp } from "../../src/testbed/testbed.js";
import type { TestbedState } from "../../src/testbed/state.js";
import { cleanUp, ipIn, runCliAsync, testbedSkipReason, uniqueName } from "./util.js";

const skip = testbedSkipReason();
if (skip) console.log(`# testbed tests skipped: ${skip}`);

const made: string[] = [];
after(() => cleanUp(made));

interface IpAddrJson {
  ifname: string;
  flags: string[];
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
}

describe("mptcp testbed", { skip, timeout: 20_000 }, () => {
  test("up builds the namespace, devices, addresses, endpoints, limits and tbf; down removes them", () => {
    const name = uniqueName();
    made.push(name);
    const up = runCli(["testbed", "up", "--name", name, "--paths", "2", "--rate", "20mbit,0", "--delay", "5", "--json"]);
    assert.equal(up.status, 0, up.stderr);
    const state = JSON.parse(up.stdout) as TestbedState;
    assert.equal(state.complete, true);
    assert.deepEqual(readState(name), state);
    assert.deepEqual(state.paths.map((p) => p.tun), [`${name}-t0=10.123.0.2`, `${name}-t1=10.123.1.2`]);

    const links = JSON.parse(ipIn(name, "-j", "addr", "show")) as IpAddrJson[];
    const byName = new Map(links.map((l) => [l.ifname, l]));
    assert.deepEqual([...byName.keys()].sort(), ["lo", `${name}-t0`, `${name}-t1`]);
    for (const i of [0, 1]) {
      const dev = byName.get(`${name}-t${i}`)!;
      assert.ok(dev.flags.includes("UP"), `${dev.ifname} is up`);
      assert.deepEqual(
        dev.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
        [`10.123.${i}.1/24`, i === 0 ? "fd00:123::1/64" : `fd00:123:${i}::1/64`],
      );
    }
    // Persistent TUN devices without packet information: what src/io/tun.ts attaches to.
    const tuntap = JSON.parse(ipIn(name, "-j", "tuntap", "show")) as Array<{ ifname: string; flags: string[] }>;
    assert.deepEqual(tuntap.map((t) => [t.ifname, [...t.flags].sort()]).sort(), [
      [`${name}-t0`, ["persist", "tun"]],
      [`${name}-t1`, ["persist", "tun"]],
    ]);

    assert.deepEqual(JSON.parse(ipIn(name, "-j", "mptcp", "endpoint", "show")), [{ address: "10.123.1.1", id: 1, signal: true, dev: `${name}-t1` }]);
    assert.match(ipIn(name, "mptcp", "limits", "show"), /add_addr_accepted 8 subflows 8/);

    const qdisc = (dev: string): Array<{ kind: string; options?: { rate?: number } }> =>
      JSON.parse(execFileSync("tc", ["-n", name, "-j", "qdisc", "show", "dev", dev], { encoding: "utf8" }));
    const tbf = qdisc(`${name}-t0`).find((q) => q.kind === "tbf");
    assert.equal(tbf?.options?.rate, 20_000_000 / 8);
    assert.equal(qdisc(`${name}-t1`).find((q) => q.kind === "tbf"), undefined);

    // Nothing in the root namespace: the devices exist only inside.
    assert.equal(existsSync(`/sys/class/net/${name}-t0`), false);

    const down = runCli(["testbed", "down", name]);
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /removed/);
    assert.equal(existsSync(`/run/netns/${name}`), false);
    assert.equal(existsSync(statePath(name)), false);
    const again = runCli(["testbed", "down", name]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to do/);
  });

  test("exec runs inside the namespace and passes the exit code on; the impairment is found there only", async () => {
    const name = uniqueName();
    made.push(name);
    const up = runCli(["testbed", "up", "--name", name, "--paths", "1", "--delay", "7", "--loss", "2%"]);
    assert.equal(up.status, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`--tun ${name}-t0=10\\.123\\.0\\.2`));

    const links = await runCliAsync(["testbed", "exec", name, "--", "ip", "-br", "link"]);
    assert.equal(links.status, 0, links.stderr);
    assert.match(links.stdout, new RegExp(`^${name}-t0 `, "m"));
    // Options of the command are its own, with or without `--`.
    const noDash = await runCliAsync(["testbed", "exec", name, "ip", "-o", "-4", "addr"]);
    assert.match(noDash.stdout, /10\.123\.0\.1\/24/);

    const failed = await runCliAsync(["testbed", "exec", name, "--", "sh", "-c", "exit 7"]);
    assert.equal(failed.status, 7);
    assert.equal(failed.stderr, "");

    // SIGTERM to `exec` reaches the command, whose death by it is passed on as 128 + 15.
    const sleeper = spawn(process.execPath, ["--input-type=module", "-e", CLI_SCRIPT, "testbed", "exec", name, "--", "sleep", "30"], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => sleeper.once("exit", (code) => resolve(code)));
    // Wait for `sleep` itself (not just any process) in the namespace: then `exec` has spawned it
    // and installed its signal forwarding.
    const sleeping = (): boolean =>
      execFileSync("ip", ["netns", "pids", name], { encoding: "utf8" })
        .split("\n")
        .filter((p) => p !== "")
        .some((pid) => {
          try {
            return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep";
          } catch {
            return false;
          }
        });
    await until(sleeping, "sleep to start in the namespace");
    sleeper.kill("SIGTERM");
    assert.equal(await exited, 143);

    const lookup = `import { testbedImpairment } from ${JSON.stringify(new URL("../../src/testbed/state.js", import.meta.url).href)};` +
      `console.log(JSON.stringify(testbedImpairment(${JSON.stringify(`${name}-t0`)}) ?? null));`;
    const inside = await runCliAsync(["testbed", "exec", name, "--", process.execPath, "--input-type=module", "-e", lookup]);
    assert.equal(inside.status, 0, inside.stderr);
    assert.deepEqual(JSON.parse(inside.stdout), { delayUs: 7000, loss: 0.02, seed: 1000, paceReceived: false });
    const outside = execFileSync(process.execPath, ["--input-type=module", "-e", lookup], { encoding: "utf8" });
    assert.equal(JSON.parse(outside), null);
  });

  test("up refuses a name in use and a namespace it did not make; down leaves a foreign namespace alone", () => {
    const name = uniqueName();
    made.push(name);
    assert.equal(runCli(["testbed", "up", "--name", name, "--paths", "1"]).status, 0);
    const twice = runCli(["testbed", "up", "--name", name]);
    assert.equal(twice.status, 2);
    assert.equal(twice.stderr, `mptcp: testbed ${name} already exists (mptcp testbed down ${name} removes it)\n`);
    assert.equal(runCli(["testbed", "down", name]).status, 0);

    const foreign = uniqueName();
    made.push(foreign);
    execFileSync("ip", ["netns", "add", foreign]);
    const up = runCli(["testbed", "up", "--name", foreign]);
    assert.equal(up.status, 2);
    assert.match(up.stderr, /exists and is not a testbed/);
    const down = runCli(["testbed", "down", foreign]);
    assert.equal(down.status, 2);
    assert.match(down.stderr, /not made by mptcp testbed/);
    assert.ok(existsSync(`/run/netns/${foreign}`));
    execFileSync("ip", ["netns", "del", foreign]);
  });

  test("exec of a testbed that does not exist is a one-line error", async () => {
    const r = await runCliAsync(["testbed", "exec", uniqueName(), "--", "true"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^mptcp: no testbed named \S+ \(mptcp testbed up --name \S+ makes one\)\n$/);
  });

  test("a step that fails removes what up had made, and says which step in one line", () => {
    const name = uniqueName();
    made.push(name);
    const spec = parseUpFlags({ name, paths: "2" });
    // An address the kernel refuses, on the second path: the namespace and path 0 exist by then.
    spec.paths[1]!.kernel.ipv4 = "10.123.1.300";
    assert.throws(
      () => testbedUp(spec),
      (e: Error) => e instanceof TestbedError && /^ip -n \S+ addr add 10\.123\.1\.300\/24 .* failed: /.test(e.message) && !e.message.includes("\n"),
    );
    assert.equal(existsSync(`/run/netns/${name}`), false);
    assert.equal(existsSync(statePath(name)), false);
  });
});

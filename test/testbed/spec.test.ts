/**
 * The testbed decided before anything is touched (no root needed): flags, addresses, the `ip`
 * and `tc` commands, the state file and the impairment lookup the runtime uses.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { upSummary } from "../../src/cli/testbed.js";
import { CLI_SCRIPT, runCli } from "../support/cli.js";
import { TestbedError } from "../../src/testbed/errors.js";
import { LIMITS, tbfBurst, upSteps } from "../../src/testbed/plan.js";
import { describeImpairment, parseDelayMs, parseLoss, parseRate, parseUpFlags, pathAddresses } from "../../src/testbed/spec.js";
import { listStates, readState, removeState, testbedImpairment, writeState } from "../../src/testbed/state.js";
import type { TestbedState } from "../../src/testbed/state.js";
import { parseAddress, formatAddress } from "../../src/wire/address.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mptcp-testbed-test-"));
  dirs.push(d);
  return d;
}

describe("testbed flags", () => {
  test("defaults: two paths named after mptcp-tb, not impaired", () => {
    const spec = parseUpFlags({});
    assert.equal(spec.name, "mptcp-tb");
    assert.deepEqual(
      spec.paths.map((p) => [p.device, p.kernel.ipv4, p.stack.ipv4, p.kernel.ipv6, p.stack.ipv6, p.impairment]),
      [
        ["mptcp-tb-t0", "10.123.0.1", "10.123.0.2", "fd00:123::1", "fd00:123::2", {}],
        ["mptcp-tb-t1", "10.123.1.1", "10.123.1.2", "fd00:123:1::1", "fd00:123:1::2", {}],
      ],
    );
  });

  test("IPv6 addresses are in RFC 5952 form, as ip -j prints them", () => {
    for (let i = 0; i < 8; i++) {
      const p = pathAddresses("x", i);
      for (const a of [p.kernel.ipv6, p.stack.ipv6]) assert.equal(formatAddress(parseAddress(a)!), a);
    }
  });

  test("one value applies to every path; a list gives one per path", () => {
    const spec = parseUpFlags({ paths: "3", rate: "10mbit", delay: "5,10,0", loss: "1%,0,0.5%", seed: "2" });
    assert.deepEqual(
      spec.paths.map((p) => p.impairment),
      [
        { rateBps: 10_000_000, delayUs: 5000, loss: 0.01, seed: 2000 },
        { rateBps: 10_000_000, delayUs: 10_000 },
        { rateBps: 10_000_000, loss: 0.005, seed: 2002 },
      ],
    );
  });

  test("rates, delays and losses in the forms the README shows", () => {
    assert.equal(parseRate("10mbit"), 10_000_000);
    assert.equal(parseRate("10M"), 10_000_000);
    assert.equal(parseRate("1.5gbit"), 1_500_000_000);
    assert.equal(parseRate("500k"), 500_000);
    assert.equal(parseRate("64000"), 64_000);
    assert.equal(parseRate("0"), 0);
    assert.equal(parseDelayMs("20"), 20);
    assert.equal(parseDelayMs("2.5ms"), 2.5);
    assert.equal(parseLoss("0.01"), 0.01);
    assert.equal(parseLoss("2%"), 0.02);
    for (const bad of ["fast", "10 mbyte", "-1m", "100"]) assert.throws(() => parseRate(bad), TestbedError, bad);
    for (const bad of ["-1", "x", "20s", "20000"]) assert.throws(() => parseDelayMs(bad), TestbedError, bad);
    for (const bad of ["1", "100%", "-0.1", "a"]) assert.throws(() => parseLoss(bad), TestbedError, bad);
  });

  test("bad names, path counts and list lengths are one-line errors", () => {
    const cases: Array<[Parameters<typeof parseUpFlags>[0], RegExp]> = [
      [{ name: "a-name-far-too-long" }, /1 to 12/],
      [{ name: "bad/name" }, /letters, digits/],
      [{ name: "-x" }, /letters, digits/],
      [{ paths: "0" }, /1 to 8/],
      [{ paths: "9" }, /1 to 8/],
      [{ paths: "two" }, /1 to 8/],
      [{ paths: "2", delay: "1,2,3" }, /one value or 2/],
      [{ seed: "x" }, /--seed/],
    ];
    for (const [flags, message] of cases) {
      assert.throws(() => parseUpFlags(flags), (e: Error) => e instanceof TestbedError && message.test(e.message) && !e.message.includes("\n"));
    }
  });

  test("impairments in words", () => {
    assert.equal(describeImpairment({}), "not impaired");
    assert.equal(describeImpairment({ rateBps: 2_500_000, delayUs: 20_000, loss: 0.01 }), "2.5 Mbit/s, 20 ms each way, 1% loss each way");
  });
});

describe("testbed commands", () => {
  test("everything is made inside the namespace, in order, with endpoints for paths 1 and up", () => {
    const steps = upSteps(parseUpFlags({ name: "tb", paths: "2", rate: "0,10mbit" })).map((s) => s.argv.join(" "));
    assert.deepEqual(steps, [
      "ip -n tb link set lo up",
      "ip -n tb tuntap add dev tb-t0 mode tun",
      "ip -n tb addr add 10.123.0.1/24 dev tb-t0",
      "ip -n tb -6 addr add fd00:123::1/64 dev tb-t0 nodad",
      "ip -n tb link set tb-t0 up",
      "ip -n tb tuntap add dev tb-t1 mode tun",
      "ip -n tb addr add 10.123.1.1/24 dev tb-t1",
      "ip -n tb -6 addr add fd00:123:1::1/64 dev tb-t1 nodad",
      "ip -n tb link set tb-t1 up",
      `tc -n tb qdisc add dev tb-t1 root tbf rate 10000000bit burst ${tbfBurst(10_000_000)} limit 150000`,
      `ip -n tb mptcp limits set subflows ${LIMITS.subflows} add_addr_accepted ${LIMITS.addAddrAccepted}`,
      "ip -n tb mptcp endpoint add 10.123.1.1 dev tb-t1 id 1 signal",
    ]);
  });

  test("tbf's bucket holds a jiffy at the rate and at least two datagrams", () => {
    assert.equal(tbfBurst(1_000_000), 3000);
    assert.equal(tbfBurst(1_000_000_000), 500_000);
  });
});

function sampleState(name: string): TestbedState {
  const spec = parseUpFlags({ name, delay: "10,0", loss: "0.02,0" });
  return {
    version: 1,
    name,
    namespace: name,
    createdAt: "2026-01-01T00:00:00.000Z",
    complete: true,
    limits: { ...LIMITS },
    paths: spec.paths.map((p) => ({ ...p, tun: `${p.device}=${p.stack.ipv4}`, tbf: false, ...(p.index > 0 ? { endpointId: p.index } : {}) })),
  };
}

describe("testbed state", () => {
  test("written, read back, listed and removed", () => {
    const dir = tempDir();
    const s = sampleState("tbA");
    writeState(s, dir);
    assert.deepEqual(readState("tbA", dir), s);
    assert.deepEqual(listStates(dir).map((x) => x.name), ["tbA"]);
    removeState("tbA", dir);
    assert.equal(readState("tbA", dir), undefined);
    removeState("tbA", dir);
  });

  test("a file that is not a state file is an error when read by name and skipped when listed", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "junk.json"), "{\"version\": 7}");
    writeFileSync(join(dir, "broken.json"), "{");
    assert.throws(() => readState("junk", dir), TestbedError);
    assert.throws(() => readState("broken", dir), TestbedError);
    assert.deepEqual(listStates(dir), []);
  });

  test("the runtime finds a device's impairment, without receive pacing (tbf does that)", () => {
    const dir = tempDir();
    writeState(sampleState("tbB"), dir);
    const lookup = { stateDir: dir, checkNamespace: false };
    assert.deepEqual(testbedImpairment("tbB-t0", lookup), { delayUs: 10_000, loss: 0.02, seed: 1000, paceReceived: false });
    // Path 1 is in the testbed but not impaired; other devices are not in any testbed.
    assert.equal(testbedImpairment("tbB-t1", lookup), undefined);
    assert.equal(testbedImpairment("eth0", lookup), undefined);
    assert.equal(testbedImpairment("tbB-t0", { stateDir: join(dir, "absent"), checkNamespace: false }), undefined);
  });

  test("outside the testbed's namespace the lookup answers nothing", () => {
    const dir = tempDir();
    writeState(sampleState("tbC"), dir);
    // This process is not in a namespace named tbC (there is none).
    assert.equal(testbedImpairment("tbC-t0", { stateDir: dir }), undefined);
  });

  test("the summary gives the exact --tun flag of each path", () => {
    const text = upSummary(sampleState("tbD"));
    assert.match(text, /--tun tbD-t0=10\.123\.0\.2 --tun tbD-t1=10\.123\.1\.2/);
    assert.match(text, /path 1: tbD-t1 .*announces 10\.123\.1\.1/);
    assert.match(text, /mptcp testbed down tbD/);
  });
});

describe("testbed command line", () => {
  test("bad flags are one-line errors with exit code 2, before anything is checked or made", () => {
    const r = runCli(["testbed", "up", "--paths", "9"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "mptcp: --paths 9: expected 1 to 8\n");
    const name = runCli(["testbed", "down", "no/such"]);
    assert.equal(name.status, 2);
    assert.match(name.stderr, /^mptcp: testbed name "no\/such" must be/);
    const noCommand = runCli(["testbed", "exec", "x"]);
    assert.equal(noCommand.status, 2);
  });

  test("without root, up says that root is needed, in one line, exit code 2", { skip: process.getuid?.() === 0 ? false : "needs root to switch to an unprivileged user" }, (t) => {
    // As the unprivileged user `nobody`: the check, not the failure of a later `ip` command.
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", CLI_SCRIPT, "testbed", "up"], { uid: 65534, gid: 65534, encoding: "utf8" });
    if (r.status !== 2 && /EACCES|ERR_MODULE_NOT_FOUND/.test(r.stderr)) {
      t.skip("the unprivileged user cannot read this build");
      return;
    }
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, "mptcp: the testbed needs root (it creates a network namespace and TUN devices)\n");
  });
});

/** The MPTCP parts of scenario files: host `mptcp`, flow `subflows` and `abortAfter`, `middleboxes`. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { validateScenario } from "../../src/sim/scenario/validate.js";
import { formatAddress } from "../../src/wire/address.js";

function doc(patch: { client?: object; server?: object; flow?: object; middleboxes?: object[]; links?: object[]; events?: object[] } = {}): object {
  return {
    hosts: [
      { name: "client", interfaces: [{ addresses: ["10.0.0.1"] }, { addresses: ["10.0.1.1"] }], mptcp: {}, ...patch.client },
      { name: "server", interfaces: [{ addresses: ["10.0.0.2"] }, { addresses: ["10.0.1.2"] }], mptcp: {}, ...patch.server },
    ],
    ...(patch.middleboxes !== undefined ? { middleboxes: patch.middleboxes } : {}),
    links: patch.links ?? [
      { from: "client.0", to: "server.0" },
      { from: "client.1", to: "server.1" },
    ],
    flows: [{ from: "client", to: "server", bytes: "1MB", ...patch.flow }],
    ...(patch.events !== undefined ? { events: patch.events } : {}),
  };
}

describe("scenario files: MPTCP", () => {
  test("`mptcp:` with no value (YAML null) is the block with every default, not plain TCP", () => {
    const s = validateScenario(doc({ client: { mptcp: null } }));
    assert.deepEqual(s.hosts[0]!.mptcp, validateScenario(doc()).hosts[0]!.mptcp);
    assert.equal(s.hosts[0]!.mptcp!.enabled, true);
    assert.equal(validateScenario(doc({ client: { mptcp: undefined } })).hosts[0]!.mptcp, undefined, "absent: plain TCP");
  });

  test("host mptcp options, endpoints as text and objects, flow subflows and abortAfter", () => {
    const s = validateScenario(doc({
      client: { mptcp: { checksums: true, subflows: 4, addAddrAccepted: 2, addAddrTimeout: "2s", closeTimeout: "30s", dssEverySegment: true, congestion: "balia", congestionFloor: "draft", scheduler: "ecf", pathManager: "backup", ndiffports: 3, autotune: true, staleLossCount: 4, allowJoinInitialAddrPort: false, endpoints: ["10.0.1.1 id 5 subflow backup"] } },
      server: { mptcp: { enabled: false, endpoints: [{ address: "10.0.1.2", signal: true, port: 6000 }] } },
      flow: { subflows: [{ from: "10.0.1.1", to: "10.0.1.2", backup: true }], abortAfter: "1.5s" },
    }));
    const c = s.hosts[0]!.mptcp!;
    assert.deepEqual({ ...c, endpoints: c.endpoints.map((e) => ({ ...e, addr: formatAddress(e.addr) })) }, {
      enabled: true, checksums: true, subflows: 4, addAddrAccepted: 2, addAddrTimeout: 2_000_000, closeTimeout: 30_000_000, dssEverySegment: true,
      congestion: "balia", congestionFloor: "draft", scheduler: "ecf", pathManager: "backup", ndiffports: 3, autotune: true, staleLossCount: 4, allowJoinInitialAddrPort: false,
      endpoints: [{ addr: "10.0.1.1", id: 5, flags: { subflow: true, backup: true } }],
    });
    assert.equal(s.hosts[1]!.mptcp!.enabled, false);
    assert.equal(validateScenario(doc({ client: { mptcp: { staleLossCount: "first-timeout" } } })).hosts[0]!.mptcp!.staleLossCount, "first-timeout");
    assert.equal(validateScenario(doc({ client: { mptcp: { closeTimeout: "0s" } } })).hosts[0]!.mptcp!.closeTimeout, 0);
    assert.equal(s.hosts[1]!.mptcp!.endpoints[0]!.port, 6000);
    const f = s.flows[0]!;
    assert.equal(f.abortAfter, 1_500_000);
    assert.equal(f.subflows.length, 1);
    assert.deepEqual([formatAddress(f.subflows[0]!.from), formatAddress(f.subflows[0]!.to), f.subflows[0]!.port, f.subflows[0]!.backup], ["10.0.1.1", "10.0.1.2", 5001, true]);
  });

  test("a host without mptcp stays a plain TCP host", () => {
    const s = validateScenario({ hosts: [{ name: "a", addresses: ["10.0.0.1"] }, { name: "b", addresses: ["10.0.0.2"] }], links: [{ from: "a", to: "b" }], flows: [{ from: "a", to: "b", bytes: 1 }] });
    assert.equal(s.hosts[0]!.mptcp, undefined);
    assert.deepEqual(s.flows[0]!.subflows, []);
    assert.deepEqual(s.middleboxes, []);
  });

  test("middlebox nodes: boxes by kind with their configuration, wired by interface", () => {
    const s = validateScenario(doc({
      middleboxes: [{ name: "mb", boxes: ["mbox-strip-syn", { kind: "mbox-nat", publicAddress: "198.51.100.1" }] }],
      links: [{ from: "client.0", to: "mb.0" }, { from: "mb.1", to: "server.0" }],
    }));
    assert.deepEqual(s.middleboxes, [{ name: "mb", boxes: [{ kind: "mbox-strip-syn", config: {} }, { kind: "mbox-nat", config: { publicAddress: "198.51.100.1" } }] }]);
  });

  test("host events: interfaces down and up, endpoints added, deleted and made backup, beside link events", () => {
    const s = validateScenario(doc({
      client: { mptcp: { endpoints: ["10.0.1.1 id 2 subflow"] } },
      events: [
        { at: "1s", host: "client", action: "interface-down", interface: 1 },
        { at: "2s", host: "client", action: "interface-up", interface: 1 },
        { at: "1s", link: "client.0-server.0", action: "down", for: "0.5s" },
        { at: "3s", host: "client", action: "endpoint-delete", id: 2 },
        { at: "4s", host: "client", action: "endpoint-add", endpoint: "10.0.1.1 id 2 subflow backup" },
        { at: "5s", host: "client", action: "endpoint-backup", id: 2, backup: false },
        { at: "6s", host: "server", action: "endpoint-add", endpoint: { address: "10.0.1.2", signal: true } },
      ],
    }));
    const shown = s.events.map((e) => ("endpoint" in e ? { ...e, endpoint: { ...e.endpoint, addr: formatAddress(e.endpoint.addr) } } : e));
    assert.deepEqual(shown, [
      { action: "interface-down", iface: 1, at: 1_000_000, host: "client" },
      { action: "interface-up", iface: 1, at: 2_000_000, host: "client" },
      { action: "down", for: 500_000, at: 1_000_000, link: "client.0-server.0", direction: "both" },
      { action: "endpoint-delete", id: 2, at: 3_000_000, host: "client" },
      { action: "endpoint-add", endpoint: { addr: "10.0.1.1", id: 2, flags: { subflow: true, backup: true } }, at: 4_000_000, host: "client" },
      { action: "endpoint-backup", id: 2, backup: false, at: 5_000_000, host: "client" },
      { action: "endpoint-add", endpoint: { addr: "10.0.1.2", flags: { signal: true } }, at: 6_000_000, host: "server" },
    ]);
  });

  const errors: [string, object, RegExp][] = [
    ["mptcp field typo", doc({ client: { mptcp: { checksum: true } } }), /^hosts\[0\]\.mptcp\.checksum: unknown field$/],
    ["subflows over the kernel's limit", doc({ client: { mptcp: { subflows: 9 } } }), /^hosts\[0\]\.mptcp\.subflows: expected a limit in 0-8/],
    ["endpoint text", doc({ client: { mptcp: { endpoints: ["10.0.1.1 sideways"] } } }), /^hosts\[0\]\.mptcp\.endpoints\[0\]: unknown keyword "sideways"/],
    ["endpoint not the host's", doc({ client: { mptcp: { endpoints: ["10.9.9.9 subflow"] } } }), /^hosts\[0\]\.mptcp\.endpoints\[0\]: 10\.9\.9\.9 is not an address of this host$/],
    ["duplicate endpoint", doc({ client: { mptcp: { endpoints: ["10.0.1.1 subflow", "10.0.1.1 signal"] } } }), /^hosts\[0\]\.mptcp\.endpoints\[1\]: .*\(EEXIST\)$/],
    ["subflow from a foreign address", doc({ flow: { subflows: [{ from: "10.0.1.2", to: "10.0.1.2" }] } }), /^flows\[0\]\.subflows\[0\]\.from: not an address of host "client"$/],
    ["subflows without MPTCP", doc({ client: { mptcp: undefined }, flow: { subflows: [{ from: "10.0.1.1", to: "10.0.1.2" }] } }), /^flows\[0\]\.subflows: host "client" does not run MPTCP/],
    ["abortAfter", doc({ flow: { abortAfter: "soon" } }), /^flows\[0\]\.abortAfter: expected a duration/],
    ["closeTimeout", doc({ client: { mptcp: { closeTimeout: "-1s" } } }), /^hosts\[0\]\.mptcp\.closeTimeout: expected a duration/],
    ["unknown box", doc({ middleboxes: [{ name: "mb", boxes: ["mbox-teleport"] }] }), /^middleboxes\[0\]\.boxes\[0\]\.kind: unknown middlebox "mbox-teleport"/],
    ["box config", doc({ middleboxes: [{ name: "mb", boxes: [{ kind: "mbox-nat", colour: "red" }] }] }), /^middleboxes\[0\]\.boxes\[0\]\.colour: unknown field$/],
    ["host event on an unknown host", doc({ events: [{ at: "1s", host: "phone", action: "interface-down", interface: 0 }] }), /^events\[0\]\.host: no host named "phone"$/],
    ["congestion", doc({ client: { mptcp: { congestion: "vegas" } } }), /^hosts\[0\]\.mptcp\.congestion: expected one of reno, cubic, lia, olia, balia, coupled, kelly-voice, got "vegas"$/],
    ["congestionFloor", doc({ client: { mptcp: { congestionFloor: "rfc" } } }), /^hosts\[0\]\.mptcp\.congestionFloor: expected one of linux, draft, got "rfc"$/],
    ["scheduler", doc({ client: { mptcp: { scheduler: 3 } } }), /^hosts\[0\]\.mptcp\.scheduler: expected one of lowest-rtt, .*ecf, got 3$/],
    ["pathManager", doc({ client: { mptcp: { pathManager: "userspace" } } }), /^hosts\[0\]\.mptcp\.pathManager: expected one of kernel, full, backup, single-path, got "userspace"$/],
    ["ndiffports", doc({ client: { mptcp: { ndiffports: 9 } } }), /^hosts\[0\]\.mptcp\.ndiffports: expected a subflow count in 1-8, got 9$/],
    ["staleLossCount", doc({ client: { mptcp: { staleLossCount: -1 } } }), /^hosts\[0\]\.mptcp\.staleLossCount: expected a non-negative integer or "first-timeout", got -1$/],
    ["host event on a TCP host", doc({ client: { mptcp: undefined }, events: [{ at: "1s", host: "client", action: "interface-down", interface: 0 }] }), /^events\[0\]\.host: host "client" does not run MPTCP/],
    ["host event action", doc({ events: [{ at: "1s", host: "client", action: "reboot" }] }), /^events\[0\]\.action: expected interface-down, interface-up, endpoint-add, endpoint-delete or endpoint-backup, got "reboot"$/],
    ["no such interface", doc({ events: [{ at: "1s", host: "client", action: "interface-down", interface: 2 }] }), /^events\[0\]\.interface: host "client" has interfaces 0-1$/],
    ["endpoint added on a foreign address", doc({ events: [{ at: "1s", host: "client", action: "endpoint-add", endpoint: "10.0.1.2 signal" }] }), /^events\[0\]\.endpoint: 10\.0\.1\.2 is not an address of this host$/],
    ["endpoint deleted before it was added", doc({ events: [{ at: "2s", host: "client", action: "endpoint-add", endpoint: "10.0.1.1 id 3 subflow" }, { at: "1s", host: "client", action: "endpoint-delete", id: 3 }] }), /^events\[1\]\.id: address not found \(EINVAL\)$/],
    ["endpoint added twice", doc({ client: { mptcp: { endpoints: ["10.0.1.1 id 3 subflow"] } }, events: [{ at: "1s", host: "client", action: "endpoint-add", endpoint: "10.0.1.1 signal" }] }), /^events\[0\]\.endpoint: .*\(EEXIST\)$/],
    ["middlebox interface 2", doc({ middleboxes: [{ name: "mb", boxes: ["mbox-nat"] }], links: [{ from: "client.0", to: "mb.2" }] }), /^links\[0\]\.to: middlebox "mb" has no interface 2 \(it has 2\)$/],
  ];
  for (const [what, raw, message] of errors) {
    test(`error: ${what}`, () => {
      assert.throws(() => validateScenario(raw), (err: Error) => {
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYamlPlain } from "yaml";
import { builtinNames, builtinScenario } from "../../src/sim/scenario/builtins.js";
import { parseDuration, parseProbability, parseQueue, parseRate, parseSize } from "../../src/sim/scenario/units.js";
import { ScenarioError, parseScenarioText, validateScenario } from "../../src/sim/scenario/validate.js";

describe("units", () => {
  test("rates", () => {
    assert.equal(parseRate("10Mbit"), 10_000_000);
    assert.equal(parseRate("2.5 Gbit/s"), 2_500_000_000);
    assert.equal(parseRate("100kbps"), 100_000);
    assert.equal(parseRate("64bit"), 64);
    assert.equal(parseRate(1e6), 1_000_000);
    for (const bad of ["fast", "10MB", "0Mbit", -5, "", "10 Mbit extra", null]) assert.equal(parseRate(bad), undefined, String(bad));
  });

  test("durations (a plain number is seconds)", () => {
    assert.equal(parseDuration("20ms"), 20_000);
    assert.equal(parseDuration("2s"), 2_000_000);
    assert.equal(parseDuration("500us"), 500);
    assert.equal(parseDuration("1.5min"), 90_000_000);
    assert.equal(parseDuration(0.25), 250_000);
    for (const bad of ["20", "soon", "-1s", "3h", true]) assert.equal(parseDuration(bad), undefined, String(bad));
  });

  test("sizes (decimal prefixes; KiB, MiB binary)", () => {
    assert.equal(parseSize("64KB"), 64_000);
    assert.equal(parseSize("4MiB"), 4 * 1024 * 1024);
    assert.equal(parseSize("1.5MB"), 1_500_000);
    assert.equal(parseSize("1500B"), 1500);
    assert.equal(parseSize(1234), 1234);
    for (const bad of ["lots", "10Mbit", "-3KB"]) assert.equal(parseSize(bad), undefined, bad);
  });

  test("probabilities and queues", () => {
    assert.equal(parseProbability("1%"), 0.01);
    assert.equal(parseProbability(0.2), 0.2);
    assert.equal(parseProbability("150%"), undefined);
    assert.equal(parseProbability(2), undefined);
    assert.deepEqual(parseQueue("64KB"), { bytes: 64_000 });
    assert.deepEqual(parseQueue("100 packets"), { packets: 100 });
    assert.deepEqual(parseQueue("2s"), { time: 2_000_000 });
    assert.equal(parseQueue("big"), undefined);
  });
});

const GOOD = `
name: demo
seed: 7
duration: 30s
hosts:
  - name: client
    addresses: [10.0.1.1]
  - name: server
    interfaces:
      - addresses: [10.0.2.1, "2001:db8::1"]
        mtu: 1400
    tcp: { congestion: reno, recvBuffer: 4MB }
routers:
  - name: r
    routes: { 10.0.1.0/24: 0, 10.0.2.0/24: 1 }
links:
  - { name: access, from: client, to: r.0, rate: 100Mbit, delay: 1ms }
  - name: bottleneck
    from: r.1
    to: server
    rate: 10Mbit
    delay: 20ms
    queue: 50ms
    loss: { model: gilbert-elliott, p: 0.01, r: 0.5 }
    jitter: 1ms
    reverse: { loss: 0, queue: 100 packets }
flows:
  - { name: up, from: client, to: server, bytes: 64KB, start: 1s }
events:
  - { at: 5s, link: bottleneck, action: down, for: 2s }
  - { at: 9s, link: bottleneck, direction: forward, action: rate, rate: 5Mbit }
`;

describe("scenario files", () => {
  test("a full file validates into simulator units", () => {
    const s = parseScenarioText(GOOD);
    assert.equal(s.name, "demo");
    assert.equal(s.seed, 7);
    assert.equal(s.duration, 30_000_000);
    assert.equal(s.hosts[1]!.interfaces[0]!.mtu, 1400);
    assert.equal(s.hosts[1]!.tcp.recvBufferSize, 4_000_000);
    const b = s.links[1]!;
    assert.deepEqual(b.from, { node: "r", iface: 1 });
    assert.deepEqual(b.forward, {
      rateBps: 10_000_000, delayUs: 20_000, queueLimitBytes: 62_500, loss: { kind: "gilbert-elliott", p: 0.01, r: 0.5 }, jitter: { maxUs: 1000 },
    });
    assert.deepEqual(b.reverse, { rateBps: 10_000_000, delayUs: 20_000, queueLimitPackets: 100, loss: { kind: "bernoulli", p: 0 }, jitter: { maxUs: 1000 } });
    assert.deepEqual(s.flows[0], { name: "up", from: "client", to: "server", address: new Uint8Array([10, 0, 2, 1]), port: 5001, bytes: 64_000, start: 1_000_000, subflows: [] });
    assert.deepEqual(s.events, [
      { action: "down", for: 2_000_000, at: 5_000_000, link: "bottleneck", direction: "both" },
      { action: "rate", rateBps: 5_000_000, at: 9_000_000, link: "bottleneck", direction: "forward" },
    ]);
  });

  test("JSON is accepted too", () => {
    const s = parseScenarioText(JSON.stringify({
      hosts: [{ name: "a", addresses: ["10.0.0.1"] }, { name: "b", addresses: ["10.0.0.2"] }],
      links: [{ from: "a", to: "b" }],
      flows: [{ from: "a", to: "b", bytes: 1000 }],
    }), "fallback");
    assert.equal(s.name, "fallback");
    assert.equal(s.links[0]!.name, "a.0-b.0");
  });

  const errors: [string, (doc: Record<string, unknown>) => void, string][] = [
    ["a bad rate names the link index", (d) => ((d.links as Record<string, unknown>[])[1]!.rate = "fast"), 'links[1].rate: expected a rate like "10Mbit", got "fast"'],
    ["an unknown field", (d) => ((d.links as Record<string, unknown>[])[0]!.bandwidth = "1Mbit"), "links[0].bandwidth: unknown field"],
    ["a missing required field", (d) => delete (d.flows as Record<string, unknown>[])[0]!.bytes, "flows[0].bytes: required"],
    ["an unknown node", (d) => ((d.links as Record<string, unknown>[])[0]!.to = "nowhere"), 'links[0].to: no host, router or middlebox named "nowhere"'],
    ["an unknown host in a flow", (d) => ((d.flows as Record<string, unknown>[])[0]!.to = "r"), 'flows[0].to: no host named "r"'],
    ["a bad address", (d) => ((d.hosts as Record<string, unknown>[])[0]!.addresses = ["10.0.1.300"]), "hosts[0].addresses[0]: expected an IPv4 or IPv6 address, got \"10.0.1.300\""],
    ["a bad loss", (d) => ((d.links as Record<string, unknown>[])[1]!.loss = "120%"), 'links[1].loss: expected a probability like "1%" or 0.01, got "120%"'],
    ["an event on an unknown link", (d) => ((d.events as Record<string, unknown>[])[0]!.link = "wifi"), 'events[0].link: no link named "wifi"'],
    ["an unknown action", (d) => ((d.events as Record<string, unknown>[])[0]!.action = "explode"), 'events[0].action: expected down, up, rate, delay, loss or blackhole (or, with host, a host event), got "explode"'],
    ["duplicate node names", (d) => ((d.routers as Record<string, unknown>[])[0]!.name = "client"), 'routers[0].name: duplicate node name "client"'],
    ["two links on one interface", (d) => ((d.links as Record<string, unknown>[])[1]!.from = "r.0"), "links[1].from: interface r.0 already has a link"],
    ["a flow address not of the server", (d) => ((d.flows as Record<string, unknown>[])[0]!.address = "10.9.9.9"), 'flows[0].address: not an address of host "server"'],
    ["hosts not a list", (d) => (d.hosts = "two"), 'hosts: expected a list, got "two"'],
    ["a route on a router interface without a link", (d) => ((d.routers as Record<string, unknown>[])[0]!.routes = { "10.0.1.0/24": 0, "10.0.2.0/24": 7 }), 'routers[0].routes.10.0.2.0/24: router "r" sends on no link from interface 7'],
    ["an ECMP route listing an interface without a link", (d) => ((d.routers as Record<string, unknown>[])[0]!.routes = { "10.0.1.0/24": 0, "10.0.2.0/24": [1, 2] }), 'routers[0].routes.10.0.2.0/24: router "r" sends on no link from interface 2'],
    ["one address on two hosts", (d) => (((d.hosts as Record<string, unknown>[])[1]!.interfaces as Record<string, unknown>[])[0]!.addresses = ["10.0.1.1"]), 'hosts[1]: 10.0.1.1 is also an address of host "client"'],
    ["a bad route prefix", (d) => ((d.routers as Record<string, unknown>[])[0]!.routes = { "10.0.1.0/99": 0 }), 'routers[0].routes.10.0.1.0/99: expected a prefix like "10.0.0.0/24" or "2001:db8::/32"'],
  ];
  for (const [name, mutate, message] of errors) {
    test(`error: ${name}`, () => {
      const doc = JSON.parse(JSON.stringify(parseYamlPlain(GOOD))) as Record<string, unknown>;
      mutate(doc);
      assert.throws(() => validateScenario(doc), (err: unknown) => {
        assert.ok(err instanceof ScenarioError);
        assert.equal(err.message, message);
        return true;
      });
    });
  }

  test("the file-format example of docs/scenarios.md is a valid scenario, every field of it", () => {
    const doc = readFileSync(new URL("../../../docs/scenarios.md", import.meta.url), "utf8");
    const example = /## File format[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example !== undefined, "the example is where the docs say");
    const s = parseScenarioText(example);
    assert.equal(s.name, "two-hop");
    assert.deepEqual([s.hosts.length, s.routers.length, s.middleboxes.length, s.links.length, s.flows.length, s.events.length], [2, 1, 1, 4, 1, 6]);
    assert.equal(s.flows[0]!.subflows.length, 1);
  });

  test("not YAML at all", () => {
    assert.throws(() => parseScenarioText("a: ["), /^ScenarioError: not valid YAML or JSON/);
    // Where: line and column of the parser's complaint, counted from 1.
    assert.throws(() => parseScenarioText("hosts:\n  - name: a\nlinks: [1, 2\nflows: []\n"), /^ScenarioError: not valid YAML or JSON at line 4, column 1: Flow sequence/);
    assert.throws(() => parseScenarioText("- 1\n- 2"), { message: "expected an object, got a list" });
  });

  test("every built-in validates and has a description", () => {
    assert.deepEqual(builtinNames().filter((n) => n.startsWith("tcp-")), ["tcp-clean", "tcp-lossy", "tcp-longfat", "tcp-bufferbloat", "tcp-reorder", "tcp-flap"]);
    for (const n of builtinNames()) {
      const s = builtinScenario(n)!;
      assert.equal(s.name, n);
      assert.ok(s.description.length > 10);
    }
    assert.equal(builtinScenario("tcp-clean")!.flows[0]!.bytes, 200_000_000);
    assert.equal(builtinScenario("tcp-bufferbloat")!.links[0]!.forward.queueLimitBytes, 2_500_000, "2 s at 10 Mbit/s");
  });
});


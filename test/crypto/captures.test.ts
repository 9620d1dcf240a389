/**
 * The crypto module against real captures: for the Linux 6.18 captures in test/fixtures/ (v1,
 * docs/fixtures.md) and the public v0 captures in ../shared/captures/, every token, IDSN, join
 * HMAC, ADD_ADDR HMAC and MP_FASTCLOSE key is recomputed from the MP_CAPABLE keys and MP_JOIN
 * nonces the capture carries and compared with what the capture carries next to them.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { fixture, sharedCapture } from "../util/paths.js";
import { readSegments } from "./capture-segments.js";
import type { CaptureSegments, Segment } from "./capture-segments.js";
import { checkCaptureCrypto } from "./capture-crypto.js";
import type { Check, CheckKind } from "./capture-crypto.js";
import { V0 } from "./vectors.js";

interface Expectation {
  version: 0 | 1;
  /** Minimum number of connections with both keys in the capture. */
  connections: number;
  /** Minimum number of passing checks of each kind. */
  checks: Partial<Record<CheckKind, number>>;
}

/**
 * What each known capture must at least contain, so that a capture that lost its joins or its
 * ADD_ADDR fails here instead of passing with nothing checked. Minima, not exact counts:
 * re-recording a kernel fixture may add a retransmission.
 */
const EXPECTED: Record<string, Expectation> = {
  "kernel-mpc-join.pcap": {
    version: 1,
    connections: 1,
    checks: { "key-echo": 2, "join-token": 2, "join-synack-hmac": 2, "join-ack-hmac": 2, "add-addr-hmac": 1, "first-dsn": 2, "data-ack": 2 },
  },
  "kernel-add-addr-port.pcap": {
    version: 1,
    connections: 1,
    checks: { "key-echo": 1, "join-token": 1, "join-synack-hmac": 1, "join-ack-hmac": 1, "add-addr-hmac": 1, "first-dsn": 2 },
  },
  "kernel-rm-addr-prio.pcap": {
    version: 1,
    connections: 1,
    checks: { "key-echo": 1, "join-token": 1, "join-synack-hmac": 1, "join-ack-hmac": 1, "first-dsn": 2 },
  },
  "kernel-checksum.pcap": { version: 1, connections: 1, checks: { "key-echo": 2, "first-dsn": 2, "data-ack": 2 } },
  "kernel-fastclose.pcap": {
    version: 1,
    connections: 1,
    checks: { "join-token": 1, "join-synack-hmac": 1, "join-ack-hmac": 1, "fastclose-key": 2, "first-dsn": 1 },
  },
  "kernel-ipv6.pcap": {
    version: 1,
    connections: 1,
    checks: { "join-token": 1, "join-synack-hmac": 1, "join-ack-hmac": 1, "add-addr-hmac": 1, "first-dsn": 2 },
  },
  "pymptcpanalyzer-client_2.v0.pcap": {
    version: 0,
    connections: 4,
    checks: { "key-echo": 8, "join-token": 12, "join-synack-hmac": 12, "join-ack-hmac": 12, "fastclose-key": 4, "first-dsn": 8 },
  },
  "iperf-mptcp-0-0.v0.pcap": {
    version: 0,
    connections: 1,
    checks: { "key-echo": 2, "join-token": 1, "join-synack-hmac": 1, "join-ack-hmac": 1, "first-dsn": 2, "data-ack": 2 },
  },
};

const SHARED_V0 = ["pymptcpanalyzer-client_2.v0.pcap", "iperf-mptcp-0-0.v0.pcap"];

const captures: Array<{ name: string; path: string }> = [
  ...readdirSync(fixture("."))
    .filter((f) => f.endsWith(".pcap"))
    .sort()
    .map((name) => ({ name, path: fixture(name) })),
  ...SHARED_V0.map((name) => ({ name, path: sharedCapture(name) })),
];

const loaded = new Map<string, Promise<CaptureSegments>>();
function load(path: string): Promise<CaptureSegments> {
  let p = loaded.get(path);
  if (!p) loaded.set(path, (p = readSegments(path)));
  return p;
}

function passing(checks: readonly Check[]): Map<CheckKind, number> {
  const counts = new Map<CheckKind, number>();
  for (const c of checks) if (c.ok) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return counts;
}

test("the kernel fixtures of docs/fixtures.md are all present", () => {
  const names = new Set(captures.map((c) => c.name));
  for (const name of Object.keys(EXPECTED).filter((n) => n.startsWith("kernel-"))) assert.ok(names.has(name), name);
});

for (const { name, path } of captures) {
  const expected = EXPECTED[name];
  const missing = !existsSync(path);
  describe(name, { skip: missing ? `${path} not found` : false }, () => {
    test("every packet decodes and every MPTCP option parses", async () => {
      const { undecodable, malformedMptcp } = await load(path);
      assert.deepEqual(undecodable, []);
      assert.deepEqual(malformedMptcp, []);
    });

    test("every MP_JOIN SYN carries the token of a key from the capture's MP_CAPABLE", async () => {
      const { unmatchedJoins } = checkCaptureCrypto((await load(path)).segments);
      assert.deepEqual(unmatchedJoins, [], "packets whose MP_JOIN token names no connection");
    });

    test("keys, join HMACs, ADD_ADDR HMACs, MP_FASTCLOSE keys and IDSNs recompute", async (t) => {
      const result = checkCaptureCrypto((await load(path)).segments);
      const failures = result.checks.filter((c) => !c.ok).map((c) => c.detail);
      assert.deepEqual(failures, []);
      if (!expected) {
        if (result.checks.length === 0) t.skip("no MPTCP connection with keys in this capture");
        return;
      }
      assert.ok(result.connections.length >= expected.connections, `${result.connections.length} connections`);
      for (const c of result.connections) assert.equal(c.version, expected.version);
      const counts = passing(result.checks);
      for (const [kind, min] of Object.entries(expected.checks) as Array<[CheckKind, number]>) {
        assert.ok((counts.get(kind) ?? 0) >= min, `${kind}: ${counts.get(kind) ?? 0} checked, expected at least ${min}`);
      }
    });
  });
}

describe("the fact sheet's v0 vectors come from client_2.pcap", { skip: !existsSync(sharedCapture(SHARED_V0[0]!)) }, () => {
  test("a connection of the capture has Key-A and Key-B of mptcp-facts.md §1", async () => {
    const { connections } = checkCaptureCrypto((await load(sharedCapture(SHARED_V0[0]!))).segments);
    const c = connections.find((x) => x.keyA === V0.keyA && x.keyB === V0.keyB);
    assert.ok(c);
    assert.deepEqual([c.tokenA, c.idsnA, c.tokenB, c.idsnB], [V0.tokenA, V0.idsnA, V0.tokenB, V0.idsnB]);
  });
});

/** A copy of the segments in which the first segment `edit` returns a replacement for is replaced. */
function tamper(segments: readonly Segment[], edit: (s: Segment) => Segment | undefined): Segment[] {
  let done = false;
  return segments.map((s) => {
    if (done) return s;
    const t = edit(s);
    if (!t) return s;
    done = true;
    return t;
  });
}

function flipFirstBit(b: Uint8Array): Uint8Array {
  const c = Uint8Array.from(b);
  c[0]! ^= 0x80;
  return c;
}

describe("the capture checks catch wrong values", { skip: !existsSync(fixture("kernel-mpc-join.pcap")) }, () => {
  test("a join SYN/ACK HMAC with one bit flipped fails", async () => {
    const { segments } = await load(fixture("kernel-mpc-join.pcap"));
    const bad = tamper(segments, (s) => {
      const i = s.mptcp.findIndex((o) => o.subtype === "MP_JOIN" && o.form === "synack");
      const o = s.mptcp[i];
      if (!o || o.subtype !== "MP_JOIN" || o.form !== "synack") return undefined;
      const mptcp = [...s.mptcp];
      mptcp[i] = { ...o, hmac: flipFirstBit(o.hmac) };
      return { ...s, mptcp };
    });
    const failed = checkCaptureCrypto(bad).checks.filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => c.kind), ["join-synack-hmac"]);
  });

  test("an ADD_ADDR HMAC with one bit flipped fails", async () => {
    const { segments } = await load(fixture("kernel-mpc-join.pcap"));
    const bad = tamper(segments, (s) => {
      const i = s.mptcp.findIndex((o) => o.subtype === "ADD_ADDR" && o.hmac !== undefined);
      const o = s.mptcp[i];
      if (!o || o.subtype !== "ADD_ADDR" || !o.hmac) return undefined;
      const mptcp = [...s.mptcp];
      mptcp[i] = { ...o, hmac: flipFirstBit(o.hmac) };
      return { ...s, mptcp };
    });
    const failed = checkCaptureCrypto(bad).checks.filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => c.kind), ["add-addr-hmac"]);
  });

  test("a server key off by one bit fails the join tokens, the ADD_ADDR HMAC and B's IDSN", async () => {
    const { segments } = await load(fixture("kernel-mpc-join.pcap"));
    const [conn] = checkCaptureCrypto(segments).connections;
    assert.ok(conn);
    const wrong = conn.keyB ^ 1n;
    const edited = segments.map((s) => ({
      ...s,
      mptcp: s.mptcp.map((o) => {
        if (o.subtype !== "MP_CAPABLE") return o;
        return {
          ...o,
          ...(o.sendKey === conn.keyB ? { sendKey: wrong } : {}),
          ...(o.recvKey === conn.keyB ? { recvKey: wrong } : {}),
        };
      }),
    }));
    const result = checkCaptureCrypto(edited);
    // Both joins go to the server, and name it by the token of its real key.
    assert.equal(result.unmatchedJoins.length, 2);
    const failedKinds = new Set(result.checks.filter((c) => !c.ok).map((c) => c.kind));
    assert.deepEqual([...failedKinds].sort(), ["add-addr-hmac", "data-ack", "first-dsn"]);
  });
});

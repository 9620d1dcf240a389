import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isParseError } from "../../src/wire/error.js";
import { parseIpPacket } from "../../src/wire/ip.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import type { HostCounters } from "../../src/stack/counters.js";
import { host, packet, seg } from "./util.js";
import { runs } from "../support/fuzz.js";

const DROPS = [
  "dropIpMalformed", "dropIpChecksum", "dropFragment", "dropNotTcp", "dropNotLocal", "dropTcpMalformed", "dropTcpChecksum",
] as const satisfies readonly (keyof HostCounters)[];

/** What the repr parsers say the Host must do with `bytes` sent to 10.0.0.2. */
function expectedDrop(bytes: Uint8Array): (typeof DROPS)[number] | "handled" {
  const ip = parseIpPacket(bytes, { verifyChecksum: true });
  if (isParseError(ip)) return ip.reason === "bad-checksum" ? "dropIpChecksum" : "dropIpMalformed";
  if (ip.isFragment) return "dropFragment";
  if (ip.protocol !== 6) return "dropNotTcp";
  if (ip.dst.join(".") !== "10.0.0.2") return "dropNotLocal";
  const tcp = parseTcp(ip.payload, { checksum: { src: ip.src, dst: ip.dst } });
  if (isParseError(tcp)) return tcp.reason === "bad-checksum" ? "dropTcpChecksum" : "dropTcpMalformed";
  return "handled";
}

describe("the IPv4 receive path reads datagrams in place", () => {
  test("each mutated datagram meets the fate the repr parsers predict", () => {
    const h = host([["10.0.0.2"]]);
    h.listen(80);
    const data = seg({
      srcPort: 40000, dstPort: 80, seq: 1, ack: 1, flags: TCP_FLAG.ACK,
      options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", tsVal: 1, tsEcr: 2 }],
      payload: Uint8Array.from({ length: 200 }, (_, i) => i),
    });
    const valid = packet("10.0.0.1", "10.0.0.2", data);
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        // Whole datagrams half the time: only an unmutated whole one reaches "handled".
        fc.oneof(fc.constant(valid.length), fc.integer({ min: 0, max: valid.length })),
        (flips, length) => {
          const p = valid.slice(0, length);
          for (const [i, v] of flips) if (i < p.length) p[i] = v;
          const expected = expectedDrop(p);
          seen.add(expected);
          const before = { ...h.counters };
          h.receive(p, 0, 0);
          for (let t = h.pollTransmit(0); t !== undefined; t = h.pollTransmit(0));
          for (const d of DROPS) assert.equal(h.counters[d] - before[d], d === expected ? 1 : 0, `${d} for a datagram expected ${expected}`);
        },
      ),
      { numRuns: runs(600) },
    );
    // The mutations reached past the IP checks, or the property says little.
    assert.ok(seen.has("handled") && seen.has("dropTcpChecksum") && seen.has("dropIpChecksum"), [...seen].join(", "));
  });
});

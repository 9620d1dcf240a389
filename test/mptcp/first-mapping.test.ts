/**
 * The client's first data mapping may ride on MP_CAPABLE (RFC 8684 §3.1), which has no DATA_FIN
 * flag, and every later DSS for the same bytes must carry the identical mapping (a receiver
 * resets on a mismatch: Linux counts it as DSSNotMatching). A whole transfer that fits in one
 * mapping, written and shut down before the handshake ends, is the case that broke it: the
 * DATA_FIN must then go on its own.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mptcpOptionsOf } from "../../src/mptcp/capable.js";
import { Simulator } from "../../src/sim/simulator.js";
import { MptcpHost } from "../../src/stack/mptcp-host.js";
import { parseAddress } from "../../src/wire/address.js";
import { isParseError } from "../../src/wire/error.js";
import { parseIpPacket } from "../../src/wire/ip.js";
import { parseTcp } from "../../src/wire/tcp.js";
import { BulkApp, Node, payload, sha256 } from "../support/mptcp-sim.js";

const CLIENT = parseAddress("10.0.0.1")!;
const SERVER = parseAddress("10.0.0.2")!;

interface Mapping {
  ssn: number;
  dataLen: number;
  fin: boolean;
  via: "MP_CAPABLE" | "DSS";
}

function run(bytes: number, checksums: boolean): { mappings: Mapping[]; client: BulkApp; server: BulkApp; serverHost: MptcpHost } {
  const sim = new Simulator({ seed: 3 });
  const clientHost = new MptcpHost({ interfaces: [{ addresses: [CLIENT] }], random: sim.rng.fork("client"), mptcp: { checksums } });
  const serverHost = new MptcpHost({ interfaces: [{ addresses: [SERVER] }], random: sim.rng.fork("server") });
  const c = new Node(clientHost);
  const s = new Node(serverHost);
  const ch = sim.addNode("client", c);
  const sh = sim.addNode("server", s);
  sim.addDuplexLink(ch, 0, sh, 0, { rateBps: 10_000_000, delayUs: 5_000 });
  // The client's data segments as they leave it: their mappings.
  const mappings: Mapping[] = [];
  let clientIsn: number | undefined;
  sim.tapInterface(ch, 0, {
    write(_t, packet) {
      const ip = parseIpPacket(packet);
      if (isParseError(ip) || ip.src[3] !== 1) return;
      const seg = parseTcp(ip.payload);
      if (isParseError(seg)) return;
      if (clientIsn === undefined) clientIsn = seg.seq;
      if (seg.payload.length === 0) return;
      const m = mptcpOptionsOf(seg.options);
      const ssn = (seg.seq - clientIsn) >>> 0;
      if (m.capable?.dataLen !== undefined) mappings.push({ ssn, dataLen: m.capable.dataLen, fin: false, via: "MP_CAPABLE" });
      else if (m.dss?.dataLen !== undefined) mappings.push({ ssn: m.dss.ssn ?? -1, dataLen: m.dss.dataLen, fin: m.dss.fin, via: "DSS" });
    },
  });
  const client = new BulkApp(payload(bytes, 1));
  const server = new BulkApp(payload(bytes, 2));
  serverHost.listen(5201);
  s.onIncoming = (conn) => {
    s.apps.set(conn, server);
    server.push(conn);
  };
  const conn = clientHost.connect(SERVER, 5201, 0);
  c.apps.set(conn, client);
  client.push(conn);
  sim.wake(ch);
  assert.ok(sim.runUntilDone(() => client.closed && server.closed, 10_000_000), "both ends closed");
  return { mappings, client, server, serverHost };
}

describe("the client's first mapping and MP_CAPABLE (§3.1)", () => {
  for (const [bytes, checksums] of [[50_000, false], [50_000, true], [1, false], [64_999, false]] as const) {
    test(`${bytes} bytes written and shut down before the handshake${checksums ? ", with checksums" : ""}: every segment of the first mapping says the same, the DATA_FIN goes alone`, () => {
      const r = run(bytes, checksums);
      assert.equal(sha256(r.server.bytes), sha256(r.client.data));
      assert.equal(sha256(r.client.bytes), sha256(r.server.data));
      assert.equal(r.serverHost.counters.DSSNotMatching, 0);
      const first = r.mappings.filter((m) => m.ssn === 1);
      assert.ok(first.length > 0 && first[0]!.via === "MP_CAPABLE", "the first data segment carries MP_CAPABLE with data");
      // However large the first mapping is, every segment of it declares it alike, and it never
      // holds the DATA_FIN (which its MP_CAPABLE form cannot say).
      const len = first[0]!.dataLen;
      assert.ok(len >= 1 && len <= bytes);
      for (const m of first) {
        assert.equal(m.dataLen, len, `${m.via} declares the same mapping`);
        assert.equal(m.fin, false);
      }
    });
  }
});

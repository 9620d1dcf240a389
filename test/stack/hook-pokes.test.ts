/**
 * The two calls through which the layer riding on a connection (MPTCP) gets the Host to poll it:
 * `Connection.requestAck()` (a pure ACK for a DATA_ACK, DATA_FIN or ADD_ADDR) and
 * `Connection.wake()` (its reservation changed, e.g. a DSS mapping became ready).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { TcpHook } from "../../src/tcp/hook.js";
import type { Connection } from "../../src/stack/connection.js";
import type { Host } from "../../src/stack/host.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { drain, host, ip, Wire } from "./util.js";

const MARK = { kind: "unknown" as const, type: 253, data: new Uint8Array([0xab, 0xcd]) };

/** A hook that stamps pure ACKs and holds data back until `mapped`. */
class GateHook implements TcpHook {
  mapped = true;
  reserve(ctx: { kind: string }): { bytes: number; maxPayload?: number } {
    if (ctx.kind === "ack") return { bytes: 4 };
    if (ctx.kind === "data") return this.mapped ? { bytes: 0 } : { bytes: 0, maxPayload: 0 };
    return { bytes: 0 };
  }
  options(): [typeof MARK] {
    return [MARK];
  }
  incoming(): "accept" {
    return "accept";
  }
}

/** Client and server established over a wire; the client's connection rides on `hook`. */
function pair(hook: GateHook): { client: Host; conn: Connection; wire: Wire } {
  const client = host([["10.0.0.1"]], { tcpHook: () => hook, ephemeralPorts: [50000, 50000] });
  const server = host([["10.0.0.2"]]);
  server.listen(80);
  const wire = new Wire([client, server], 1000);
  const conn = client.connect(ip("10.0.0.2"), 80, 0);
  wire.run(() => conn.state === "ESTABLISHED");
  // Let the handshake's last ACK go out and every timer settle.
  wire.run(undefined, wire.now + 1_000_000);
  return { client, conn, wire };
}

describe("Connection.requestAck", () => {
  test("sends a pure ACK carrying the hook's option, once", () => {
    const { client, conn, wire } = pair(new GateHook());
    assert.deepEqual(drain(client, wire.now), []);
    conn.requestAck();
    const sent = drain(client, wire.now);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.tcp.flags, TCP_FLAG.ACK);
    assert.equal(sent[0]!.tcp.payload.length, 0);
    assert.deepEqual(sent[0]!.tcp.options.at(-1), MARK);
    assert.deepEqual(drain(client, wire.now), []);
  });

  test("does nothing on a closed connection", () => {
    const { client, conn, wire } = pair(new GateHook());
    conn.abort();
    drain(client, wire.now);
    conn.requestAck();
    assert.deepEqual(drain(client, wire.now), []);
  });
});

describe("Connection.wake", () => {
  test("has the Host poll a connection whose hook now lets held data go", () => {
    const hook = new GateHook();
    const { client, conn, wire } = pair(hook);
    hook.mapped = false;
    assert.equal(conn.write(new Uint8Array(100)), 100);
    assert.deepEqual(drain(client, wire.now), []);
    hook.mapped = true;
    // Without a poke the Host does not ask the connection again.
    assert.deepEqual(drain(client, wire.now), []);
    conn.wake();
    const sent = drain(client, wire.now);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.tcp.payload.length, 100);
    // The retransmission timer the segment started is visible at once.
    assert.equal(client.pollTimeout(), wire.now + conn.stats().rto);
  });

  test("is harmless on a connection the Host already removed", () => {
    const { client, conn, wire } = pair(new GateHook());
    conn.abort();
    drain(client, wire.now);
    assert.equal(client.connectionCount, 0);
    conn.wake();
    assert.deepEqual(drain(client, wire.now), []);
    assert.equal(client.pollTimeout(), undefined);
  });
});

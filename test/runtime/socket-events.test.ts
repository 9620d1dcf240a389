/**
 * How an `MptcpSocket` turns its connection's events into `net`-style behaviour, fed by hand:
 * the error each ending becomes (ECONNREFUSED, ECONNRESET, ETIMEDOUT with `connect` or `read`),
 * and the multipath events re-emitted under their own names.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import type { MptcpConnection } from "../../src/mptcp/connection.js";
import type { MptcpConnectionEvent } from "../../src/mptcp/events.js";
import { MptcpSocket } from "../../src/runtime/socket.js";
import type { SocketOwner } from "../../src/runtime/socket.js";

/** A connection that records the calls the socket makes and holds no data. */
function fakeConnection(): { conn: MptcpConnection; calls: string[] } {
  const calls: string[] = [];
  const conn = {
    write: (d: Uint8Array) => (calls.push(`write ${d.length}`), d.length),
    read: () => undefined,
    readable: 0,
    shutdown: () => calls.push("shutdown"),
    abort: () => calls.push("abort"),
    subflow: undefined,
  } as unknown as MptcpConnection;
  return { conn, calls };
}

const owner: SocketOwner = { schedule: () => {}, socketDone: () => {} };

function socket(connecting: boolean): { s: MptcpSocket; conn: MptcpConnection; calls: string[] } {
  const { conn, calls } = fakeConnection();
  const s = new MptcpSocket(owner, conn, { address: "10.0.0.2", port: 5201 }, connecting);
  return { s, conn, calls };
}

const ev = (conn: MptcpConnection, type: string, extra: object = {}): MptcpConnectionEvent => ({ type, connection: conn, ...extra }) as MptcpConnectionEvent;

describe("MptcpSocket events", () => {
  for (const [connecting, type, code, syscall] of [
    [true, "reset", "ECONNREFUSED", "connect"],
    [false, "reset", "ECONNRESET", "read"],
    [true, "timed-out", "ETIMEDOUT", "connect"],
    [false, "timed-out", "ETIMEDOUT", "read"],
  ] as const) {
    test(`"${type}" ${connecting ? "during the handshake" : "once connected"} is ${code} from ${syscall}`, async () => {
      const { s, conn, calls } = socket(connecting);
      const error = once(s, "error");
      const closed = new Promise((resolve) => s.once("close", resolve));
      s.onConnectionEvent(ev(conn, type));
      const [e] = (await error) as [NodeJS.ErrnoException];
      assert.equal(e.code, code);
      assert.equal(e.syscall, syscall);
      assert.ok(typeof e.errno === "number" && e.errno < 0);
      await closed;
      assert.deepEqual(calls, [], "a connection that ended is not aborted again");
    });
  }

  test("destroy() before the end aborts the connection (MP_FASTCLOSE)", async () => {
    const { s, calls } = socket(false);
    s.destroy();
    await once(s, "close");
    assert.deepEqual(calls, ["abort"]);
  });

  test("multipath events are emitted under their names with the event record", () => {
    const { s, conn } = socket(false);
    const seen: string[] = [];
    for (const name of ["subflow-up", "subflow-down", "address-announced", "address-removed", "priority-changed", "fallback"]) {
      s.on(name, (e: { type: string }) => seen.push(e.type));
    }
    s.onConnectionEvent(ev(conn, "address-announced", { id: 3, address: "10.0.9.1" }));
    s.onConnectionEvent(ev(conn, "fallback", { reason: "SYN-ACK without MP_CAPABLE" }));
    s.onConnectionEvent(ev(conn, "address-removed", { id: 3 }));
    assert.deepEqual(seen, ["address-announced", "fallback", "address-removed"]);
    s.destroy();
  });

  test("connect and ready follow the handshake; end() is a shutdown", async () => {
    const { s, conn, calls } = socket(true);
    assert.equal(s.readyState, "opening");
    const connected = once(s, "connect");
    s.onConnectionEvent(ev(conn, "connected"));
    await connected;
    assert.equal(s.connecting, false);
    s.end("bye");
    await once(s, "finish");
    assert.deepEqual(calls, ["write 3", "shutdown"]);
    s.destroy();
  });
});

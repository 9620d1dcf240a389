import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { drain, eventNames, events, host, packet, seg } from "./util.js";

const { SYN, ACK, RST } = TCP_FLAG;
const PLAIN = { tcp: { timestamps: false, sack: false, windowScaling: false } };

/** Sends a SYN from client port `port` and returns the server's ISN from its SYN-ACK. */
function synFrom(h: ReturnType<typeof host>, port: number, now = 0): number | undefined {
  h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: port, dstPort: 80, seq: 100, flags: SYN })), 0, now);
  const out = drain(h, now);
  return out.length === 1 && out[0]!.tcp.flags === (SYN | ACK) ? out[0]!.tcp.seq : undefined;
}

function ackFrom(h: ReturnType<typeof host>, port: number, isn: number, now = 0): void {
  h.receive(packet("10.0.0.1", "10.0.0.2", seg({ srcPort: port, dstPort: 80, seq: 101, ack: (isn + 1) >>> 0, flags: ACK })), 0, now);
}

describe("listen queues", () => {
  test("a full SYN queue drops further SYNs silently", () => {
    const h = host([["10.0.0.2"]], PLAIN);
    h.listen(80, { synQueue: 2 });
    assert.notEqual(synFrom(h, 1001), undefined);
    assert.notEqual(synFrom(h, 1002), undefined);
    assert.equal(synFrom(h, 1003), undefined);
    assert.equal(h.counters.dropSynQueueFull, 1);
    assert.equal(h.connectionCount, 2);
  });

  test("a retransmitted SYN while in the SYN queue gets the SYN-ACK again, not a new connection", () => {
    const h = host([["10.0.0.2"]], PLAIN);
    h.listen(80, { synQueue: 1 });
    const isn = synFrom(h, 1001);
    assert.equal(synFrom(h, 1001), isn);
    assert.equal(h.connectionCount, 1);
    assert.equal(h.counters.dropSynQueueFull, 0);
  });

  test("a full accept queue (backlog) drops SYNs", () => {
    const h = host([["10.0.0.2"]], PLAIN);
    const l = h.listen(80, { backlog: 1 });
    const isn = synFrom(h, 1001)!;
    ackFrom(h, 1001, isn);
    assert.equal(l.pending, 1);
    assert.equal(synFrom(h, 1002), undefined);
    assert.equal(h.counters.dropBacklogFull, 1);
    l.accept();
    assert.notEqual(synFrom(h, 1002), undefined, "accepting makes room");
  });

  test("the handshake ACK is dropped while the accept queue is full, and retried later", () => {
    const h = host([["10.0.0.2"]], PLAIN);
    const l = h.listen(80, { backlog: 1 });
    const a = synFrom(h, 1001)!;
    const b = synFrom(h, 1002)!;
    ackFrom(h, 1001, a);
    ackFrom(h, 1002, b);
    assert.equal(h.counters.dropAcceptOverflow, 1);
    assert.deepEqual(eventNames(events(h)), ["incoming:80"]);
    assert.equal(l.accept()!.remotePort, 1001);
    ackFrom(h, 1002, b);
    assert.deepEqual(eventNames(events(h)), ["incoming:80"]);
    assert.equal(l.accept()!.remotePort, 1002);
  });

  test("closing a listener resets the connections it holds and frees the port", () => {
    const h = host([["10.0.0.2"]], PLAIN);
    const l = h.listen(80);
    const a = synFrom(h, 1001)!;
    ackFrom(h, 1001, a);
    synFrom(h, 1002);
    l.close();
    const out = drain(h, 0);
    assert.deepEqual(out.map((s) => [s.tcp.dstPort, s.tcp.flags]).sort(), [[1001, RST], [1002, RST]]);
    assert.equal(h.connectionCount, 0);
    assert.deepEqual(events(h).filter((e) => e.type !== "incoming").map((e) => e.type), [], "unaccepted connections are never announced");
    h.listen(80);
  });

  test("a SYN-RECEIVED connection that times out leaves the SYN queue", () => {
    const h = host([["10.0.0.2"]], { tcp: { synRetries: 1 } });
    const l = h.listen(80, { synQueue: 1 });
    synFrom(h, 1001);
    for (let i = 0; i < 5; i++) {
      const t = h.pollTimeout();
      if (t === undefined) break;
      h.handleTimeout(t);
      drain(h, t);
    }
    assert.equal(h.connectionCount, 0);
    assert.equal(l.synReceived, 0);
    assert.deepEqual(events(h), []);
    assert.notEqual(synFrom(h, 1002, 10_000_000), undefined);
  });
});

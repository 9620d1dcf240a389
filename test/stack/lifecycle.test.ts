import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../src/stack/connection.js";
import { Wire, drain, events, host, ip } from "./util.js";

describe("connection lifecycle in the Host", () => {
  test("TIME-WAIT holds the 4-tuple for 2 MSL, then the connection leaves the table", () => {
    const msl = 1_000_000;
    const client = host([["10.0.0.1"]], { tcp: { msl } });
    const server = host([["10.0.0.2"]], { tcp: { msl } });
    const l = server.listen(80);
    const wire = new Wire([client, server], 1000);
    const c = client.connect(ip("10.0.0.2"), 80, 0, { localPort: 5555 });
    wire.run(() => l.pending === 1);
    const s = l.accept()!;
    c.close();
    wire.run(() => s.state === "CLOSE-WAIT");
    s.close();
    wire.run(() => c.state === "TIME-WAIT");
    const enteredAt = wire.now;
    wire.run(() => server.connectionCount === 0);
    assert.equal(client.connectionCount, 1, "TIME-WAIT keeps the connection");
    assert.throws(() => client.connect(ip("10.0.0.2"), 80, wire.now, { localPort: 5555 }), /in use/);
    wire.run(() => client.connectionCount === 0);
    assert.equal(wire.now - enteredAt, 2 * msl);
    assert.equal(c.state, "CLOSED");
    assert.equal(client.counters.connectionsClosed, 1);
    assert.equal(client.pollTimeout(), undefined, "no timer is left behind");
    client.connect(ip("10.0.0.2"), 80, wire.now, { localPort: 5555 });
  });

  test("abort sends a RST, the peer sees 'reset' then 'closed'", () => {
    const client = host([["10.0.0.1"]]);
    const server = host([["10.0.0.2"]]);
    const l = server.listen(80);
    const wire = new Wire([client, server], 1000);
    const c = client.connect(ip("10.0.0.2"), 80, 0);
    wire.run(() => l.pending === 1);
    const s = l.accept()!;
    events(server);
    c.abort();
    wire.run(() => s.state === "CLOSED");
    assert.deepEqual(events(server).map((e) => e.type), ["reset", "closed"]);
    assert.equal(server.connectionCount, 0);
    assert.equal(client.connectionCount, 0);
  });

  test("a connection that never gets an answer times out with 'timed-out' then 'closed'", () => {
    const client = host([["10.0.0.1"]], { tcp: { synRetries: 2 } });
    const c = client.connect(ip("10.0.0.9"), 80, 0);
    let now = 0;
    let syns = drain(client, now).length;
    for (let t = client.pollTimeout(); t !== undefined; t = client.pollTimeout()) {
      now = t;
      client.handleTimeout(now);
      syns += drain(client, now).length;
    }
    assert.equal(syns, 3);
    assert.deepEqual(events(client).map((e) => e.type), ["timed-out", "closed"]);
    assert.equal(c.state, "CLOSED");
    assert.equal(client.connectionCount, 0);
  });

  test("pollTimeout is the earliest deadline across connections", () => {
    const client = host([["10.0.0.1"]]);
    client.connect(ip("10.0.0.9"), 80, 0);
    drain(client, 0);
    assert.equal(client.pollTimeout(), 1_000_000, "the initial RTO of the SYN (RFC 6298 §2.1)");
    client.connect(ip("10.0.0.9"), 81, 300_000);
    drain(client, 300_000);
    assert.equal(client.pollTimeout(), 1_000_000);
    client.handleTimeout(1_000_000);
    drain(client, 1_000_000);
    assert.equal(client.pollTimeout(), 1_300_000, "the second connection's SYN timer is next");
  });

  test("connections with data to send take turns segment by segment", () => {
    const client = host([["10.0.0.1"]]);
    const server = host([["10.0.0.2"]]);
    const l = server.listen(80);
    const wire = new Wire([client, server], 1000);
    const a = client.connect(ip("10.0.0.2"), 80, 0);
    const b = client.connect(ip("10.0.0.2"), 80, 0);
    wire.run(() => l.pending === 2);
    a.write(new Uint8Array(20_000));
    b.write(new Uint8Array(20_000));
    const ports = drain(client, wire.now).filter((s) => s.tcp.payload.length > 0).map((s) => s.tcp.srcPort);
    assert.equal(ports.length, 20, "ten segments each (initial window)");
    for (let i = 1; i < ports.length; i++) assert.notEqual(ports[i], ports[i - 1]);
  });

  test("10,000 idle connections in one Host: all established, no timers running", () => {
    const client = host([["10.0.0.1"]], { tcp: { sendBufferSize: 4096, recvBufferSize: 4096 } });
    const server = host([["10.0.0.2"]], { tcp: { sendBufferSize: 4096, recvBufferSize: 4096 } });
    const l = server.listen(80, { backlog: 20_000, synQueue: 20_000 });
    const wire = new Wire([client, server], 1000);
    const conns: Connection[] = [];
    for (let i = 0; i < 10_000; i++) conns.push(client.connect(ip("10.0.0.2"), 80, 0));
    wire.run(() => l.pending === 10_000);
    assert.equal(client.connectionCount, 10_000);
    assert.equal(server.connectionCount, 10_000);
    assert.ok(conns.every((c) => c.state === "ESTABLISHED"));
    assert.equal(new Set(conns.map((c) => c.localPort)).size, 10_000);
    wire.run();
    assert.equal(client.pollTimeout(), undefined);
    assert.equal(server.pollTimeout(), undefined);
    // One of them still works, found among the 10,000.
    const accepted: Connection[] = [];
    for (let c = l.accept(); c !== undefined; c = l.accept()) accepted.push(c);
    conns[4321]!.write(new Uint8Array([1, 2, 3]));
    wire.run(() => accepted.some((c) => c.readable > 0));
    const reader = accepted.find((c) => c.readable > 0)!;
    assert.equal(reader.remotePort, conns[4321]!.localPort);
  });
});

describe("simultaneous open through two Hosts (RFC 9293 §3.5 Figure 8)", () => {
  test("crossing SYNs find each side's own connection; both connect", () => {
    const a = host([["10.0.0.1"]]);
    const b = host([["10.0.0.2"]]);
    const wire = new Wire([a, b], 5000);
    const ca = a.connect(ip("10.0.0.2"), 6000, 0, { localPort: 5000 });
    const cb = b.connect(ip("10.0.0.1"), 5000, 0, { localPort: 6000 });
    wire.run(() => ca.state === "ESTABLISHED" && cb.state === "ESTABLISHED", 1_000_000);
    assert.equal(ca.state, "ESTABLISHED");
    assert.equal(cb.state, "ESTABLISHED");
    assert.deepEqual(events(a).map((e) => e.type), ["connected"]);
    assert.deepEqual(events(b).map((e) => e.type), ["connected"]);
    assert.equal(a.counters.rstSent + b.counters.rstSent, 0);
    assert.equal(a.connectionCount + b.connectionCount, 2);
  });
});

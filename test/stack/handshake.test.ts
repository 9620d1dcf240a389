import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../src/stack/connection.js";
import type { HookContext } from "../../src/stack/config.js";
import { IsnGenerator } from "../../src/stack/isn.js";
import type { TcpHook } from "../../src/tcp/hook.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { formatAddress } from "../../src/wire/address.js";
import { CountingRandom, Wire, drain, eventNames, events, host, ip, packet, seg } from "./util.js";

const PLAIN = { tcp: { timestamps: false, sack: false, windowScaling: false } };

/** The ISN a Host built on a fresh CountingRandom gives this 4-tuple at `now` (RFC 6528). */
function expectedIsn(local: string, lport: number, remote: string, rport: number, now: number): number {
  return new IsnGenerator(new CountingRandom()).isn(ip(local), lport, ip(remote), rport, now);
}

describe("passive open, exact bytes", () => {
  test("SYN to a listener gets the SYN-ACK, the ACK completes it and announces 'incoming'", () => {
    const server = host([["10.0.0.2"]], PLAIN);
    const l = server.listen(80);
    const syn = seg({ srcPort: 40000, dstPort: 80, seq: 1000, flags: TCP_FLAG.SYN, options: [{ kind: "mss", mss: 1400 }] });
    server.receive(packet("10.0.0.1", "10.0.0.2", syn), 0, 4_000);
    const out = drain(server, 4_000);
    assert.equal(out.length, 1);
    const isn = expectedIsn("10.0.0.2", 80, "10.0.0.1", 40000, 4_000);
    const synAck = seg({
      srcPort: 80, dstPort: 40000, seq: isn, ack: 1001, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, window: 65535,
      options: [{ kind: "mss", mss: 1460 }],
    });
    assert.deepEqual(out[0]!.packet, packet("10.0.0.2", "10.0.0.1", synAck));
    assert.equal(out[0]!.iface, 0);
    assert.deepEqual(events(server), [], "nothing is announced before the handshake completes");
    assert.equal(l.pending, 0);

    const ack = seg({ srcPort: 40000, dstPort: 80, seq: 1001, ack: (isn + 1) >>> 0, flags: TCP_FLAG.ACK });
    server.receive(packet("10.0.0.1", "10.0.0.2", ack), 0, 5_000);
    assert.deepEqual(drain(server, 5_000), [], "the third ACK is not answered");
    assert.deepEqual(eventNames(events(server)), ["incoming:80"]);
    const conn = l.accept()!;
    assert.equal(conn.state, "ESTABLISHED");
    assert.equal(conn.toString(), "10.0.0.2:80<->10.0.0.1:40000");
    assert.equal(conn.passive, true);
    assert.equal(server.counters.passiveOpens, 1);
    assert.equal(conn.stats().mss, 1400, "the send MSS is the peer's");
  });

  test("the ISN advances with the 4 µs clock M (RFC 6528 §3)", () => {
    const a = expectedIsn("10.0.0.2", 80, "10.0.0.1", 40000, 0);
    const b = expectedIsn("10.0.0.2", 80, "10.0.0.1", 40000, 4_000_000);
    assert.equal((b - a) >>> 0, 1_000_000);
    assert.notEqual(expectedIsn("10.0.0.2", 80, "10.0.0.1", 40001, 0), a, "F depends on the 4-tuple");
  });
});

describe("active open, exact bytes", () => {
  test("connect sends the SYN from the chosen address and port; the SYN-ACK connects", () => {
    const client = host([["10.0.0.1"]], { ...PLAIN, ephemeralPorts: [50000, 50000] });
    const conn = client.connect(ip("10.0.0.2"), 80, 8_000);
    assert.equal(conn.localPort, 50000);
    const out = drain(client, 8_000);
    const isn = expectedIsn("10.0.0.1", 50000, "10.0.0.2", 80, 8_000);
    const syn = seg({ srcPort: 50000, dstPort: 80, seq: isn, flags: TCP_FLAG.SYN, window: 65535, options: [{ kind: "mss", mss: 1460 }] });
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]!.packet, packet("10.0.0.1", "10.0.0.2", syn));

    const synAck = seg({ srcPort: 80, dstPort: 50000, seq: 777, ack: (isn + 1) >>> 0, flags: TCP_FLAG.SYN | TCP_FLAG.ACK, options: [{ kind: "mss", mss: 1460 }] });
    client.receive(packet("10.0.0.2", "10.0.0.1", synAck), 0, 9_000);
    const ack = drain(client, 9_000);
    assert.equal(ack.length, 1);
    assert.deepEqual(ack[0]!.packet, packet("10.0.0.1", "10.0.0.2", seg({ srcPort: 50000, dstPort: 80, seq: (isn + 1) >>> 0, ack: 778, flags: TCP_FLAG.ACK, window: 65535 })));
    assert.deepEqual(eventNames(events(client)), [`connected#${conn.id}`]);
    assert.equal(client.counters.activeOpens, 1);
  });

  test("connect from an address of another interface sends on that interface", () => {
    const client = host([["10.0.0.1"], ["192.168.1.1"]]);
    client.connect(ip("10.0.0.2"), 80, 0, { local: ip("192.168.1.1") });
    const out = drain(client, 0);
    assert.equal(out[0]!.iface, 1);
    assert.deepEqual(out[0]!.ip.src, ip("192.168.1.1"));
  });

  test("routes choose the source address of an active open", () => {
    const client = host([["10.0.0.1"], ["192.168.1.1"]], { routes: [{ prefix: ip("172.16.0.0"), prefixLength: 12, iface: 1 }] });
    client.connect(ip("172.20.0.9"), 80, 0);
    client.connect(ip("8.8.8.8"), 80, 0);
    const out = drain(client, 0);
    assert.deepEqual(out.map((s) => [s.iface, s.ip.src.join(".")]), [[1, "192.168.1.1"], [0, "10.0.0.1"]]);
  });

  test("without a route, the source address sharing the longest prefix with the destination (RFC 6724 §5 rule 8)", () => {
    const client = host([["10.0.0.1", "2001:db8::1"], ["10.0.1.1", "2001:db8:1::1"]]);
    client.connect(ip("10.0.1.2"), 80, 0);
    client.connect(ip("10.0.0.9"), 80, 0);
    // A tie (6 bits each): the first interface.
    client.connect(ip("8.8.8.8"), 80, 0);
    client.connect(ip("2001:db8:1::2"), 80, 0);
    const out = drain(client, 0);
    assert.deepEqual(
      out.map((s) => [s.iface, formatAddress(s.ip.src)]),
      [[1, "10.0.1.1"], [0, "10.0.0.1"], [0, "10.0.0.1"], [1, "2001:db8:1::1"]],
    );
  });

  test("API misuse throws HostError", () => {
    const h = host([["10.0.0.1"]]);
    assert.throws(() => h.connect(ip("10.0.0.2"), 80, 0, { local: ip("10.9.9.9") }), { name: "HostError" });
    assert.throws(() => h.connect(ip("2001:db8::1"), 80, 0), { name: "HostError" });
    assert.throws(() => h.connect(ip("10.0.0.2"), 0, 0), { name: "HostError" });
    h.connect(ip("10.0.0.2"), 80, 0, { localPort: 1234 });
    assert.throws(() => h.connect(ip("10.0.0.2"), 80, 0, { localPort: 1234 }), /in use/);
    h.listen(80);
    assert.throws(() => h.listen(80), /already has a listener/);
  });
});

describe("two hosts", () => {
  test("handshake with default options negotiates MSS, SACK, window scaling and timestamps", () => {
    const client = host([["10.0.0.1"]]);
    const server = host([["10.0.0.2"]]);
    server.listen(80);
    const wire = new Wire([client, server], 10_000);
    const c = client.connect(ip("10.0.0.2"), 80, 0);
    wire.run(() => c.state === "ESTABLISHED");
    const syn = wire.log[0]!.tcp;
    assert.deepEqual(syn.options.map((o) => o.kind), ["mss", "sack-permitted", "timestamps", "nop", "wscale"]);
    const synAck = wire.log[1]!.tcp;
    assert.equal(synAck.flags, TCP_FLAG.SYN | TCP_FLAG.ACK);
    assert.deepEqual(synAck.options.map((o) => o.kind), ["mss", "sack-permitted", "timestamps", "nop", "wscale"]);
    assert.equal(c.stats().srtt, 20_000, "the handshake gives the first RTT sample");
  });

  test("events come in protocol order on both sides", () => {
    const client = host([["10.0.0.1"]]);
    const server = host([["10.0.0.2"]]);
    server.listen(80);
    const wire = new Wire([client, server], 5_000);
    const c = client.connect(ip("10.0.0.2"), 80, 0);
    c.write(new TextEncoder().encode("hello"));
    c.shutdown();
    const serverEvents: string[] = [];
    const clientEvents: string[] = [];
    let s: Connection | undefined;
    let got = "";
    wire.run(() => {
      for (const e of events(server)) {
        serverEvents.push(e.type);
        if (e.type === "incoming") s = e.listener.accept();
        if (e.type === "readable") got += new TextDecoder().decode(e.connection.read());
        if (e.type === "peer-closed") e.connection.close();
      }
      for (const e of events(client)) clientEvents.push(e.type);
      return clientEvents.includes("closed") && serverEvents.includes("closed");
    }, 10_000_000_000);
    assert.equal(got, "hello");
    assert.deepEqual(serverEvents, ["incoming", "readable", "peer-closed", "closed"]);
    assert.deepEqual(clientEvents, ["connected", "peer-closed", "closed"]);
    assert.equal(s!.state, "CLOSED");
  });
});

describe("the TCP hook seam (where MPTCP will plug in)", () => {
  test("a hook from HostConfig.tcpHook adds options to SYN and SYN-ACK and sees incoming segments", () => {
    const seen: string[] = [];
    const contexts: string[] = [];
    const hookFor = (ctx: HookContext): TcpHook => {
      contexts.push(`${ctx.syn === undefined ? "active" : "passive"} ${ctx.localPort}->${ctx.remotePort}`);
      return {
        reserve: (r) => ({ bytes: r.kind === "syn" || r.kind === "syn-ack" ? 4 : 0 }),
        options: () => [{ kind: "unknown", type: 253, data: new Uint8Array([0xab, 0xcd]) }],
        incoming: (i) => {
          if (i.seg.options.some((o) => o.kind === "unknown" && o.type === 253)) seen.push(i.state);
          return "accept";
        },
      };
    };
    const client = host([["10.0.0.1"]], { tcpHook: hookFor, ephemeralPorts: [50000, 50000] });
    const server = host([["10.0.0.2"]], { tcpHook: hookFor });
    server.listen(80);
    const wire = new Wire([client, server], 1000);
    const c = client.connect(ip("10.0.0.2"), 80, 0);
    wire.run(() => c.state === "ESTABLISHED");
    assert.deepEqual(contexts, ["active 50000->80", "passive 80->50000"]);
    assert.deepEqual(seen, ["LISTEN", "SYN-SENT"]);
    assert.ok(wire.log[0]!.tcp.options.some((o) => o.kind === "unknown" && o.type === 253));
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../src/stack/connection.js";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { Wire, drain, events, host, ip, packet, seg } from "./util.js";

const { SYN, ACK, PSH } = TCP_FLAG;
const PLAIN = { tcp: { timestamps: false, sack: false, windowScaling: false } };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("demultiplexing", () => {
  test("two connections with the same ports on different local addresses stay apart", () => {
    const h = host([["10.0.0.2"], ["10.1.0.2"]], PLAIN);
    const l = h.listen(80);
    const isns = new Map<string, number>();
    for (const [src, dst, iface] of [["10.0.0.1", "10.0.0.2", 0], ["10.1.0.1", "10.1.0.2", 1]] as const) {
      h.receive(packet(src, dst, seg({ srcPort: 40000, dstPort: 80, seq: 100, flags: SYN })), iface, 0);
      const out = drain(h, 0);
      assert.equal(out.length, 1);
      assert.equal(out[0]!.iface, iface, "the SYN-ACK leaves through the interface owning the address");
      isns.set(dst, out[0]!.tcp.seq);
      h.receive(packet(src, dst, seg({ srcPort: 40000, dstPort: 80, seq: 101, ack: (out[0]!.tcp.seq + 1) >>> 0, flags: ACK })), iface, 0);
    }
    assert.notEqual(isns.get("10.0.0.2"), isns.get("10.1.0.2"), "RFC 6528: the ISN depends on the addresses");
    const conns = [l.accept()!, l.accept()!];
    for (const [src, dst, iface, msg] of [["10.0.0.1", "10.0.0.2", 0, "first"], ["10.1.0.1", "10.1.0.2", 1, "second"]] as const) {
      const s = seg({ srcPort: 40000, dstPort: 80, seq: 101, ack: (isns.get(dst)! + 1) >>> 0, flags: ACK | PSH, payload: text(msg) });
      h.receive(packet(src, dst, s), iface, 1000);
    }
    const got = conns.map((c) => new TextDecoder().decode(c.read()));
    assert.deepEqual(got, ["first", "second"]);
    assert.deepEqual(conns.map((c) => c.local.join(".")), ["10.0.0.2", "10.1.0.2"]);
  });

  test("IPv6: handshake, data both ways, close", () => {
    const client = host([["2001:db8::1"]]);
    const server = host([["2001:db8::2"]], { interfaces: [{ addresses: [ip("2001:db8::2")], mtu: 1280 }] });
    server.listen(443);
    const wire = new Wire([client, server], 3000);
    const c = client.connect(ip("2001:db8::2"), 443, 0);
    c.write(text("ping"));
    let s: Connection | undefined;
    let reply = "";
    wire.run(() => {
      for (const e of events(server)) {
        if (e.type === "incoming") s = e.listener.accept();
        if (e.type === "readable" && new TextDecoder().decode(e.connection.read()) === "ping") e.connection.write(text("pong"));
      }
      for (const e of events(client)) if (e.type === "readable") reply += new TextDecoder().decode(e.connection.read());
      return reply === "pong";
    });
    assert.equal(reply, "pong");
    assert.equal(s!.toString(), `[2001:db8::2]:443<->[2001:db8::1]:${c.localPort}`);
    assert.equal(wire.log[0]!.ip.version, 6);
    const synOpts = wire.log[1]!.tcp.options;
    assert.deepEqual(synOpts[0], { kind: "mss", mss: 1220 }, "the MSS follows the interface MTU (1280 - 60)");
  });

  test("data for one connection among several reaches only it", () => {
    const client = host([["10.0.0.1"]]);
    const server = host([["10.0.0.2"]]);
    const l = server.listen(80);
    const wire = new Wire([client, server], 1000);
    const cs = [0, 1, 2].map(() => client.connect(ip("10.0.0.2"), 80, 0));
    wire.run(() => cs.every((c) => c.state === "ESTABLISHED"));
    wire.run(() => l.pending === 3);
    const accepted = [l.accept()!, l.accept()!, l.accept()!];
    cs[1]!.write(text("only me"));
    wire.run(() => accepted.some((a) => a.readable > 0));
    const byPort = accepted.map((a) => [a.remotePort, a.readable]);
    assert.deepEqual(byPort.filter(([, n]) => n! > 0), [[cs[1]!.localPort, 7]]);
  });
});

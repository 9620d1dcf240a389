/**
 * Scenarios the random MPTCP generators found faults with, kept as they were drawn (seed,
 * controller and scheduler included), each beside the fault it showed. The faults themselves have
 * exact-segment tests (test/mptcp/fallback-edges.test.ts); these keep the whole runs honest.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import type { FlowResult, RunOptions } from "../../src/sim/scenario/runner.js";
import { parseScenarioText } from "../../src/sim/scenario/validate.js";

function flows(yaml: string, opts: RunOptions): Map<string, FlowResult> {
  const r = runScenario(parseScenarioText(yaml), opts);
  return new Map(r.flows.map((f) => [f.name, f]));
}

/**
 * The flow ended with all its bytes, having fallen back on the peer's MP_FAIL: the box changes
 * every segment it passes and stays in the path, so it goes on as plain TCP through it would.
 */
function wentOnAsTcp(f: FlowResult, bytes: number): void {
  assert.equal(f.failure, null);
  assert.equal(f.bytesDelivered, bytes);
  assert.ok(f.completionSeconds !== null, "the stream ended");
  assert.equal(f.mptcp!.fallback, "MP_FAIL from the peer: infinite mapping sent");
}

const twoHosts = (paths: number, tcp: string, mptcp: string, serverMptcp = mptcp, v6 = false): string => {
  const addr = (h: number, p: number): string => (v6 ? `"2001:db8:${p}::${h}"` : `10.0.${p}.${h}`);
  const ifaces = (h: number): string => Array.from({ length: paths }, (_, p) => `{ addresses: [${addr(h, p)}] }`).join(", ");
  return `
hosts:
  - { name: client, interfaces: [${ifaces(1)}], tcp: ${tcp}, mptcp: ${mptcp} }
  - { name: server, interfaces: [${ifaces(2)}], tcp: ${tcp}, mptcp: ${serverMptcp} }`;
};

describe("scenarios the random generators found faults with", () => {
  test("a corrupting box, MP_FAIL, then the client's MP_JOIN SYN: the connection goes on as TCP to the end", () => {
    // The server sent MP_FAIL, then accepted the join's SYN and reset its only subflow on the
    // next failed checksum while the client had fallen back: the connection died at 1 s.
    const f = flows(`
name: mp-fail-then-join
duration: 900s
${twoHosts(3, "{ sendBuffer: 64KB, recvBuffer: 256KB, congestion: reno }", "{ enabled: true, checksums: true, subflows: 4, addAddrAccepted: 2 }")}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 50Mbit, delay: 40ms, queue: 300ms, loss: 6% }
  - { name: path0b, from: mb.1, to: server.0, rate: 50Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 2Mbit, delay: 2ms, queue: 300ms, loss: 0, jitter: 1ms, reorder: true, reverse: { loss: 1% } }
  - { name: path2, from: client.2, to: server.2, rate: 50Mbit, delay: 2ms, queue: 50ms, loss: 2%, jitter: 20ms, reorder: true }
middleboxes: [{ name: mb, boxes: [mbox-corrupt-payload] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 3MB, subflows: [{ from: 10.0.1.1, to: 10.0.1.2, backup: true }, { from: 10.0.2.1, to: 10.0.2.2 }] }
events:
  - { at: 0.5s, link: path0, action: delay, delay: 1ms }
  - { at: 0.5s, link: path1, action: down, for: 1s }
`, { seed: 125, mptcp: { congestion: "cubic", scheduler: "lowest-rtt" } }).get("up")!;
    wentOnAsTcp(f, 3_000_000);
  });

  test("a box merging segments across mappings on both subflows' path: no byte is lost silently", () => {
    // After the join was reset, the initial subflow fell back and mapped its bytes linearly: the
    // transfer reported completion with 5,768 bytes missing.
    const f = flows(`
name: fallback-after-join
duration: 900s
${twoHosts(2, "{ sendBuffer: 4MB, recvBuffer: 64KB, congestion: reno }", "{ enabled: true, subflows: 4, addAddrAccepted: 2 }", '{ enabled: true, subflows: 4, addAddrAccepted: 2, endpoints: ["10.0.1.2 id 2 signal"] }')}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 2Mbit, delay: 40ms, queue: 50ms, loss: 0.5% }
  - { name: path0b, from: mb.1, to: server.0, rate: 2Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 100ms, queue: 100 packets, loss: 0.5%, reverse: { loss: 5% } }
middleboxes: [{ name: mb, boxes: [mbox-coalesce] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 3MB }
events:
  - { at: 4s, link: path0, action: down, for: 0.2s }
`, { seed: 374, mptcp: { congestion: "olia", scheduler: "lowest-rtt" } }).get("up")!;
    // The join from the default address crosses the box too (asymmetric routing): both subflows
    // lose mappings, so the connection cannot go on; it must say so rather than complete short.
    assert.ok(f.integrity === true || (f.failure !== null && f.completionSeconds === null), `${f.bytesDelivered} bytes, failure ${f.failure}, completion ${f.completionSeconds}`);
  });

  test("a join over a path faster than the initial one: refused before the key arrived, opened again", () => {
    const fs = flows(`
name: early-join
duration: 900s
${twoHosts(2, "{ rack: true, sendBuffer: 64KB, recvBuffer: 64KB, congestion: reno }", "{ enabled: true, checksums: true, subflows: 4, addAddrAccepted: 2 }")}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 10Mbit, delay: 100ms, queue: 300ms, loss: 0.5%, jitter: 1ms, reorder: true }
  - { name: path0b, from: mb.1, to: server.0, rate: 10Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 2Mbit, delay: 2ms, queue: 20 packets, loss: 0 }
middleboxes: [{ name: mb, boxes: [mbox-coalesce] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 3MB, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }] }
  - { name: down, from: server, to: client, port: 5002, bytes: 20KB }
events:
  - { at: 0.5s, link: path0, action: delay, delay: 1ms }
  - { at: 4s, link: path1, action: down, for: 1s }
`, { seed: 427, mptcp: { congestion: "lia", scheduler: "round-robin" } });
    for (const f of fs.values()) assert.equal(f.integrity, true, f.name);
  });

  test("options stripped, ADD_ADDRs unechoed, outages: no busy timer, and a 1 KB transfer ends", () => {
    // The server's ADD_ADDR timer stayed due after its fallback (the simulator stopped with "pollTimeout()
    // stays"); then the client's DATA_FIN, stripped from its only data segment, went out every minute.
    const fs = flows(`
name: stripped-signals
duration: 1800s
${twoHosts(3, "{ sendBuffer: 16KB, recvBuffer: 16KB, congestion: reno }", "{ enabled: true, checksums: true, subflows: 4, addAddrAccepted: 2 }", '{ enabled: true, checksums: true, subflows: 4, addAddrAccepted: 2, endpoints: ["2001:db8:1::2 id 2 signal", "2001:db8:2::2 id 3 signal"] }', true)}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 10Mbit, delay: 10ms, queue: 50ms, loss: 4% }
  - { name: path0b, from: mb.1, to: server.0, rate: 10Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 100Mbit, delay: 1ms, queue: 100 packets, loss: 0 }
  - { name: path2, from: client.2, to: server.2, rate: 1Mbit, delay: 10ms, queue: 100 packets, loss: 4% }
middleboxes: [{ name: mb, boxes: [mbox-strip-data] }]
flows:
  - { name: up0, from: client, to: server, port: 5001, bytes: 1MB, abortAfter: 0.5s }
  - { name: up1, from: client, to: server, port: 5002, bytes: 1KB }
events:
  - { at: 0.3s, link: path0, action: down, for: 10s }
  - { at: 1s, link: path1, action: down, for: 2s }
  - { at: 0.3s, link: path2, direction: reverse, action: blackhole, for: 5s }
`, { seed: 3, mptcp: { congestion: "balia", scheduler: "lowest-rtt" } });
    const up1 = fs.get("up1")!;
    assert.equal(up1.integrity, true);
    assert.equal(up1.failure, null);
    assert.equal(fs.get("up0")!.integrity, true, "what arrived of the aborted flow is the start of what was sent");
  });

  test("a corrupting box on the first path, the passive side's joins sent where nobody listens: the download goes on as TCP", () => {
    // The client (passive side of "down") sent its fullmesh joins to the server's announced
    // address and the server's ephemeral port, where nothing listens; on the checksum failure it
    // reset its only working subflow for those joins, and the download died (session 10).
    const f = flows(`
name: fail-beside-unanswered-join
duration: 900s
${twoHosts(2, "{ rack: false, sendBuffer: 64KB, recvBuffer: 64KB, congestion: cubic }", '{ enabled: true, checksums: true, dssEverySegment: true, subflows: 4, addAddrAccepted: 2, endpoints: ["10.0.1.1 id 2 subflow fullmesh"] }', '{ enabled: true, checksums: true, dssEverySegment: true, subflows: 4, addAddrAccepted: 2, endpoints: ["10.0.1.2 id 2 signal"] }')}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 10Mbit, delay: 40ms, queue: 300ms, loss: 0 }
  - { name: path0b, from: mb.1, to: server.0, rate: 10Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 2Mbit, delay: 2ms, queue: 20 packets, loss: 0, jitter: 20ms, reorder: true }
middleboxes: [{ name: mb, boxes: [mbox-corrupt-payload] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 50KB, subflows: [] }
  - { name: down, from: server, to: client, port: 5002, bytes: 20KB, start: 0s }
events:
  - { at: 1s, link: path0, action: down, for: 0.2s }
`, { seed: 50099, mptcp: { congestion: "balia", scheduler: "blest" } }).get("down")!;
    wentOnAsTcp(f, 20_000);
  });

  test("the initial subflow reset onto a join whose fourth ACK was lost: the third ACK is answered again, the upload intact", () => {
    // The server reset its corrupted initial subflow (a join was up on its side) while the
    // client's join still waited for the fourth ACK, lost on path1; the server did not answer the
    // client's third ACKs again, the client gave the join up after 25 s, and the upload died.
    const fs = flows(`
name: lost-fourth-ack
duration: 900s
${twoHosts(2, "{ rack: true, sendBuffer: 64KB, recvBuffer: 4MB, congestion: reno }", "{ enabled: true, checksums: true, dssEverySegment: false, subflows: 4, addAddrAccepted: 2 }", '{ enabled: true, checksums: true, dssEverySegment: false, subflows: 4, addAddrAccepted: 2, endpoints: ["10.0.1.2 id 2 signal"] }')}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 2Mbit, delay: 10ms, queue: 100 packets, loss: 6% }
  - { name: path0b, from: mb.1, to: server.0, rate: 2Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 2Mbit, delay: 40ms, queue: 20 packets, loss: 2%, jitter: 20ms, reorder: true }
middleboxes: [{ name: mb, boxes: [mbox-corrupt-payload] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 500KB, subflows: [] }
  - { name: down, from: server, to: client, port: 5002, bytes: 20KB, start: 0s }
events:
  - { at: 1s, link: path1, action: down, for: 8s }
`, { seed: 63056, mptcp: { congestion: "cubic", scheduler: "round-robin" } });
    const up = fs.get("up")!;
    assert.equal(up.failure, null);
    assert.equal(up.integrity, true);
    assert.equal(up.mptcp!.fallback, false);
  });
  test("a corrupting box, an ADD_ADDR arriving after MP_FAIL: the run goes on, the download as TCP, the upload intact", () => {
    // The client (passive side of "down") sent MP_FAIL, then had the server's ADD_ADDR to echo:
    // its path manager asked the only subflow for a pure ACK to carry the echo, which segments
    // beside MP_FAIL never carry, and asked again after each one: ACK after ACK at 0.437 s, and
    // the simulator never returned (session 11).
    const fs = flows(`
name: add-addr-after-mp-fail
duration: 900s
${twoHosts(3, "{ rack: false, sendBuffer: 64KB, recvBuffer: 64KB, congestion: reno }", '{ enabled: true, checksums: true, dssEverySegment: false, subflows: 4, addAddrAccepted: 2, endpoints: ["10.0.1.1 id 2 subflow fullmesh", "10.0.2.1 id 3 subflow fullmesh"] }', '{ enabled: true, checksums: true, dssEverySegment: false, subflows: 4, addAddrAccepted: 2, endpoints: ["10.0.1.2 id 2 signal", "10.0.2.2 id 3 signal"] }')}
links:
  - { name: path0, from: client.0, to: mb.0, rate: 2Mbit, delay: 10ms, queue: 100 packets, loss: 0.5%, jitter: 5ms, reorder: true, reverse: { loss: 0 } }
  - { name: path0b, from: mb.1, to: server.0, rate: 2Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 2ms, queue: 20 packets, loss: 0 }
  - { name: path2, from: client.2, to: server.2, rate: 50Mbit, delay: 2ms, queue: 50ms, loss: 0 }
middleboxes: [{ name: mb, boxes: [mbox-corrupt-payload] }]
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 1MB, subflows: [] }
  - { name: down, from: server, to: client, port: 5002, bytes: 20KB, start: 0.3s }
events:
  - { at: 2s, link: path1, action: down, for: 8s }
  - { at: 1s, link: path2, action: down, for: 0.2s }
`, { seed: 50101, mptcp: { congestion: "kelly-voice", scheduler: "ecf" } });
    const up = fs.get("up")!;
    assert.equal(up.failure, null);
    assert.equal(up.integrity, true);
    const down = fs.get("down")!;
    wentOnAsTcp(down, 20_000);
  });
  test("a Data ACK lost after an ADD_ADDR echo took the ACK's DSS: the download goes on, nobody waits for ever", () => {
    // The client's ACK of the server's first 8 KB carried its ADD_ADDR echo in place of the DSS
    // and the pure ACK with the Data ACK after it was lost (6% loss): the server, its send buffer
    // full of data acknowledged only at the TCP level, had no timer left, the client nothing to
    // send, and the simulation ran out of events at 73 s with 8,000 of the 2 MB delivered.
    const fs = flows(`
name: lost-data-ack
duration: 1800s
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1], mtu: 1500 }, { addresses: [10.0.1.1], mtu: 1500 }], tcp: { sack: true, timestamps: false, windowScaling: false, nagle: true, rack: false, sendBuffer: 8KB, recvBuffer: 1MB, delayedAck: 200ms, initialCwnd: 1 }, mptcp: { enabled: true, checksums: false, subflows: 4, addAddrAccepted: 4 } }
  - { name: server, interfaces: [{ addresses: [10.0.0.2], mtu: 1500 }, { addresses: [10.0.1.2], mtu: 1280 }], tcp: { sack: true, timestamps: true, windowScaling: true, nagle: true, rack: false, sendBuffer: 8KB, recvBuffer: 1MB, delayedAck: 1ms, initialCwnd: 10 }, mptcp: { enabled: true, checksums: true, subflows: 4, addAddrAccepted: 4, endpoints: ["10.0.1.2 id 2 signal"] } }
links:
  - { name: path0, from: client.0, to: server.0, rate: 10Mbit, delay: 100ms, queue: 20 packets, loss: 6%, jitter: 5ms, reorder: true }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 10ms, queue: 50ms, loss: 0, jitter: 5ms, reorder: true }
flows:
  - { name: f0, from: client, to: server, address: 10.0.0.2, port: 7000, bytes: 2KB, start: 2s, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }] }
  - { name: f1, from: client, to: server, address: 10.0.0.2, port: 7001, bytes: 2KB, start: 2s, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }] }
  - { name: f2, from: server, to: client, address: 10.0.0.1, port: 7002, bytes: 200KB, start: 2s }
  - { name: f3, from: server, to: client, address: 10.0.0.1, port: 7003, bytes: 2MB, start: 0s }
  - { name: f4, from: server, to: client, address: 10.0.0.1, port: 7004, bytes: 1B, start: 0s }
  - { name: f5, from: client, to: server, address: 10.0.0.2, port: 7005, bytes: 1B, start: 0s, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }] }
`, { seed: 71590, mptcp: { congestion: "cubic", scheduler: "round-robin" } });
    for (const f of fs.values()) {
      assert.equal(f.failure, null, f.name);
      assert.equal(f.integrity, true, f.name);
    }
    assert.equal(fs.get("f3")!.bytesDelivered, 2_000_000);
  });

  test("Linux's stale rule, a box stripping the data's options: a 1 KB upload arrives once, as TCP", () => {
    // The peer fell back and acknowledged the 1,000 bytes bare; the connection-level
    // retransmission timer then sent them again on the same subflow, as new TCP bytes: 2,000
    // delivered (fallback-edges.test.ts has the exact exchange).
    const r = flows(`
name: stale-rule-strip-data
duration: 1800s
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1], mtu: 1280 }, { addresses: [10.0.1.1] }, { addresses: [10.0.2.1] }], tcp: { rack: true, sendBuffer: 4MB, recvBuffer: 64KB, congestion: cubic, nagle: false }, mptcp: { checksums: true, subflows: 4, addAddrAccepted: 2, staleLossCount: 2 } }
  - { name: server, interfaces: [{ addresses: [10.0.0.2], mtu: 9000 }, { addresses: [10.0.1.2] }, { addresses: [10.0.2.2] }], tcp: { rack: true, sendBuffer: 4MB, recvBuffer: 64KB, congestion: cubic, nagle: false }, mptcp: { checksums: true, subflows: 4, addAddrAccepted: 2, staleLossCount: 2, endpoints: ["10.0.1.2 id 2 signal", "10.0.2.2 id 3 signal"] } }
links:
  - { name: path0, from: client.0, to: mb.0, rate: 2Mbit, delay: 2ms, queue: 100 packets, loss: 6%, jitter: 1ms, reorder: true }
  - { name: path0b, from: mb.1, to: server.0, rate: 2Mbit, delay: 1ms }
  - { name: path1, from: client.1, to: server.1, rate: 2Mbit, delay: 10ms, queue: 50ms, loss: 6% }
  - { name: path2, from: client.2, to: server.2, rate: 2Mbit, delay: 2ms, queue: 50ms, loss: 0.5% }
middleboxes: [{ name: mb, boxes: [mbox-strip-data] }]
flows:
  - { name: up0, from: client, to: server, port: 5001, bytes: 1MB, start: 0.2s, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }, { from: 10.0.2.1, to: 10.0.2.2 }] }
  - { name: up1, from: client, to: server, port: 5002, bytes: 1KB, start: 0.2s, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }, { from: 10.0.2.1, to: 10.0.2.2 }] }
  - { name: up2, from: client, to: server, port: 5003, bytes: 100KB, start: 1s, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }, { from: 10.0.2.1, to: 10.0.2.2 }] }
events:
  - { at: 2s, link: path0, action: down, for: 0.2s }
  - { at: 2s, link: path1, action: down, for: 1s }
`, { seed: 800315, mptcp: { congestion: "olia", scheduler: "redundant" } });
    const f = r.get("up1")!;
    assert.equal(f.bytesDelivered, 1000);
    assert.equal(f.integrity, true);
    assert.equal(f.mptcp!.fallback, "no Data ACK, our data acknowledged bare");
    for (const name of ["up0", "up2"]) assert.equal(r.get(name)!.integrity, true, name);
  });

  test("a box stripping the data's options, ACKs reordered: a 100 KB upload arrives once, as TCP", () => {
    // The bare ACK of the first 16 KB overtook an older duplicate ACK that still carried a DSS, which
    // cleared the evidence that the peer had fallen back; with the 16 KB send buffer full and
    // every byte acknowledged, the wait for the Data ACK sent all 16 KB again as new bytes: 116 KB
    // delivered, with the default stall rule (fallback-edges.test.ts has the exact exchange).
    const r = flows(`
name: reordered-dss-after-bare-ack
duration: 1800s
hosts:
  - { name: client, interfaces: [{ addresses: ["2001:db8::1"] }], tcp: { sendBuffer: 16KB, recvBuffer: 64KB, congestion: reno, timestamps: false }, mptcp: { subflows: 4, addAddrAccepted: 2 } }
  - { name: server, interfaces: [{ addresses: ["2001:db8::2"], mtu: 9000 }], tcp: { sendBuffer: 16KB, recvBuffer: 64KB, congestion: reno, timestamps: false }, mptcp: { subflows: 4, addAddrAccepted: 2 } }
links:
  - { name: path0, from: client.0, to: mb.0, rate: 10Mbit, delay: 10ms, queue: 20 packets, loss: 6%, jitter: 5ms, reorder: true, reverse: { loss: 1% } }
  - { name: path0b, from: mb.1, to: server.0, rate: 10Mbit, delay: 1ms }
middleboxes: [{ name: mb, boxes: [mbox-strip-data] }]
flows:
  - { name: up0, from: client, to: server, port: 5001, bytes: 1MB }
  - { name: up1, from: client, to: server, port: 5002, bytes: 100KB, start: 0.2s }
  - { name: down, from: server, to: client, port: 6001, bytes: 10KB }
`, { seed: 1600227, mptcp: { congestion: "kelly-voice", scheduler: "redundant" } });
    const f = r.get("up1")!;
    assert.equal(f.bytesDelivered, 100_000);
    assert.equal(f.integrity, true);
    assert.equal(f.mptcp!.fallback, "no Data ACK, our data acknowledged bare");
    for (const name of ["up0", "down"]) assert.equal(r.get(name)!.integrity, true, name);
  });

  test("the server's interface down during the close, the client's joins not yet fully established: both ends close", () => {
    // The client's Data ACK for the server's DATA_FIN went on the initial subflow as the server,
    // its interface going down, withdrew that address; the client, done, reset its two joins,
    // whose fourth ACKs had not come (a 1 s outage on their path), so the server never had it
    // and ended with a reset. Those joins now close with a FIN (close-graceful.test.ts).
    const f = flows(`
name: close-pre-established-joins
duration: 900s
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1] }, { addresses: [10.0.1.1] }], tcp: { rack: false, sendBuffer: 64KB, recvBuffer: 256KB, congestion: reno }, mptcp: { subflows: 4, addAddrAccepted: 2, dssEverySegment: true, endpoints: ["10.0.1.1 id 2 subflow fullmesh"] } }
  - { name: server, interfaces: [{ addresses: [10.0.0.2] }, { addresses: [10.0.1.2] }], tcp: { rack: false, sendBuffer: 64KB, recvBuffer: 256KB, congestion: reno }, mptcp: { subflows: 4, addAddrAccepted: 2, dssEverySegment: true, endpoints: ["10.0.1.2 id 2 signal"] } }
links:
  - { name: path0, from: client.0, to: server.0, rate: 10Mbit, delay: 40ms, queue: 300ms, loss: 2%, reverse: { loss: 5% } }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 40ms, queue: 50ms, loss: 6% }
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 300KB }
  - { name: down, from: server, to: client, port: 5002, bytes: 300KB }
events:
  - { at: 2s, link: path0, action: down, for: 8s }
  - { at: 0.3s, link: path1, action: down, for: 1s }
  - { at: 1.5s, host: server, action: interface-down, interface: 0 }
  - { at: 3.5s, host: server, action: interface-up, interface: 0 }
`, { seed: 2600177, mptcp: { congestion: "balia", scheduler: "lowest-rtt" } });
    for (const name of ["up", "down"]) {
      const r = f.get(name)!;
      assert.equal(r.failure, null, name);
      assert.equal(r.integrity, true, name);
    }
  });

  describe("single-path hosts (the handover policy on both ends) with host events", () => {
    const hosts = (every: boolean): string => twoHosts(2, "{ rack: false, sendBuffer: 256KB, recvBuffer: 256KB, congestion: reno }", `{ subflows: 4, addAddrAccepted: 2, pathManager: single-path, dssEverySegment: ${every} }`);

    test("a join closed by its opener while the peer withdraws the initial address: the upload goes on", () => {
      // The client closed its join to go back to the initial subflow; the server's interface 0 went
      // down and it withdrew 10.0.0.2, the join (CLOSE-WAIT to it) taken for a subflow up elsewhere:
      // the client was left with no subflow, and its upload was reset.
      const f = flows(`
name: single-path-close-wait
duration: 900s
${hosts(false)}
links:
  - { name: path0, from: client.0, to: server.0, rate: 2Mbit, delay: 100ms, queue: 300ms, reverse: { loss: 5% } }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 2ms, queue: 100 packets }
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 1MB, subflows: [{ from: 10.0.1.1, to: 10.0.1.2 }] }
  - { name: down, from: server, to: client, port: 5002, bytes: 300KB }
events:
  - { at: 1s, link: path1, action: down, for: 8s }
  - { at: 1.5s, host: server, action: interface-down, interface: 0 }
  - { at: 2s, host: server, action: interface-up, interface: 0 }
`, { seed: 1300039, mptcp: { congestion: "balia", scheduler: "lowest-rtt" } });
      for (const name of ["up", "down"]) assert.equal(f.get(name)!.integrity, true, name);
    });

    test("an endpoint added, its join closed at once by the policy: the download's DATA_FIN still goes", () => {
      // The server's DATA_FIN was asked for on the join it had just closed, whose ACKs carry no DSS:
      // it went out bare every minute until the end of the run, and the download never ended.
      const f = flows(`
name: single-path-data-fin
duration: 900s
${hosts(true)}
links:
  - { name: path0, from: client.0, to: server.0, rate: 10Mbit, delay: 10ms, queue: 100 packets, loss: 2%, reverse: { loss: 1% } }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 2ms, queue: 50ms, loss: 2% }
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 1MB, subflows: [{ from: 10.0.1.1, to: 10.0.1.2, backup: true }] }
  - { name: down, from: server, to: client, port: 5002, bytes: 20KB, start: 0.3s }
events:
  - { at: 0.5s, host: server, action: endpoint-add, endpoint: "10.0.1.2 id 20 subflow fullmesh" }
`, { seed: 1300122, mptcp: { congestion: "balia", scheduler: "ecf" } });
      const down = f.get("down")!;
      assert.equal(down.integrity, true);
      assert.ok(down.completionSeconds! < 2, `ended at ${down.completionSeconds} s`);
      assert.equal(f.get("up")!.integrity, true);
    });

    test("the server's interface down for 100 ms while the client closes its join: the upload waits for a new subflow", () => {
      // The server withdrew 10.0.0.2 (its join was still up there, the client's FIN on it in
      // flight) and reset the initial subflow; the client's last subflow was gone, and with it the
      // upload, 82,700 of 300,000 bytes delivered. It now waits for a subflow (close-timeout.ts),
      // which its policy opens from 10.0.1.1.
      const f = flows(`
name: single-path-last-subflow
duration: 900s
hosts:
  - { name: client, interfaces: [{ addresses: [10.0.0.1] }, { addresses: [10.0.1.1] }], tcp: { rack: false, sendBuffer: 256KB, recvBuffer: 64KB, congestion: reno }, mptcp: { subflows: 4, addAddrAccepted: 2, pathManager: single-path, endpoints: ["10.0.1.1 id 2 subflow fullmesh"] } }
  - { name: server, interfaces: [{ addresses: [10.0.0.2] }, { addresses: [10.0.1.2] }], tcp: { rack: false, sendBuffer: 256KB, recvBuffer: 64KB, congestion: reno }, mptcp: { subflows: 4, addAddrAccepted: 2, pathManager: single-path, endpoints: ["10.0.1.2 id 2 signal"] } }
links:
  - { name: path0, from: client.0, to: server.0, rate: 2Mbit, delay: 40ms, queue: 300ms }
  - { name: path1, from: client.1, to: server.1, rate: 50Mbit, delay: 40ms, queue: 20 packets, loss: 6% }
flows:
  - { name: up, from: client, to: server, port: 5001, bytes: 300KB }
  - { name: down, from: server, to: client, port: 5002, bytes: 300KB, start: 0.3s }
events:
  - { at: 0.5s, host: server, action: interface-down, interface: 0 }
  - { at: 0.6s, host: server, action: interface-up, interface: 0 }
  - { at: 4s, host: client, action: endpoint-backup, id: 2, backup: true }
`, { seed: 1400160, mptcp: { congestion: "lia", scheduler: "blest" } });
      const up = f.get("up")!;
      assert.equal(up.failure, null);
      assert.equal(up.integrity, true);
      assert.equal(up.bytesDelivered, 300_000);
      assert.equal(f.get("down")!.integrity, true);
    });
  });
});

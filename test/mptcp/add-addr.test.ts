import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  ADD_ADDR_RETRANS_MAX,
  AddAddrSender,
  DEFAULT_ADD_ADDR_TIMEOUT_US,
  addAddrEcho,
  addAddrOption,
  receiveAddAddr,
  sameAddress,
} from "../../src/mptcp/add-addr.js";
import { newMptcpCounters, nonZeroCounters } from "../../src/mptcp/counters.js";
import { readU64 } from "../../src/wire/bytes.js";
import { encodeMptcpOption, parseMptcpOption } from "../../src/wire/mptcp/option.js";
import { isParseError } from "../../src/wire/error.js";
import type { AddAddr } from "../../src/wire/mptcp/types.js";

// Live Linux 6.18 (mptcp-facts.md §1): B (the server) announces id 1, 10.0.2.1, no port.
const KEY_A = 13920158517584715780n;
const KEY_B = 7062520452417092820n;
const HMAC_B = 10258151293813829166n;
// kernel-add-addr-port.pcap: 10.0.2.1 port 10100.
const PORT_KEY_A = 7711029928742933779n;
const PORT_KEY_B = 5851586346192524796n;
const PORT_HMAC = 4698665095742955289n;

const ADDR = Uint8Array.of(10, 0, 2, 1);
const S = 1_000_000;

describe("AddAddrSender: retransmission until echoed (§3.4.1)", () => {
  test("sent at once, then every timeout, ADD_ADDR_RETRANS_MAX more times, then given up", () => {
    const tx = new AddAddrSender();
    const a = { addrId: 1, addr: ADDR };
    assert.equal(tx.pollTimeout(), undefined);
    tx.announce(a, 5);
    assert.equal(tx.pollTimeout(), 5);
    assert.equal(tx.pollTransmit(4), undefined);
    const times: number[] = [];
    for (let now = 5; now < 1000 * S; now = tx.pollTimeout() ?? Infinity) {
      assert.equal(tx.pollTransmit(now), a);
      assert.equal(tx.pollTransmit(now), undefined, "once per due time");
      times.push(now);
    }
    assert.equal(ADD_ADDR_RETRANS_MAX, 3);
    assert.deepEqual(times, [5, 5 + 120 * S, 5 + 240 * S, 5 + 360 * S]);
    assert.equal(DEFAULT_ADD_ADDR_TIMEOUT_US, 120 * S);
    assert.deepEqual(tx.outstanding, []);
  });

  test("the echo stops the retransmissions", () => {
    const tx = new AddAddrSender({ timeoutUs: 1 * S, maxRetransmissions: 3 });
    tx.announce({ addrId: 1, addr: ADDR }, 0);
    tx.announce({ addrId: 2, addr: Uint8Array.of(10, 0, 3, 1), port: 80 }, 0);
    assert.equal(tx.pollTransmit(0)?.addrId, 1);
    assert.equal(tx.pollTransmit(0)?.addrId, 2);
    assert.equal(tx.onEcho({ addrId: 2, addr: Uint8Array.of(10, 0, 3, 1) }), false, "the port must match too");
    assert.equal(tx.onEcho({ addrId: 1, addr: Uint8Array.of(10, 0, 2, 1) }), true);
    assert.equal(tx.onEcho({ addrId: 1, addr: ADDR }), false, "a duplicate echo");
    assert.deepEqual(tx.outstanding.map((a) => a.addrId), [2]);
    assert.equal(tx.pollTimeout(), 1 * S);
    assert.equal(tx.pollTransmit(1 * S)?.addrId, 2);
  });

  test("a timeout of 0 sends once; withdraw stops an announcement", () => {
    const tx = new AddAddrSender({ timeoutUs: 0, maxRetransmissions: 3 });
    tx.announce({ addrId: 1, addr: ADDR }, 0);
    assert.ok(tx.pollTransmit(0));
    assert.equal(tx.pollTimeout(), undefined);
    tx.announce({ addrId: 4, addr: ADDR }, 10);
    assert.ok(tx.withdraw(4));
    assert.equal(tx.withdraw(4), false);
    assert.equal(tx.pollTransmit(10), undefined);
  });

  test("announcing an ID again restarts it", () => {
    const tx = new AddAddrSender({ timeoutUs: 10, maxRetransmissions: 1 });
    tx.announce({ addrId: 1, addr: ADDR }, 0);
    tx.pollTransmit(0);
    tx.pollTransmit(10);
    assert.equal(tx.pollTimeout(), undefined);
    tx.announce({ addrId: 1, addr: ADDR }, 50);
    assert.equal(tx.pollTimeout(), 50);
  });
});

describe("ADD_ADDR options", () => {
  test("the option Linux sent, byte for byte through the codec", () => {
    const opt = addAddrOption({ addrId: 1, addr: ADDR }, KEY_B, KEY_A);
    assert.equal(readU64(opt.hmac!, 0), HMAC_B);
    const bytes = encodeMptcpOption(opt);
    assert.equal(bytes.length, 16);
    const back = parseMptcpOption(bytes);
    assert.ok(!isParseError(back));
    assert.deepEqual(back, opt);
  });

  test("with a port", () => {
    const opt = addAddrOption({ addrId: 1, addr: ADDR, port: 10100 }, PORT_KEY_B, PORT_KEY_A);
    assert.equal(readU64(opt.hmac!, 0), PORT_HMAC);
    assert.equal(encodeMptcpOption(opt).length, 18);
  });

  test("the echo: E set, no HMAC, 8 or 10 bytes", () => {
    assert.deepEqual(addAddrEcho({ addrId: 1, addr: ADDR }), { subtype: "ADD_ADDR", version: 1, echo: true, addrId: 1, addr: ADDR });
    assert.equal(encodeMptcpOption(addAddrEcho({ addrId: 1, addr: ADDR })).length, 8);
    assert.equal(encodeMptcpOption(addAddrEcho({ addrId: 1, addr: ADDR, port: 1 })).length, 10);
  });

  test("sameAddress compares address and port, not the ID", () => {
    assert.ok(sameAddress({ addrId: 1, addr: ADDR }, { addrId: 9, addr: Uint8Array.of(10, 0, 2, 1), port: 0 }));
    assert.ok(!sameAddress({ addrId: 1, addr: ADDR, port: 1 }, { addrId: 1, addr: ADDR }));
  });
});

describe("receiveAddAddr", () => {
  test("the live announcement is valid at A: counted in AddAddr", () => {
    const c = newMptcpCounters();
    const res = receiveAddAddr(addAddrOption({ addrId: 1, addr: ADDR }, KEY_B, KEY_A), KEY_B, KEY_A, 1, c);
    assert.deepEqual(res, { kind: "announce", address: { addrId: 1, addr: ADDR } });
    assert.deepEqual(nonZeroCounters(c), { AddAddr: 1 });
  });

  test("with a port: AddAddr and PortAdd", () => {
    const c = newMptcpCounters();
    const opt = addAddrOption({ addrId: 1, addr: ADDR, port: 10100 }, PORT_KEY_B, PORT_KEY_A);
    assert.equal(receiveAddAddr(opt, PORT_KEY_B, PORT_KEY_A, 1, c).kind, "announce");
    assert.deepEqual(nonZeroCounters(c), { AddAddr: 1, PortAdd: 1 });
  });

  test("a bad or missing HMAC is dropped silently and counted in AddAddrDrop", () => {
    const c = newMptcpCounters();
    const opt = addAddrOption({ addrId: 1, addr: ADDR }, KEY_B, KEY_A);
    const bad: AddAddr = { ...opt, hmac: opt.hmac!.slice() };
    bad.hmac![7]! ^= 1;
    assert.deepEqual(receiveAddAddr(bad, KEY_B, KEY_A, 1, c), { kind: "drop", reason: "bad-hmac" });
    // Keys the wrong way round: the HMAC is keyed by the sender's key first.
    assert.deepEqual(receiveAddAddr(opt, KEY_A, KEY_B, 1, c), { kind: "drop", reason: "bad-hmac" });
    // A different address under the same HMAC.
    assert.deepEqual(receiveAddAddr({ ...opt, addr: Uint8Array.of(10, 0, 2, 2) }, KEY_B, KEY_A, 1, c), { kind: "drop", reason: "bad-hmac" });
    const { hmac: _h, ...noHmac } = opt;
    assert.deepEqual(receiveAddAddr(noHmac, KEY_B, KEY_A, 1, c), { kind: "drop", reason: "missing-hmac" });
    assert.deepEqual(nonZeroCounters(c), { AddAddrDrop: 4 });
  });

  test("an echo is counted in EchoAdd; v0 has no HMAC to check", () => {
    const c = newMptcpCounters();
    assert.equal(receiveAddAddr(addAddrEcho({ addrId: 1, addr: ADDR }), KEY_B, KEY_A, 1, c).kind, "echo");
    const v0: AddAddr = { subtype: "ADD_ADDR", version: 0, echo: false, addrId: 3, addr: ADDR };
    assert.equal(receiveAddAddr(v0, KEY_B, KEY_A, 0, c).kind, "announce");
    assert.deepEqual(nonZeroCounters(c), { AddAddr: 1, EchoAdd: 1 });
  });

  test("the address is copied out of the packet", () => {
    const packet = Uint8Array.of(10, 0, 2, 1);
    const opt = addAddrOption({ addrId: 1, addr: packet }, KEY_B, KEY_A);
    const res = receiveAddAddr(opt, KEY_B, KEY_A, 1, newMptcpCounters());
    packet[3] = 9;
    assert.ok(res.kind === "announce");
    assert.deepEqual(res.address.addr, ADDR);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PM_LIMITS, EndpointTable, PM_ADDR_MAX, isPmConfigError, type Endpoint } from "../../src/mptcp/pm/endpoints.js";
import { parseAddress } from "../../src/wire/address.js";

const ip = (s: string): Uint8Array => parseAddress(s)!;

function ok(x: Endpoint | ReturnType<EndpointTable["add"]>): Endpoint {
  assert.ok(!isPmConfigError(x), JSON.stringify(x));
  return x as Endpoint;
}

describe("EndpointTable: ip mptcp endpoint", () => {
  test("IDs are given from 1 upwards; flags and port as configured", () => {
    const t = new EndpointTable();
    const a = ok(t.add({ addr: ip("10.0.1.1"), flags: { subflow: true } }));
    const b = ok(t.add({ addr: ip("10.0.2.1"), flags: { signal: true }, port: 10100 }));
    const c = ok(t.add({ addr: ip("fd00::1"), flags: { subflow: true, backup: true, fullmesh: true } }));
    assert.deepEqual([a.id, b.id, c.id], [1, 2, 3]);
    assert.equal(b.port, 10100);
    assert.deepEqual(c.flags, { signal: false, subflow: true, backup: true, fullmesh: true });
    assert.deepEqual(t.list().map((e) => e.id), [2, 1, 3], "port-based endpoints go to the head of the list");
    assert.equal(t.signalCount, 1);
    assert.equal(t.subflowCount, 2);
  });

  test("an explicit ID; a busy one is EBUSY; allocation continues after the highest", () => {
    const t = new EndpointTable();
    ok(t.add({ addr: ip("10.0.1.1"), id: 5 }));
    assert.deepEqual(t.add({ addr: ip("10.0.1.2"), id: 5 }), { errno: "EBUSY", message: "address id in use" });
    assert.equal(ok(t.add({ addr: ip("10.0.1.2") })).id, 6);
    ok(t.delete(6));
    assert.equal(ok(t.add({ addr: ip("10.0.1.3") })).id, 6);
    assert.deepEqual(t.add({ addr: ip("10.0.1.4"), id: 256 }), { errno: "EINVAL", message: "invalid address id" });
  });

  test("the kernel's validation messages", () => {
    const t = new EndpointTable();
    assert.deepEqual(t.add({ addr: ip("10.0.1.1"), port: 80, flags: { subflow: true } }), {
      errno: "EINVAL",
      message: "flags must have signal and not subflow when using port",
    });
    assert.ok(isPmConfigError(t.add({ addr: ip("10.0.1.1"), port: 80, flags: { signal: true, subflow: true } })));
    assert.deepEqual(t.add({ addr: ip("10.0.1.1"), flags: { signal: true, fullmesh: true } }), {
      errno: "EINVAL",
      message: "flags mustn't have both signal and fullmesh",
    });
    assert.deepEqual(t.add({ addr: new Uint8Array(5) }), { errno: "EINVAL", message: "unknown address family" });
  });

  test("duplicates: the same address is EEXIST unless a port tells them apart", () => {
    const t = new EndpointTable();
    ok(t.add({ addr: ip("10.0.1.1"), flags: { subflow: true } }));
    assert.deepEqual(t.add({ addr: ip("10.0.1.1"), flags: { signal: true } }), { errno: "EEXIST", message: "address already exists" });
    ok(t.add({ addr: ip("10.0.1.1"), flags: { signal: true }, port: 10100 }));
    assert.ok(isPmConfigError(t.add({ addr: ip("10.0.1.1"), flags: { signal: true }, port: 10100 })));
  });

  test("at most 8 endpoints (pm_netlink.sh)", () => {
    const t = new EndpointTable();
    for (let i = 1; i <= PM_ADDR_MAX; i++) ok(t.add({ addr: ip(`10.0.${i}.1`) }));
    assert.deepEqual(t.add({ addr: ip("10.0.9.1") }), { errno: "ERANGE", message: "too many addresses" });
  });

  test("delete, flush (IDs restart at 1), change", () => {
    const t = new EndpointTable();
    ok(t.add({ addr: ip("10.0.1.1"), flags: { subflow: true } }));
    ok(t.add({ addr: ip("10.0.2.1"), flags: { signal: true } }));
    assert.deepEqual(t.delete(9), { errno: "EINVAL", message: "address not found" });
    assert.equal(ok(t.change(1, { backup: true, fullmesh: true })).flags.backup, true);
    assert.deepEqual(t.change(2, { fullmesh: true }), { errno: "EINVAL", message: "invalid addr flags" });
    assert.equal(t.lookup(ip("10.0.2.1"))?.id, 2);
    assert.equal(t.byId(1)?.flags.fullmesh, true);
    assert.equal(t.flush().length, 2);
    assert.equal(ok(t.add({ addr: ip("10.0.3.1") })).id, 1);
  });
});

describe("EndpointTable: ip mptcp limits", () => {
  test("defaults subflows 2, add_addr_accepted 0; at most 8", () => {
    const t = new EndpointTable();
    assert.deepEqual(t.limits, { subflows: 2, addAddrAccepted: 0 });
    assert.deepEqual(DEFAULT_PM_LIMITS, { subflows: 2, addAddrAccepted: 0 });
    assert.deepEqual(t.setLimits({ addAddrAccepted: 2 }), { subflows: 2, addAddrAccepted: 2 });
    assert.deepEqual(t.setLimits({ subflows: 9 }), { errno: "EINVAL", message: "limit greater than maximum" });
    assert.deepEqual(t.setLimits({ subflows: -1 }), { errno: "EINVAL", message: "invalid limit" });
    assert.deepEqual(t.limits, { subflows: 2, addAddrAccepted: 2 });
  });
});

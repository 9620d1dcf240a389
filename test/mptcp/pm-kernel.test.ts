import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { EndpointTable, isPmConfigError, type EndpointSpec, type PmLimits } from "../../src/mptcp/pm/endpoints.js";
import { KernelPathManager, type PmAction } from "../../src/mptcp/pm/kernel.js";
import { formatAddress, parseAddress } from "../../src/wire/address.js";

const ip = (s: string): Uint8Array => parseAddress(s)!;

/** The table as configured by `ip mptcp endpoint add` / `ip mptcp limits set`. */
function table(limits: Partial<PmLimits>, ...eps: EndpointSpec[]): EndpointTable {
  const t = new EndpointTable();
  assert.ok(!isPmConfigError(t.setLimits(limits)));
  for (const e of eps) assert.ok(!isPmConfigError(t.add(e)));
  return t;
}

/** Client 10.0.1.1 connected to server 10.0.1.2:10000, as in mptcp_join.sh. */
function client(t: EndpointTable, denyJoinId0 = false): KernelPathManager {
  return new KernelPathManager(t, { local: ip("10.0.1.1"), remote: ip("10.0.1.2"), remotePort: 10000, remoteDenyJoinId0: denyJoinId0 });
}

/** Actions in a readable form. */
function show(actions: PmAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case "announce":
        return `announce ${a.endpoint.id} ${formatAddress(a.endpoint.addr)}${a.endpoint.port ? `:${a.endpoint.port}` : ""}`;
      case "echo":
        return `echo ${a.address.addrId} ${formatAddress(a.address.addr)}`;
      case "connect":
        return `connect ${a.local === undefined ? "any" : formatAddress(a.local.addr)} -> ${a.remote.addrId} ${formatAddress(a.remote.addr)}:${a.remote.port}${a.backup ? " backup" : ""}`;
      case "prio":
        return `prio ${a.backup}`;
    }
  });
}

describe("KernelPathManager: subflow endpoints (mptcp_join.sh 'subflows')", () => {
  test("no endpoints and default limits: nothing happens", () => {
    assert.deepEqual(client(new EndpointTable()).onFullyEstablished(), []);
  });

  test("one subflow endpoint: a join from it to the peer's initial address", () => {
    const pm = client(table({ subflows: 1 }, { addr: ip("10.0.3.1"), flags: { subflow: true } }));
    assert.deepEqual(show(pm.onFullyEstablished()), ["connect 10.0.3.1 -> 0 10.0.1.2:10000"]);
    assert.equal(pm.subflows, 1);
    assert.deepEqual(pm.onProgress(), [], "each endpoint is used once");
  });

  test("the subflows limit caps the joins", () => {
    const t = table({ subflows: 1 }, { addr: ip("10.0.3.1"), flags: { subflow: true } }, { addr: ip("10.0.4.1"), flags: { subflow: true, backup: true } });
    const pm = client(t);
    assert.deepEqual(show(pm.onFullyEstablished()), ["connect 10.0.3.1 -> 0 10.0.1.2:10000"]);
    assert.deepEqual(pm.onProgress(), []);
    assert.ok(!isPmConfigError(t.setLimits({ subflows: 2 })));
    assert.deepEqual(show(pm.onProgress()), ["connect 10.0.4.1 -> 0 10.0.1.2:10000 backup"]);
  });

  test("flag C from the peer: no subflow to its initial address (RFC 8684 §3.1)", () => {
    const pm = client(table({ subflows: 2 }, { addr: ip("10.0.3.1"), flags: { subflow: true } }), true);
    assert.deepEqual(pm.onFullyEstablished(), []);
  });

  test("an endpoint of the other family is not used towards this peer", () => {
    const pm = client(table({ subflows: 2 }, { addr: ip("fd00::3"), flags: { subflow: true } }));
    assert.deepEqual(pm.onFullyEstablished(), []);
  });

  test("the endpoint of the initial subflow's address is used up; if backup, MP_PRIO", () => {
    const t = table({ subflows: 2 }, { addr: ip("10.0.1.1"), flags: { subflow: true, backup: true } }, { addr: ip("10.0.3.1"), flags: { subflow: true } });
    assert.deepEqual(show(client(t).onFullyEstablished()), ["prio true", "connect 10.0.3.1 -> 0 10.0.1.2:10000"]);
  });
});

describe("KernelPathManager: signal endpoints (mptcp_join.sh 'signal_address')", () => {
  test("signal endpoints are announced one at a time", () => {
    const t = table({}, { addr: ip("10.0.2.2"), flags: { signal: true } }, { addr: ip("10.0.3.2"), flags: { signal: true }, port: 10100 });
    const server = new KernelPathManager(t, { local: ip("10.0.1.2"), remote: ip("10.0.1.1"), remotePort: 40000, remoteDenyJoinId0: false });
    assert.deepEqual(show(server.onFullyEstablished()), ["announce 2 10.0.3.2:10100"]);
    assert.deepEqual(show(server.onProgress()), ["announce 1 10.0.2.2"]);
    assert.deepEqual(server.onProgress(), []);
    assert.equal(server.addAddrSignaled, 2);
  });

  test("incoming joins are accepted while under the subflows limit", () => {
    const server = new KernelPathManager(table({ subflows: 1 }), { local: ip("10.0.1.2"), remote: ip("10.0.1.1"), remotePort: 40000, remoteDenyJoinId0: false });
    assert.equal(server.allowIncomingJoin(), true);
    assert.equal(server.allowIncomingJoin(), false);
    server.onSubflowClosed();
    assert.equal(server.allowIncomingJoin(), true);
  });
});

describe("KernelPathManager: ADD_ADDR received", () => {
  const announced = { addrId: 1, addr: ip("10.0.2.2") };

  test("with the default add_addr_accepted 0 it is only echoed", () => {
    assert.deepEqual(show(client(new EndpointTable()).onAddAddr(announced)), ["echo 1 10.0.2.2"]);
  });

  test("accepted: echoed, and joined from the address routing picks, on the initial port", () => {
    const pm = client(table({ addAddrAccepted: 1 }));
    assert.deepEqual(show(pm.onAddAddr(announced)), ["echo 1 10.0.2.2", "connect any -> 1 10.0.2.2:10000"]);
    assert.equal(pm.addAddrAccepted, 1);
    assert.deepEqual(show(pm.onAddAddr({ addrId: 2, addr: ip("10.0.3.2") })), ["echo 2 10.0.3.2"], "limit reached");
  });

  test("an announced port is used", () => {
    const pm = client(table({ addAddrAccepted: 1 }));
    assert.deepEqual(show(pm.onAddAddr({ addrId: 1, addr: ip("10.0.1.2"), port: 10100 })), ["echo 1 10.0.1.2", "connect any -> 1 10.0.1.2:10100"]);
  });

  test("the peer's initial address, or one already joined, is only echoed", () => {
    const pm = client(table({ addAddrAccepted: 3, subflows: 3 }));
    assert.deepEqual(show(pm.onAddAddr({ addrId: 5, addr: ip("10.0.1.2") })), ["echo 5 10.0.1.2"]);
    pm.onAddAddr(announced);
    assert.deepEqual(show(pm.onAddAddr(announced)), ["echo 1 10.0.2.2"]);
    assert.equal(pm.addAddrAccepted, 1);
  });

  test("fullmesh endpoints each join the announced address, within the subflows limit", () => {
    const t = table(
      { addAddrAccepted: 2, subflows: 3 },
      { addr: ip("10.0.1.1"), flags: { subflow: true, fullmesh: true } },
      { addr: ip("10.0.3.1"), flags: { subflow: true, fullmesh: true } },
    );
    const pm = client(t);
    assert.deepEqual(show(pm.onFullyEstablished()), ["connect 10.0.3.1 -> 0 10.0.1.2:10000"]);
    assert.deepEqual(show(pm.onAddAddr(announced)), ["echo 1 10.0.2.2", "connect 10.0.1.1 -> 1 10.0.2.2:10000", "connect 10.0.3.1 -> 1 10.0.2.2:10000"]);
    assert.equal(pm.subflows, 3);
  });

  test("REMOVE_ADDR frees the accepted slot (§3.4.2)", () => {
    const pm = client(table({ addAddrAccepted: 1 }));
    pm.onAddAddr(announced);
    pm.onRemoteAddressRemoved(1, 1);
    assert.equal(pm.addAddrAccepted, 0);
    assert.equal(pm.subflows, 0);
    assert.deepEqual(show(pm.onAddAddr({ addrId: 2, addr: ip("10.0.3.2") })), ["echo 2 10.0.3.2", "connect any -> 2 10.0.3.2:10000"]);
  });
});

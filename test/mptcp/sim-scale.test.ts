/**
 * 100 concurrent MPTCP connections between one pair of MptcpHosts (issue 4 item 9), and the
 * single-subflow reaction to a payload change under DSS checksums (§3.7), both written as
 * scenarios and run through the scenario runner.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { runScenario } from "../../src/sim/scenario/runner.js";
import { validateScenario } from "../../src/sim/scenario/validate.js";

describe("MPTCP at scale and under corruption (scenario runner)", () => {
  test("100 concurrent MPTCP connections on one host pair: each has its own token and arrives intact", () => {
    const flows = Array.from({ length: 100 }, (_, i) => ({ name: `c${i}`, from: "client", to: "server", bytes: "40KB", start: `${i * 0.2}ms` }));
    const scenario = validateScenario({
      name: "hundred",
      hosts: [
        { name: "client", addresses: ["10.0.0.1"], mptcp: {} },
        { name: "server", addresses: ["10.0.0.2"], mptcp: {} },
      ],
      links: [{ from: "client", to: "server", rate: "100Mbit", delay: "5ms", queue: "500KB" }],
      flows,
      duration: "60s",
    });
    const r = runScenario(scenario, { seed: 100 });
    assert.equal(r.flows.length, 100);
    for (const f of r.flows) {
      assert.equal(f.integrity, true, f.name);
      assert.equal(f.mptcp!.mode, "mptcp", f.name);
      assert.equal(f.mptcp!.fallback, false, f.name);
    }
    assert.equal(r.ok, true);
    const client = r.hosts.find((h) => h.name === "client")!.mptcp!;
    const server = r.hosts.find((h) => h.name === "server")!.mptcp!;
    assert.equal(client.MPCapableSYNACKRX, 100);
    assert.equal(server.MPCapableACKRX, 100);
    assert.equal(server.MPCurrEstab ?? 0, 0, "every connection closed");
  });

  test("one subflow, DSS checksums, one payload byte flipped: MP_FAIL, the infinite mapping, fallback (§3.7)", () => {
    const scenario = validateScenario({
      name: "corrupt-one-path",
      hosts: [
        { name: "client", addresses: ["10.0.0.1"], mptcp: { checksums: true } },
        { name: "server", addresses: ["10.0.0.2"], mptcp: { checksums: true } },
      ],
      middleboxes: [{ name: "mbox", boxes: [{ kind: "mbox-corrupt-payload", probability: 0.01, limit: 1 }] }],
      links: [
        { from: "client", to: "mbox.0", rate: "20Mbit", delay: "5ms", queue: "50KB" },
        { from: "mbox.1", to: "server", rate: "20Mbit", delay: "5ms", queue: "50KB" },
      ],
      flows: [{ from: "client", to: "server", bytes: "1MB" }],
    });
    const r = runScenario(scenario, { seed: 4 });
    const f = r.flows[0]!;
    const client = f.mptcp!.counters.client!;
    const server = f.mptcp!.counters.server!;
    assert.equal(server.DataCsumErr, 1);
    assert.ok((server.MPFailTx ?? 0) >= 1, "MP_FAIL until the infinite mapping");
    assert.equal(client.MPFailRx, 1);
    assert.equal(client.InfiniteMapTx, 1);
    assert.equal(server.InfiniteMapRx, 1);
    assert.equal(f.mptcp!.fallback, "MP_FAIL from the peer: infinite mapping sent");
    assert.equal(f.mptcp!.serverFallback, "infinite mapping received");
    // Like Linux, the one subflow's bytes are delivered as they arrived (the box stays in the
    // path and TCP could not have told either): all arrive, one byte differs.
    assert.equal(f.bytesDelivered, 1_000_000);
    assert.equal(f.integrity, false);
    assert.equal(r.middleboxes[0]!.boxes[0]!.modified, 1);
  });
});

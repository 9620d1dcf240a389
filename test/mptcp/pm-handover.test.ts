import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { HANDOVER_MODES, HandoverPolicy, isHandoverMode, type HandoverAction, type HandoverMode } from "../../src/mptcp/pm/handover.js";
// fast-check draws 100 times MPTCP_FUZZ cases per property (npm run fuzz).
import "../support/fuzz.js";

const WIFI = 0;
const CELL = 1;

/** A phone connected over WiFi (interface 0) with cellular (interface 1) beside it. */
function phone(mode: HandoverMode, cellUp = true): HandoverPolicy {
  return new HandoverPolicy(mode, [{ index: WIFI, up: true }, { index: CELL, up: cellUp }], WIFI);
}

const NAME = ["wifi", "cell", "lte2"];

/** Actions in a readable form. */
function show(actions: HandoverAction[]): string[] {
  return actions.map((a) => {
    const i = NAME[a.iface] ?? String(a.iface);
    switch (a.kind) {
      case "open":
        return `open ${i}${a.backup ? " backup" : ""}`;
      case "prio":
        return `prio ${i} ${a.backup ? "backup" : "regular"}`;
      case "remove":
        return `remove ${i}`;
      case "close":
        return `close ${i}`;
    }
  });
}

/** A random event for a policy over three interfaces, for the property tests. */
const policyEvent = fc.record({ kind: fc.constantFrom("down", "up", "sub-up", "sub-down"), iface: fc.integer({ min: 0, max: 2 }) });
type PolicyEvent = { kind: "down" | "up" | "sub-up" | "sub-down"; iface: number };

/** A phone with three interfaces, all up, connected on the first. */
const threeInterfaces = (mode: HandoverMode): HandoverPolicy => new HandoverPolicy(mode, [0, 1, 2].map((index) => ({ index, up: true })), 0);

/** Hands `e` to the policy; its actions. */
function dispatch(p: HandoverPolicy, e: PolicyEvent): HandoverAction[] {
  switch (e.kind) {
    case "down":
      return p.onInterfaceDown(e.iface);
    case "up":
      return p.onInterfaceUp(e.iface);
    case "sub-up":
      return p.onSubflowUp(e.iface);
    case "sub-down":
      return p.onSubflowDown(e.iface);
  }
}

describe("HandoverPolicy full: every interface carries data", () => {
  test("established: a regular subflow on cellular", () => {
    assert.deepEqual(show(phone("full").onEstablished()), ["open cell"]);
  });
  test("WiFi goes with cellular up: only REMOVE_ADDR, cellular carries on", () => {
    const p = phone("full");
    p.onEstablished();
    assert.deepEqual(show(p.onSubflowUp(CELL)), []);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["remove wifi"]);
    assert.equal(p.activeInterface, CELL);
    // The initial subflow's "subflow-down" that follows asks for nothing more.
    assert.deepEqual(show(p.onSubflowDown(WIFI)), []);
  });
  test("WiFi back: a regular subflow on it again", () => {
    const p = phone("full");
    p.onEstablished();
    p.onSubflowUp(CELL);
    p.onInterfaceDown(WIFI);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), ["open wifi"]);
    assert.deepEqual(show(p.onSubflowUp(WIFI)), []);
  });
  test("cellular goes: its address removed, WiFi unaffected", () => {
    const p = phone("full");
    p.onEstablished();
    p.onSubflowUp(CELL);
    assert.deepEqual(show(p.onInterfaceDown(CELL)), ["remove cell"]);
    assert.equal(p.activeInterface, WIFI);
  });
  test("WiFi goes before the cellular join is up: the removal waits for it", () => {
    const p = phone("full");
    p.onEstablished();
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), []);
    assert.deepEqual(show(p.onSubflowUp(CELL)), ["remove wifi"]);
  });
  test("cellular down at the start: no subflow on it until it comes up", () => {
    const p = phone("full", false);
    assert.deepEqual(show(p.onEstablished()), []);
    assert.deepEqual(show(p.onInterfaceUp(CELL)), ["open cell"]);
  });
});

describe("HandoverPolicy backup: cellular as a backup subflow", () => {
  test("established: a backup subflow on cellular (MP_JOIN B)", () => {
    assert.deepEqual(show(phone("backup").onEstablished()), ["open cell backup"]);
  });
  test("the backup subflow coming up changes nothing", () => {
    const p = phone("backup");
    p.onEstablished();
    assert.deepEqual(show(p.onSubflowUp(CELL)), []);
    assert.equal(p.activeInterface, WIFI);
  });
  test("WiFi goes: MP_PRIO makes cellular regular, then REMOVE_ADDR", () => {
    const p = phone("backup");
    p.onEstablished();
    p.onSubflowUp(CELL);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["prio cell regular", "remove wifi"]);
    assert.equal(p.activeInterface, CELL);
  });
  test("WiFi back: a regular subflow on it, and once up cellular returns to backup", () => {
    const p = phone("backup");
    p.onEstablished();
    p.onSubflowUp(CELL);
    p.onInterfaceDown(WIFI);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), ["open wifi"]);
    assert.equal(p.activeInterface, CELL, "cellular carries on until the WiFi subflow is up");
    assert.deepEqual(show(p.onSubflowUp(WIFI)), ["prio cell backup"]);
    assert.equal(p.activeInterface, WIFI);
  });
  test("the backup interface goes: its address removed, no MP_PRIO", () => {
    const p = phone("backup");
    p.onEstablished();
    p.onSubflowUp(CELL);
    assert.deepEqual(show(p.onInterfaceDown(CELL)), ["remove cell"]);
    assert.deepEqual(show(p.onInterfaceUp(CELL)), ["open cell backup"]);
  });
  test("WiFi goes while the backup join is in its handshake: once it is up, REMOVE_ADDR and MP_PRIO regular", () => {
    const p = phone("backup");
    p.onEstablished();
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), []);
    assert.deepEqual(show(p.onSubflowUp(CELL)), ["remove wifi", "prio cell regular"]);
  });
  test("WiFi back before the backup join is up: WiFi carries on, the join stays a backup", () => {
    const p = phone("backup");
    p.onEstablished();
    p.onInterfaceDown(WIFI);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), []);
    assert.deepEqual(show(p.onSubflowUp(CELL)), []);
    assert.equal(p.activeInterface, WIFI);
  });
  test("WiFi back before a regular take-over join is up: that join becomes a backup", () => {
    const p = phone("backup");
    p.onEstablished();
    // The backup join failed: there is no cellular subflow when the WiFi goes.
    assert.deepEqual(show(p.onSubflowDown(CELL)), []);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["open cell"]);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), []);
    assert.deepEqual(show(p.onSubflowUp(CELL)), ["prio cell backup"]);
  });
  test("the active cellular subflow is reset: the next interface with a subflow takes over", () => {
    const p = new HandoverPolicy("backup", [{ index: WIFI, up: true }, { index: CELL, up: true }, { index: 2, up: true }], WIFI);
    assert.deepEqual(show(p.onEstablished()), ["open cell backup", "open lte2 backup"]);
    p.onSubflowUp(CELL);
    p.onSubflowUp(2);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["prio cell regular", "remove wifi"]);
    assert.deepEqual(show(p.onSubflowDown(CELL)), ["prio lte2 regular"]);
    assert.equal(p.activeInterface, 2);
  });
});

describe("HandoverPolicy single-path: break before make", () => {
  test("established: no other subflow", () => {
    assert.deepEqual(show(phone("single-path").onEstablished()), []);
  });
  test("WiFi goes: MP_JOIN on cellular; REMOVE_ADDR once it is up (nothing else can carry it)", () => {
    const p = phone("single-path");
    p.onEstablished();
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["open cell"]);
    assert.equal(p.activeInterface, CELL);
    assert.deepEqual(show(p.onSubflowUp(CELL)), ["remove wifi"]);
    assert.deepEqual(show(p.onSubflowDown(WIFI)), []);
  });
  test("WiFi back: a subflow on it, and once up the cellular one is closed", () => {
    const p = phone("single-path");
    p.onInterfaceDown(WIFI);
    p.onSubflowUp(CELL);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), ["open wifi"]);
    assert.deepEqual(show(p.onSubflowUp(WIFI)), ["close cell"]);
    assert.equal(p.activeInterface, WIFI);
    assert.deepEqual(show(p.onSubflowDown(CELL)), []);
  });
  test("WiFi back before the cellular join is up: WiFi carries on, the join is closed once up", () => {
    const p = phone("single-path");
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["open cell"]);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), []);
    assert.equal(p.activeInterface, WIFI);
    assert.deepEqual(show(p.onSubflowUp(CELL)), ["close cell"]);
  });
  test("cellular comes and goes while WiFi carries: nothing to do", () => {
    const p = phone("single-path", false);
    assert.deepEqual(show(p.onInterfaceUp(CELL)), []);
    assert.deepEqual(show(p.onInterfaceDown(CELL)), []);
  });
  test("no other interface up: the dead one is kept until one comes", () => {
    const p = phone("single-path", false);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), []);
    assert.deepEqual(show(p.onInterfaceUp(CELL)), []);
  });
  test("the cellular join fails: another interface is tried, never the same one again at once", () => {
    const p = new HandoverPolicy("single-path", [{ index: WIFI, up: true }, { index: CELL, up: true }, { index: 2, up: true }], WIFI);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), ["open cell"]);
    assert.deepEqual(show(p.onSubflowDown(CELL)), ["open lte2"]);
    assert.deepEqual(show(p.onSubflowUp(2)), ["remove wifi"]);
  });
});

describe("HandoverPolicy: the last subflow lost (the connection waits for one, close-timeout.ts)", () => {
  test("single-path, nothing else up: the lost subflow's interface is still up, so a join from it", () => {
    const p = phone("single-path", false);
    assert.deepEqual(show(p.onSubflowDown(WIFI)), ["open wifi"]);
    // That join fails: not again from WiFi until something changes.
    assert.deepEqual(show(p.onSubflowDown(WIFI)), []);
    // Cellular comes up: with no subflow anywhere, it carries the connection.
    assert.deepEqual(show(p.onInterfaceUp(CELL)), ["open cell"]);
    assert.equal(p.activeInterface, CELL);
  });
  test("single-path: the next interface first, then the lost one again, then nothing", () => {
    const p = phone("single-path");
    assert.deepEqual(show(p.onSubflowDown(WIFI)), ["open cell"]);
    assert.deepEqual(show(p.onSubflowDown(CELL)), ["open wifi"]);
    assert.deepEqual(show(p.onSubflowDown(WIFI)), []);
    // A subflow up clears the failures.
    assert.deepEqual(show(p.onInterfaceDown(CELL)), []);
    assert.deepEqual(show(p.onInterfaceUp(CELL)), ["open cell"]);
    assert.deepEqual(show(p.onSubflowUp(CELL)), []);
    assert.deepEqual(show(p.onSubflowDown(CELL)), ["open wifi"]);
  });
  test("the interface of the lost subflow is down and no other is up: nothing until one comes", () => {
    const p = phone("single-path", false);
    assert.deepEqual(show(p.onInterfaceDown(WIFI)), []);
    assert.deepEqual(show(p.onSubflowDown(WIFI)), []);
    assert.deepEqual(show(p.onInterfaceUp(WIFI)), ["open wifi"]);
  });
  test("full: only the last subflow's loss opens one", () => {
    const p = phone("full");
    assert.deepEqual(show(p.onEstablished()), ["open cell"]);
    p.onSubflowUp(CELL);
    assert.deepEqual(show(p.onSubflowDown(CELL)), []);
    assert.deepEqual(show(p.onSubflowDown(WIFI)), ["open cell"]);
  });
  test("backup: the backup join failed, then the active subflow is reset: a join from the active interface again", () => {
    const p = phone("backup");
    p.onEstablished();
    assert.deepEqual(show(p.onSubflowDown(CELL)), []);
    assert.deepEqual(show(p.onSubflowDown(WIFI)), ["open wifi"]);
  });
  test("any sequence of events: between a subflow up and an interface up, at most two joins per interface", () => {
    fc.assert(
      fc.property(fc.constantFrom(...HANDOVER_MODES), fc.array(policyEvent, { maxLength: 40 }), (mode, events) => {
        const p = threeInterfaces(mode);
        let opens = p.onEstablished().filter((a) => a.kind === "open").length;
        for (const e of events) {
          if (e.kind === "sub-up" || e.kind === "up") opens = 0;
          opens += dispatch(p, e).filter((a) => a.kind === "open").length;
          assert.ok(opens <= 6, `${opens} joins without a subflow up or an interface back`);
        }
      }),
    );
  });
});

describe("HandoverPolicy: ranking and names", () => {
  test("the initial subflow's interface ranks first whatever its index", () => {
    const p = new HandoverPolicy("backup", [{ index: 0, up: true }, { index: 1, up: true }], 1);
    assert.deepEqual(show(p.onEstablished()), ["open wifi backup"]);
    assert.equal(p.activeInterface, 1);
  });
  test("mode names", () => {
    assert.deepEqual([...HANDOVER_MODES], ["full", "backup", "single-path"]);
    assert.ok(isHandoverMode("single-path"));
    assert.ok(!isHandoverMode("kernel"));
  });
  test("any sequence of events: never an action on an unknown interface, never an open on a down one", () => {
    fc.assert(
      fc.property(fc.constantFrom(...HANDOVER_MODES), fc.array(policyEvent, { maxLength: 30 }), (mode, events) => {
        const p = threeInterfaces(mode);
        const up = [true, true, true];
        const check = (actions: HandoverAction[]) => {
          for (const a of actions) {
            assert.ok(a.iface >= 0 && a.iface <= 2);
            if (a.kind === "open") assert.ok(up[a.iface], `open on down interface ${a.iface}`);
          }
        };
        check(p.onEstablished());
        for (const e of events) {
          if (e.kind === "down") up[e.iface] = false;
          if (e.kind === "up") up[e.iface] = true;
          check(dispatch(p, e));
        }
      }),
    );
  });
});

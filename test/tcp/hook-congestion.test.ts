/**
 * `TcpHook.congestion`: the layer riding on a connection may give it its own controller (MPTCP's
 * coupled ones), which is told when the connection closes so it leaves its group.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { CongestionController, CongestionFactory } from "../../src/tcp/congestion/controller.js";
import { reno } from "../../src/tcp/congestion/reno.js";
import type { TcpHook } from "../../src/tcp/hook.js";
import { established, F, IRS, ISS, peer, drain } from "./util.js";

function hookWith(congestion: CongestionFactory): TcpHook {
  return {
    reserve: () => ({ bytes: 0 }),
    options: () => [],
    incoming: () => "accept",
    congestion,
  };
}

describe("TcpHook.congestion", () => {
  test("the hook's controller replaces the configured one, and hears of the close", () => {
    const made: CongestionController[] = [];
    let closed = 0;
    const factory: CongestionFactory = (init) => {
      const c = reno()(init);
      const wrapped = Object.assign(Object.create(c) as CongestionController, { name: "mine", close: () => void closed++ });
      made.push(wrapped);
      return wrapped;
    };
    const c = established(undefined, { hook: hookWith(factory) });
    assert.equal(made.length, 1);
    assert.equal(c.congestion.name, "mine");
    assert.equal(c.stats().cwnd, made[0]!.window());
    assert.equal(closed, 0);
    c.handleSegment(peer({ seq: IRS + 1, ack: ISS + 1, flags: F.RST }), 0);
    drain(c, 0);
    assert.equal(c.state, "CLOSED");
    assert.equal(closed, 1);
  });
});

/**
 * The counters of a received MP_FASTCLOSE (RFC 8684 §3.5) as Linux keeps them: the RST that
 * carries it also carries MP_TCPRST (Linux sends both, mptcp-facts.md §4), and each is counted.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TCP_FLAG } from "../../src/wire/tcp-types.js";
import { TCPRST_REASON } from "../../src/wire/mptcp/types.js";
import { B_JOIN_ISN, KEY_A, KEY_B, events, joinedClient, opt, types } from "./segment-harness.js";

const RST_OPTIONS = (key: bigint) => [opt({ subtype: "MP_FASTCLOSE", key }), opt({ subtype: "MP_TCPRST", flags: 0, reason: TCPRST_REASON.UNSPECIFIED })];

describe("MP_FASTCLOSE and MP_TCPRST on one RST (RFC 8684 §3.5, §3.6)", () => {
  test("with our key: MPFastcloseRx and MPRstRx, the connection reset", () => {
    const { h, fromJoin } = joinedClient();
    events(h);
    fromJoin({ seq: B_JOIN_ISN + 1, flags: TCP_FLAG.RST, options: RST_OPTIONS(KEY_A) }, 5000);
    assert.equal(h.counters.MPFastcloseRx, 1);
    assert.equal(h.counters.MPRstRx, 1);
    assert.ok(types(events(h)).includes("reset"));
  });

  test("with another key: only the subflow goes, its MP_TCPRST counted [MPRstRx]", () => {
    const { h, c, fromJoin } = joinedClient();
    events(h);
    fromJoin({ seq: B_JOIN_ISN + 1, flags: TCP_FLAG.RST, options: RST_OPTIONS(KEY_B) }, 5000);
    assert.equal(h.counters.MPFastcloseRx, 0);
    assert.equal(h.counters.MPRstRx, 1);
    assert.equal(c.mode, "mptcp");
    assert.deepEqual(types(events(h)), ["subflow-down"]);
  });
});

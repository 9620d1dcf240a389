/**
 * Congestion control for MPTCP subflows (DESIGN.md §5, RFC 6356): uncoupled Reno and CUBIC, and
 * the coupled LIA, OLIA, BALIA, and the fully coupled and Kelly-Voice rules they improve on. A
 * coupled factory closes over one group, so the MPTCP layer asks for a fresh factory per
 * connection (`congestionFactory`) and builds every subflow of that connection with it; each
 * controller leaves the group on `close()`.
 */
import type { CongestionFactory } from "../../tcp/congestion/controller.js";
import { balia } from "./balia.js";
import { CONGESTION_FLOORS, type CongestionFloor } from "./coupled.js";
import { fullyCoupled } from "./fully-coupled.js";
import { kellyVoice } from "./kelly-voice.js";
import { lia } from "./lia.js";
import { olia } from "./olia.js";
import { uncoupled } from "./uncoupled.js";

export { CoupledGroup } from "./group.js";
export { CoupledController, CONGESTION_FLOORS } from "./coupled.js";
export type { CongestionFloor } from "./coupled.js";
export { Lia, lia } from "./lia.js";
export { Olia, olia } from "./olia.js";
export { Balia, balia } from "./balia.js";
export { FullyCoupled, fullyCoupled } from "./fully-coupled.js";
export { KellyVoice, kellyVoice } from "./kelly-voice.js";
export { uncoupled } from "./uncoupled.js";
export type { UncoupledKind } from "./uncoupled.js";

export const COUPLED_KINDS = ["lia", "olia", "balia", "coupled", "kelly-voice"] as const;
export type CoupledKind = (typeof COUPLED_KINDS)[number];

/** Every controller a connection can be configured with (`--cc`). */
export const CONGESTION_KINDS = ["reno", "cubic", ...COUPLED_KINDS] as const;
export type CongestionKind = (typeof CONGESTION_KINDS)[number];

export function isCongestionKind(name: string): name is CongestionKind {
  return (CONGESTION_KINDS as readonly string[]).includes(name);
}

/**
 * A factory bound to a new group: call once per MPTCP connection. `floor` chooses OLIA's and
 * BALIA's least ssthresh after a loss (coupled.ts); the other rules have RFC 5681's under both.
 */
export function coupledFactory(kind: CoupledKind, floor: CongestionFloor = "linux"): CongestionFactory {
  switch (kind) {
    case "lia":
      return lia();
    case "olia":
      return olia(undefined, floor);
    case "balia":
      return balia(undefined, floor);
    case "coupled":
      return fullyCoupled();
    case "kelly-voice":
      return kellyVoice();
  }
}

/** The factory for the subflows of one MPTCP connection: call once per connection. */
export function congestionFactory(kind: CongestionKind, floor: CongestionFloor = "linux"): CongestionFactory {
  return kind === "reno" || kind === "cubic" ? uncoupled(kind) : coupledFactory(kind, floor);
}

export function isCongestionFloor(name: string): name is CongestionFloor {
  return (CONGESTION_FLOORS as readonly string[]).includes(name);
}

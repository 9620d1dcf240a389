/**
 * Uncoupled congestion control: every subflow runs its own Reno or CUBIC as a TCP would, so an
 * MPTCP connection with n subflows through one bottleneck takes about n shares of it (the
 * behaviour RFC 6356 §1 sets out to avoid, and the baseline the coupled algorithms are compared
 * with).
 */
import type { CongestionFactory } from "../../tcp/congestion/controller.js";
import { cubic } from "../../tcp/congestion/cubic.js";
import { reno } from "../../tcp/congestion/reno.js";

export type UncoupledKind = "reno" | "cubic";

export function uncoupled(kind: UncoupledKind): CongestionFactory {
  return kind === "reno" ? reno() : cubic();
}

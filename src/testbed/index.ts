/** The netns testbed: a kernel MPTCP peer and N TUN paths in one namespace (docs/testbed.md). */
export { TestbedError } from "./errors.js";
export { DEFAULT_NAME, DEFAULT_PATHS, MAX_PATHS, describeImpairment, parseDelayMs, parseLoss, parseRate, parseUpFlags, pathAddresses } from "./spec.js";
export type { PathSpec, TestbedSpec, UpFlags } from "./spec.js";
export { LIMITS, tbfBurst, upSteps } from "./plan.js";
export type { Step } from "./plan.js";
export { insideNamespace, listStates, readState, STATE_DIR, statePath, testbedImpairment } from "./state.js";
export type { ImpairmentLookup, PathState, TestbedState } from "./state.js";
export { checkRequirements, namespaceExists, testbedDown, testbedExec, testbedUp } from "./testbed.js";
export type { DownResult, UpOptions } from "./testbed.js";

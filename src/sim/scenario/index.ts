/** Scenarios for the simulator: the file format, the built-ins, traffic apps and the runner. */
export * from "./units.js";
export * from "./model.js";
export * from "./validate.js";
export * from "./builtins.js";
export * from "./apps.js";
export * from "./sim-host.js";
export * from "./sim-mptcp-host.js";
export * from "./mptcp-report.js";
export * from "./runner.js";

/** The discrete-event network simulator (DESIGN.md §6; docs/simulator.md). */
export * from "../util/rng.js";
export * from "./event-queue.js";
export * from "./loss.js";
export * from "./link.js";
export * from "./node.js";
export * from "./router.js";
export * from "./simulator.js";
export * from "./tap.js";

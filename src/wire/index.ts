/** The wire layer: pure codecs (DESIGN.md §4). */
export * from "./error.js";
export * from "./bytes.js";
export * from "./address.js";
export * from "./tcp-types.js";
export * from "./mptcp/types.js";

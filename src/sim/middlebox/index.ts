/** Middleboxes for the simulator (DESIGN.md §6, RFC 8041 §3.1; docs/middleboxes.md). */
export * from "./middlebox.js";
export * from "./config.js";
export * from "./segment.js";
export * from "./options.js";
export * from "./node.js";
export * from "./strip.js";
export * from "./eol.js";
export * from "./seq-rewrite.js";
export * from "./nat.js";
export * from "./split.js";
export * from "./coalesce.js";
export * from "./alg.js";
export * from "./drop-syn.js";
export * from "./corrupt.js";
export * from "./registry.js";

/** The sans-I/O Host: addresses, demultiplexing, listeners, connections (DESIGN.md §1–§2). */
export * from "./config.js";
export * from "./counters.js";
export * from "./events.js";
export * from "./connection.js";
export * from "./listener.js";
export * from "./host.js";
export * from "./mptcp-events.js";
export * from "./mptcp-host.js";

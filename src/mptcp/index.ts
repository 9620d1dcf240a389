/**
 * The data-level building blocks of MPTCP (RFC 8684 §3.3, §3.4, RFC 7430): DSN arithmetic,
 * mappings on receive and send, data-level reassembly and send queue, tokens, counters, ADD_ADDR
 * signalling and the kernel-like path manager. All sans-I/O.
 */
export * from "./dsn.js";
export * from "./mapping.js";
export * from "./send-mapping.js";
export * from "./reassembly.js";
export * from "./send-queue.js";
export * from "./tokens.js";
export * from "./counters.js";
export * from "./add-addr.js";
export * from "./pm/endpoints.js";
export * from "./pm/kernel.js";
export * from "./pm/endpoint-spec.js";
export * from "./capable.js";
export * from "./events.js";
export * from "./join.js";
export * from "./joined-paths.js";
export * from "./sched/scheduler.js";
export * from "./sched/lowest-rtt.js";
export * from "./connection.js";
export * from "./stats.js";
export * from "./subflow.js";

/** Keys, tokens, IDSNs and HMACs of MPTCP (RFC 8684 §3.1, §3.2, §3.4.1; RFC 6824 for v0). */
export * from "./random.js";
export * from "./hmac.js";
export * from "./keys.js";
export * from "./join.js";
export * from "./add-addr.js";

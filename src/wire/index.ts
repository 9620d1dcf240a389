/** The wire layer: pure codecs (DESIGN.md §4). */
export * from "./error.js";
export * from "./bytes.js";
export * from "./address.js";
export * from "./tcp-types.js";
export * from "./checksum.js";
export * from "./ipv4.js";
export * from "./ipv6.js";
export * from "./ip.js";
export * from "./tcp.js";
export * from "./tcp-options.js";
export * from "./mptcp/types.js";
export * from "./mptcp/option.js";
export * from "./mptcp/dss-checksum.js";
export * from "./pcap/index.js";

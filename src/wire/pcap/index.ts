/** Capture files: pcap and pcapng reading, pcap writing, link-layer decapsulation, the TCP segment of a (snapped) frame. */
export * from "./packet.js";
export * from "./parser.js";
export * from "./link-layer.js";
export * from "./captured-tcp.js";
export * from "./writer.js";
export { tsUnitsFromResol, splitTicks, type TsUnits, type SecNsec } from "./timestamp.js";

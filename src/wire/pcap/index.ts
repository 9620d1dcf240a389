/** Capture files: pcap and pcapng reading, pcap writing, link-layer decapsulation. */
export * from "./packet.js";
export * from "./parser.js";
export * from "./link-layer.js";
export * from "./writer.js";
export { tsUnitsFromResol, splitTicks, type TsUnits, type SecNsec } from "./timestamp.js";

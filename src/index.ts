/**
 * mptcp-ts: the package entry. Re-exports the public API layer by layer.
 */
export * from "./wire/index.js";
export * from "./crypto/index.js";
export { readCapture, openPcapWriter, CaptureFileError, type PcapFileWriter } from "./io/capture-file.js";
export * from "./io/driver.js";
export { openTun, TunDriver, parseTunPath } from "./io/tun.js";
export { openUdp, UdpDriver, parseUdpPath } from "./io/udp.js";
export * from "./runtime/index.js";

/**
 * The runtime (DESIGN.md §7): an MPTCP host driven in real time over packet drivers, with
 * `net`-style sockets and servers. See docs/runtime.md.
 */
export { createStack, Stack } from "./stack.js";
export type { StackOptions, StackPath, ConnectOptions, CloseOptions } from "./stack.js";
export { MptcpSocket } from "./socket.js";
export type { MptcpSocketOptions } from "./socket.js";
export { MptcpServer } from "./server.js";
export type { ServerOptions, ListenOptions as ServerListenOptions } from "./server.js";
export { DriverLoop } from "./driver-loop.js";
export type { DriverLoopOptions } from "./driver-loop.js";
export { monotonicClock, cryptoRandom } from "./clock.js";
export type { Clock } from "./clock.js";
export { socketError } from "./errors.js";
export type { SocketError, SocketErrorCode } from "./errors.js";
export { memoryLink } from "./memory-link.js";
export type { MemoryLinkOptions } from "./memory-link.js";

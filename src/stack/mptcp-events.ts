/**
 * Application events of an MptcpHost, read with `MptcpHost.pollEvent()`: a listener's
 * "incoming", and the events of its MPTCP connections (src/mptcp/events.ts).
 */
import type { MptcpConnectionEvent } from "../mptcp/events.js";
import type { MptcpListener } from "./mptcp-host.js";

export type MptcpEvent =
  /** A connection completed its handshake on `listener`: `listener.accept()` returns it. */
  | { type: "incoming"; listener: MptcpListener }
  | MptcpConnectionEvent;

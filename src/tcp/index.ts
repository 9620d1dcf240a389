/** The TCP engine (RFC 9293) over segment reprs: what the Host and the MPTCP layer use. */
export { TcpConnection } from "./connection.js";
export type { TcpOpenOptions, TcpStats } from "./connection.js";
export { DEFAULT_TCP_CONFIG, tcpConfig, windowShiftFor } from "./config.js";
export type { KeepaliveConfig, TcpConfig } from "./config.js";
export type { TcpEvent } from "./events.js";
export type {
  IncomingContext,
  IncomingVerdict,
  OutgoingContext,
  Reservation,
  ReserveContext,
  SegmentKind,
  TcpHook,
} from "./hook.js";
export type { TcpState } from "./state.js";
export { resetFor } from "./rst.js";
export { initialSequenceNumber } from "./isn.js";
export type { FourTuple } from "./isn.js";
export { seqAdd, seqGe, seqGt, seqLe, seqLt, seqMax, seqMin, seqSub, seqInRange } from "./seq.js";
export type {
  CongestionController,
  CongestionFactory,
  CongestionInit,
  CongestionSnapshot,
  RttSnapshot,
} from "./congestion/controller.js";
export { WindowController } from "./congestion/base.js";
export { Reno, reno } from "./congestion/reno.js";
export { Cubic, cubic } from "./congestion/cubic.js";

/**
 * The narrow interface through which a higher layer (MPTCP, RFC 8684) rides on a TCP connection
 * (DESIGN.md §1: tcp/ knows nothing of MPTCP except through this hook).
 *
 * Outgoing segments, two phases per segment:
 *
 * 1. `reserve` is asked BEFORE the payload size is chosen. It is told what kind of segment is
 *    being built, where its payload would start and how much payload and option space there is,
 *    and answers how many option bytes it needs (padding NOPs included) and, optionally, a
 *    smaller payload limit (MPTCP: a segment must not cross the end of a DSS mapping, RFC 8684
 *    §3.3.1). TCP then sizes the payload as MSS minus all option bytes (RFC 9293 §3.7.1).
 * 2. `options` is called once the segment is fixed, with the exact subflow sequence range and
 *    payload it carries (MPTCP attaches the matching DSS mapping, and its checksum over the
 *    payload). The options returned must fit in the bytes reserved.
 *
 * Incoming segments: `incoming` sees every segment that passed the RFC 9293 §3.10.7 checks
 * (acceptability, PAWS, RST, SYN) before its ACK is processed and before its data is queued,
 * including the SYN, SYN-ACK and third ACK (MP_CAPABLE, MP_JOIN). It may let TCP queue the data
 * (`accept`), take the payload itself while TCP still acknowledges it (`consume`: MPTCP moves
 * subflow data into its data-level reassembly), discard the segment (`drop`), or have the
 * connection reset (`reset`, e.g. a bad MP_JOIN HMAC, RFC 8684 §3.2).
 *
 * A RST is offered too, once it is known to take effect: in SYN-SENT with an acceptable ACK, in
 * the other states when its sequence number is exactly RCV.NXT (RFC 5961 §3.2; an in-window RST
 * only draws a challenge ACK and is not offered). MPTCP reads MP_TCPRST (RFC 8684 §3.6) and
 * MP_FASTCLOSE (§3.5) there. The verdict on a RST is not consulted: the connection is reset
 * whatever the hook answers, since a RST that passed these checks must tear the connection down
 * (RFC 9293 §3.10.7.4 "second, check the RST bit") and a RST is never answered (RFC 9293
 * §3.10.7.1). The hook only observes it; `drop` does not keep the connection open.
 *
 * The hook is called synchronously from `handleSegment` and `pollTransmit`; `reserve` may be
 * called for a segment that is then not sent (Nagle, window), so it must not change state.
 * `incoming` may see the same bytes more than once (retransmissions, overlapping segments): a
 * consuming hook deduplicates by offset. A hook that needs an ACK sent (a new Data ACK, an
 * ADD_ADDR, the MP_JOIN third ACK again) calls `TcpConnection.requestAck()`; under a Host,
 * `Connection.requestAck()`, and `Connection.wake()` when it would now reserve differently
 * (a mapping became ready), so that the Host polls the connection again.
 */
import type { TcpOption, TcpRepr } from "../wire/tcp-types.js";
import type { CongestionFactory } from "./congestion/controller.js";
import type { TcpState } from "./state.js";

/** What an outgoing segment is for. */
export type SegmentKind = "syn" | "syn-ack" | "data" | "ack" | "fin" | "probe" | "rst";

export interface ReserveContext {
  kind: SegmentKind;
  state: TcpState;
  /**
   * Stream offset of the first payload byte: 0 is the first byte after the SYN, so MPTCP's
   * relative subflow sequence number is `offset + 1`.
   */
  offset: number;
  /** Payload bytes TCP could put in the segment before the hook's options are counted. */
  maxPayload: number;
  /** Option bytes still free (of the 40-byte TCP option area). */
  optionSpace: number;
  /** True when the payload range was sent before. */
  retransmission: boolean;
}

export interface Reservation {
  /** Option bytes the hook will add, padding included; at most `optionSpace`. */
  bytes: number;
  /** Upper bound on the payload of this segment (a mapping boundary). */
  maxPayload?: number;
}

export interface OutgoingContext {
  kind: SegmentKind;
  state: TcpState;
  /** Wire sequence number of the segment. */
  seq: number;
  /** Stream offset of the first payload byte (see `ReserveContext.offset`). */
  offset: number;
  /**
   * The payload the segment carries (its length is the exact range). A view into the send
   * buffer: read it during the call (a DSS checksum), do not keep it, since acknowledged
   * send-buffer memory may be reused (`TcpOpenOptions.transientPayloads`).
   */
  payload: Uint8Array;
  syn: boolean;
  fin: boolean;
  retransmission: boolean;
  /**
   * The receive window this segment advertises, in bytes: its window field times the scale
   * unit (RFC 7323 §2.3; unscaled on a SYN or SYN-ACK, §2.2; 0 on a RST). TCP rounds the free
   * space DOWN to the scale unit (RFC 7323 §2.3: SEG.WND = RCV.WND >> Rcv.Wind.Shift), so this
   * never exceeds what `TcpHook.receiveSpace` allowed when the segment was built. Without a
   * `receiveSpace` a right edge advertised earlier is kept (RFC 9293 §3.8.6.2.2: the window does
   * not shrink); with one, keeping its edge still is the hook's job.
   * MPTCP's data-level window is relative to the Data ACK the segment carries (RFC 8684 §3.3.4):
   * its right edge as advertised is that Data ACK plus this many bytes.
   */
  window: number;
}

export interface IncomingContext {
  seg: TcpRepr;
  state: TcpState;
  /**
   * Stream offset of `payload[0]`, after trimming what lies before RCV.NXT or beyond the
   * window. 0 is the first byte after the peer's SYN.
   */
  offset: number;
  /** The in-window part of the payload. */
  payload: Uint8Array;
  /**
   * The window the segment offers, in bytes: SEG.WND shifted by the peer's window scale
   * (RFC 7323 §2.3), or unshifted on a SYN or SYN-ACK (§2.2).
   */
  window: number;
  /**
   * The acknowledgment as a stream offset: how many bytes of our stream SEG.ACK covers (SEG.ACK
   * minus ISS minus 1; 0 acknowledges our SYN and nothing more). Our FIN is not counted: an
   * acknowledged FIN gives the length of the stream. It may lie below what earlier segments
   * acknowledged (an old ACK within the bounds of RFC 5961 §5.2). Undefined when the ACK bit is
   * off, on a RST (RFC 9293 does not check a RST's ACK field), and when SEG.ACK does not cover
   * our SYN (a bad third ACK that TCP answers with a RST).
   */
  ackOffset: number | undefined;
}

export type IncomingVerdict = "accept" | "consume" | "drop" | "reset";

export interface TcpHook {
  reserve(ctx: ReserveContext): Reservation;
  options(ctx: OutgoingContext): TcpOption[];
  incoming(ctx: IncomingContext): IncomingVerdict;
  /**
   * Free receive space the higher layer wants advertised, in bytes, when smaller than the
   * subflow's own (RFC 8684 §3.3.5: one receive window shared by all subflows). It is relative
   * to what the hook acknowledges (MPTCP: the Data ACK), so the hook, not TCP, keeps its right
   * edge from moving left: the window field is this (down to the scale unit) even when it is
   * less than the subflow advertised before. Call `requestAck()` when it grows.
   */
  receiveSpace?(): number;
  /**
   * The congestion controller for this connection instead of the configured one: MPTCP gives
   * every subflow of one connection a controller of that connection's coupled group (LIA, OLIA,
   * BALIA; DESIGN.md §5). Read once, when the connection is created.
   */
  readonly congestion?: CongestionFactory;
  /**
   * Whether a tail loss probe (RFC 8985 §7) may go out now; always when absent. A probe sends the
   * newest segment, not the first unacknowledged one: an MPTCP client whose MP_CAPABLE-bearing
   * first segments may all have been lost holds probes back until the server shows it has the
   * keys (RFC 8684 §3.1), since a server that first sees a later segment falls back to TCP.
   */
  lossProbesAllowed?(): boolean;
  /**
   * The stream offset (as `ReserveContext.offset`) at which new data must stop for now, when a
   * higher layer holds back data TCP already has: MPTCP maps data onto a subflow ahead of the
   * connection's window and sends none of it before that window opens (RFC 8684 §3.3.5). TCP
   * sends no new data from this offset on and arms no zero-window probe at it (the peer's own
   * window is open; the hook has the subflow polled when the limit moves), and applies its SWS
   * avoidance to the room left below it (a runt there waits for the persist timer as the
   * override, as below a small window). Undefined: no limit.
   */
  sendLimit?(): number | undefined;
}

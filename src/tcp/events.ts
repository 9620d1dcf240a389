/** Application events (DESIGN.md §2), small typed records read with `pollEvent()`. */
export type TcpEvent =
  /** The three-way handshake completed (ESTABLISHED). */
  | { type: "connected" }
  /** New in-order data can be read with `recv`. */
  | { type: "readable" }
  /** Send-buffer space freed after a `send` that did not take everything. */
  | { type: "writable" }
  /** The peer's FIN arrived: no more data will come (after what is buffered). */
  | { type: "peer-closed" }
  /** The peer reset the connection (RFC 9293 §3.10.7.4 second step). */
  | { type: "reset" }
  /** Retransmissions or keepalives went unanswered (RFC 9293 §3.8.3 R2). */
  | { type: "timed-out" }
  /** The connection reached CLOSED; it will do nothing more. Always the last event. */
  | { type: "closed" };

/**
 * The kinds of `TcpEvent`, as the owner of a connection (the Host for a plain one, the MPTCP
 * connection for a subflow) passes them on.
 */
export type ConnectionEventType = TcpEvent["type"];

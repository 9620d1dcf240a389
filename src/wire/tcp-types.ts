/**
 * Reprs of TCP headers and options (RFC 9293 §3.1, RFC 7323, RFC 2018).
 */
import type { ParseError } from "./error.js";
import type { MptcpOption } from "./mptcp/types.js";

/** TCP flag bits in the 13th and 14th bytes (RFC 9293 §3.1, RFC 3168 for ECE/CWR, RFC 3540 NS). */
export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  /** The old ECN-nonce bit (RFC 3540, historic), lowest bit of byte 12. */
  NS: 0x100,
} as const;

/** TCP option kinds this codec decodes (IANA "TCP Option Kind Numbers"). */
export const TCPOPT = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  MPTCP: 30,
} as const;

export type TcpOption =
  /**
   * End of option list. `trailing` holds the bytes after it, if any (padding, usually zeros), so
   * that a parsed option area re-emits byte-identical.
   */
  | { kind: "eol"; trailing?: Uint8Array }
  | { kind: "nop" }
  | { kind: "mss"; mss: number }
  | { kind: "wscale"; shift: number }
  | { kind: "sack-permitted" }
  /** SACK blocks as [left, right) pairs of sequence numbers. */
  | { kind: "sack"; blocks: Array<[number, number]> }
  | { kind: "timestamps"; tsVal: number; tsEcr: number }
  | { kind: "mptcp"; option: MptcpOption }
  /** Any other kind, kept with its data (the bytes after kind and length). */
  | { kind: "unknown"; type: number; data: Uint8Array }
  /**
   * An option that could not be decoded: `bytes` is everything from its kind byte to its end (or
   * to the end of the option area if its length ran past it). Re-emitted as it was.
   */
  | { kind: "malformed"; type: number; bytes: Uint8Array; error: ParseError };

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Flag bits per `TCP_FLAG` (9 bits: NS plus the 8 flag bits). */
  flags: number;
  /** Window field as on the wire (unscaled). */
  window: number;
  /** The checksum field as it was on the wire (ignored by emit, which computes it). */
  checksum: number;
  urgentPointer: number;
  /** The 3 reserved bits of byte 12 (between data offset and NS), if non-zero. */
  reserved?: number;
  options: TcpOption[];
  /** The segment's payload (a view into the parsed bytes). */
  payload: Uint8Array;
}

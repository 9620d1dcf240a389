/**
 * Reprs of the MPTCP option (TCP option kind 30), v1 (RFC 8684 §3) and v0 (RFC 6824 §3).
 *
 * One closed union, discriminated by `subtype`. Every length variant on the wire maps to exactly one
 * shape here (which optional fields are present decides the length), so that
 * `parseMptcpOption(emitMptcpOption(x))` equals `x` and `emitMptcpOption(parseMptcpOption(b))` equals
 * `b`. Reserved bits are kept in `reserved` when non-zero (and omitted when zero), so that options
 * from captures re-emit byte-identical.
 *
 * 64-bit fields (keys, DSNs, Data ACKs) are `bigint`. Where one field can be 32 or 64 bits on the
 * wire (DSS), a flag says which and a 32-bit value is kept as on the wire (a bigint below 2^32).
 */

/** RFC 8684 §7.2 (IANA "MPTCP Option Subtypes"). */
export const MPTCP_SUBTYPE = {
  MP_CAPABLE: 0x0,
  MP_JOIN: 0x1,
  DSS: 0x2,
  ADD_ADDR: 0x3,
  REMOVE_ADDR: 0x4,
  MP_PRIO: 0x5,
  MP_FAIL: 0x6,
  MP_FASTCLOSE: 0x7,
  MP_TCPRST: 0x8,
  MP_EXPERIMENTAL: 0xf,
} as const;

/** TCP option kind of every MPTCP option (RFC 8684 §7.1). */
export const TCPOPT_MPTCP = 30;

/** MP_CAPABLE flag bits (RFC 8684 §3.1 and §7.4). */
export const MPC_FLAG = {
  /** A: checksum required. */
  A: 0x80,
  /** B: extensibility; must be 0 in v1. */
  B: 0x40,
  /** C: do not establish new subflows to this source address. */
  C: 0x20,
  D: 0x10,
  E: 0x08,
  F: 0x04,
  G: 0x02,
  /** H: HMAC-SHA256 in v1 (HMAC-SHA1 in v0). */
  H: 0x01,
} as const;

/** DSS flag bits, the fourth byte of the option (RFC 8684 §3.3). */
export const DSS_FLAG = {
  /** A: Data ACK present. */
  A: 0x01,
  /** a: Data ACK is 8 octets. */
  a: 0x02,
  /** M: mapping (DSN, SSN, data-level length, checksum) present. */
  M: 0x04,
  /** m: DSN is 8 octets. */
  m: 0x08,
  /** F: DATA_FIN. */
  F: 0x10,
} as const;

/** MP_TCPRST flag bits (RFC 8684 §3.6): the low nibble of the third byte. */
export const TCPRST_FLAG = { U: 0x8, V: 0x4, W: 0x2, T: 0x1 } as const;

/** MP_TCPRST reason codes (RFC 8684 §3.6, §7.6). */
export const TCPRST_REASON = {
  UNSPECIFIED: 0x00,
  MPTCP_SPECIFIC: 0x01,
  LACK_OF_RESOURCES: 0x02,
  ADMINISTRATIVELY_PROHIBITED: 0x03,
  TOO_MUCH_OUTSTANDING_DATA: 0x04,
  UNACCEPTABLE_PERFORMANCE: 0x05,
  MIDDLEBOX_INTERFERENCE: 0x06,
} as const;

/**
 * MP_CAPABLE (RFC 8684 §3.1). Length by fields present: 4 (none: v1 SYN), 12 (`sendKey`: v1
 * SYN/ACK, v0 SYN and SYN/ACK), 20 (`sendKey` + `recvKey`: third ACK), 22 (+ `dataLen`: first
 * data), 24 (+ `checksum`).
 */
export interface MpCapable {
  subtype: "MP_CAPABLE";
  /** 4-bit version: 1 for RFC 8684, 0 for RFC 6824. */
  version: number;
  /** The flags byte, bits per `MPC_FLAG`. */
  flags: number;
  sendKey?: bigint;
  recvKey?: bigint;
  /** Data-level length of the data this option maps (ACK with data). */
  dataLen?: number;
  checksum?: number;
}

/** MP_JOIN on a SYN (RFC 8684 §3.2), 12 bytes. */
export interface MpJoinSyn {
  subtype: "MP_JOIN";
  form: "syn";
  backup: boolean;
  addrId: number;
  /** The receiver's token (32 bits). */
  token: number;
  /** The sender's random number R-A (32 bits). */
  nonce: number;
  /** Reserved bits 1..3 of the low nibble, if non-zero. */
  reserved?: number;
}

/** MP_JOIN on a SYN/ACK, 16 bytes. */
export interface MpJoinSynAck {
  subtype: "MP_JOIN";
  form: "synack";
  backup: boolean;
  addrId: number;
  /** Leftmost 64 bits of the sender's HMAC (8 bytes). */
  hmac: Uint8Array;
  /** The sender's random number R-B (32 bits). */
  nonce: number;
  reserved?: number;
}

/** MP_JOIN on the third ACK, 24 bytes. */
export interface MpJoinAck {
  subtype: "MP_JOIN";
  form: "ack";
  /** The sender's HMAC, 160 bits (20 bytes). */
  hmac: Uint8Array;
  /** The 12 reserved bits, if non-zero. */
  reserved?: number;
}

export type MpJoin = MpJoinSyn | MpJoinSynAck | MpJoinAck;

/**
 * DSS (RFC 8684 §3.3). Flags: F `fin`, m `dsn64`, M (mapping present: `dsn` defined), a
 * `dataAck64`, A (Data ACK present: `dataAck` defined). `dsn64`/`dataAck64` are kept even when
 * the field they qualify is absent, so that every flags byte round-trips. A 32-bit DSN or Data
 * ACK is held as on the wire (a bigint below 2^32), not expanded. The mapping fields `dsn`, `ssn`
 * and `dataLen` are all present or all absent; `checksum` only with them. `dataLen` 0 is the
 * infinite mapping (§3.3.1).
 */
export interface Dss {
  subtype: "DSS";
  fin: boolean;
  dataAck64: boolean;
  dataAck?: bigint;
  dsn64: boolean;
  dsn?: bigint;
  /** Subflow sequence number, relative to the subflow's ISN. */
  ssn?: number;
  dataLen?: number;
  checksum?: number;
  /** Reserved bits: the low nibble of byte 2 (`<< 3`) and the top 3 bits of the flags byte. */
  reserved?: number;
}

/**
 * ADD_ADDR (RFC 8684 §3.4.1; v0 RFC 6824 §3.4.1). v1: `echo` (E flag), HMAC present exactly when
 * `hmac` is set (normally when not an echo). v0: `ipVersion` (4 or 6) is the low nibble and there
 * is never an HMAC. Length: 8/20 (v4/v6) + 2 with a port + 8 with an HMAC. On the wire a nibble of 4
 * or 6 means v0, so a v1 option cannot have `reserved` 2 or 3 without `echo` (the codec refuses it).
 */
export interface AddAddr {
  subtype: "ADD_ADDR";
  /** 1 for the RFC 8684 layout, 0 for RFC 6824 (IPVer nibble, no HMAC). */
  version: 0 | 1;
  /** v1 E flag. Always false in v0. */
  echo: boolean;
  addrId: number;
  /** 4 or 16 bytes. */
  addr: Uint8Array;
  port?: number;
  /** Rightmost 64 bits of the HMAC (8 bytes), v1 only. */
  hmac?: Uint8Array;
  /** v1: reserved bits 1..3 of the low nibble, if non-zero. */
  reserved?: number;
}

/** REMOVE_ADDR (RFC 8684 §3.4.2), 3 + n bytes. */
export interface RemoveAddr {
  subtype: "REMOVE_ADDR";
  addrIds: number[];
  reserved?: number;
}

/** MP_PRIO (RFC 8684 §3.3.8): 3 bytes; v0 allowed 4 with an AddrID (RFC 6824 §3.3.8). */
export interface MpPrio {
  subtype: "MP_PRIO";
  backup: boolean;
  addrId?: number;
  reserved?: number;
}

/** MP_FAIL (RFC 8684 §3.7), 12 bytes. */
export interface MpFail {
  subtype: "MP_FAIL";
  dsn: bigint;
  reserved?: number;
}

/** MP_FASTCLOSE (RFC 8684 §3.5), 12 bytes: the option receiver's key. */
export interface MpFastclose {
  subtype: "MP_FASTCLOSE";
  key: bigint;
  reserved?: number;
}

/** MP_TCPRST (RFC 8684 §3.6), 4 bytes. */
export interface MpTcpRst {
  subtype: "MP_TCPRST";
  /** U V W T bits per `TCPRST_FLAG`. */
  flags: number;
  reason: number;
}

/** MP_EXPERIMENTAL (subtype 0xf), kept opaque: the low nibble and the bytes after it. */
export interface MpExperimental {
  subtype: "MP_EXPERIMENTAL";
  nibble: number;
  data: Uint8Array;
}

/** A subtype this codec does not define (0x9..0xe), kept so it re-emits byte-identical. */
export interface MpUnknown {
  subtype: "UNKNOWN";
  code: number;
  nibble: number;
  data: Uint8Array;
}

export type MptcpOption =
  | MpCapable
  | MpJoin
  | Dss
  | AddAddr
  | RemoveAddr
  | MpPrio
  | MpFail
  | MpFastclose
  | MpTcpRst
  | MpExperimental
  | MpUnknown;

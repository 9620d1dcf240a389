/**
 * Data sequence numbers (RFC 8684 §3.3.1) and their on-wire forms.
 *
 * Inside the stack a DSN is a `number`: its offset from the connection's IDSN (DESIGN.md §3).
 * Offset 0 is the IDSN itself, which the SYN consumes, so the first data byte is at 1. A double
 * holds every integer below 2^53 exactly, i.e. 8 PiB of data per direction, which no connection
 * reaches; there is no wrap to handle in DSN space. `bigint` appears only where a value crosses
 * the wire, in `DsnSpace`.
 *
 * On the wire a DSN or Data ACK is 64 bits, or only its low 32 bits (the `m` and `a` DSS flags,
 * §3.3). Both ends keep the full 64 bits, so a 32-bit value is expanded to the 64-bit value
 * closest to the one expected (§3.3.1), which handles a wrap of the low half in either direction.
 */

/** The width of a DSN or Data ACK field, in bits. */
export type DsnWidth = 32 | 64;

const TWO_64 = 1n << 64n;
const TWO_32 = 2 ** 32;
const HALF_32 = 2 ** 31;

/**
 * One direction's data sequence space: converts between relative DSNs (offsets from `idsn`) and
 * the 64-bit or 32-bit values on the wire.
 */
export class DsnSpace {
  /** The low 32 bits of the IDSN, to work on 32-bit values without bigint. */
  private readonly idsnLow: number;

  constructor(readonly idsn: bigint) {
    this.idsn = BigInt.asUintN(64, idsn);
    this.idsnLow = Number(this.idsn & 0xffffffffn);
  }

  /** The 64-bit wire value of the relative DSN `dsn` (modulo 2^64). */
  toWire64(dsn: number): bigint {
    return (this.idsn + BigInt(dsn)) % TWO_64;
  }

  /** The low 32 bits of the wire value of `dsn`, as sent in a 4-octet DSN or Data ACK field. */
  toWire32(dsn: number): number {
    const low = (this.idsnLow + (dsn % TWO_32)) % TWO_32;
    return low < 0 ? low + TWO_32 : low;
  }

  /** The wire value of `dsn` in a field of `width` bits. */
  toWire(dsn: number, width: DsnWidth): bigint {
    return width === 64 ? this.toWire64(dsn) : BigInt(this.toWire32(dsn));
  }

  /**
   * The relative DSN of a 64-bit wire value: its distance from the IDSN as a signed 64-bit
   * number, so a value just below the IDSN is negative. Undefined when that distance is not an
   * exact double (2^53 or more away): such a value is outside every window and is treated as
   * bogus by the caller.
   */
  fromWire64(wire: bigint): number | undefined {
    const delta = BigInt.asIntN(64, wire - this.idsn);
    return safe(delta);
  }

  /**
   * Expands the low 32 bits `value32` of a DSN or Data ACK to the relative DSN closest to
   * `expected` (RFC 8684 §3.3.1). The result is within 2^31 of `expected`: below it when the
   * low halves say so (an old value, or a wrap of the low half backwards), above it otherwise.
   * The receiver expands mapping DSNs against its data-level RCV.NXT and the sender expands Data
   * ACKs against its data-level SND.UNA (as Linux does: `mptcp_expand_seq`, `expand_ack`).
   */
  expand32(value32: number, expected: number): number {
    const expectedLow = this.toWire32(expected);
    let delta = (value32 >>> 0) - expectedLow;
    if (delta >= HALF_32) delta -= TWO_32;
    else if (delta < -HALF_32) delta += TWO_32;
    return expected + delta;
  }

  /**
   * The relative DSN of a DSN or Data ACK field as parsed (the wire layer keeps 32-bit values
   * unexpanded): a 64-bit value is converted exactly, a 32-bit one expanded against `expected`.
   */
  fromWire(value: bigint, width: DsnWidth, expected: number): number | undefined {
    if (width === 64) return this.fromWire64(value);
    return this.expand32(Number(value & 0xffffffffn), expected);
  }
}

function safe(v: bigint): number | undefined {
  return v >= BigInt(-Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/**
 * Width of the DSN in the mappings we send. RFC 8684 §3.3 lets a sender choose per option; Linux
 * always sends 64 bits (`MPTCP_DSS_DSN64` in options.c), and so do we: no expansion can go wrong
 * at the peer, for 4 extra option bytes.
 */
export const MAPPING_DSN_WIDTH: DsnWidth = 64;

/**
 * Chooses the width of the Data ACKs we send. RFC 8684 §3.3.2: a host that receives 64-bit DSNs
 * MUST answer with 64-bit Data ACKs. Linux follows the width of the peer's most recent mapping
 * (`msk->use_64bit_ack = mpext->dsn64`), starting at 32 bits before any mapping arrived (the
 * MP_CAPABLE-with-data mapping counts as 64-bit, so its ACK is a `dack8`).
 */
export class DataAckWidth {
  private last64 = false;

  /** Call for each mapping received on any subflow of the connection, with its `dsn64` flag. */
  onPeerMapping(dsn64: boolean): void {
    this.last64 = dsn64;
  }

  get width(): DsnWidth {
    return this.last64 ? 64 : 32;
  }
}

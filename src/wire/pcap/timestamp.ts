/**
 * pcapng timestamps: a 64-bit count of ticks whose length the interface chooses with if_tsresol
 * (draft-ietf-opsawg-pcapng §4.2: most significant bit clear, 10^-v seconds; set, 2^-v), split here
 * into whole seconds and nanoseconds without losing precision.
 *
 * A nanosecond count since 1970 is about 2^61, past the 2^53 a double holds exactly, so the common
 * resolutions (10^-0 to 10^-9) go through an exact long division in 16-bit limbs. Rare resolutions
 * (finer than 1 ns, or 2^-v with v > 20) fall back to bigint.
 */

/** The tick length of one interface. */
export interface TsUnits {
  /** True for 2^-exp seconds, false for 10^-exp seconds. */
  readonly binary: boolean;
  readonly exp: number;
}

/** The pcapng default (if_tsresol absent) and the classic pcap resolution. */
export const MICROSECOND_UNITS: TsUnits = { binary: false, exp: 6 };
export const NANOSECOND_UNITS: TsUnits = { binary: false, exp: 9 };

/** Decodes the one-byte if_tsresol option value. */
export function tsUnitsFromResol(value: number): TsUnits {
  return (value & 0x80) !== 0 ? { binary: true, exp: value & 0x7f } : { binary: false, exp: value };
}

/** Where `splitTicks` writes its result, so a reader can reuse one object for every packet. */
export interface SecNsec {
  sec: number;
  nsec: number;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const TWO32 = 4294967296;

/** Converts the tick count `high * 2^32 + low` (both uint32) to seconds and nanoseconds. */
export function splitTicks(high: number, low: number, units: TsUnits, out: SecNsec): void {
  const exp = units.exp;
  if (!units.binary && exp <= 9) {
    // Long division of the 64-bit count by d = 10^exp <= 1e9, in limbs of 32, 16 and 16 bits:
    // every partial dividend stays below 1e9 * 2^16 < 2^53, so each step is exact.
    const d = POW10[exp]!;
    const qh = Math.floor(high / d);
    const x1 = (high - qh * d) * 65536 + (low >>> 16);
    const q1 = Math.floor(x1 / d);
    const x2 = (x1 - q1 * d) * 65536 + (low & 0xffff);
    const q2 = Math.floor(x2 / d);
    out.sec = qh * TWO32 + q1 * 65536 + q2;
    out.nsec = (x2 - q2 * d) * POW10[9 - exp]!;
    return;
  }
  if (units.binary && exp <= 20) {
    // Division by a power of two is exact in floating point; frac * 1e9 < 2^20 * 1e9 < 2^53.
    const ticks = high * TWO32 + low;
    if (ticks <= Number.MAX_SAFE_INTEGER) {
      const scale = 2 ** exp;
      const sec = Math.floor(ticks / scale);
      out.sec = sec;
      out.nsec = Math.floor(((ticks - sec * scale) * 1e9) / scale);
      return;
    }
  }
  const ticks = (BigInt(high) << 32n) | BigInt(low);
  const perSecond = units.binary ? 1n << BigInt(exp) : 10n ** BigInt(exp);
  out.sec = Number(ticks / perSecond);
  out.nsec = Number(((ticks % perSecond) * 1_000_000_000n) / perSecond);
}

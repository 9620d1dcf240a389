/**
 * The DSS checksum (RFC 8684 §3.3.1; the same in RFC 6824 §3.3).
 *
 * The Internet checksum (RFC 1071) of a 16-byte pseudo-header followed by the mapping's data:
 *
 *   DSN (8, always the full 64 bits, even when the option carries 32) | SSN (4, relative to the
 *   subflow's ISN) | data-level length (2) | checksum (2, zero when computing)
 *
 * It covers the whole mapping, which may span several segments, so the pieces are exposed: start
 * from `dssPseudoHeaderSum` and chain `checksumAdd` over each segment's payload as it arrives.
 * A DATA_FIN counts in the data-level length but has no byte in the payload (§3.3.3).
 */
import { checksumAdd, checksumAddU16, checksumAddU32, checksumFinish, type ChecksumAccumulator } from "../checksum.js";

/** The running sum of the pseudo-header, with the checksum field as zero. */
export function dssPseudoHeaderSum(dsn: bigint, ssn: number, dataLen: number): ChecksumAccumulator {
  let acc = checksumAddU32(0, Number((dsn >> 32n) & 0xffffffffn));
  acc = checksumAddU32(acc, Number(dsn & 0xffffffffn));
  acc = checksumAddU32(acc, ssn);
  return checksumAddU16(acc, dataLen);
}

/** The value of the DSS (or MP_CAPABLE) checksum field for a mapping carrying `payload`. */
export function dssChecksum(dsn: bigint, ssn: number, dataLen: number, payload: Uint8Array): number {
  return checksumFinish(checksumAdd(dssPseudoHeaderSum(dsn, ssn, dataLen), payload));
}

/**
 * Whether `checksum` from the wire is right for the mapping. Summed in place of the zero field it
 * must complete the sum to all ones (RFC 1071 §1), which accepts both encodings of zero.
 */
export function verifyDssChecksum(dsn: bigint, ssn: number, dataLen: number, payload: Uint8Array, checksum: number): boolean {
  const acc = checksumAddU16(dssPseudoHeaderSum(dsn, ssn, dataLen), checksum);
  return checksumFinish(checksumAdd(acc, payload)) === 0;
}

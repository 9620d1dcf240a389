/**
 * The ADD_ADDR HMAC (RFC 8684 §3.4.1; v1 only: RFC 6824's ADD_ADDR carries no HMAC).
 *
 * HMAC-SHA256 keyed by Key-sender‖Key-receiver (the MP_CAPABLE keys of the host announcing the
 * address and of its peer), over Address ID (1 byte) ‖ address (4 or 16 bytes) ‖ port (2 bytes).
 * The option carries the RIGHTMOST 64 bits of the digest (the RFC's "truncated" is from the right
 * here, unlike MP_JOIN; Linux options.c `add_addr_generate_hmac` takes `&hmac[32 - 8]`, since the
 * kernel commit "mptcp: use rightmost 64 bits in ADD_ADDR HMAC"). When the option has no port the
 * message still ends with two zero bytes: Linux always appends the 16-bit port, 0 when absent.
 */
import { writeU16 } from "../wire/bytes.js";
import type { IpAddress } from "../wire/address.js";
import { hmacSha256 } from "./hmac.js";
import { keyBytes } from "./keys.js";

/** Length of the truncated HMAC carried in ADD_ADDR (RFC 8684 §3.4.1): 64 bits. */
export const ADD_ADDR_HMAC_LENGTH = 8;

/**
 * The 8-byte ADD_ADDR HMAC. `senderKey` is the key of the host that sends the ADD_ADDR; the
 * receiver checks an incoming ADD_ADDR with `addAddrHmac(remoteKey, localKey, ...)`. `addr` is 4
 * or 16 bytes; `port` is undefined when the option has none.
 */
export function addAddrHmac(
  senderKey: bigint,
  receiverKey: bigint,
  addrId: number,
  addr: IpAddress,
  port: number | undefined,
): Uint8Array {
  const key = new Uint8Array(16);
  key.set(keyBytes(senderKey), 0);
  key.set(keyBytes(receiverKey), 8);
  const msg = new Uint8Array(1 + addr.length + 2);
  msg[0] = addrId & 0xff;
  msg.set(addr, 1);
  writeU16(msg, 1 + addr.length, (port ?? 0) & 0xffff);
  const digest = hmacSha256(key, msg);
  return digest.subarray(digest.length - ADD_ADDR_HMAC_LENGTH);
}

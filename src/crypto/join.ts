/**
 * MP_JOIN authentication (RFC 8684 §3.2; RFC 6824 §3.2 for v0).
 *
 * The initiator A (the host that sends the MP_JOIN SYN) and the listener B exchange 32-bit random
 * nonces R-A (in the SYN) and R-B (in the SYN/ACK), then prove knowledge of both connection keys:
 * - B's SYN/ACK carries HMAC(Key=Key-B‖Key-A, Msg=R-B‖R-A), truncated to its leftmost 64 bits;
 * - A's third ACK carries HMAC(Key=Key-A‖Key-B, Msg=R-A‖R-B), truncated to its leftmost 160 bits.
 * In both, the sender's key and nonce come first. HMAC-SHA256 in v1, HMAC-SHA1 in v0 (where 160
 * bits are the whole digest). Linux: net/mptcp/subflow.c `subflow_req_create_thmac`,
 * `subflow_thmac_valid`, `subflow_hmac_valid`.
 *
 * Keys are the 64-bit MP_CAPABLE keys, nonces 32-bit unsigned integers, all big-endian on the
 * wire. The parameter names say which host each belongs to, never "local" or "remote", because
 * each side computes both values: one to send and one to check.
 */
import { writeU32 } from "../wire/bytes.js";
import { mptcpHmac } from "./hmac.js";
import type { MptcpVersion } from "./hmac.js";
import { keyBytes } from "./keys.js";

/** Length of the truncated HMAC in the MP_JOIN SYN/ACK (RFC 8684 §3.2): 64 bits. */
export const JOIN_SYNACK_HMAC_LENGTH = 8;
/** Length of the HMAC in the MP_JOIN third ACK (RFC 8684 §3.2): 160 bits. */
export const JOIN_ACK_HMAC_LENGTH = 20;

/** The full HMAC keyed by sender‖receiver over senderNonce‖receiverNonce. */
function joinHmac(
  senderKey: bigint,
  receiverKey: bigint,
  senderNonce: number,
  receiverNonce: number,
  version: MptcpVersion,
): Uint8Array {
  const key = new Uint8Array(16);
  key.set(keyBytes(senderKey), 0);
  key.set(keyBytes(receiverKey), 8);
  const msg = new Uint8Array(8);
  writeU32(msg, 0, senderNonce >>> 0);
  writeU32(msg, 4, receiverNonce >>> 0);
  return mptcpHmac(version, key, msg);
}

/**
 * The 8-byte truncated HMAC of the MP_JOIN SYN/ACK, sent by the listener B: the leftmost 64 bits
 * of HMAC(Key=Key-B‖Key-A, Msg=R-B‖R-A). B computes it to send; A computes it to check what it
 * received.
 */
export function joinHmacSynAck(
  listenerKey: bigint,
  initiatorKey: bigint,
  listenerNonce: number,
  initiatorNonce: number,
  version: MptcpVersion,
): Uint8Array {
  return joinHmac(listenerKey, initiatorKey, listenerNonce, initiatorNonce, version).subarray(
    0,
    JOIN_SYNACK_HMAC_LENGTH,
  );
}

/**
 * The 20-byte HMAC of the MP_JOIN third ACK, sent by the initiator A: the leftmost 160 bits of
 * HMAC(Key=Key-A‖Key-B, Msg=R-A‖R-B). A computes it to send; B computes it to check what it
 * received.
 */
export function joinHmacAck(
  initiatorKey: bigint,
  listenerKey: bigint,
  initiatorNonce: number,
  listenerNonce: number,
  version: MptcpVersion,
): Uint8Array {
  return joinHmac(initiatorKey, listenerKey, initiatorNonce, listenerNonce, version).subarray(
    0,
    JOIN_ACK_HMAC_LENGTH,
  );
}

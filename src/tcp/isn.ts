/**
 * Initial sequence numbers per RFC 6528 §3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds and F a keyed hash, so
 * that ISNs of one 4-tuple advance with time (protecting old duplicates, RFC 9293 §3.4.1) while
 * an off-path attacker cannot guess them. RFC 6528 suggests MD5 for F; we take the first 32 bits
 * of SHA-256. The secret comes from the injected random generator, the time from the caller.
 */
import { createHash } from "node:crypto";

export interface FourTuple {
  /** 4 or 16 bytes. */
  localAddr: Uint8Array;
  localPort: number;
  remoteAddr: Uint8Array;
  remotePort: number;
}

/** The ISN for a connection opened at `now` (µs), with a per-host `secret` (RFC 6528 §3). */
export function initialSequenceNumber(tuple: FourTuple, secret: Uint8Array, now: number): number {
  const ports = new Uint8Array(4);
  ports[0] = tuple.localPort >>> 8;
  ports[1] = tuple.localPort & 0xff;
  ports[2] = tuple.remotePort >>> 8;
  ports[3] = tuple.remotePort & 0xff;
  const hash = createHash("sha256");
  const h = hash.update(tuple.localAddr).update(tuple.remoteAddr).update(ports).update(secret).digest();
  const f = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
  const m = Math.floor(now / 4) % 2 ** 32;
  return (m + f) >>> 0;
}

/**
 * The Host's source of initial sequence numbers (RFC 6528 §3, ISN = M + F(4-tuple, secret)):
 * one secret per Host, drawn once from the injected RandomSource (at least 128 bits, RFC 6528
 * §3), and M from the `now` the caller passes in. The function itself is the TCP engine's
 * (src/tcp/isn.ts).
 */
import type { RandomSource } from "../crypto/random.js";
import { initialSequenceNumber } from "../tcp/isn.js";
import type { IpAddress } from "../wire/address.js";

const SECRET_BYTES = 16;

export class IsnGenerator {
  private readonly secret: Uint8Array;

  constructor(random: RandomSource) {
    this.secret = new Uint8Array(SECRET_BYTES);
    random.fillBytes(this.secret);
  }

  /** The ISN of the connection `local:localPort` ↔ `remote:remotePort` opened at `now` (µs). */
  isn(local: IpAddress, localPort: number, remote: IpAddress, remotePort: number, now: number): number {
    return initialSequenceNumber({ localAddr: local, localPort, remoteAddr: remote, remotePort }, this.secret, now);
  }
}

/**
 * The per-Host table of local MPTCP tokens (RFC 8684 §3.1, §3.2).
 *
 * A token (the top 32 bits of the hash of our key) names one connection to the peer: an MP_JOIN
 * SYN carries the token of the connection it wants to join, so the Host finds the connection by
 * it. Tokens must therefore be unique among this Host's connections; §3.1 says a host SHOULD
 * check for a collision before sending its key and pick a new key if there is one, which
 * `allocate` does (through crypto's `generateUniqueKey`). A key is reserved from the moment it is
 * chosen (the SYN for a client, the SYN/ACK for a server), so that two half-open connections
 * cannot pick the same token.
 */
import { generateUniqueKey, type KeyMaterial } from "../crypto/keys.js";
import type { MptcpVersion } from "../crypto/hmac.js";
import type { RandomSource } from "../crypto/random.js";

export class TokenTable<T> {
  private readonly byToken = new Map<number, T>();

  /** `maxEntries` bounds the table (RFC 7430: the connections a Host will hold). */
  constructor(private readonly maxEntries = Number.POSITIVE_INFINITY) {}

  /** Tokens in use. */
  get size(): number {
    return this.byToken.size;
  }

  has(token: number): boolean {
    return this.byToken.has(token >>> 0);
  }

  /**
   * Picks a fresh key whose token is unused and registers `owner` under that token. Undefined
   * when the table is full or the random source keeps producing tokens in use (then the
   * connection is refused or falls back to plain TCP).
   */
  allocate(rng: RandomSource, version: MptcpVersion, owner: T): KeyMaterial | undefined {
    if (this.byToken.size >= this.maxEntries) return undefined;
    const material = generateUniqueKey(rng, version, (t) => this.byToken.has(t));
    if (material !== undefined) this.byToken.set(material.token, owner);
    return material;
  }

  /** Registers `owner` under a token computed elsewhere; false if it is taken or the table full. */
  register(token: number, owner: T): boolean {
    const t = token >>> 0;
    if (this.byToken.has(t) || this.byToken.size >= this.maxEntries) return false;
    this.byToken.set(t, owner);
    return true;
  }

  /** The connection an MP_JOIN SYN names (§3.2); undefined for an unknown token [MPJoinNoTokenFound]. */
  lookup(token: number): T | undefined {
    return this.byToken.get(token >>> 0);
  }

  /** Releases a token when its connection is gone. */
  remove(token: number): boolean {
    return this.byToken.delete(token >>> 0);
  }
}

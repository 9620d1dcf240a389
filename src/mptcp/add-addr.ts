/**
 * ADD_ADDR signalling of one connection (RFC 8684 §3.4.1): the announcing side's retransmission
 * state, the receiving side's HMAC check, and the echo.
 *
 * §3.4.1: an ADD_ADDR is not delivered reliably (it rides on a TCP ACK), so the receiver echoes
 * it (same option with the E flag, without HMAC) and the sender retransmits until the echo
 * arrives. Linux retransmits after `net.mptcp.add_addr_timeout` (120 s by default) at most
 * `ADD_ADDR_RETRANS_MAX` (3) times, then gives up (net/mptcp/pm.c `mptcp_pm_add_timer`); the
 * same here, with the timeout configurable. Time is integer microseconds, passed in.
 *
 * The receiver checks the HMAC (the rightmost 64 bits of HMAC-SHA256 keyed by the sender's key
 * then ours, crypto `addAddrHmac`); a wrong or missing one means the option did not come from the
 * peer, and §3.4.1 says to drop it silently [AddAddrDrop]. v0 (RFC 6824) ADD_ADDR has no HMAC.
 */
import { addAddrHmac } from "../crypto/add-addr.js";
import { hmacEqual } from "../crypto/hmac.js";
import { addressEquals, type IpAddress } from "../wire/address.js";
import type { AddAddr } from "../wire/mptcp/types.js";
import { bump, type MptcpCounters } from "./counters.js";

/** An address announced or learnt: Address ID, IP address, optional port. */
export interface AnnouncedAddress {
  addrId: number;
  addr: IpAddress;
  port?: number;
}

/** `net.mptcp.add_addr_timeout` default: 120 s, in µs. */
export const DEFAULT_ADD_ADDR_TIMEOUT_US = 120_000_000;

/** Linux `ADD_ADDR_RETRANS_MAX`: retransmissions after the first ADD_ADDR. */
export const ADD_ADDR_RETRANS_MAX = 3;

export interface AddAddrSenderConfig {
  /** Time between transmissions while no echo arrives; 0 means never retransmit. */
  timeoutUs: number;
  /** Retransmissions after the first transmission. */
  maxRetransmissions: number;
}

export const DEFAULT_ADD_ADDR_SENDER: AddAddrSenderConfig = {
  timeoutUs: DEFAULT_ADD_ADDR_TIMEOUT_US,
  maxRetransmissions: ADD_ADDR_RETRANS_MAX,
};

interface Pending {
  address: AnnouncedAddress;
  /** Transmissions so far. */
  sent: number;
  /** When the next transmission is due; undefined once no more will be sent. */
  dueAt: number | undefined;
}

/** Whether two announcements name the same address and port (the ID aside). */
export function sameAddress(a: AnnouncedAddress, b: AnnouncedAddress): boolean {
  return addressEquals(a.addr, b.addr) && (a.port ?? 0) === (b.port ?? 0);
}

/** The announcing side: which ADD_ADDR to send when, until echoed. */
export class AddAddrSender {
  private readonly pending: Pending[] = [];

  constructor(private readonly config: AddAddrSenderConfig = DEFAULT_ADD_ADDR_SENDER) {}

  /** Announcements still being (re)transmitted: not echoed and not given up on. */
  get outstanding(): readonly AnnouncedAddress[] {
    return this.pending.filter((p) => p.dueAt !== undefined).map((p) => p.address);
  }

  /** Queues `address` for announcement now. Announcing the same address again restarts it. */
  announce(address: AnnouncedAddress, now: number): void {
    this.withdraw(address.addrId);
    this.pending.push({ address, sent: 0, dueAt: now });
  }

  /** The ADD_ADDR `pollTransmit(now)` would return, without recording a transmission. */
  due(now: number): AnnouncedAddress | undefined {
    for (const p of this.pending) if (p.dueAt !== undefined && p.dueAt <= now) return p.address;
    return undefined;
  }

  /** Whether `addrId` is announced and not yet echoed (retransmissions over or not). */
  has(addrId: number): boolean {
    return this.pending.some((p) => p.address.addrId === addrId);
  }

  /**
   * The next ADD_ADDR due at `now`, to put on a pure ACK [AddAddrTx]; records the transmission and
   * schedules the retransmission. Call until it returns undefined.
   */
  pollTransmit(now: number): AnnouncedAddress | undefined {
    for (const p of this.pending) {
      if (p.dueAt === undefined || p.dueAt > now) continue;
      p.sent++;
      const more = p.sent <= this.config.maxRetransmissions && this.config.timeoutUs > 0;
      p.dueAt = more ? now + this.config.timeoutUs : undefined;
      return p.address;
    }
    return undefined;
  }

  /** The earliest time `pollTransmit` has something to send, if any. */
  pollTimeout(): number | undefined {
    let t: number | undefined;
    for (const p of this.pending) if (p.dueAt !== undefined && (t === undefined || p.dueAt < t)) t = p.dueAt;
    return t;
  }

  /**
   * An echo arrived (§3.4.1): stops the retransmissions of the matching announcement. False when
   * it matches nothing outstanding (a late duplicate echo, or one we never asked for).
   */
  onEcho(echo: AnnouncedAddress): boolean {
    const i = this.pending.findIndex((p) => p.address.addrId === echo.addrId && sameAddress(p.address, echo));
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }

  /** Stops announcing `addrId` (the address went away: REMOVE_ADDR follows, §3.4.2). */
  withdraw(addrId: number): boolean {
    const i = this.pending.findIndex((p) => p.address.addrId === addrId);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }
}

/** The ADD_ADDR option announcing `a`, with its HMAC (§3.4.1). */
export function addAddrOption(a: AnnouncedAddress, localKey: bigint, remoteKey: bigint): AddAddr {
  const opt: AddAddr = { subtype: "ADD_ADDR", version: 1, echo: false, addrId: a.addrId, addr: a.addr };
  if (a.port !== undefined) opt.port = a.port;
  opt.hmac = addAddrHmac(localKey, remoteKey, a.addrId, a.addr, a.port);
  return opt;
}

/** The echo of a received ADD_ADDR: the same ID, address and port, E set, no HMAC (§3.4.1). */
export function addAddrEcho(a: AnnouncedAddress): AddAddr {
  const opt: AddAddr = { subtype: "ADD_ADDR", version: 1, echo: true, addrId: a.addrId, addr: a.addr };
  if (a.port !== undefined) opt.port = a.port;
  return opt;
}

/** What a received ADD_ADDR means. */
export type AddAddrReceived =
  /** A valid announcement: echo it, and let the path manager decide whether to join [AddAddr]. */
  | { kind: "announce"; address: AnnouncedAddress }
  /** The echo of one of ours [EchoAdd]. */
  | { kind: "echo"; address: AnnouncedAddress }
  /** A missing or wrong HMAC: drop silently [AddAddrDrop]. */
  | { kind: "drop"; reason: "bad-hmac" | "missing-hmac" };

/**
 * Classifies a received ADD_ADDR and counts it. `remoteKey` is the announcing peer's key and
 * `localKey` ours; `version` the connection's MPTCP version (v0 has no HMAC to check). The
 * address bytes are copied, since the option is a view of the packet.
 */
export function receiveAddAddr(
  opt: AddAddr,
  remoteKey: bigint,
  localKey: bigint,
  version: 0 | 1,
  counters: MptcpCounters,
): AddAddrReceived {
  const address: AnnouncedAddress = { addrId: opt.addrId, addr: opt.addr.slice() };
  if (opt.port !== undefined) address.port = opt.port;
  if (opt.echo) {
    bump(counters, "EchoAdd");
    return { kind: "echo", address };
  }
  if (version === 1) {
    if (opt.hmac === undefined) {
      bump(counters, "AddAddrDrop");
      return { kind: "drop", reason: "missing-hmac" };
    }
    if (!hmacEqual(opt.hmac, addAddrHmac(remoteKey, localKey, opt.addrId, opt.addr, opt.port))) {
      bump(counters, "AddAddrDrop");
      return { kind: "drop", reason: "bad-hmac" };
    }
  }
  bump(counters, "AddAddr");
  if (opt.port !== undefined) bump(counters, "PortAdd");
  return { kind: "announce", address };
}

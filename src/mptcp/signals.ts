/**
 * The address signals of one connection that wait for a pure ACK (RFC 8684 §3.4): our ADD_ADDRs
 * until echoed (`AddAddrSender`), the echoes we owe the peer, and our REMOVE_ADDRs.
 *
 * They are connection-level, so any established subflow may carry them; the connection picks one
 * (the `carrier`) and asks it for an ACK. Linux sends each on a pure ACK (`mptcp_pm_send_ack`), and
 * an ADD_ADDR there replaces the DSS (options.c `mptcp_established_options_add_addr`,
 * `drop_other_suboptions`): with timestamps, an IPv6 ADD_ADDR takes all the option space left. The
 * Data ACK follows on the next ACK.
 *
 * A segment is planned twice (the hook's `reserve`, then `options`), so `next` only looks and
 * `sent` records what went out.
 */
import { addressEquals } from "../wire/address.js";
import type { IpAddress } from "../wire/address.js";
import type { AddAddr, MptcpOption, RemoveAddr } from "../wire/mptcp/types.js";
import type { AddAddrSenderConfig, AddAddrReceived, AnnouncedAddress } from "./add-addr.js";
import { AddAddrSender, addAddrEcho, addAddrOption, receiveAddAddr, sameAddress } from "./add-addr.js";
import type { MptcpCounters } from "./counters.js";
import { bump } from "./counters.js";

/** Linux reads at most 8 IDs from a REMOVE_ADDR (`MPTCP_RM_IDS_MAX`); we send no more either. */
export const RM_IDS_MAX = 8;

/**
 * Echoes owed to the peer at once (RFC 7430: an authenticated peer can still announce faster than
 * pure ACKs carry the echoes). Linux holds one and drops the echo of an ADD_ADDR that arrives
 * while it is pending, counted EchoAddTxDrop (pm.c `mptcp_pm_announce_addr`); one per address the
 * path manager can use (`MPTCP_PM_ADDR_MAX`) is kept here. The peer retransmits an unechoed one.
 */
export const ECHOES_MAX = 8;

/** What the connection needs to sign and count signals. */
export interface SignalKeys {
  /** Our key and the peer's, once both are known. */
  keys(): { local: bigint; remote: bigint } | undefined;
  readonly counters: MptcpCounters;
}

export class AddressSignals {
  private readonly sender: AddAddrSender;
  private readonly echoes: AnnouncedAddress[] = [];
  private removals: number[] = [];
  /** When each announcement that went out for the last time is given up, unless echoed. */
  private readonly giveUpAt = new Map<number, number>();
  /** Our announced addresses by ID (ours to withdraw with REMOVE_ADDR, §3.4.2). */
  readonly local = new Map<number, AnnouncedAddress>();
  /** The peer's announced addresses by ID (ADD_ADDR, §3.4.1). */
  readonly peer = new Map<number, AnnouncedAddress>();
  /** The peer withdrew the address of the initial subflow (REMOVE_ADDR with ID 0, §3.4.2). */
  peerInitialRemoved = false;

  constructor(
    private readonly ctx: SignalKeys,
    private readonly cfg: AddAddrSenderConfig,
  ) {
    this.sender = new AddAddrSender(cfg);
  }

  /** Whether a signal is due at `now`. */
  pending(now: number): boolean {
    return this.echoes.length > 0 || this.removals.length > 0 || this.sender.due(now) !== undefined;
  }

  /**
   * The earliest time something is due: a (re)transmission, or giving one up. `canSend`: whether
   * a subflow could carry an ADD_ADDR now; without one only giving up is due (a transmission that
   * cannot happen would be due at once for ever).
   */
  timeout(canSend: () => boolean): number | undefined {
    let t: number | undefined;
    for (const g of this.giveUpAt.values()) if (t === undefined || g < t) t = g;
    const send = this.sender.pollTimeout();
    if (send !== undefined && (t === undefined || send < t) && canSend()) t = send;
    return t;
  }

  /**
   * Timers at `now`: the IDs of announcements given up after their last retransmission went
   * unechoed (the path manager moves on, as Linux's `mptcp_pm_add_timer` does).
   */
  onTimer(now: number): number[] {
    const out: number[] = [];
    for (const [id, t] of this.giveUpAt) {
      if (t > now) continue;
      this.giveUpAt.delete(id);
      this.sender.withdraw(id);
      out.push(id);
    }
    return out;
  }

  /** Announces our `address` (§3.4.1); an ID announced before is replaced. */
  announce(address: AnnouncedAddress, now: number): void {
    this.giveUpAt.delete(address.addrId);
    this.local.set(address.addrId, address);
    this.sender.announce(address, now);
  }

  /** Withdraws our address `id` (§3.4.2): REMOVE_ADDR goes on the next pure ACK. */
  remove(id: number): void {
    this.sender.withdraw(id);
    this.giveUpAt.delete(id);
    this.local.delete(id);
    if (!this.removals.includes(id)) this.removals.push(id);
  }

  /** Our announcement of `address`, by ID. */
  announced(id: number): AnnouncedAddress | undefined {
    return this.local.get(id);
  }

  /** The IDs under which we announced `addr`, with any port or none. */
  idsAnnouncing(addr: IpAddress): number[] {
    const out: number[] = [];
    for (const a of this.local.values()) if (addressEquals(a.addr, addr)) out.push(a.addrId);
    return out;
  }

  /** The ID under which we announced `addr` (and `port`, if given), if we did. */
  idOf(addr: IpAddress, port?: number): number | undefined {
    for (const a of this.local.values()) if (sameAddress(a, { addrId: a.addrId, addr, ...(port !== undefined ? { port } : {}) })) return a.addrId;
    return undefined;
  }

  /** The signal a pure ACK at `now` carries, without recording it (see `sent`). */
  next(now: number): MptcpOption | undefined {
    const echo = this.echoes[0];
    if (echo !== undefined) return addAddrEcho(echo);
    if (this.removals.length > 0) return { subtype: "REMOVE_ADDR", addrIds: this.removals.slice(0, RM_IDS_MAX) };
    const keys = this.ctx.keys();
    const due = this.sender.due(now);
    if (due === undefined || keys === undefined) return undefined;
    return addAddrOption(due, keys.local, keys.remote);
  }

  /**
   * The ADD_ADDR due at `now` cannot go out (it does not fit in any ACK of the subflows, as an IPv6
   * address with a port beside timestamps): given up [AddAddrTxDrop]. Returns its ID.
   */
  dropDue(now: number): number | undefined {
    const due = this.sender.due(now);
    if (due === undefined) return undefined;
    this.sender.withdraw(due.addrId);
    this.local.delete(due.addrId);
    bump(this.ctx.counters, "AddAddrTxDrop");
    return due.addrId;
  }

  /** `option`, planned by `next(now)`, went out. */
  sent(option: MptcpOption, now: number): void {
    const c = this.ctx.counters;
    if (option.subtype === "ADD_ADDR") {
      if (option.echo) {
        this.echoes.shift();
        bump(c, "EchoAddTx");
        return;
      }
      const a = this.sender.pollTransmit(now);
      bump(c, "AddAddrTx");
      // After the last transmission, one more timeout for the echo, then give up (§3.4.1).
      if (a !== undefined && !this.sender.outstanding.some((o) => o.addrId === a.addrId)) this.giveUpAt.set(a.addrId, now + this.cfg.timeoutUs);
    } else if (option.subtype === "REMOVE_ADDR") {
      this.removals = this.removals.filter((id) => !option.addrIds.includes(id));
      bump(c, "RmAddrTx");
    }
  }

  /**
   * A received ADD_ADDR (§3.4.1): an announcement to echo (and to remember), an echo of ours,
   * or a silent drop for a bad HMAC [AddAddrDrop].
   */
  receiveAddAddr(opt: AddAddr): AddAddrReceived {
    const keys = this.ctx.keys();
    if (keys === undefined) return { kind: "drop", reason: "missing-hmac" };
    const r = receiveAddAddr(opt, keys.remote, keys.local, 1, this.ctx.counters);
    if (r.kind === "echo") {
      if (this.sender.onEcho(r.address)) this.giveUpAt.delete(r.address.addrId);
    } else if (r.kind === "announce") {
      // §3.4.1: echoed every time it arrives (the echo may have been lost, so it came again).
      if (!this.echoes.some((e) => e.addrId === r.address.addrId && sameAddress(e, r.address))) {
        if (this.echoes.length < ECHOES_MAX) this.echoes.push(r.address);
        else bump(this.ctx.counters, "EchoAddTxDrop");
      }
      this.peer.set(r.address.addrId, r.address);
    }
    return r;
  }

  /** A received REMOVE_ADDR (§3.4.2): the IDs the peer no longer has, forgotten here. */
  receiveRemoveAddr(opt: RemoveAddr): number[] {
    bump(this.ctx.counters, "RmAddr");
    for (const id of opt.addrIds) {
      this.peer.delete(id);
      if (id === 0) this.peerInitialRemoved = true;
    }
    return opt.addrIds;
  }
}

/**
 * The in-kernel path manager's decisions for one connection, from the Host's endpoint table and
 * limits (Linux net/mptcp/pm_netlink.c / pm_kernel.c `mptcp_pm_create_subflow_or_signal_addr`,
 * `mptcp_pm_nl_add_addr_received`). It only decides; the connection carries the actions out
 * (sends ADD_ADDR and echoes, opens MP_JOIN subflows) and reports back.
 *
 * When the connection is fully established, and again whenever a subflow is established or an
 * announcement completes (echoed, or given up after its retransmissions), the PM:
 * 1. announces the next `signal` endpoint not yet used, one at a time (RFC 8684 §3.4.1);
 * 2. opens subflows from each unused `subflow` endpoint while under the `subflows` limit: towards
 *    the peer's initial address, unless the peer set flag C in MP_CAPABLE (§3.1: do not open
 *    subflows to its initial address), or, for a `fullmesh` endpoint, towards every peer address
 *    with a subflow.
 * An ADD_ADDR from the peer is always echoed; it is acted on while under the `add_addr_accepted`
 * and `subflows` limits and when no subflow goes to that address already, with one subflow from
 * each `fullmesh` endpoint, or else one from the address routing picks.
 * An incoming MP_JOIN is accepted while under the `subflows` limit.
 *
 * The endpoint whose address is the initial subflow's own is used up by that subflow; if it is a
 * `backup` endpoint, the initial subflow is marked backup with MP_PRIO (§3.3.8).
 */
import { addressEquals, type IpAddress } from "../../wire/address.js";
import type { AnnouncedAddress } from "../add-addr.js";
import type { Endpoint, EndpointTable } from "./endpoints.js";

/** A peer address: its Address ID (0 for the initial one), IP address and port. */
export interface PeerAddress {
  addrId: number;
  addr: IpAddress;
  port: number;
}

export type PmAction =
  /** Announce this endpoint with ADD_ADDR. */
  | { kind: "announce"; endpoint: Endpoint }
  /** Echo the peer's ADD_ADDR. */
  | { kind: "echo"; address: AnnouncedAddress }
  /**
   * Open an MP_JOIN subflow from `local` (undefined: the address routing picks, ID 0 or the
   * endpoint matching it) to `remote`.
   */
  | { kind: "connect"; local: Endpoint | undefined; remote: PeerAddress; backup: boolean }
  /** Mark the initial subflow as backup (MP_PRIO B=1). */
  | { kind: "prio"; backup: boolean };

export interface ConnectionAddresses {
  /** The initial subflow's local address. */
  local: IpAddress;
  /** The peer's initial address and port. */
  remote: IpAddress;
  remotePort: number;
  /** The peer set flag C in its MP_CAPABLE (§3.1). */
  remoteDenyJoinId0: boolean;
}

export class KernelPathManager {
  /** Extra subflows opened or accepted (Linux `pm.subflows`). */
  private subflowCount = 0;
  private addAddrAcceptedCount = 0;
  /**
   * Endpoint IDs no longer available to this connection: announced, and used for subflows (their
   * counts are Linux's `add_addr_signaled` and `local_addr_used`).
   */
  private readonly announcedIds = new Set<number>();
  private readonly localIds = new Set<number>();
  /** Peer addresses with a subflow, by Address ID. */
  private readonly peers = new Map<number, PeerAddress>();
  private mpcAccounted = false;

  constructor(
    private readonly endpoints: EndpointTable,
    private readonly conn: ConnectionAddresses,
  ) {
    this.peers.set(0, { addrId: 0, addr: conn.remote, port: conn.remotePort });
  }

  get subflows(): number {
    return this.subflowCount;
  }

  get addAddrAccepted(): number {
    return this.addAddrAcceptedCount;
  }

  get addAddrSignaled(): number {
    return this.announcedIds.size;
  }

  /** The connection is fully established (§3.1): first announcements and subflows. */
  onFullyEstablished(): PmAction[] {
    return this.createSubflowOrSignal();
  }

  /**
   * A subflow was established, an announcement completed, or an endpoint was added (Linux
   * `mptcp_nl_add_subflow_or_signal_addr` revisits every fully established connection):
   * continue where the limits allow.
   */
  onProgress(): PmAction[] {
    return this.createSubflowOrSignal();
  }

  /**
   * `ip mptcp endpoint delete`: what this connection did with the endpoint no longer counts
   * (Linux decrements `add_addr_signaled` when it withdraws an announcement and `local_addr_used`
   * when it closes the endpoint's subflows), so an endpoint added again is used again.
   */
  onEndpointDeleted(id: number): void {
    this.announcedIds.delete(id);
    this.localIds.delete(id);
  }

  private createSubflowOrSignal(): PmAction[] {
    const out: PmAction[] = [];
    const limits = this.endpoints.limits;
    if (!this.mpcAccounted) {
      this.mpcAccounted = true;
      const mpc = this.endpoints.lookup(this.conn.local);
      // Used by the initial subflow (`available`).
      if (mpc?.flags.backup === true) out.push({ kind: "prio", backup: true });
    }
    if (this.announcedIds.size < this.endpoints.signalCount) {
      const next = this.endpoints.list().find((e) => e.flags.signal && this.available(e));
      if (next !== undefined) {
        this.announcedIds.add(next.id);
        out.push({ kind: "announce", endpoint: next });
      }
    }
    while (this.localIds.size < this.endpoints.subflowCount && this.subflowCount < limits.subflows) {
      const local = this.endpoints.list().find((e) => e.flags.subflow && this.available(e));
      if (local === undefined) break;
      this.localIds.add(local.id);
      for (const remote of this.remotesFor(local)) {
        this.subflowCount++;
        out.push({ kind: "connect", local, remote, backup: local.flags.backup });
      }
    }
    return out;
  }

  /**
   * Whether endpoint `e` is still to be used. The initial subflow's address is used by that
   * subflow, also when its endpoint is added again under another ID (Linux `mpc_endpoint_id`).
   */
  private available(e: Endpoint): boolean {
    return !this.announcedIds.has(e.id) && !this.localIds.has(e.id) && !addressEquals(e.addr, this.conn.local);
  }

  /** Linux `fill_remote_addresses_vec`. */
  private remotesFor(local: Endpoint): PeerAddress[] {
    const family = local.addr.length;
    if (!local.flags.fullmesh) {
      const initial = this.peers.get(0)!;
      if (this.conn.remoteDenyJoinId0 || initial.addr.length !== family) return [];
      return [initial];
    }
    const out: PeerAddress[] = [];
    for (const peer of this.peers.values()) {
      if (peer.addrId === 0 && this.conn.remoteDenyJoinId0) continue;
      if (peer.addr.length !== family) continue;
      if (this.subflowCount + out.length >= this.endpoints.limits.subflows) break;
      out.push(peer);
    }
    return out;
  }

  /**
   * A valid ADD_ADDR from the peer (§3.4.1). Always echoed; acted on within the limits, unless it
   * names the peer's initial address or one that already has a subflow.
   */
  onAddAddr(address: AnnouncedAddress): PmAction[] {
    const out: PmAction[] = [{ kind: "echo", address }];
    const limits = this.endpoints.limits;
    if (this.addAddrAcceptedCount >= limits.addAddrAccepted || this.subflowCount >= limits.subflows) return out;
    // Linux `lookup_subflow_by_daddr`: ports are compared only when the ADD_ADDR has one.
    for (const p of this.peers.values()) {
      if (addressEquals(p.addr, address.addr) && (address.port === undefined || p.port === address.port)) return out;
    }
    const port = address.port ?? this.conn.remotePort;
    const remote: PeerAddress = { addrId: address.addrId, addr: address.addr, port };
    const locals = this.endpoints.list().filter((e) => e.flags.fullmesh && e.addr.length === address.addr.length);
    const actions: PmAction[] = [];
    for (const local of locals) {
      if (this.subflowCount >= limits.subflows) break;
      this.subflowCount++;
      actions.push({ kind: "connect", local, remote, backup: local.flags.backup });
    }
    if (actions.length === 0) {
      this.subflowCount++;
      actions.push({ kind: "connect", local: undefined, remote, backup: false });
    }
    this.addAddrAcceptedCount++;
    this.peers.set(address.addrId, remote);
    return out.concat(actions);
  }

  /** An MP_JOIN SYN for this connection arrived: whether the limits allow one more subflow. */
  allowIncomingJoin(): boolean {
    if (this.subflowCount >= this.endpoints.limits.subflows) return false;
    this.subflowCount++;
    return true;
  }

  /**
   * The peer removed an address (REMOVE_ADDR, §3.4.2) and its subflows were closed: it no longer
   * counts against `add_addr_accepted`.
   */
  onRemoteAddressRemoved(addrId: number, subflowsClosed: number): void {
    if (addrId !== 0 && this.peers.delete(addrId)) this.addAddrAcceptedCount = Math.max(0, this.addAddrAcceptedCount - 1);
    this.subflowCount = Math.max(0, this.subflowCount - subflowsClosed);
  }

  /** A subflow other than the initial one closed (failure, RST, local address gone). */
  onSubflowClosed(): void {
    this.subflowCount = Math.max(0, this.subflowCount - 1);
  }
}

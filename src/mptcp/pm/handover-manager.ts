/**
 * Runs a handover policy (handover.ts) for every connection a host opens, as a userspace path
 * manager does on Linux (mptcpd and its plugins): it listens to the device's interface events and
 * to the connections' own ("connected", "subflow-up", "subflow-down"), asks the connection's
 * policy what to do, and carries it out with the connection's path-manager commands
 * (`openSubflow`, `setBackup`, `removeAddress`, `closeSubflow`).
 *
 * Only the connections the host opens are managed, each with the host's policy or the one given
 * for it (`choose`); "kernel" leaves a connection to the endpoints. The mobile device decides, its
 * peer follows the signals (MP_JOIN, MP_PRIO, REMOVE_ADDR). Inputs are queued and handled by
 * `service`, which the host calls before it lets its connections move data, so that no command
 * runs inside a connection's own event.
 */
import type { MptcpConnection } from "../connection.js";
import type { MptcpConnectionEvent } from "../events.js";
import type { JoinSubflow } from "../join.js";
import type { Subflow } from "../subflow.js";
import { addressEquals, formatAddress, type IpAddress } from "../../wire/address.js";
import type { HandoverAction, HandoverMode } from "./handover.js";
import { HandoverPolicy } from "./handover.js";

/** One managed connection: its policy, and the joins it asked for that are not up yet. */
interface Managed {
  policy: HandoverPolicy;
  opening: Map<number, JoinSubflow>;
}

type Input = { kind: "event"; event: MptcpConnectionEvent } | { kind: "link"; iface: number; up: boolean };

export class HandoverManager {
  private readonly managed = new Map<MptcpConnection, Managed>();
  /** Connections given their own path manager (`choose`). */
  private readonly chosen = new WeakMap<MptcpConnection, HandoverMode | "kernel">();
  private readonly up: boolean[];
  private readonly inbox: Input[] = [];

  constructor(
    /** The host's path manager, for connections not given their own. */
    readonly mode: HandoverMode | "kernel",
    /** The host's interfaces' addresses, by index. */
    private readonly interfaces: readonly (readonly IpAddress[])[],
  ) {
    this.up = interfaces.map(() => true);
  }

  /** `conn` (not yet connected) runs `mode` instead of the host's path manager. */
  choose(conn: MptcpConnection, mode: HandoverMode | "kernel"): void {
    this.chosen.set(conn, mode);
  }

  /** Whether a handover policy runs `conn`'s subflows. */
  manages(conn: MptcpConnection): boolean {
    return this.managed.has(conn);
  }

  /** A connection's event, as the host emits it. */
  observe(event: MptcpConnectionEvent): void {
    if (event.connection.role !== "client") return;
    if (event.type === "connected" || event.type === "subflow-up" || event.type === "subflow-down" || event.type === "closed") {
      this.inbox.push({ kind: "event", event });
    }
  }

  /** The device's link monitor: the interface went down or came up. */
  link(iface: number, up: boolean): void {
    if (iface < 0 || iface >= this.up.length || this.up[iface] === up) return;
    this.up[iface] = up;
    this.inbox.push({ kind: "link", iface, up });
  }

  /** Handles what came in since the last call. Returns whether anything was done. */
  service(): boolean {
    if (this.inbox.length === 0 && !this.anyOpening()) return false;
    let acted = false;
    for (const [conn, m] of this.managed) {
      // A join that failed before it came up raises no "subflow-down".
      for (const [iface, join] of m.opening) {
        if (join.state !== "closed") continue;
        m.opening.delete(iface);
        acted = this.apply(conn, m, m.policy.onSubflowDown(iface)) || acted;
      }
    }
    for (let input = this.inbox.shift(); input !== undefined; input = this.inbox.shift()) {
      if (input.kind === "link") {
        for (const [conn, m] of this.managed) {
          acted = this.apply(conn, m, input.up ? m.policy.onInterfaceUp(input.iface) : m.policy.onInterfaceDown(input.iface)) || acted;
        }
        continue;
      }
      const e = input.event;
      const conn = e.connection;
      if (e.type === "connected") {
        const initial = conn.subflow;
        const iface = initial === undefined ? undefined : this.ifaceOf(initial.local);
        const mode = this.chosen.get(conn) ?? this.mode;
        if (iface === undefined || conn.mode !== "mptcp" || mode === "kernel") continue;
        const reach = this.interfaces.flatMap((addrs, index) => (addrs.some((a) => a.length === initial!.remote.length) ? [{ index, up: this.up[index]! }] : []));
        const m: Managed = { policy: new HandoverPolicy(mode, reach, iface), opening: new Map() };
        this.managed.set(conn, m);
        acted = this.apply(conn, m, m.policy.onEstablished()) || acted;
        // The interface may have gone while the handshake ran.
        if (!this.up[iface]) acted = this.apply(conn, m, m.policy.onInterfaceDown(iface)) || acted;
        continue;
      }
      if (e.type === "closed") {
        this.managed.delete(conn);
        continue;
      }
      const m = this.managed.get(conn);
      if (m === undefined || (e.type !== "subflow-up" && e.type !== "subflow-down")) continue;
      const iface = this.ifaceOf(e.subflow.local);
      if (iface === undefined) continue;
      m.opening.delete(iface);
      acted = this.apply(conn, m, e.type === "subflow-up" ? m.policy.onSubflowUp(iface) : m.policy.onSubflowDown(iface)) || acted;
    }
    return acted;
  }

  private anyOpening(): boolean {
    for (const m of this.managed.values()) if (m.opening.size > 0) return true;
    return false;
  }

  private apply(conn: MptcpConnection, m: Managed, actions: readonly HandoverAction[]): boolean {
    const initial = conn.subflow;
    if (initial === undefined) return false;
    for (const a of actions) {
      const local = this.interfaces[a.iface]?.find((x) => x.length === initial.remote.length);
      if (local === undefined) continue;
      switch (a.kind) {
        case "open": {
          // Towards the peer's initial address, or one it announced once it withdrew that.
          const to = conn.joinTarget();
          let join: JoinSubflow | undefined;
          try {
            join = to === undefined ? undefined : conn.openSubflow(local, to.addr, to.port, { backup: a.backup });
          } catch {
            join = undefined;
          }
          // Refused at once (subflow limit, no route): not retried; the interface stays "opening"
          // for the policy, so it asks for nothing more there.
          if (join !== undefined) m.opening.set(a.iface, join);
          break;
        }
        case "prio":
          conn.setBackupFrom(local, a.backup);
          break;
        case "remove":
          m.opening.delete(a.iface);
          conn.removeLocalAddress(local);
          break;
        case "close":
          for (const s of subflowsFrom(conn, local)) conn.closeSubflow(s);
          break;
      }
    }
    return actions.length > 0;
  }

  private ifaceOf(local: IpAddress | string): number | undefined {
    const text = typeof local === "string" ? local : formatAddress(local);
    const i = this.interfaces.findIndex((addrs) => addrs.some((a) => formatAddress(a) === text));
    return i < 0 ? undefined : i;
  }
}

/** The connection's subflows (initial and joined) from `local` that are not closed. */
function subflowsFrom(conn: MptcpConnection, local: IpAddress): (Subflow | JoinSubflow)[] {
  const out: (Subflow | JoinSubflow)[] = [];
  if (conn.subflow !== undefined && conn.subflow.state !== "CLOSED" && addressEquals(conn.subflow.local, local)) out.push(conn.subflow);
  for (const j of conn.joinedSubflows) if (j.state !== "closed" && j.subflow !== undefined && addressEquals(j.subflow.local, local)) out.push(j);
  return out;
}

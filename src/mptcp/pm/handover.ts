/**
 * Handover path managers for a mobile host with several interfaces (WiFi and cellular), after
 * the three modes of Paasch et al., "Exploring Mobile/WiFi Handover with Multipath TCP"
 * (CellNet'12; RFC 8041 §2.2):
 * - `full`: every interface carries data at once; when one goes, the others carry on;
 * - `backup`: the other interfaces get subflows at once, with the backup flag (MP_JOIN B,
 *   RFC 8684 §3.3.8), and carry nothing until the active one goes; then MP_PRIO makes one of them
 *   regular. When a more preferred interface comes back, it becomes the active one again and the
 *   others return to backup (MP_PRIO B=1);
 * - `single-path`: one subflow at a time. When the active interface goes, a subflow is opened on
 *   the next one (MP_JOIN, break before make) and the old address is withdrawn once that subflow
 *   is up (REMOVE_ADDR needs a subflow to carry it, §3.4.2). When a more preferred interface comes
 *   back, a subflow is opened on it and the other one closed once it is up (the old path still
 *   works, so this way round costs nothing).
 *
 * In every mode, when the last subflow is gone (reset by a box or the peer, timed out) a new one
 * is opened, since the connection waits for one (close-timeout.ts): from the next interface up,
 * else from the same interface if it is up and that subflow had been up. An interface whose join
 * failed is not tried again until a subflow comes up or the interface comes back, so failing
 * joins cannot follow one another while the connection waits.
 *
 * The policy only decides, one instance per connection, as `KernelPathManager` does: its inputs
 * are what a device's link monitor and the connection report (an interface went down or came
 * up, a subflow from an interface is up or gone), its outputs what the connection must do. The
 * interfaces are ranked: the initial subflow's first (the one the application's connection took,
 * normally the preferred WiFi), then the others in the host's order.
 */

export type HandoverMode = "full" | "backup" | "single-path";

export const HANDOVER_MODES: readonly HandoverMode[] = ["full", "backup", "single-path"];

export function isHandoverMode(x: string): x is HandoverMode {
  return (HANDOVER_MODES as readonly string[]).includes(x);
}

export type HandoverAction =
  /** Open an MP_JOIN subflow from the interface's address, with or without the backup flag. */
  | { kind: "open"; iface: number; backup: boolean }
  /** Set the backup flag of the subflows from the interface (MP_PRIO, §3.3.8). */
  | { kind: "prio"; iface: number; backup: boolean }
  /** The interface's address is gone: REMOVE_ADDR, its subflows reset, their data reinjected. */
  | { kind: "remove"; iface: number }
  /** Close the subflows from the interface (FIN; the address stays), their data reinjected. */
  | { kind: "close"; iface: number };

/** What the policy knows of one interface. */
interface Iface {
  index: number;
  up: boolean;
  /** The connection's subflow from it: none, in its handshake, or carrying segments. */
  subflow: "none" | "opening" | "up";
  /** The backup flag we asked for on that subflow. */
  backup: boolean;
  /** Went down while no other subflow could carry its REMOVE_ADDR: withdrawn once one is up. */
  removeDue: boolean;
  /**
   * A join from it failed (never came up) since a subflow was last up or the interface came
   * back: not opened again from it until then, so that failing joins cannot follow each other
   * while the connection waits for a subflow (close-timeout.ts).
   */
  failed: boolean;
}

export class HandoverPolicy {
  /** In rank order: the initial subflow's interface first. */
  private readonly ifaces: Iface[];
  /** The interface whose subflow carries the data (`backup`, `single-path`). */
  private active: number;

  /**
   * @param interfaces the host's interfaces that can reach the peer (index and whether up)
   * @param initial the interface of the connection's initial subflow
   */
  constructor(
    readonly mode: HandoverMode,
    interfaces: readonly { index: number; up: boolean }[],
    initial: number,
  ) {
    const ranked = [...interfaces.filter((i) => i.index === initial), ...interfaces.filter((i) => i.index !== initial)];
    this.ifaces = ranked.map((i) => ({ index: i.index, up: i.up, subflow: i.index === initial ? "up" : "none", backup: false, removeDue: false, failed: false }));
    this.active = initial;
  }

  /** The interface that carries the data now (for `full`, the preferred one with a subflow up). */
  get activeInterface(): number {
    return this.active;
  }

  /** The connection is established on the initial interface: subflows on the others. */
  onEstablished(): HandoverAction[] {
    if (this.mode === "single-path") return [];
    const backup = this.mode === "backup";
    const out: HandoverAction[] = [];
    for (const i of this.ifaces) if (i.up && i.subflow === "none") out.push(this.open(i, backup));
    return out;
  }

  /** The interface lost its link (carrier, association): its address can no longer be used. */
  onInterfaceDown(index: number): HandoverAction[] {
    const gone = this.iface(index);
    if (gone === undefined || !gone.up) return [];
    gone.up = false;
    if (gone.subflow === "none") return [];
    const out: HandoverAction[] = [];
    if (this.carrierLeft(gone) === undefined) {
      // Nothing else can carry a REMOVE_ADDR (§3.4.2) yet: open on the next interface, and
      // withdraw the address once that subflow is up.
      gone.removeDue = true;
      const next = this.best((i) => i.up && i !== gone);
      if (next !== undefined && next.subflow === "none") out.push(this.open(next, false));
      if (next !== undefined) this.active = next.index;
      return out;
    }
    if (index === this.active) out.push(...this.switchTo(this.carrierLeft(gone)!));
    gone.subflow = "none";
    out.push({ kind: "remove", iface: index });
    return out;
  }

  /** The interface has a link again: subflows on it as the mode says. */
  onInterfaceUp(index: number): HandoverAction[] {
    const back = this.iface(index);
    if (back === undefined || back.up) return [];
    back.up = true;
    back.failed = false;
    // Back before anything replaced it: the address stays, and a subflow that never went carries on.
    const withdrawing = back.removeDue;
    back.removeDue = false;
    if (back.subflow !== "none") {
      if (withdrawing && this.rank(index) < this.rank(this.active)) this.active = index;
      return [];
    }
    if (this.ifaces.every((x) => x.subflow === "none")) {
      // No subflow anywhere (the connection waits for one, close-timeout.ts): this one carries it.
      this.active = index;
      return [this.open(back, false)];
    }
    if (this.mode === "full") return [this.open(back, false)];
    const preferred = this.rank(index) < this.rank(this.active);
    if (this.mode === "backup") return [this.open(back, !preferred)];
    return preferred ? [this.open(back, false)] : [];
  }

  /** A subflow from the interface is up (its MP_JOIN completed). */
  onSubflowUp(index: number): HandoverAction[] {
    const i = this.iface(index);
    if (i === undefined) return [];
    i.subflow = "up";
    for (const x of this.ifaces) x.failed = false;
    const out: HandoverAction[] = [];
    for (const d of this.ifaces) {
      if (!d.removeDue) continue;
      d.removeDue = false;
      d.subflow = "none";
      out.push({ kind: "remove", iface: d.index });
    }
    if (!i.up) return out;
    if (this.mode === "full") return out;
    if (index === this.active) {
      // Opened to take over: it carries the data from now on.
      if (i.backup) out.push(this.prio(i, false));
      return out;
    }
    if (this.rank(index) < this.rank(this.active)) {
      // The preferred interface is back: it takes over, the other one steps down.
      const old = this.iface(this.active)!;
      this.active = index;
      if (i.backup) out.push(this.prio(i, false));
      if (old.subflow === "none") return out;
      if (this.mode === "backup") out.push(this.prio(old, true));
      else {
        old.subflow = "none";
        out.push({ kind: "close", iface: old.index });
      }
    } else if (this.mode === "backup" && !i.backup) {
      // Opened to take over from an interface that came back meanwhile: it waits as a backup.
      out.push(this.prio(i, true));
    } else if (this.mode === "single-path") {
      i.subflow = "none";
      out.push({ kind: "close", iface: index });
    }
    return out;
  }

  /** A subflow from the interface is gone (reset, timed out, or its join failed). */
  onSubflowDown(index: number): HandoverAction[] {
    const i = this.iface(index);
    if (i === undefined || i.subflow === "none") return [];
    const wasUp = i.subflow === "up";
    i.subflow = "none";
    if (!wasUp) i.failed = true;
    if (this.mode === "full") {
      // Every interface carries data: only the last subflow's loss calls for a new one.
      return this.ifaces.some((x) => x.subflow !== "none") ? [] : this.reopen(i, wasUp);
    }
    if (index !== this.active) return [];
    const next = this.best((x) => x.up && x.subflow === "up");
    if (next !== undefined) return this.switchTo(next);
    return this.reopen(i, wasUp);
  }

  /**
   * Nothing carries the connection any more, and it waits for a subflow (close-timeout.ts): one
   * from the next interface up (break before make), or, when the subflow lost had been up and
   * its interface still is (a box or the peer reset it; the link is there), from that interface
   * again. An interface whose join failed is not tried again until a subflow comes up or the
   * interface comes back (`failed`).
   */
  private reopen(lost: Iface, wasUp: boolean): HandoverAction[] {
    const spare = this.best((x) => x !== lost && x.up && x.subflow === "none" && !x.failed) ?? (wasUp && lost.up ? lost : undefined);
    if (spare === undefined) return [];
    this.active = spare.index;
    return [this.open(spare, false)];
  }

  /** The best-ranked other interface with a subflow up, to carry on after `gone`. */
  private carrierLeft(gone: Iface): Iface | undefined {
    return this.best((i) => i !== gone && i.up && i.subflow === "up");
  }

  /** `to` becomes the active interface (MP_PRIO B=0 if it was a backup). */
  private switchTo(to: Iface): HandoverAction[] {
    this.active = to.index;
    return to.backup ? [this.prio(to, false)] : [];
  }

  private open(i: Iface, backup: boolean): HandoverAction {
    i.subflow = "opening";
    i.backup = backup;
    return { kind: "open", iface: i.index, backup };
  }

  private prio(i: Iface, backup: boolean): HandoverAction {
    i.backup = backup;
    return { kind: "prio", iface: i.index, backup };
  }

  private best(pred: (i: Iface) => boolean): Iface | undefined {
    return this.ifaces.find(pred);
  }

  private iface(index: number): Iface | undefined {
    return this.ifaces.find((i) => i.index === index);
  }

  private rank(index: number): number {
    return this.ifaces.findIndex((i) => i.index === index);
  }
}

/**
 * The radio state of a cellular interface (3GPP RRC), reduced to what delays a transfer: after
 * `tailMs` with no packet either way the radio is idle (RRC_IDLE), and the first packet after
 * that waits `promotionMs` for it to be connected again (RRC_CONNECTED) before anything crosses
 * the link, in either direction (the network pages an idle device before a downlink packet).
 *
 * Published LTE figures (Huang et al., "A Close Examination of Performance and Power
 * Characteristics of 4G LTE Networks", MobiSys'12): promotion 260 ms, tail timer 11.6 s; 3G
 * (HSPA) promotions from idle take about 1-2 s. A radio starts idle: an interface that has not
 * been used is not connected.
 *
 * The link pair of the interface is held down with its queues kept while the radio is not
 * connected (`whenDown: "keep-queue"`), so what is sent meanwhile waits at the sender's side and
 * goes when the radio is up, as on a device.
 */
import type { Link, LinkConfig } from "../link.js";
import type { Simulator } from "../simulator.js";

export interface RadioConfig {
  /** Time from the first packet after idle until the link carries packets. */
  promotionMs: number;
  /** Inactivity after which the radio goes idle again. */
  tailMs: number;
}

export class CellularRadio {
  /** Promotions from idle so far. */
  promotions = 0;
  /** Virtual time at which each promotion started. */
  readonly promotedAt: number[] = [];
  private state: "idle" | "promoting" | "connected" = "idle";
  private lastActivity = 0;
  private links: readonly Link[] = [];

  constructor(
    private readonly sim: Simulator,
    readonly config: RadioConfig,
  ) {}

  /** The configuration of the interface's links: down, with queues kept, until first used. */
  linkConfig(base: LinkConfig): LinkConfig {
    return { ...base, up: false, whenDown: "keep-queue" };
  }

  /** The interface's links, both directions. */
  attach(links: readonly Link[]): void {
    this.links = links;
  }

  /** The radio is connected (packets cross the link at once). */
  get connected(): boolean {
    return this.state === "connected";
  }

  /** A packet is about to cross the link at `now` (sent by either end). */
  activity(now: number): void {
    this.lastActivity = now;
    if (this.state !== "idle") return;
    this.state = "promoting";
    this.promotions++;
    this.promotedAt.push(now);
    this.sim.at(now + Math.round(this.config.promotionMs * 1000), (t) => {
      this.state = "connected";
      for (const l of this.links) l.setUp(true);
      this.armTail(t);
    });
  }

  private armTail(now: number): void {
    const tail = Math.round(this.config.tailMs * 1000);
    this.sim.at(Math.max(now, this.lastActivity + tail), (t) => {
      if (this.state !== "connected") return;
      if (t - this.lastActivity < tail) {
        this.armTail(t);
        return;
      }
      this.state = "idle";
      for (const l of this.links) l.setUp(false);
    });
  }
}

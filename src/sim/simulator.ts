/**
 * The simulator: nodes, the links between their interfaces, and the event loop over virtual time.
 *
 * Time jumps from one event to the next; nothing happens between events. The loop does O(log n)
 * work per event whatever the number of nodes: each node has one persistent timer in the event
 * queue, set to its `pollTimeout()` after each of its inputs, and a node is only polled when one
 * of its own inputs happened (a packet arrived, its timer fired, or the application woke it).
 *
 * Determinism: with the same seed, the same topology built in the same order and the same
 * scenario actions, a run is bit-for-bit reproducible (equal-time events run in scheduling order,
 * and all randomness comes from `rng` streams forked by name).
 */
import { EventQueue, type EventHandler, type TimerId } from "./event-queue.js";
import { Link, type LinkConfig, type LinkOutput } from "./link.js";
import type { SimNode } from "./node.js";
import { Rng } from "../util/rng.js";
import type { CaptureWriter } from "./tap.js";

export interface SimulatorOptions {
  /** The seed of every random stream of the run (default 0). */
  seed?: number | string;
  /** Virtual time at the start, in µs (default 0). */
  startTime?: number;
}

export interface NodeCounters {
  /** Datagrams handed to the node. */
  received: number;
  /** Datagrams the node sent on a wired interface. */
  transmitted: number;
  /** Datagrams the node sent on an interface with no link, dropped. */
  unwired: number;
}

/**
 * A node whose timer keeps firing without time advancing is a bug in the node; after this many
 * firings at one instant the run stops with an error naming it, rather than spinning forever.
 */
const MAX_FIRINGS_PER_INSTANT = 100_000;

/**
 * A node that never stops sending when polled (a storm of segments at one instant) is a bug in
 * the node too; a real window releases at most thousands of datagrams at once.
 */
const MAX_SENDS_PER_SERVICE = 1_000_000;

/** A node as the simulator drives it: its timer, its outgoing links, taps and counters. */
export class NodeHandle implements EventHandler {
  readonly counters: NodeCounters = { received: 0, transmitted: 0, unwired: 0 };
  /** The outgoing link of each interface. */
  private readonly out: (Link | undefined)[] = [];
  private readonly txTaps: (CaptureWriter[] | undefined)[] = [];
  private readonly rxTaps: (CaptureWriter[] | undefined)[] = [];
  private readonly timer: TimerId;
  private lastFiring = -1;
  private firings = 0;

  /** Made by `Simulator.addNode`. */
  constructor(
    readonly name: string,
    readonly node: SimNode,
    private readonly events: EventQueue,
  ) {
    this.timer = events.createTimer(this, 0);
  }

  /** The link leaving interface `iface`, if one is wired. */
  linkOut(iface: number): Link | undefined {
    return this.out[iface];
  }

  /** When the node's timer will fire, or undefined if the node asked for none. */
  get deadline(): number | undefined {
    return this.events.deadline(this.timer);
  }

  /** @internal Wires `link` to interface `iface` (Simulator.addLink). */
  attachOut(iface: number, link: Link): void {
    if (this.out[iface] !== undefined) throw new Error(`${this.name} interface ${iface} already has a link`);
    this.out[iface] = link;
  }

  /** @internal Captures what the node sends (`tx`) and receives (`rx`) on `iface`. */
  tap(iface: number, writer: CaptureWriter): void {
    (this.txTaps[iface] ??= []).push(writer);
    (this.rxTaps[iface] ??= []).push(writer);
  }

  /** @internal A datagram arrives from a link. */
  receive(packet: Uint8Array, iface: number, now: number): void {
    this.counters.received++;
    const taps = this.rxTaps[iface];
    if (taps !== undefined) for (const t of taps) t.write(now, packet);
    this.node.receive(packet, iface, now);
    this.service(now);
  }

  /** The node's timer fired. */
  handleEvent(_kind: number, _payload: unknown, _arg: number, now: number): void {
    if (now !== this.lastFiring) {
      this.lastFiring = now;
      this.firings = 0;
    } else if (++this.firings > MAX_FIRINGS_PER_INSTANT) {
      throw new Error(`node ${this.name}: pollTimeout() stays at ${now} after handleTimeout(${now})`);
    }
    this.node.handleTimeout(now);
    this.service(now);
  }

  /** Sends everything the node has to send, then sets its timer to its next deadline. */
  service(now: number): void {
    const node = this.node;
    let sent = 0;
    for (let t = node.pollTransmit(now); t !== undefined; t = node.pollTransmit(now)) {
      if (++sent > MAX_SENDS_PER_SERVICE) throw new Error(`node ${this.name}: still sending after ${MAX_SENDS_PER_SERVICE} datagrams at ${now} µs`);
      const link = this.out[t.iface];
      if (link === undefined) {
        this.counters.unwired++;
        continue;
      }
      this.counters.transmitted++;
      const taps = this.txTaps[t.iface];
      if (taps !== undefined) for (const w of taps) w.write(now, t.packet);
      link.send(t.packet);
    }
    const deadline = node.pollTimeout();
    if (deadline === undefined) this.events.disarm(this.timer);
    else this.events.arm(this.timer, deadline < now ? now : deadline);
  }
}

/** The far end of a link: hands its packets to a node's interface. */
class Ingress implements LinkOutput {
  constructor(
    private readonly to: NodeHandle,
    private readonly iface: number,
  ) {}

  deliver(packet: Uint8Array, now: number): void {
    this.to.receive(packet, this.iface, now);
  }
}

/** Runs a scenario action; the action itself is the event's payload. */
const ACTIONS: EventHandler = {
  handleEvent(_kind: number, payload: unknown, _arg: number, now: number): void {
    (payload as (now: number) => void)(now);
  },
};

export class Simulator {
  readonly events: EventQueue;
  /** The root random stream; fork it by name (`rng.fork("host/a")`) for each consumer. */
  readonly rng: Rng;
  private readonly nodesByName = new Map<string, NodeHandle>();
  private readonly linksByName = new Map<string, Link>();

  constructor(options: SimulatorOptions = {}) {
    const start = options.startTime ?? 0;
    if (!(Number.isInteger(start) && start >= 0)) throw new RangeError(`startTime ${start}`);
    this.events = new EventQueue(start);
    this.rng = Rng.seeded(options.seed ?? 0);
  }

  /** Virtual time, integer µs. */
  get now(): number {
    return this.events.now;
  }

  /** Events dispatched so far (packet transmissions and arrivals, timers, actions). */
  get eventCount(): number {
    return this.events.dispatched;
  }

  get nodes(): Iterable<NodeHandle> {
    return this.nodesByName.values();
  }

  get links(): Iterable<Link> {
    return this.linksByName.values();
  }

  /** Adds a node under a unique name and polls it once (it may want to send or set a timer). */
  addNode(name: string, node: SimNode): NodeHandle {
    if (this.nodesByName.has(name)) throw new Error(`duplicate node name ${name}`);
    const handle = new NodeHandle(name, node, this.events);
    this.nodesByName.set(name, handle);
    handle.service(this.now);
    return handle;
  }

  node(name: string): NodeHandle | undefined {
    return this.nodesByName.get(name);
  }

  link(name: string): Link | undefined {
    return this.linksByName.get(name);
  }

  /**
   * A unidirectional link from `from`'s interface `fromIface` to `to`'s interface `toIface`.
   * Its default name, `a.0->b.1`, also names its random stream, so a link's loss and jitter do
   * not depend on which other links exist or in which order they were added.
   */
  addLink(from: NodeHandle, fromIface: number, to: NodeHandle, toIface: number, config: LinkConfig = {}, name?: string): Link {
    const linkName = name ?? `${from.name}.${fromIface}->${to.name}.${toIface}`;
    if (this.linksByName.has(linkName)) throw new Error(`duplicate link name ${linkName}`);
    if (from.linkOut(fromIface) !== undefined) throw new Error(`${from.name} interface ${fromIface} already has a link`);
    const link = new Link(linkName, config, this.events, this.rng.fork(`link/${linkName}`), new Ingress(to, toIface));
    from.attachOut(fromIface, link);
    this.linksByName.set(linkName, link);
    return link;
  }

  /** Two links, a→b with `config` and b→a with `reverse` (default: the same config). */
  addDuplexLink(
    a: NodeHandle, aIface: number, b: NodeHandle, bIface: number, config: LinkConfig = {}, reverse: LinkConfig = config,
  ): [Link, Link] {
    return [this.addLink(a, aIface, b, bIface, config), this.addLink(b, bIface, a, aIface, reverse)];
  }

  /** Captures, like tcpdump on that interface, what `node` sends and receives on `iface`. */
  tapInterface(node: NodeHandle, iface: number, writer: CaptureWriter): void {
    node.tap(iface, writer);
  }

  /** Runs `action` at virtual time `time` (not in the past), after events already due then. */
  at(time: number, action: (now: number) => void): void {
    this.events.schedule(time, ACTIONS, 0, action);
  }

  /**
   * Polls a node now: call it after the application changed the node (wrote data, opened a
   * connection), so that what it now wants to send is sent and its timer is reset.
   */
  wake(node: NodeHandle): void {
    node.service(this.now);
  }

  /** Runs the next event; false when there is none. */
  step(): boolean {
    return this.events.dispatchNext();
  }

  /** Runs every event due at or before `time`, then sets the clock to `time`. */
  runUntil(time: number): void {
    const events = this.events;
    for (let t = events.peekTime(); t !== undefined && t <= time; t = events.peekTime()) events.dispatchNext();
    if (time > events.now) events.advanceTo(time);
  }

  /**
   * Runs until no event is left (true), or until the next event is after `limit` (false; the
   * clock is then set to `limit`).
   */
  runUntilIdle(limit = Infinity): boolean {
    const events = this.events;
    for (let t = events.peekTime(); t !== undefined; t = events.peekTime()) {
      if (t > limit) {
        if (limit > events.now) events.advanceTo(limit);
        return false;
      }
      events.dispatchNext();
    }
    return true;
  }

  /**
   * Runs until `done()` holds (checked before the first event and after each one): true; or
   * until idle or past `limit`: false.
   */
  runUntilDone(done: () => boolean, limit = Infinity): boolean {
    const events = this.events;
    for (;;) {
      if (done()) return true;
      const t = events.peekTime();
      if (t === undefined) return false;
      if (t > limit) {
        if (limit > events.now) events.advanceTo(limit);
        return false;
      }
      events.dispatchNext();
    }
  }
}

/**
 * Simulator event throughput on a pure forwarding workload (no protocol work): `flows` senders,
 * each pacing 1500-byte datagrams at a fixed rate, through one router and a shared bottleneck
 * with a drop-tail queue and 0.1% loss, to one receiver. Each datagram costs a sender timer, two
 * events per link hop (transmission end, arrival) and the router's forwarding.
 *
 * Prints events per wall second and simulated seconds per wall second, and the same for the bare
 * event queue (schedule + dispatch) as the ceiling. Run: node dist/bench/sim-events.js
 */
import { pathToFileURL } from "node:url";
import { EventQueue, type EventHandler } from "../src/sim/event-queue.js";
import { Router } from "../src/sim/router.js";
import { Simulator } from "../src/sim/simulator.js";
import type { SimNode, Transmit } from "../src/sim/node.js";

const PACKET_SIZE = 1500;

/** Sends the same datagram (addressed to 10.0.0.2) every `intervalUs`, until `stopUs`. */
class Pacer implements SimNode {
  private readonly transmit: Transmit;
  private next: number;
  private due = false;

  constructor(startUs: number, private readonly intervalUs: number, private readonly stopUs: number) {
    const packet = new Uint8Array(PACKET_SIZE);
    packet[0] = 0x45;
    packet.set([10, 0, 0, 2], 16);
    this.transmit = { packet, iface: 0 };
    this.next = startUs;
  }

  receive(): void {}

  handleTimeout(now: number): void {
    this.due = now >= this.next;
  }

  pollTransmit(): Transmit | undefined {
    if (!this.due) return undefined;
    this.due = false;
    this.next += this.intervalUs;
    return this.transmit;
  }

  pollTimeout(): number | undefined {
    return this.next < this.stopUs ? this.next : undefined;
  }
}

class Sink implements SimNode {
  received = 0;
  receive(): void {
    this.received++;
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
}

export interface SimBenchResult {
  events: number;
  simulatedSeconds: number;
  wallSeconds: number;
  eventsPerSecond: number;
}

export function benchForwarding(flows = 8, simulatedSeconds = 10): SimBenchResult {
  const sim = new Simulator({ seed: 1 });
  const router = sim.addNode("r", new Router({ "10.0.0.2/32": 0 }));
  const sink = new Sink();
  const b = sim.addNode("b", sink);
  // 1 Gbit/s bottleneck; each flow offers 1500 B every 100 µs (120 Mbit/s), 8 flows ≈ 0.96 Gbit/s.
  sim.addLink(router, 0, b, 0, { rateBps: 1_000_000_000, delayUs: 5000, queueLimitPackets: 1000, loss: { kind: "bernoulli", p: 0.001 } });
  const stop = simulatedSeconds * 1_000_000;
  for (let i = 0; i < flows; i++) {
    const a = sim.addNode(`a${i}`, new Pacer(i * 7, 100, stop));
    sim.addLink(a, 0, router, i + 1, { rateBps: 1_000_000_000, delayUs: 1000 + 100 * i });
  }
  const start = process.hrtime.bigint();
  sim.runUntilIdle();
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const events = sim.eventCount;
  return { events, simulatedSeconds: sim.now / 1e6, wallSeconds, eventsPerSecond: events / wallSeconds };
}

/** The event queue alone: `pending` events outstanding, each re-scheduling itself when it runs. */
export function benchQueue(pending = 1000, total = 3_000_000): { eventsPerSecond: number } {
  const q = new EventQueue();
  let left = total;
  let x = 12345;
  const handler: EventHandler = {
    handleEvent(_kind, _payload, _arg, now) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      if (--left > pending) q.schedule(now + 1 + (x % 5000), handler, 0);
    },
  };
  for (let i = 0; i < pending; i++) q.schedule(i, handler, 0);
  const start = process.hrtime.bigint();
  while (q.dispatchNext());
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  return { eventsPerSecond: q.dispatched / wall };
}

function main(): void {
  benchForwarding(2, 0.2); // warm up the JIT
  const fwd = benchForwarding();
  const queue = benchQueue();
  const m = (v: number): string => (v / 1e6).toFixed(2);
  console.log(`sim forwarding: ${fwd.events} events in ${fwd.wallSeconds.toFixed(2)} s wall: ${m(fwd.eventsPerSecond)} M events/s, ` +
    `${(fwd.simulatedSeconds / fwd.wallSeconds).toFixed(2)} simulated s per wall s`);
  console.log(`event queue alone: ${m(queue.eventsPerSecond)} M events/s; forwarding/queue ratio ${(fwd.eventsPerSecond / queue.eventsPerSecond).toFixed(2)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

/**
 * Built-in scenarios: `mptcp sim <name>` runs them without a file. Each is written in the file
 * format (docs/scenarios.md) and validated like a file. Delays are one-way, so the base RTT is
 * twice the link delay; queues default to one bandwidth-delay product (the classic buffer
 * sizing rule), except where the queue is the point.
 */
import { ADD_ADDR_BUILTIN, MPTCP_BUILTINS } from "./builtins-mptcp.js";
import type { Scenario } from "./model.js";
import { validateScenario } from "./validate.js";

interface PathOptions {
  rate: string;
  delay: string;
  queue: string;
  bytes: string;
  /** Loss on the data direction only (client to server): ACK loss barely matters to TCP. */
  loss?: string;
  jitter?: string;
  reorder?: boolean;
  /** Socket buffers of both hosts (default: the TCP defaults, 4 MiB each way). */
  buffers?: string;
  events?: object[];
  duration?: string;
}

/** Two hosts on one duplex path: client 10.0.0.1, server 10.0.0.2. */
function onePath(name: string, description: string, o: PathOptions): object {
  const tcp = o.buffers === undefined ? undefined : { sendBuffer: o.buffers, recvBuffer: o.buffers };
  const link: Record<string, unknown> = { name: "path", from: "client", to: "server", rate: o.rate, delay: o.delay, queue: o.queue };
  if (o.jitter !== undefined) link.jitter = o.jitter;
  if (o.reorder !== undefined) link.reorder = o.reorder;
  if (o.loss !== undefined) {
    link.loss = o.loss;
    link.reverse = { loss: 0 };
  }
  return {
    name,
    description,
    duration: o.duration ?? "600s",
    hosts: [
      { name: "client", addresses: ["10.0.0.1"], ...(tcp ? { tcp } : {}) },
      { name: "server", addresses: ["10.0.0.2"], ...(tcp ? { tcp } : {}) },
    ],
    links: [link],
    flows: [{ name: "bulk", from: "client", to: "server", port: 5001, bytes: o.bytes }],
    events: o.events ?? [],
  };
}

const BUILTINS: Record<string, object> = {
  "tcp-clean": onePath("tcp-clean", "one 100 Mbit/s path, 20 ms RTT, 1-BDP queue, no loss: 200 MB", {
    rate: "100Mbit", delay: "10ms", queue: "250KB", bytes: "200MB",
  }),
  "tcp-lossy": onePath("tcp-lossy", "10 Mbit/s, 40 ms RTT, 1% random loss on the data direction: 20 MB", {
    rate: "10Mbit", delay: "20ms", queue: "50KB", loss: "1%", bytes: "20MB",
  }),
  "tcp-longfat": onePath("tcp-longfat", "100 Mbit/s, 100 ms RTT (1.25 MB BDP), 8 MB socket buffers: 200 MB", {
    rate: "100Mbit", delay: "50ms", queue: "1250KB", buffers: "8MB", bytes: "200MB",
  }),
  "tcp-bufferbloat": onePath("tcp-bufferbloat", "10 Mbit/s, 40 ms RTT, a 2-second drop-tail queue, 8 MB buffers: 20 MB", {
    rate: "10Mbit", delay: "20ms", queue: "2s", buffers: "8MB", bytes: "20MB",
  }),
  "tcp-reorder": onePath("tcp-reorder", "50 Mbit/s, 20 ms RTT, up to 2 ms of jitter with reordering: 50 MB", {
    rate: "50Mbit", delay: "10ms", queue: "125KB", jitter: "2ms", reorder: true, bytes: "50MB",
  }),
  "tcp-flap": onePath("tcp-flap", "10 Mbit/s, 40 ms RTT; the link goes down for 3 s at t=5 s: 20 MB", {
    rate: "10Mbit", delay: "20ms", queue: "50KB", bytes: "20MB",
    events: [{ at: "5s", link: "path", action: "down", for: "3s" }],
  }),
  ...MPTCP_BUILTINS,
  ...ADD_ADDR_BUILTIN,
};

/** The names of the built-in scenarios, in listing order. */
export function builtinNames(): string[] {
  return Object.keys(BUILTINS);
}

/** The built-in scenario `name`, or undefined. */
export function builtinScenario(name: string): Scenario | undefined {
  const raw = BUILTINS[name];
  return raw === undefined ? undefined : validateScenario(raw, name);
}

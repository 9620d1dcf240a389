/**
 * What the tests against the Linux kernel's MPTCP share: a kernel-side peer process that prints
 * lines (its port first, then its verdict), and the real-time driver of our host over a TUN
 * device, which is the runtime's own (src/runtime/driver-loop.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { PacketDriver } from "../../src/io/driver.js";
import { monotonicClock } from "../../src/runtime/clock.js";
import { DriverLoop } from "../../src/runtime/driver-loop.js";
import type { MptcpEvent } from "../../src/stack/mptcp-events.js";
import type { MptcpHost } from "../../src/stack/mptcp-host.js";

export interface KernelPeer {
  /** The port its first line gives (0 for a connecting peer). */
  port: Promise<number>;
  /** Its second line, "BYTES SHA256": what it read. */
  result: Promise<{ received: number; sha256: string }>;
}

/**
 * Runs `argv` (a python peer, possibly under `ip netns exec`), recorded in `children` so the
 * test's `after` can kill it, and reads its first two lines.
 */
export function kernelPeer(argv: readonly string[], children: ChildProcess[]): KernelPeer {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const line = childLines(child);
  return {
    port: line(0).then(Number),
    result: line(1).then((l) => {
      const [n, hash] = l.split(" ");
      return { received: Number(n), sha256: hash! };
    }),
  };
}

/** Line `i` of `child`'s standard output, once printed; rejects if it exits first. */
export function childLines(child: ChildProcess): (i: number) => Promise<string> {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  return (i) =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (lines.length > i) resolve(lines[i]!);
        else if (child.exitCode !== null) reject(new Error(`${child.spawnfile} exited with ${child.exitCode}`));
        else waiters.push(check);
      };
      child.once("exit", check);
      check();
    });
}

/** Drives `host` in real time over `driver` (interface 0), handing its events to `onEvent`. */
export function realTimeLoop(host: MptcpHost, driver: PacketDriver, onEvent: (e: MptcpEvent) => void): DriverLoop {
  return new DriverLoop({
    host,
    drivers: [driver],
    clock: monotonicClock(),
    onEvent,
    onDriverError: (err) => {
      throw err;
    },
  });
}

/** The bytes each side of a kernel test sends: (i * mul + add) mod 256, which python computes too. */
export function pattern(length: number, mul: number, add: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * mul + add) & 0xff;
  return out;
}

/** Helpers for the driver tests: waiting on a condition, and the kernel side of a TUN device. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

/** Resolves once `cond()` holds; rejects after `limitMs` (a safety net, not a timing assertion). */
export async function until(cond: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Why the TUN tests cannot run here, or false when they can. */
export function tunSkipReason(): string | false {
  if (process.platform !== "linux") return "TUN devices need Linux";
  if (process.getuid?.() !== 0) return "TUN tests need root (creating devices and addresses)";
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun does not exist";
  return false;
}

let counter = 0;

/**
 * A name no other test run uses at the same time: `mtst`, the pid and a counter (at most 15
 * bytes, IFNAMSIZ - 1), and a /30 in 100.64.0.0/10 (RFC 6598 shared space, not routed here) and a
 * /64 in a ULA prefix, both derived from the same pair so concurrent runs do not collide.
 */
export function uniqueLink(): { device: string; v4: { kernel: string; stack: string }; v6: { kernel: string; stack: string } } {
  const n = counter++;
  const device = `mtst${process.pid % 10_000_000}x${n}`.slice(0, 15);
  const index = (process.pid * 64 + n) % (1 << 20);
  const base = 0x64400000 + index * 4;
  const v4 = (off: number) => [24, 16, 8, 0].map((s) => ((base + off) >>> s) & 0xff).join(".");
  const v6 = `fd6d:7074:${(index >>> 16).toString(16)}:${(index & 0xffff).toString(16)}`;
  return { device, v4: { kernel: v4(1), stack: v4(2) }, v6: { kernel: `${v6}::1`, stack: `${v6}::2` } };
}

export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * The kernel side of a point-to-point TUN link, as the runtime's caller would set it up: the
 * kernel's addresses (the stack's are the other end of each prefix), no duplicate address
 * detection (the link is ours alone), link up.
 */
export function configureKernelSide(device: string, v4?: string, v6?: string): void {
  if (v4) ip("addr", "add", `${v4}/30`, "dev", device);
  if (v6) ip("-6", "addr", "add", `${v6}/64`, "dev", device, "nodad");
  ip("link", "set", device, "up");
}

export function deviceExists(device: string): boolean {
  return existsSync(`/sys/class/net/${device}`);
}

/** Deletes a device this test run made, if it is still there; never fails. */
export function deleteDevice(device: string): void {
  if (!deviceExists(device)) return;
  try {
    ip("link", "del", device);
  } catch {
    // Gone in between, or not deletable: nothing more to do in a cleanup.
  }
}

/** Threads of this process (Linux). */
export function threadCount(): number {
  return readdirSync("/proc/self/task").length;
}

/**
 * The commands that build a testbed's namespace, as data: `up` runs them in order, and tests
 * read them without root. Everything is made inside the namespace (`ip -n`, `tc -n`), so the
 * root namespace is never changed and deleting the namespace removes all of it.
 */
import type { PathSpec, TestbedSpec } from "./spec.js";

/** The kernel PM limits in the namespace (mptcp-facts.md §0: the defaults 0/2 allow no ADD_ADDR). */
export const LIMITS = { subflows: 8, addAddrAccepted: 8 } as const;

/** Bytes the testbed's tbf queues before dropping: about 100 full-size datagrams, like impair's queue. */
export const TBF_LIMIT_BYTES = 150_000;

export interface Step {
  /** The program (`ip` or `tc`) and its arguments. */
  argv: string[];
}

/** The commands after `ip netns add NAME` (which `up` runs itself, to know it made the namespace). */
export function upSteps(spec: TestbedSpec): Step[] {
  const ns = spec.name;
  const steps: Step[] = [{ argv: ["ip", "-n", ns, "link", "set", "lo", "up"] }];
  for (const p of spec.paths) steps.push(...pathSteps(ns, p));
  // Linux's in-kernel PM (mptcp-facts.md §0): at most `subflows` extra subflows per connection,
  // and `add_addr_accepted` addresses announced by the peer that it will join. mptcp-ts announcing
  // its other addresses makes the kernel join them only with add_addr_accepted > 0.
  steps.push({ argv: ["ip", "-n", ns, "mptcp", "limits", "set", "subflows", String(LIMITS.subflows), "add_addr_accepted", String(LIMITS.addAddrAccepted)] });
  // A `signal` endpoint per extra path: the kernel announces that address (ADD_ADDR, RFC 8684
  // §3.4.1) on every connection, so mptcp-ts can join it. Path 0 carries the initial subflow
  // (address ID 0) and needs none. The ids are fixed so the state file can name them.
  for (const p of spec.paths) {
    if (p.index === 0) continue;
    steps.push({ argv: ["ip", "-n", ns, "mptcp", "endpoint", "add", p.kernel.ipv4, "dev", p.device, "id", String(endpointId(p)), "signal"] });
  }
  return steps;
}

/** The endpoint id of path i (i >= 1): i, so `ip mptcp endpoint show` reads like the paths. */
export function endpointId(p: Pick<PathSpec, "index">): number {
  return p.index;
}

function pathSteps(ns: string, p: PathSpec): Step[] {
  const dev = p.device;
  // A persistent TUN device with IFF_NO_PI (`pi off` is iproute2's default), not multi-queue:
  // the flags src/io/tun.ts asks for when it attaches.
  const steps: Step[] = [
    { argv: ["ip", "-n", ns, "tuntap", "add", "dev", dev, "mode", "tun"] },
    { argv: ["ip", "-n", ns, "addr", "add", `${p.kernel.ipv4}/24`, "dev", dev] },
    // The link has one other end, mptcp-ts: no duplicate address detection to wait for.
    { argv: ["ip", "-n", ns, "-6", "addr", "add", `${p.kernel.ipv6}/64`, "dev", dev, "nodad"] },
    { argv: ["ip", "-n", ns, "link", "set", dev, "up"] },
  ];
  const rate = p.impairment.rateBps;
  if (rate) steps.push({ argv: ["tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "tbf", "rate", `${rate}bit`, "burst", String(tbfBurst(rate)), "limit", String(TBF_LIMIT_BYTES)] });
  return steps;
}

/**
 * tbf's bucket in bytes: at least what the rate delivers in one 4 ms jiffy (HZ=250; a smaller
 * bucket cannot reach the rate, tc-tbf(8)) and at least two full-size datagrams.
 */
export function tbfBurst(rateBps: number): number {
  return Math.max(3000, Math.ceil(rateBps / 8 / 250));
}

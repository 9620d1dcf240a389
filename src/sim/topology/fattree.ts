/**
 * A k-ary FatTree (Al-Fares, Loukissas, Vahdat, "A Scalable, Commodity Data Center Network
 * Architecture", SIGCOMM 2008 §3): k pods, each of k/2 edge and k/2 aggregation switches, and
 * (k/2)^2 core switches, all with k ports; k^3/4 hosts, k/2 under each edge switch. Every link has
 * the same rate, so the tree has full bisection bandwidth: any permutation of host-to-host flows
 * can run at line rate if the flows are spread over the (k/2)^2 core paths between pods.
 *
 * Hosts are addressed as in Al-Fares §3.2, 10.pod.edge.id with id 2..k/2+1 (the switches, plain
 * forwarders here, need no addresses). Routing replaces their two-level tables with what
 * datacentres run today (and what Raiciu et al. SIGCOMM'11 assume):
 * down-routes by prefix (a core switch sends 10.pod.0.0/16 to that pod; an aggregation switch
 * sends 10.pod.edge.0/24 to that edge switch; an edge switch has a /32 per host), up-routes by
 * ECMP over all uplinks. Each switch salts its hash differently (src/sim/ecmp.ts).
 *
 * Ports: a switch's interface i is its port i. Edge: 0..k/2-1 hosts, k/2+j aggregation switch j
 * of the pod. Aggregation j: 0..k/2-1 edge switches, k/2+c core switch j*(k/2)+c. Core: port p
 * goes to pod p. A host has one interface, 0.
 */
import { parseAddress, type IpAddress } from "../../wire/address.js";
import type { LinkConfig } from "../link.js";
import type { SimNode } from "../node.js";
import { Router } from "../router.js";
import type { NodeHandle, Simulator } from "../simulator.js";

export interface FatTreeHost {
  /** `h<pod>.<edge>.<index>`: also the simulator node's name. */
  name: string;
  address: IpAddress;
  pod: number;
  edge: number;
  /** 0..k/2-1 under its edge switch. */
  index: number;
}

export interface FatTreeOptions {
  /** Ports per switch: even, 2 or more (k = 4: 16 hosts, 20 switches). */
  k: number;
  /** Every link, both directions (rate, delay, queue). */
  link: LinkConfig;
  /**
   * Makes the node of each host (in order: pod, edge switch, index); its interface 0 is wired to
   * its edge switch.
   */
  host: (h: FatTreeHost) => SimNode;
  /**
   * The ECMP salt of each switch, by name (`edge<p>.<e>`, `agg<p>.<a>`, `core<c>`). Default: a
   * draw from the simulator's random stream `ecmp/<name>`, so every switch hashes differently.
   */
  ecmpSeed?: (switchName: string) => number;
}

export interface FatTree {
  k: number;
  hosts: (FatTreeHost & { node: NodeHandle })[];
  /** Every switch's router and node, by name. */
  switches: Map<string, { router: Router; node: NodeHandle }>;
}

/** Builds the FatTree into `sim`: its switches, its hosts (made by `opts.host`) and its links. */
export function buildFatTree(sim: Simulator, opts: FatTreeOptions): FatTree {
  const { k } = opts;
  if (!(Number.isInteger(k) && k >= 2 && k % 2 === 0 && k <= 254)) throw new RangeError(`FatTree k = ${k}: an even number from 2 to 254`);
  const half = k / 2;
  const seedOf = opts.ecmpSeed ?? ((name: string) => sim.rng.fork(`ecmp/${name}`).nextU32() | 0);
  const switches = new Map<string, { router: Router; node: NodeHandle }>();
  const addSwitch = (name: string, routes: Record<string, number | number[]>): NodeHandle => {
    const router = new Router(routes, { ecmpSeed: seedOf(name) });
    const node = sim.addNode(name, router);
    switches.set(name, { router, node });
    return node;
  };
  const up = Array.from({ length: half }, (_, j) => half + j);

  const hosts: FatTree["hosts"] = [];
  const aggs: NodeHandle[][] = [];
  for (let p = 0; p < k; p++) {
    // Aggregation switches first: their down-routes name the pod's edge switches.
    const podAggs: NodeHandle[] = [];
    for (let a = 0; a < half; a++) {
      const down: Record<string, number | number[]> = {};
      for (let e = 0; e < half; e++) down[`10.${p}.${e}.0/24`] = e;
      podAggs.push(addSwitch(`agg${p}.${a}`, { ...down, "0.0.0.0/0": up }));
    }
    aggs.push(podAggs);
    for (let e = 0; e < half; e++) {
      const routes: Record<string, number | number[]> = {};
      for (let i = 0; i < half; i++) routes[`10.${p}.${e}.${i + 2}/32`] = i;
      const edge = addSwitch(`edge${p}.${e}`, { ...routes, "0.0.0.0/0": up });
      for (let i = 0; i < half; i++) {
        const h: FatTreeHost = { name: `h${p}.${e}.${i}`, address: parseAddress(`10.${p}.${e}.${i + 2}`)!, pod: p, edge: e, index: i };
        const node = sim.addNode(h.name, opts.host(h));
        sim.addDuplexLink(node, 0, edge, i, opts.link);
        hosts.push({ ...h, node });
      }
      for (let a = 0; a < half; a++) sim.addDuplexLink(edge, half + a, podAggs[a]!, e, opts.link);
    }
  }
  for (let c = 0; c < half * half; c++) {
    const routes: Record<string, number> = {};
    for (let p = 0; p < k; p++) routes[`10.${p}.0.0/16`] = p;
    const core = addSwitch(`core${c}`, routes);
    const a = Math.floor(c / half);
    for (let p = 0; p < k; p++) sim.addDuplexLink(aggs[p]![a]!, half + (c % half), core, p, opts.link);
  }
  return { k, hosts, switches };
}

/**
 * The MPTCP built-ins, in the file format (docs/scenarios.md): two hosts with two paths each, and
 * one MPTCP transfer through each middlebox of src/sim/middlebox/ (RFC 8041 §3.1), whose result
 * shows MPTCP's reaction (RFC 8684 §3.1, §3.3.1, §3.7) in its fallback reason and counters.
 */
import { middleboxKinds } from "../middlebox/registry.js";

interface TwoPathOptions {
  bytes: string;
  checksums?: boolean;
  events?: object[];
  abortAfter?: string;
  /** Retransmissions before a subflow gives up (a dead path is noticed after these). */
  maxRetries?: number;
  /** The server announces its second address (ADD_ADDR) instead of the client joining it. */
  addAddr?: boolean;
}

/**
 * Client 10.0.0.1 + 10.0.1.1, server 10.0.0.2 + 10.0.1.2; `path1` 20 Mbit/s, 20 ms RTT and
 * `path2` 20 Mbit/s, 40 ms RTT, each with a 1-BDP queue. The client connects over path1 and joins
 * over path2 (or, with `addAddr`, the server announces 10.0.1.2 and the client's path manager
 * joins it).
 */
function twoPaths(name: string, description: string, o: TwoPathOptions): object {
  const tcp = o.maxRetries === undefined ? {} : { tcp: { maxRetries: o.maxRetries } };
  const checksums = o.checksums ?? false;
  const flow: Record<string, unknown> = { name: "bulk", from: "client", to: "server", address: "10.0.0.2", port: 5001, bytes: o.bytes };
  if (o.abortAfter !== undefined) flow.abortAfter = o.abortAfter;
  const routes = { routes: { "10.0.0.0/24": 0, "10.0.1.0/24": 1 } };
  const client: Record<string, unknown> = { name: "client", interfaces: [{ addresses: ["10.0.0.1"] }, { addresses: ["10.0.1.1"] }], ...routes, ...tcp };
  const server: Record<string, unknown> = { name: "server", interfaces: [{ addresses: ["10.0.0.2"] }, { addresses: ["10.0.1.2"] }], ...routes, ...tcp };
  if (o.addAddr === true) {
    client.mptcp = { checksums, addAddrAccepted: 1 };
    server.mptcp = { checksums, endpoints: ["10.0.1.2 signal"] };
  } else {
    client.mptcp = { checksums };
    server.mptcp = { checksums };
    flow.subflows = [{ from: "10.0.1.1", to: "10.0.1.2" }];
  }
  return {
    name,
    description,
    hosts: [client, server],
    links: [
      { name: "path1", from: "client.0", to: "server.0", rate: "20Mbit", delay: "10ms", queue: "50KB" },
      { name: "path2", from: "client.1", to: "server.1", rate: "20Mbit", delay: "20ms", queue: "100KB" },
    ],
    flows: [flow],
    events: o.events ?? [],
  };
}

/** How each middlebox is configured in its `mbox-<name>` scenario, and whether checksums are on. */
const BOX_SETUP: Record<string, { config?: Record<string, unknown>; checksums?: boolean; secondPath?: boolean; note: string }> = {
  "mbox-strip-syn": { note: "MPTCP options stripped from SYNs: plain TCP from the start" },
  "mbox-strip-all": { note: "MPTCP options stripped everywhere: plain TCP from the start" },
  "mbox-strip-data": { note: "MPTCP options stripped from data: both ends fall back after the handshake" },
  "mbox-eol-after-syn": { note: "options after the handshake overwritten with EOL: fallback" },
  "mbox-seq-rewrite": { note: "sequence numbers shifted: MPTCP carries on (mappings are relative)" },
  "mbox-nat": { note: "NAPT on the client side: MPTCP carries on" },
  "mbox-split": { note: "segments split in two with copied options: MPTCP carries on" },
  "mbox-coalesce": { note: "segments merged, first one's options kept: across a mapping's end the tail is unmapped and both ends fall back (as Linux)" },
  // Payload changes are caught by the DSS checksum (§3.7). With a second subflow the receiver
  // resets the one that carried the bad mapping and the data goes again on the other, so nothing
  // corrupt is delivered; on a single subflow MP_FAIL and the infinite mapping keep the connection
  // but deliver the changed bytes (as Linux does), so these boxes sit on path1 of two paths.
  // A two-byte pattern turns up about every 64 KiB of random payload; "ZA" first does 432 kB into
  // the default seed's stream, once the join is up. `limit` 1 is an ALG that rewrites one control
  // message (an FTP PORT command).
  "mbox-alg": {
    config: { find: "ZA", replace: "ZZ", limit: 1 }, checksums: true, secondPath: true,
    note: "one payload rewrite on path1 of two, checksums on: the subflow is reset, the data goes again on path2",
  },
  "mbox-drop-mptcp-syn": { note: "MPTCP SYNs dropped: the client retries without MP_CAPABLE (blackhole)" },
  "mbox-corrupt-payload": {
    config: { probability: 0.001, limit: 1 }, checksums: true, secondPath: true,
    note: "one payload byte flipped on path1 of two, checksums on: the subflow is reset, the data goes again on path2",
  },
};

/**
 * Client 10.0.0.1 and server 10.0.0.2, both MPTCP, through middlebox node `mbox` (interface 0 on
 * the client's side): 20 Mbit/s and 5 ms each side (20 ms RTT), 5 MB from client to server.
 */
function throughBox(kind: string): [string, object] {
  const setup = BOX_SETUP[kind] ?? { note: "an MPTCP transfer through it" };
  const checksums = setup.checksums ?? false;
  const name = kind;
  const links: object[] = [
    { name: "client-side", from: "client.0", to: "mbox.0", rate: "20Mbit", delay: "5ms", queue: "50KB" },
    { name: "server-side", from: "mbox.1", to: "server.0", rate: "20Mbit", delay: "5ms", queue: "50KB" },
  ];
  const flow: Record<string, unknown> = { name: "bulk", from: "client", to: "server", address: "10.0.0.2", port: 5001, bytes: "5MB" };
  const iface = (a: string, b: string): object[] => (setup.secondPath === true ? [{ addresses: [a] }, { addresses: [b] }] : [{ addresses: [a] }]);
  if (setup.secondPath === true) {
    links.push({ name: "path2", from: "client.1", to: "server.1", rate: "20Mbit", delay: "20ms", queue: "100KB" });
    flow.subflows = [{ from: "10.0.1.1", to: "10.0.1.2" }];
  }
  return [name, {
    name,
    description: `MPTCP through ${kind}: ${setup.note}: 5 MB`,
    hosts: [
      { name: "client", interfaces: iface("10.0.0.1", "10.0.1.1"), mptcp: { checksums } },
      { name: "server", interfaces: iface("10.0.0.2", "10.0.1.2"), mptcp: { checksums } },
    ],
    middleboxes: [{ name: "mbox", boxes: [{ kind, ...(setup.config ?? {}) }] }],
    links,
    flows: [flow],
    duration: "120s",
  }];
}

export const MPTCP_BUILTINS: Record<string, object> = {
  "mptcp-two-paths": twoPaths("mptcp-two-paths", "MPTCP over two 20 Mbit/s paths, 20 ms and 40 ms RTT: 50 MB", { bytes: "50MB" }),
  "mptcp-path-failure": twoPaths("mptcp-path-failure", "MPTCP over two paths; path1 goes down for good at 1 s: 20 MB", {
    bytes: "20MB", maxRetries: 4, events: [{ at: "1s", link: "path1", action: "down" }],
  }),
  "mptcp-checksum": twoPaths("mptcp-checksum", "MPTCP over two paths with DSS checksums: 20 MB", { bytes: "20MB", checksums: true }),
  "mptcp-fastclose": twoPaths("mptcp-fastclose", "MPTCP over two paths; the client aborts at 1 s (MP_FASTCLOSE): 20 MB", {
    bytes: "20MB", abortAfter: "1s",
  }),
  ...Object.fromEntries(middleboxKinds().map((k) => throughBox(k.name))),
};

/** The ADD_ADDR built-in (kept apart: it depends on the path manager's endpoints). */
export const ADD_ADDR_BUILTIN: Record<string, object> = {
  "mptcp-add-addr": twoPaths("mptcp-add-addr", "MPTCP over two paths; the server announces 10.0.1.2 (ADD_ADDR) and the client joins it: 20 MB", {
    bytes: "20MB", addAddr: true,
  }),
};

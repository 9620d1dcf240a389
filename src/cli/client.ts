/**
 * `mptcp client HOST:PORT [--tun DEV=ADDR ...] [--udp ...] [--send BYTES] [--seed N]
 * [--interval S] [--json] [--subflows N] [--backup PATH] [--endpoint SPEC ...] [--limits SPEC]
 * [--checksums] [--pacing] [--cc C] [--cc-floor F] [--scheduler S] [--offload] [--no-mptcp]`
 *
 * With `--send` the client sends BYTES seeded pseudo-random bytes (`SeededBytes`), half-closes
 * (DATA_FIN), and reads until the server's end of stream, hashing both directions. Without it,
 * it is netcat: stdin to the connection, the connection to stdout. After the handshake it opens
 * one subflow per further path (up to `--subflows`); with `--endpoint` or `--limits` the path
 * manager decides instead, as Linux's does: subflows from `subflow` endpoints, joins to the
 * addresses the server announces (up to `add_addr_accepted`), announcements of `signal` ones.
 * Exit code 0 when the connection ended cleanly, 1 when it failed (refused, reset, timed out), 2
 * for a usage or environment error, 130 or 143 when SIGINT or SIGTERM aborted it (the peer told).
 */
import { constants } from "node:os";
import { performance } from "node:perf_hooks";
import { isIP } from "node:net";
import type { JoinSubflow } from "../mptcp/join.js";
import type { MptcpSocket } from "../runtime/socket.js";
import type { SocketError } from "../runtime/errors.js";
import { parseAddress } from "../wire/address.js";
import { nonZeroCounters } from "../mptcp/counters.js";
import { parseCcFlags, type CcFlags } from "./cc-flags.js";
import { CliError } from "./errors.js";
import { createPathStack, kernelMptcpNote, openPaths, parsePathManager, parsePaths, pathIndex } from "./paths.js";
import type { OpenPath } from "./paths.js";
import { DirectionMeter, LiveView, SeededBytes, parseBytes, parseInterval, parseNumber, pathStats, sendSeeded, summaryText, transferResult } from "./transfer-report.js";

export interface ClientFlags extends CcFlags {
  tun?: string[];
  udp?: string[];
  send?: string;
  seed?: string;
  interval?: string;
  json?: boolean;
  subflows?: string;
  backup?: string;
  endpoint?: string[];
  limits?: string;
  checksums?: boolean;
  pacing?: boolean;
  offload?: boolean;
  mptcp?: boolean;
}

export async function runClient(target: string, flags: ClientFlags): Promise<void> {
  const { host, port } = parseTarget(target);
  const specs = parsePaths(flags.tun ?? [], flags.udp ?? []);
  const sendBytes = flags.send === undefined ? undefined : parseBytes(flags.send, "--send");
  const seed = flags.seed === undefined ? 1 : parseNumber(flags.seed, "--seed", 0, true);
  const interval = flags.interval === undefined ? undefined : parseInterval(flags.interval);
  const subflows = flags.subflows === undefined ? specs.length : parseNumber(flags.subflows, "--subflows", 1, true);
  const backup = flags.backup === undefined ? undefined : pathIndex(specs, flags.backup);
  const cc = parseCcFlags(flags);
  const pm = flags.endpoint === undefined && flags.limits === undefined ? undefined : parsePathManager(flags.endpoint ?? [], flags.limits, specs);
  const note = kernelMptcpNote(specs);
  if (note !== undefined && flags.json !== true) process.stderr.write(`${note}\n`);

  const paths = await openPaths(specs, { offload: flags.offload === true });
  const stack = await createPathStack(paths, { checksums: flags.checksums === true, pacing: flags.pacing === true, mptcp: flags.mptcp !== false, subflows, cc, ...(pm !== undefined ? { pm } : {}) });
  const sent = new DirectionMeter();
  const received = new DirectionMeter();
  const start = performance.now();
  let socket: MptcpSocket;
  try {
    socket = stack.connect({ host, port, localAddress: specs[0]!.stackAddress, allowHalfOpen: true });
  } catch (e) {
    await stack.close();
    throw new CliError((e as Error).message);
  }
  let driverFailure: Error | undefined;
  stack.on("error", (err: Error) => {
    // A path's driver died (device deleted, socket failed): report it and give up.
    driverFailure ??= err;
    socket.destroy();
  });
  let failure: SocketError | undefined;
  socket.on("error", (e: SocketError) => (failure = e));
  const interrupt = onInterrupt(() => void stack.close());
  // Joins wait for the connection to be fully established (RFC 8684 §3.1; Linux refuses them
  // before), or a second after the handshake when no data has moved either way by then.
  let joined = false;
  const join = (): void => {
    if (joined || socket.destroyed) return;
    joined = true;
    // With endpoints or limits, the path manager opens the subflows (above); only --backup is ours.
    openExtraSubflows(socket, paths, pm === undefined ? subflows : 1, backup, () => stack.schedule());
  };
  socket.once("established", join);
  socket.once("connect", () => setTimeout(join, 1000).unref());
  const live = interval === undefined ? undefined : new LiveView(interval, "client", () => socket.mptcp);

  socket.on("data", (chunk: Buffer) => received.add(chunk));
  if (sendBytes !== undefined) void sendSeeded(socket, new SeededBytes(seed, sendBytes), sent);
  else netcat(socket, sent);

  await new Promise((resolve) => socket.once("close", resolve));
  const interrupted = interrupt.signal;
  const seconds = (performance.now() - start) / 1000;
  live?.stop();
  if (sendBytes === undefined) process.stdin.destroy();
  // A graceful close finishes in the background (docs/runtime.md): the stack's close lets it, so
  // that what the peer acknowledged of our last bytes is counted.
  await stack.close();
  interrupt.dispose();
  const result = transferResult(socket, sent, received, seconds, {
    local: `${socket.localAddress ?? specs[0]!.stackAddress}:${socket.localPort ?? 0}`,
    remote: `${host}:${port}`,
    ...(interrupted !== undefined ? { error: interrupted } : failure !== undefined ? { error: failure.code } : {}),
    paths: pathStats(stack.loop.drivers),
    counters: nonZeroCounters(stack.host.counters) as Record<string, number>,
  });
  if (flags.json === true) {
    // In netcat mode stdout carries the data: the object goes to stderr.
    (sendBytes === undefined ? process.stderr : process.stdout).write(JSON.stringify(result) + "\n");
  } else process.stderr.write(summaryText(result));
  if (interrupt.signal !== undefined) throw new CliError(`interrupted by ${interrupt.signal}`, 128 + constants.signals[interrupt.signal]);
  if (driverFailure !== undefined) throw new CliError(driverFailure.message);
  if (failure !== undefined) throw new CliError(failure.message, 1);
}

/**
 * The first SIGINT or SIGTERM calls `stop` (closing the stack, which aborts the connection
 * towards the peer: MP_FASTCLOSE, RFC 8684 §3.5, or a RST after a fallback) and is remembered for
 * the summary and the exit code; both handlers are then gone, so a second signal ends the process
 * at once, as Node does by default. A killed kernel socket resets its peer; without this a
 * `server --once` would keep the dead connection for ever.
 */
function onInterrupt(stop: () => void): { readonly signal: "SIGINT" | "SIGTERM" | undefined; dispose(): void } {
  let signal: "SIGINT" | "SIGTERM" | undefined;
  const handler = (sig: "SIGINT" | "SIGTERM"): void => {
    signal = sig;
    dispose();
    stop();
  };
  const dispose = (): void => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    get signal() {
      return signal;
    },
    dispose,
  };
}

/** stdin to the connection, the connection to stdout, both with backpressure. */
function netcat(socket: MptcpSocket, meter: DirectionMeter): void {
  const stdin = process.stdin;
  stdin.on("data", (chunk: Buffer) => {
    meter.add(chunk);
    if (!socket.write(chunk)) {
      stdin.pause();
      socket.once("drain", () => stdin.resume());
    }
  });
  stdin.on("end", () => socket.end());
  socket.on("data", (chunk: Buffer) => {
    if (process.stdout.destroyed) return;
    if (!process.stdout.write(chunk)) {
      socket.pause();
      process.stdout.once("drain", () => socket.resume());
    }
  });
  // Whoever read stdout went away (`mptcp client ... | head -1`): nothing can take the peer's
  // bytes any more, so end the connection, as a netcat killed by SIGPIPE would (the peer is told).
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") socket.destroy();
  });
}

/**
 * One MP_JOIN subflow (RFC 8684 §3.2) from each further path's address, to the path's `peer=`
 * address or else the server's, until `subflows` are open; `backup` marks one path's subflow as
 * backup (§3.3.8: the B flag on its SYN, or MP_PRIO for the initial subflow). A join that fails
 * before it is up is tried again a second later, up to JOIN_ATTEMPTS times: Linux refuses joins
 * (MPJoinRejected) until it considers the connection fully established, which can be later than
 * the first Data ACK shows.
 */
function openExtraSubflows(socket: MptcpSocket, paths: readonly OpenPath[], subflows: number, backup: number | undefined, schedule: () => void): void {
  const conn = socket.connection;
  if (conn.mode !== "mptcp") return;
  if (backup === 0 && conn.subflow !== undefined) conn.setBackup(conn.subflow, true);
  for (let i = 1; i < paths.length && i < subflows; i++) {
    const spec = paths[i]!.spec;
    const attempt = (n: number): void => {
      if (socket.destroyed) return;
      let join: JoinSubflow | undefined;
      try {
        const peer = spec.peer === undefined ? undefined : parseAddress(spec.peer);
        join = conn.openSubflow(parseAddress(spec.stackAddress), peer, undefined, { backup: backup === i });
      } catch (e) {
        process.stderr.write(`mptcp: no subflow on ${spec.text}: ${(e as Error).message}\n`);
        return;
      }
      schedule();
      if (join === undefined) {
        process.stderr.write(`mptcp: no subflow on ${spec.text}: the connection is not MPTCP or the subflow limit is reached\n`);
        return;
      }
      if (n >= JOIN_ATTEMPTS) return;
      const check = setTimeout(() => {
        if (join.state === "closed") attempt(n + 1);
        else if (join.state !== "established") check.refresh();
      }, 1000);
      check.unref();
    };
    attempt(1);
  }
}

const JOIN_ATTEMPTS = 3;

/** HOST:PORT, IPv6 as [ADDR]:PORT; the host must be an IP address. */
function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m ? (m[1] ?? m[2]!) : "";
  if (!m || isIP(host) === 0) throw new CliError(`"${text}": expected HOST:PORT with an IP address ([ADDR]:PORT for IPv6)`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new CliError(`"${text}": port ${port} is outside 1..65535`);
  return { host, port };
}

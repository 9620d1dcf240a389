/**
 * `mptcp server --port P [--tun DEV=ADDR ...] [--udp ...] [--sink | --echo | --source BYTES]
 * [--seed N] [--once] [--interval S] [--json] [--subflows N] [--endpoint SPEC ...]
 * [--limits SPEC] [--checksums] [--pacing] [--cc C] [--cc-floor F] [--scheduler S] [--offload] [--no-mptcp]`
 *
 * Each connection is served by one of three applications: the sink (default) reads until the
 * client's end of stream and closes; echo sends back what it reads; source sends BYTES seeded
 * pseudo-random bytes (`SeededBytes`) and half-closes while reading what comes. Every connection
 * ends with a summary on stderr, or with `--json` one JSON object per line on stdout. `--once`
 * exits after the first connection; otherwise the server runs until SIGINT or SIGTERM. The path
 * manager is Linux's (paths.ts): `--endpoint "ADDR signal"` announces a further path's address to
 * every client, `--limits` bounds the subflows and the client's announcements acted on.
 */
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import type { PacketDriver } from "../io/driver.js";
import type { MptcpSocket } from "../runtime/socket.js";
import type { SocketError } from "../runtime/errors.js";
import { nonZeroCounters } from "../mptcp/counters.js";
import type { MptcpCounters } from "../mptcp/counters.js";
import { parseCcFlags, type CcFlags } from "./cc-flags.js";
import { CliError } from "./errors.js";
import { createPathStack, kernelMptcpNote, openPaths, parsePathManager, parsePaths } from "./paths.js";
import { DirectionMeter, LiveView, SeededBytes, parseBytes, parseInterval, parseNumber, pathStats, sendSeeded, summaryText, transferResult } from "./transfer-report.js";

export interface ServerFlags extends CcFlags {
  port: string;
  tun?: string[];
  udp?: string[];
  sink?: boolean;
  echo?: boolean;
  source?: string;
  seed?: string;
  once?: boolean;
  interval?: string;
  json?: boolean;
  subflows?: string;
  endpoint?: string[];
  limits?: string;
  checksums?: boolean;
  pacing?: boolean;
  offload?: boolean;
  mptcp?: boolean;
}

type App = { kind: "sink" } | { kind: "echo" } | { kind: "source"; bytes: number; seed: number };

export async function runServer(flags: ServerFlags): Promise<void> {
  const port = parseNumber(flags.port, "--port", 1, true);
  if (port > 65535) throw new CliError(`--port ${port} is above 65535`);
  const modes = [flags.sink === true, flags.echo === true, flags.source !== undefined].filter(Boolean).length;
  if (modes > 1) throw new CliError("--sink, --echo and --source exclude each other");
  const seed = flags.seed === undefined ? 1 : parseNumber(flags.seed, "--seed", 0, true);
  const app: App = flags.echo === true ? { kind: "echo" } : flags.source !== undefined ? { kind: "source", bytes: parseBytes(flags.source, "--source"), seed } : { kind: "sink" };
  const interval = flags.interval === undefined ? undefined : parseInterval(flags.interval);
  const specs = parsePaths(flags.tun ?? [], flags.udp ?? []);
  const subflows = flags.subflows === undefined ? undefined : parseNumber(flags.subflows, "--subflows", 1, true);
  const pm = flags.endpoint === undefined && flags.limits === undefined ? undefined : parsePathManager(flags.endpoint ?? [], flags.limits, specs);
  const cc = parseCcFlags(flags);
  const note = kernelMptcpNote(specs);
  if (note !== undefined && flags.json !== true) process.stderr.write(`${note}\n`);

  const paths = await openPaths(specs, { offload: flags.offload === true });
  const stack = await createPathStack(paths, { checksums: flags.checksums === true, pacing: flags.pacing === true, mptcp: flags.mptcp !== false, cc, ...(subflows !== undefined ? { subflows } : {}), ...(pm !== undefined ? { pm } : {}) });
  const server = stack.createServer({ allowHalfOpen: true });
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  let driverFailure: Error | undefined;
  stack.on("error", (err: Error) => {
    // A path's driver died (device deleted, socket failed): report it and stop serving.
    driverFailure ??= err;
    done();
  });
  const stop = (): void => done();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  let served = 0;
  server.on("connection", (socket) => {
    // With --once the port stays open for the first connection's MP_JOINs (RFC 8684 §3.2: they
    // come to the same listener); other connections are refused with a reset.
    if (flags.once === true && served > 0) {
      socket.destroy();
      return;
    }
    served++;
    void serve(socket, app, interval, flags.json === true, stack.host.counters, stack.loop.drivers).then(() => {
      if (flags.once === true) done();
    });
  });
  const listening = once(server, "listening");
  const failed = once(server, "error").then(([e]) => e as Error);
  server.listen(port);
  const first = await Promise.race([listening.then(() => undefined), failed]);
  if (first !== undefined) {
    await stack.close();
    throw new CliError(`--port ${port}: ${first.message}`);
  }
  process.stderr.write(`listening on port ${port} (${specs.map((s) => `${s.stackAddress} via ${s.kind === "tun" ? s.device : s.text}`).join(", ")})\n`);
  await finished;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await stack.close();
  if (driverFailure !== undefined) throw new CliError(driverFailure.message);
}

/** Runs the application on one connection and reports it once the socket closed. */
async function serve(socket: MptcpSocket, app: App, interval: number | undefined, json: boolean, counters: MptcpCounters, drivers: readonly PacketDriver[]): Promise<void> {
  const start = performance.now();
  const sent = new DirectionMeter();
  const received = new DirectionMeter();
  const remote = `${socket.remoteAddress}:${socket.remotePort}`;
  const local = `${socket.localAddress ?? "?"}:${socket.localPort ?? 0}`;
  let failure: SocketError | undefined;
  socket.on("error", (e: SocketError) => (failure = e));
  const live = interval === undefined ? undefined : new LiveView(interval, remote, () => socket.mptcp);
  socket.on("data", (chunk: Buffer) => {
    received.add(chunk);
    if (app.kind !== "echo") return;
    sent.add(chunk);
    if (!socket.write(chunk)) {
      socket.pause();
      socket.once("drain", () => socket.resume());
    }
  });
  socket.on("end", () => {
    // The client's DATA_FIN: the sink and echo are done; the source ends when its bytes are out.
    if (app.kind !== "source") socket.end();
  });
  if (app.kind === "source") void sendSeeded(socket, new SeededBytes(app.seed, app.bytes), sent);
  if (!socket.destroyed) await new Promise((resolve) => socket.once("close", resolve));
  live?.stop();
  const r = transferResult(socket, sent, received, (performance.now() - start) / 1000, {
    local,
    remote,
    ...(failure !== undefined ? { error: failure.code } : {}),
    paths: pathStats(drivers),
    counters: nonZeroCounters(counters) as Record<string, number>,
  });
  if (json) process.stdout.write(JSON.stringify(r) + "\n");
  else process.stderr.write(summaryText(r));
}

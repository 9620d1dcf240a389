/**
 * The `mptcp` command: parses the sub-command and its flags and runs it. Every failure a user can
 * cause becomes a one-line message on stderr and exit code 2, never a stack trace.
 */
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { quietOnClosedStdout } from "./output.js";
import { runDump } from "./dump.js";
import { parseBinSeconds, runAnalyze } from "./analyze.js";
import { runSim, type SimOptions } from "./sim.js";
import { withCcOptions } from "./cc-flags.js";
import { runDemoCli, type DemoCliOptions } from "./demo.js";
import { runClient } from "./client.js";
import type { ClientFlags } from "./client.js";
import { runServer } from "./server.js";
import type { ServerFlags } from "./server.js";
import { ChildExit, registerTestbed } from "./testbed.js";

function program(): Command {
  const cmd = new Command("mptcp")
    .description("Multipath TCP in user space: tools for captures, simulation and real networks")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);

  cmd
    .command("dump")
    .description("print every TCP segment of a capture (pcap or pcapng) with all TCP and MPTCP options")
    .argument("<capture>", "capture file (pcap or pcapng)")
    .option("--json", "one JSON object per segment (JSON lines)")
    .action(async (capture: string, opts: { json?: boolean }) => {
      await runDump(capture, { json: opts.json === true });
    });

  const sim = cmd
    .command("sim")
    .description("run a simulated network scenario (a YAML/JSON file or a built-in) and report each flow")
    .argument("[scenario]", "scenario file, or the name of a built-in (see --list)")
    .option("--seed <n>", "seed of every random stream: an integer, or any text as a string seed (default: the scenario's)")
    .option("--json", "print one JSON object with the results")
    .option("--pcap <dir>", "write a pcap per host interface into <dir>")
    .option("--bytes <size>", "override every flow's size (e.g. 10MB)")
    .option("--report <file>", "experiments (exp-*): also write a self-contained HTML report with the checks, the table and plots")
    .option("--list", "list the built-in scenarios");
  withCcOptions(sim, "every MPTCP host's", "the scenario's")
    .option("--pm <spec>", 'path manager: "kernel" (default, the endpoints), "ndiffports:N", or a handover policy "full", "backup", "single-path"')
    .option("--pacing", "pace every host's connections (as Linux with the fq qdisc)")
    .option("--no-pacing", "pace no host's connections (exp-responsiveness paces by default)")
    .action((scenario: string | undefined, opts: SimOptions) => {
      runSim(scenario, opts);
    });

  const demo = cmd
    .command("demo")
    .description("simulated WiFi + cellular download where the WiFi fails midway: a table and an HTML report")
    .option("--report <file>", "where to write the HTML report (default mptcp-demo.html)")
    .option("--no-report", "do not write the HTML report")
    .option("--json", "print the results as one JSON object")
    .option("--seed <n>", "seed of every random stream (default 1)")
    .option("--bytes <size>", "bytes to download: a size like 24MB, or a number of bytes (default 24000000)")
    .option("--fail-at <seconds>", "when the WiFi goes down (default 5)");
  withCcOptions(demo, "both hosts'", "cubic, uncoupled")
    .option("--pacing", "pace both hosts' subflows (as Linux with the fq qdisc)")
    .action((opts: DemoCliOptions) => {
      runDemoCli(opts);
    });

  cmd
    .command("analyze")
    .description("MPTCP connections, subflows, statistics and anomalies of a capture (or of a client-side and a server-side capture)")
    .argument("<capture>", "capture file (pcap or pcapng); with two, the client side first")
    .argument("[server-capture]", "a capture of the same traffic taken at the server")
    .option("--json", "the report as JSON")
    .option("--csv <dir>", "write the tables and time series as CSV files into <dir>")
    .option("--report <file>", "write a self-contained HTML report with plots")
    .option("--bin <seconds>", "goodput bin width in seconds (default: automatic, at most 500 bins; a given width may make at most 100000)", parseBinSeconds)
    .action(async (capture: string, server: string | undefined, opts: { json?: boolean; csv?: string; report?: string; bin?: number }) => {
      await runAnalyze(server === undefined ? [capture] : [capture, server], {
        json: opts.json === true,
        ...(opts.csv !== undefined ? { csv: opts.csv } : {}),
        ...(opts.report !== undefined ? { report: opts.report } : {}),
        ...(opts.bin !== undefined ? { bin: opts.bin } : {}),
      });
    });

  registerTestbed(cmd);

  const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
  const pathHelp = {
    tun: "a path over TUN device DEV, ADDR the stack's address on it (repeatable; needs root)",
    udp: "a path over UDP: [ADDR@]LOCALIP:PORT=REMOTEIP:PORT[,peer=PEER] (repeatable; no root)",
  };

  /** What `client` and `server` share: the paths, the live view and the MPTCP switches. */
  const withPathOptions = (c: Command): Command =>
    withCcOptions(c, "this end's", "cubic, uncoupled")
      .option("--tun <DEV=ADDR[,peer=PEER]>", pathHelp.tun, collect)
      .option("--udp <spec>", pathHelp.udp, collect)
      .option("--interval <seconds>", "print per-subflow lines every so many seconds on stderr (0.05 to 86400)")
      .option("--checksums", "ask for DSS checksums")
      .option("--pacing", "pace each subflow's data over its round trip (as Linux with the fq qdisc) instead of sending bursts")
      .option("--no-mptcp", "plain TCP only")
      .option("--offload", "TUN paths: segmentation offload both ways (IFF_VNET_HDR: up to 64 KB per write; captures on the device show the large segments)")
      .option("--endpoint <spec>", 'path-manager endpoint as `ip mptcp endpoint add` takes it: "ADDR [id N] [signal] [subflow] [backup] [fullmesh] [port P]" (repeatable)', collect)
      .option("--limits <spec>", 'path-manager limits as `ip mptcp limits set` takes them: "subflows N add_addr_accepted M"');

  const server = cmd
    .command("server")
    .description("accept MPTCP connections and sink, echo or source bytes, with per-subflow statistics")
    .requiredOption("--port <port>", "TCP port to listen on")
    .option("--sink", "read until end of stream, then close (the default)")
    .option("--echo", "send back what is read")
    .option("--source <bytes>", "send this many seeded pseudo-random bytes (10M, 1G), then half-close")
    .option("--seed <n>", "seed of --source's bytes (default 1)")
    .option("--once", "exit after the first connection")
    .option("--json", "one JSON object per connection on stdout")
    .option("--subflows <n>", "most subflows accepted per connection, the initial one included");
  withPathOptions(server).action(async (opts: ServerFlags) => {
    await runServer(opts);
  });

  const client = cmd
    .command("client")
    .description("connect over MPTCP; send seeded bytes (--send) or act as netcat; per-subflow statistics")
    .argument("<host:port>", "the server's address on the first path ([ADDR]:PORT for IPv6)")
    .option("--send <bytes>", "send this many seeded pseudo-random bytes (10M, 1G), half-close, read to the end")
    .option("--seed <n>", "seed of --send's bytes (default 1)")
    .option("--json", "one JSON object at the end (on stderr in netcat mode)")
    .option("--subflows <n>", "subflows to open, the initial one included (default: one per path)")
    .option("--backup <path>", "mark this path (device, address or index) as backup");
  withPathOptions(client).action(async (target: string, opts: ClientFlags) => {
    await runClient(target, opts);
  });

  return cmd;
}

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  quietOnClosedStdout();
  try {
    await program().parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help text).
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0 ? 0 : 2;
    }
    // `testbed exec` passes on the exit code of the command it ran.
    if (err instanceof ChildExit) return err.exitCode;
    if (err instanceof CliError) {
      process.stderr.write(`mptcp: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

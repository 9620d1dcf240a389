/**
 * `--cc`, `--cc-floor` and `--scheduler`: how every MPTCP connection of a command shares its
 * window and spreads its data. `mptcp sim` applies them to every simulated MPTCP host, `mptcp
 * client` and `server` to their own stack. Checked here once, with one-line errors naming the flag.
 */
import type { Command } from "commander";
import { CONGESTION_FLOORS, CONGESTION_KINDS, isCongestionFloor, isCongestionKind } from "../mptcp/cc/index.js";
import { SCHEDULER_NAMES, isSchedulerName } from "../mptcp/sched/registry.js";
import type { MptcpOptions } from "../stack/mptcp-host.js";
import { CliError } from "./errors.js";

export interface CcFlags {
  /** Congestion control of every subflow (reno, cubic, lia, olia, balia, coupled, kelly-voice). */
  cc?: string;
  /** OLIA's and BALIA's least window after a loss: "linux" (default) or "draft". */
  ccFloor?: string;
  /** Which subflow carries each chunk (lowest-rtt, round-robin, redundant, blest, ecf). */
  scheduler?: string;
}

export type CcOptions = Pick<MptcpOptions, "congestion" | "congestionFloor" | "scheduler">;

/**
 * Declares the three flags on `cmd` for `whose` connections ("every MPTCP host's", "this end's"),
 * with the choices `parseCcFlags` accepts and the command's default controller.
 */
export function withCcOptions(cmd: Command, whose: string, defaultCc: string): Command {
  return cmd
    .option("--cc <kind>", `congestion control of ${whose} subflows: ${CONGESTION_KINDS.join(", ")} (default: ${defaultCc})`)
    .option("--cc-floor <source>", 'OLIA\'s and BALIA\'s least window after a loss: "linux" (default, the authors\' Linux modules) or "draft"')
    .option("--scheduler <name>", `scheduler of ${whose} connections: ${SCHEDULER_NAMES.join(", ")} (default: lowest-rtt)`);
}

/** The flags as MPTCP host options, only those given. */
export function parseCcFlags(flags: CcFlags): CcOptions {
  const out: CcOptions = {};
  if (flags.cc !== undefined) {
    if (!isCongestionKind(flags.cc)) throw new CliError(`--cc: one of ${CONGESTION_KINDS.join(", ")}, got "${flags.cc}"`);
    out.congestion = flags.cc;
  }
  if (flags.ccFloor !== undefined) {
    if (!isCongestionFloor(flags.ccFloor)) throw new CliError(`--cc-floor: one of ${CONGESTION_FLOORS.join(", ")}, got "${flags.ccFloor}"`);
    out.congestionFloor = flags.ccFloor;
  }
  if (flags.scheduler !== undefined) {
    if (!isSchedulerName(flags.scheduler)) throw new CliError(`--scheduler: one of ${SCHEDULER_NAMES.join(", ")}, got "${flags.scheduler}"`);
    out.scheduler = flags.scheduler;
  }
  return out;
}

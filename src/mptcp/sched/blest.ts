/**
 * BLEST, blocking-estimation scheduling (Ferlin, Alay, Mehani, Boreli, "BLEST: Blocking
 * Estimation-based MPTCP Scheduler for Heterogeneous Networks", IFIP Networking 2016).
 *
 * Data sent on a slow subflow occupies the connection-level send window for one slow RTT; if the
 * fast subflow would need that window meanwhile, it stalls (head-of-line blocking). So when the
 * fastest subflow x_f has no room and the lowest-RTT subflow with room is a slower x_s, BLEST
 * estimates what x_f could send during one RTT of x_s, with rtts = RTT_s / RTT_f rounds and the
 * window growing by one MSS per round in congestion avoidance:
 *
 *   X = (CWND_f + MSS_f * (rtts - 1) / 2) * rtts          (bytes)
 *
 * and sends on x_s only if X * lambda fits beside it in the send window:
 *
 *   X * lambda <= SendWindow - (InFlight_s + MSS_s)
 *
 * otherwise it sends nothing now and waits for x_f. lambda corrects the estimate from experience:
 * it rises when the send window blocked a subflow with room anyway while a slower one held data
 * in it (the estimate was too optimistic; scheduler.ts step 4) and decays slowly otherwise. The paper adapts lambda this way but its constants
 * are ours: start 1, +0.1 per blocked Data ACK, -0.01 per unblocked one, within [0.5, 3].
 *
 * Without the figures it needs (a context, RTTs, `cwnd`, `inFlight`), it picks as lowest-RTT.
 */
import type { Scheduler, SchedulerContext, SchedulerPath } from "./scheduler.js";
import { fastOrCandidate } from "./paths.js";

const LAMBDA_START = 1;
const LAMBDA_UP = 0.1;
const LAMBDA_DOWN = 0.01;
const LAMBDA_MIN = 0.5;
const LAMBDA_MAX = 3;

export class BlestScheduler implements Scheduler {
  private lambdaValue = LAMBDA_START;

  /** The current correction factor of the estimate. */
  get lambda(): number {
    return this.lambdaValue;
  }

  pick<P extends SchedulerPath>(paths: readonly P[], context?: SchedulerContext): P | undefined {
    const c = fastOrCandidate(paths, context);
    if ("pick" in c) return c.pick;
    return this.wouldBlock(c.fast, c.slow, c.context) ? undefined : c.slow;
  }

  onDataAck(blocked: boolean): void {
    this.lambdaValue = blocked
      ? Math.min(LAMBDA_MAX, this.lambdaValue + LAMBDA_UP)
      : Math.max(LAMBDA_MIN, this.lambdaValue - LAMBDA_DOWN);
  }

  /** Whether a segment on `slow` now would leave `fast` short of send window (the rule above). */
  private wouldBlock(fast: SchedulerPath, slow: SchedulerPath, context: SchedulerContext): boolean {
    if (fast.srtt === undefined || slow.srtt === undefined || fast.cwnd === undefined || slow.inFlight === undefined) return false;
    const fastMss = fast.mss ?? slow.mss ?? 0;
    const slowMss = slow.mss ?? fastMss;
    const rounds = slow.srtt / Math.max(1, fast.srtt);
    const x = (fast.cwnd + (fastMss * (rounds - 1)) / 2) * rounds;
    return x * this.lambdaValue > context.sendWindow - (slow.inFlight + slowMss);
  }
}

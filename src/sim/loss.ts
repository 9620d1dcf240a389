/**
 * Random loss models for links, decided once per packet.
 *
 * - `none`.
 * - `bernoulli`: each packet is lost with probability `p`, independently.
 * - `gilbert-elliott`: a two-state Markov chain per packet, in the four-parameter form of
 *   Hasslinger and Hohlfeld ("The Gilbert-Elliott Model for Packet Loss in Real Time Services on
 *   the Internet", 2008), the same parameters as Linux netem's `loss gemodel p r 1-h 1-k`:
 *     p  probability of moving from Good to Bad (per packet),
 *     r  probability of moving from Bad to Good (per packet),
 *     h  probability that a packet is delivered while in Bad  (default 0: Bad loses everything),
 *     k  probability that a packet is delivered while in Good (default 1: Good loses nothing).
 *   With the defaults this is the simple Gilbert model: loss bursts have a geometric length of
 *   mean 1/r packets, and the long-run loss rate is p / (p + r). In general the loss rate is
 *   (p·(1−h) + r·(1−k)) / (p + r).
 *   Each packet is judged in the current state, then the chain takes one step. The chain starts
 *   in Good.
 */
import type { Rng } from "../util/rng.js";

export type LossModel =
  | { kind: "none" }
  | { kind: "bernoulli"; p: number }
  | { kind: "gilbert-elliott"; p: number; r: number; h?: number; k?: number };

/** The state of a loss model on one link. */
export interface LossProcess {
  /** Decides the fate of the next packet: true means it is lost. */
  lose(rng: Rng): boolean;
}

/** Checks a model's parameters; returns a message naming the bad field, or undefined. */
export function validateLossModel(model: LossModel): string | undefined {
  const prob = (name: string, v: number | undefined): string | undefined =>
    v === undefined || (v >= 0 && v <= 1) ? undefined : `loss.${name} must be a probability in [0, 1], got ${v}`;
  switch (model.kind) {
    case "none":
      return undefined;
    case "bernoulli":
      return prob("p", model.p);
    case "gilbert-elliott":
      return prob("p", model.p) ?? prob("r", model.r) ?? prob("h", model.h) ?? prob("k", model.k);
    default:
      return `unknown loss model ${(model as { kind: unknown }).kind}`;
  }
}

export function createLossProcess(model: LossModel): LossProcess {
  const error = validateLossModel(model);
  if (error !== undefined) throw new RangeError(error);
  switch (model.kind) {
    case "none":
      return NO_LOSS;
    case "bernoulli":
      return new BernoulliLoss(model.p);
    case "gilbert-elliott":
      return new GilbertElliottLoss(model.p, model.r, model.h ?? 0, model.k ?? 1);
  }
}

/** The long-run fraction of packets a model loses (for reports and tests). */
export function expectedLossRate(model: LossModel): number {
  switch (model.kind) {
    case "none":
      return 0;
    case "bernoulli":
      return model.p;
    case "gilbert-elliott": {
      const { p, r } = model;
      const h = model.h ?? 0, k = model.k ?? 1;
      if (p + r === 0) return 1 - k; // never leaves Good
      return (p * (1 - h) + r * (1 - k)) / (p + r);
    }
  }
}

const NO_LOSS: LossProcess = { lose: () => false };

class BernoulliLoss implements LossProcess {
  constructor(private readonly p: number) {}

  lose(rng: Rng): boolean {
    return rng.chance(this.p);
  }
}

class GilbertElliottLoss implements LossProcess {
  private bad = false;

  constructor(
    private readonly p: number,
    private readonly r: number,
    private readonly h: number,
    private readonly k: number,
  ) {}

  lose(rng: Rng): boolean {
    const delivered = rng.chance(this.bad ? this.h : this.k);
    this.bad = this.bad ? !rng.chance(this.r) : rng.chance(this.p);
    return !delivered;
  }
}

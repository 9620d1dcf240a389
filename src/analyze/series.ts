/**
 * Bounded summaries of per-segment quantities, so that a trace of any length is described in a
 * fixed amount of memory: time series decimated to min/max buckets (the extremes survive, as a
 * plot needs), fixed-width time bins for rates, and a logarithmic histogram for delays.
 */

/** One decimated bucket: the first and the extreme points that fell in it. */
interface Bucket {
  /** Bucket index at the current width. */
  idx: number;
  minT: number;
  min: number;
  maxT: number;
  max: number;
}

/**
 * A (time, value) series kept to at most about `2 * maxBuckets` points. Time is cut into buckets
 * whose width doubles whenever there are too many; each bucket keeps its minimum and its maximum,
 * so spikes and drops stay visible however much the series is thinned.
 */
export class MinMaxSeries {
  private buckets: Bucket[] = [];
  private width: number;
  private count = 0;

  /** `origin` is the time of bucket 0; `initialWidth` is in the unit of time (seconds). */
  constructor(private readonly origin: number, private readonly maxBuckets = 2000, initialWidth = 1e-4) {
    this.width = initialWidth;
  }

  /** Points added, before decimation. */
  get added(): number {
    return this.count;
  }

  add(t: number, v: number): void {
    this.count++;
    const idx = Math.floor((t - this.origin) / this.width);
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.idx === idx) {
      if (v < last.min) { last.min = v; last.minT = t; }
      if (v > last.max) { last.max = v; last.maxT = t; }
      return;
    }
    if (last !== undefined && idx < last.idx) {
      // Out-of-order time (two captures interleaved): fold into the last bucket.
      if (v < last.min) { last.min = v; last.minT = t; }
      if (v > last.max) { last.max = v; last.maxT = t; }
      return;
    }
    this.buckets.push({ idx, minT: t, min: v, maxT: t, max: v });
    if (this.buckets.length > this.maxBuckets) this.halve();
  }

  /** The kept points in time order: each bucket's minimum and maximum (once if they coincide). */
  points(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const b of this.buckets) {
      if (b.minT === b.maxT && b.min === b.max) out.push([b.minT, b.min]);
      else if (b.minT <= b.maxT) out.push([b.minT, b.min], [b.maxT, b.max]);
      else out.push([b.maxT, b.max], [b.minT, b.min]);
    }
    return out;
  }

  private halve(): void {
    this.width *= 2;
    const merged: Bucket[] = [];
    for (const b of this.buckets) {
      const idx = Math.floor(b.idx / 2);
      const last = merged[merged.length - 1];
      if (last !== undefined && last.idx === idx) {
        if (b.min < last.min) { last.min = b.min; last.minT = b.minT; }
        if (b.max > last.max) { last.max = b.max; last.maxT = b.maxT; }
      } else merged.push({ ...b, idx });
    }
    this.buckets = merged;
  }
}

/** Bins of a width fixed by the user would span more than their limit (see TimeBins). */
export class TooManyBinsError extends RangeError {
  constructor(
    readonly width: number,
    readonly maxBins: number,
    /** Seconds from the bins' origin (the connection's first segment) to the time that did not fit. */
    readonly spanSeconds: number,
  ) {
    super(`bins of ${width} s: more than ${maxBins} over ${spanSeconds} s`);
    this.name = "TooManyBinsError";
  }
}

/**
 * Sums of a quantity (bytes) per time bin from `origin`. With `maxBins`, the bins may span at
 * most that many widths: on "widen" the width starts small and doubles (merging pairs of bins)
 * whenever they would span more, so a short trace gets fine bins and a long one a bounded number;
 * on "reject" the width is fixed and `add` throws TooManyBinsError instead. Without `maxBins` the
 * width is fixed and unbounded (`bins()` is as long as the span over the width).
 */
export class TimeBins {
  private sums = new Map<number, number>();
  private lo = Infinity;
  private hi = -Infinity;

  constructor(
    private readonly origin: number,
    private widthValue: number,
    private readonly maxBins?: number,
    private readonly whenFull: "widen" | "reject" = "widen",
  ) {}

  get width(): number {
    return this.widthValue;
  }

  add(t: number, v: number): void {
    let idx = Math.max(0, Math.floor((t - this.origin) / this.widthValue));
    if (this.maxBins !== undefined) {
      while (Math.max(this.hi, idx) - Math.min(this.lo, idx) >= this.maxBins) {
        if (this.whenFull === "reject") throw new TooManyBinsError(this.widthValue, this.maxBins, t - this.origin);
        this.coarsen();
        idx = Math.max(0, Math.floor((t - this.origin) / this.widthValue));
      }
    }
    if (idx < this.lo) this.lo = idx;
    if (idx > this.hi) this.hi = idx;
    this.sums.set(idx, (this.sums.get(idx) ?? 0) + v);
  }

  /** [bin start time, sum] for every bin from the first to the last non-empty one. */
  bins(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = this.lo; i <= this.hi; i++) out.push([this.origin + i * this.widthValue, this.sums.get(i) ?? 0]);
    return out;
  }

  private coarsen(): void {
    this.widthValue *= 2;
    const merged = new Map<number, number>();
    for (const [i, v] of this.sums) {
      const j = Math.floor(i / 2);
      merged.set(j, (merged.get(j) ?? 0) + v);
    }
    this.sums = merged;
    this.lo = Math.floor(this.lo / 2);
    this.hi = Math.floor(this.hi / 2);
  }
}

/**
 * A histogram of non-negative durations (seconds) weighted by a count (bytes, samples), in
 * logarithmic bins from 1 µs up (`binsPerDecade` per factor of ten); durations below 1 µs have
 * bin 0. Keeps the exact total, mean and maximum; quantiles are to the bin's resolution.
 */
export class DelayHistogram {
  /** Bin 0 is "below 1 µs"; bin k >= 1 covers [1e-6 * 10^((k-1)/n), 1e-6 * 10^(k/n)). */
  readonly weights: number[] = [];
  total = 0;
  weighted = 0;
  min = Infinity;
  max = 0;
  /** Weight of the samples of 1 µs or more. */
  delayedWeight = 0;

  constructor(readonly binsPerDecade = 4) {}

  add(delay: number, weight: number): void {
    if (weight <= 0) return;
    const d = Math.max(0, delay);
    const bin = d < 1e-6 ? 0 : 1 + Math.max(0, Math.floor(Math.log10(d / 1e-6) * this.binsPerDecade));
    while (this.weights.length <= bin) this.weights.push(0);
    this.weights[bin]! += weight;
    this.total += weight;
    this.weighted += d * weight;
    if (d > this.max) this.max = d;
    if (d < this.min) this.min = d;
    if (bin > 0) this.delayedWeight += weight;
  }

  /** Lower edge of bin `k` in seconds. */
  binLow(k: number): number {
    return k === 0 ? 0 : 1e-6 * 10 ** ((k - 1) / this.binsPerDecade);
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.weighted / this.total;
  }

  /**
   * The `q` quantile (0..1) of the weight: the geometric middle of the bin that holds it, clamped
   * to the minimum and maximum (so a distribution of one value gives that value).
   */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * this.total;
    let acc = 0;
    for (let k = 0; k < this.weights.length; k++) {
      acc += this.weights[k]!;
      if (acc >= target) return k === 0 ? 0 : Math.max(this.min, Math.min(this.max, Math.sqrt(this.binLow(k) * this.binLow(k + 1))));
    }
    return this.max;
  }
}

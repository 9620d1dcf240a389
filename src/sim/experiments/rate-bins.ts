/**
 * Bytes delivered, counted into bins of fixed width in simulated time and read back as Mbit/s per
 * bin: the time series of the experiments' reports (`BulkSink.drain`'s per-chunk callback feeds
 * it). Bins with nothing delivered read 0 up to the last one that had something.
 */
export class RateBins {
  private readonly bytes: number[] = [];

  constructor(private readonly widthUs: number) {}

  add(n: number, atUs: number): void {
    const i = Math.floor(atUs / this.widthUs);
    while (this.bytes.length <= i) this.bytes.push(0);
    this.bytes[i]! += n;
  }

  /** Mbit/s in each bin from time 0. */
  mbps(): number[] {
    return this.bytes.map((b) => (b * 8) / this.widthUs);
  }
}

/**
 * The payload of a full data segment on one subflow, as TCP last planned it: with the DSS that
 * declares a mapping (the mapping's first segment, RFC 8684 §3.3.1) and without (a segment inside
 * a mapping, which carries at most a Data ACK). With the DSS on every segment (Linux's way) only
 * the first is ever seen.
 *
 * The scheduler hands a subflow chunks in whole segments (joined-paths.ts `subflowRoom`), since a
 * segment never crosses a mapping's end. A chunk that starts a mapping fills whole segments when
 * its length is one declaring segment plus full ones: rounded to full segments alone, it would
 * end in a runt the size of the DSS (24 or 28 bytes, a packet of its own).
 */
export class SegmentSizes {
  /** Payload of the segment that declares a mapping. */
  declaring: number | undefined;
  /** Payload of a full segment inside a mapping. */
  inside: number | undefined;

  /** TCP planned a full data segment of `payload` bytes, declaring a mapping or not. */
  note(payload: number, declares: boolean): void {
    if (declares) this.declaring = payload;
    else this.inside = payload;
  }

  /** The payload of a full segment, as the scheduler's `mss` (the last one planned, either kind). */
  get any(): number | undefined {
    return this.inside ?? this.declaring;
  }

  /**
   * The longest chunk of at most `room` bytes that starts a mapping and fills whole segments;
   * `fallback` is the segment payload to assume before one was planned. 0 when not even one
   * declaring segment fits.
   */
  fit(room: number, fallback: number): number {
    const first = Math.max(1, this.declaring ?? fallback);
    const full = Math.max(first, this.inside ?? first);
    if (room < first) return 0;
    return first + Math.floor((room - first) / full) * full;
  }
}

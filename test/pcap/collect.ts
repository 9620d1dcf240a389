/** Runs a CaptureParser over bytes (in given chunk sizes) and gathers everything it returns. */
import { ParseError } from "../../src/wire/error.js";
import type { CapturedPacket } from "../../src/wire/pcap/packet.js";
import { CaptureParser } from "../../src/wire/pcap/parser.js";

export interface Collected {
  packets: CapturedPacket[];
  /** Errors confined to one record, after which parsing went on. */
  skipped: ParseError[];
  /** The final error (from `next`, or from `end`), if any. */
  fatal: ParseError | undefined;
}

/** Feeds `bytes` split at the given chunk sizes (cycled; one chunk if none), then calls `end`. */
export function collect(bytes: Uint8Array, chunkSizes: number[] = []): Collected {
  const parser = new CaptureParser();
  const out: Collected = { packets: [], skipped: [], fatal: undefined };
  let off = 0;
  let i = 0;
  while (off < bytes.length) {
    const size = chunkSizes.length === 0 ? bytes.length : Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    parser.push(bytes.subarray(off, off + size));
    off += size;
    if (drain(parser, out)) return out;
  }
  out.fatal = parser.end();
  return out;
}

/** True once a final error is seen. */
function drain(parser: CaptureParser, out: Collected): boolean {
  for (;;) {
    const r = parser.next();
    if (r === undefined) return false;
    if (!(r instanceof ParseError)) {
      out.packets.push({ ...r, data: r.data.slice() });
    } else if (parser.finalError === r) {
      out.fatal = r;
      return true;
    } else {
      out.skipped.push(r);
    }
  }
}

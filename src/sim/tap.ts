/**
 * Taps: where the simulator shows the packets it sees to a capture. A tap is anything with
 * `write(timeMicros, packet)`; `pcapTap` makes one that writes a classic raw-IP pcap
 * (LINKTYPE_RAW, µs timestamps) to a sink callback, so sim/ never touches the file system (the
 * CLI passes a sink that writes a file). Packets are written as they are, unmodified.
 *
 * Attach taps with `Simulator.tapInterface` (what one node sends and receives on an interface,
 * like tcpdump on it) or `Link.tapOffered` / `Link.tapDelivered` (a link's two ends).
 */
import { PcapWriter, type PcapSink } from "../wire/pcap/writer.js";

export interface CaptureWriter {
  /** A packet seen at virtual time `timeMicros`. The packet must not be kept without a copy. */
  write(timeMicros: number, packet: Uint8Array): void;
}

export interface PcapTapOptions {
  /**
   * Added to virtual time for the pcap timestamps (default 0, i.e. the capture starts at the
   * Unix epoch). Any fixed value keeps captures reproducible.
   */
  timeOffsetUs?: number;
  /** Longest stored packet (default the writer's, 262144). */
  snaplen?: number;
}

/** A tap writing a classic pcap (raw IP) to `sink`: the file header at once, a chunk per packet. */
export function pcapTap(sink: PcapSink, options: PcapTapOptions = {}): CaptureWriter {
  const writer = new PcapWriter(sink, options.snaplen === undefined ? {} : { snaplen: options.snaplen });
  const offset = options.timeOffsetUs ?? 0;
  if (offset === 0) return writer;
  return { write: (time, packet) => writer.write(time + offset, packet) };
}

/** A tap that keeps (copies of) the packets in memory, for tests and small tools. */
export class RecordingTap implements CaptureWriter {
  readonly records: { time: number; packet: Uint8Array }[] = [];

  write(timeMicros: number, packet: Uint8Array): void {
    this.records.push({ time: timeMicros, packet: packet.slice() });
  }
}

/**
 * A classic pcap writer (draft-ietf-opsawg-pcap): little-endian, microsecond timestamps, which
 * every tool reads. Time comes in as integer microseconds, the stack's unit.
 */

import { LinkType } from "./packet.js";

/** Wireshark's standard maximum; larger packets are truncated to it. */
export const DEFAULT_SNAPLEN = 262144;

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

function putU32le(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/** The 24-byte file header: magic a1b2c3d4, version 2.4, zone 0, sigfigs 0, snaplen, link type. */
export function pcapFileHeader(linkType: number = LinkType.RAW, snaplen: number = DEFAULT_SNAPLEN): Uint8Array {
  const b = new Uint8Array(PCAP_FILE_HEADER_LEN);
  putU32le(b, 0, 0xa1b2c3d4);
  b[4] = 2;
  b[6] = 4;
  putU32le(b, 16, snaplen);
  putU32le(b, 20, linkType);
  return b;
}

/** Writes a 16-byte record header at `b[off]`. */
export function writePcapRecordHeader(b: Uint8Array, off: number, tsSec: number, tsUsec: number, caplen: number, origLen: number): void {
  putU32le(b, off, tsSec);
  putU32le(b, off + 4, tsUsec);
  putU32le(b, off + 8, caplen);
  putU32le(b, off + 12, origLen);
}

export function pcapRecordHeader(tsSec: number, tsUsec: number, caplen: number, origLen: number): Uint8Array {
  const b = new Uint8Array(PCAP_RECORD_HEADER_LEN);
  writePcapRecordHeader(b, 0, tsSec, tsUsec, caplen, origLen);
  return b;
}

/** Where a PcapWriter sends its bytes. Each chunk is freshly allocated and owned by the sink. */
export type PcapSink = (chunk: Uint8Array) => void;

export interface PcapWriterOptions {
  linkType?: number;
  snaplen?: number;
}

/** Emits the file header at construction, then one chunk (record header + data) per packet. */
export class PcapWriter {
  readonly linkType: number;
  readonly snaplen: number;

  constructor(
    private readonly sink: PcapSink,
    options: PcapWriterOptions = {},
  ) {
    this.linkType = options.linkType ?? LinkType.RAW;
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    sink(pcapFileHeader(this.linkType, this.snaplen));
  }

  /**
   * Appends a packet seen at `timeMicros` (integer microseconds since the Unix epoch, within the
   * 32-bit seconds range of the format). Packets over the snaplen are truncated, keeping their
   * original length in the record. Throws RangeError for a time the format cannot hold.
   */
  write(timeMicros: number, packet: Uint8Array): void {
    if (!Number.isSafeInteger(timeMicros) || timeMicros < 0 || timeMicros >= 4294967296e6) {
      throw new RangeError(`pcap time out of range: ${timeMicros} µs`);
    }
    const sec = Math.floor(timeMicros / 1e6);
    const caplen = Math.min(packet.length, this.snaplen);
    const chunk = new Uint8Array(PCAP_RECORD_HEADER_LEN + caplen);
    writePcapRecordHeader(chunk, 0, sec, timeMicros - sec * 1e6, caplen, packet.length);
    chunk.set(caplen === packet.length ? packet : packet.subarray(0, caplen), PCAP_RECORD_HEADER_LEN);
    this.sink(chunk);
  }
}

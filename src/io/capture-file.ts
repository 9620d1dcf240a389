/**
 * Capture files on disk: streaming reads through the sans-I/O CaptureParser, and a buffered
 * pcap writer. The only module of the capture code that touches the file system.
 */

import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import type { Readable } from "node:stream";
import { ParseError } from "../wire/error.js";
import type { CapturedPacket } from "../wire/pcap/packet.js";
import { CaptureParser } from "../wire/pcap/parser.js";
import { PcapWriter } from "../wire/pcap/writer.js";

/** Large reads keep the per-chunk overhead negligible; memory stays one chunk plus one record. */
const READ_CHUNK = 1 << 20;
const WRITE_BUFFER = 1 << 20;

export type CaptureFileErrorKind =
  /** The file does not exist. */
  | "not-found"
  /** It exists but cannot be read (permissions, a directory, an I/O error). */
  | "unreadable"
  /** The first bytes are not a pcap or pcapng magic number, or the file is empty. */
  | "not-capture"
  /** A record or block is cut short or has inconsistent length fields. */
  | "corrupt";

export class CaptureFileError extends Error {
  override readonly name = "CaptureFileError";

  constructor(
    readonly kind: CaptureFileErrorKind,
    readonly path: string,
    message: string,
    /** The parser's diagnosis, for `not-capture` and `corrupt`. */
    readonly parseError?: ParseError,
    /** 1-based number of the packet being read when it failed; absent when the file header failed. */
    readonly packetNumber?: number,
    /** File offset of the record or block at fault. */
    readonly byteOffset?: number,
  ) {
    super(message);
  }
}

/**
 * Streams the packets of a pcap or pcapng file. Throws CaptureFileError (from the iteration)
 * when the file is missing, unreadable, not a capture, or corrupt; packets before the fault are
 * yielded first. Each packet's `data` is its own until the caller overwrites it.
 *
 * The file is opened at the first `next()`, not here: a read stream reports a failed open as an
 * 'error' event a tick later, and with no iterator listening yet (a second capture created
 * beside the first and not read until the first has been) that event would crash the process.
 */
export async function* readCapture(path: string): AsyncGenerator<CapturedPacket> {
  yield* readCaptureStream(createReadStream(path, { highWaterMark: READ_CHUNK }), path);
}

/**
 * The same over any byte stream (`path` names it in errors). Pass a parser to watch its
 * `bufferedBytes`; by default a fresh one is used.
 */
export async function* readCaptureStream(
  source: Readable | AsyncIterable<Uint8Array>,
  path: string,
  parser: CaptureParser = new CaptureParser(),
): AsyncGenerator<CapturedPacket> {
  let packetNumber = 0;
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  try {
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await iterator.next();
      } catch (e) {
        throw ioError(e, path);
      }
      if (step.done === true) break;
      // Packets are views into the chunks; a plain Uint8Array view keeps their type uniform (fs gives Buffers).
      const chunk = step.value;
      parser.push(chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (;;) {
        const r = parser.next();
        if (r === undefined) break;
        if (r instanceof ParseError) throw parseFailure(r, path, packetNumber + 1, parser.recordOffset);
        packetNumber++;
        yield r;
      }
    }
    const bad = parser.end();
    if (bad !== undefined) throw parseFailure(bad, path, packetNumber + 1, parser.recordOffset);
  } finally {
    // Closes the file when the consumer stops early or an error is thrown.
    if ("destroy" in source && typeof source.destroy === "function") source.destroy();
    else await iterator.return?.();
  }
}

function ioError(e: unknown, path: string): CaptureFileError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return new CaptureFileError("not-found", path, `${path}: no such file`);
  const reason = e instanceof Error ? e.message : String(e);
  return new CaptureFileError("unreadable", path, `${path}: cannot read: ${reason}`);
}

function parseFailure(err: ParseError, path: string, packetNumber: number, byteOffset: number): CaptureFileError {
  if (err.field === "magic number") {
    return new CaptureFileError("not-capture", path, `${path}: not a pcap or pcapng file (${err.toString()})`, err);
  }
  if (byteOffset === 0) {
    // What starts at byte 0 is the file header (pcap) or the first section header block (pcapng),
    // not a packet. The parser's own error for a header cut short already says "file header".
    const where = err.field === "file header" ? "" : "file header: ";
    return new CaptureFileError("corrupt", path, `${path}: ${where}${err.toString()}`, err, undefined, 0);
  }
  return new CaptureFileError(
    "corrupt",
    path,
    `${path}: packet ${packetNumber} at byte ${byteOffset}: ${err.toString()}`,
    err,
    packetNumber,
    byteOffset,
  );
}

/** A pcap file being written; see openPcapWriter. */
export interface PcapFileWriter {
  /** Appends a packet seen at `timeMicros` (integer microseconds since the Unix epoch). */
  write(timeMicros: number, packet: Uint8Array): void;
  /** Writes out what is buffered and closes the file. */
  close(): void;
}

/**
 * Creates (or truncates) `path` as a classic pcap file of `linkType` (default raw IP). Records
 * are gathered in memory and written synchronously in 1 MiB batches and at `close()`.
 */
export function openPcapWriter(path: string, linkType?: number): PcapFileWriter {
  const fd = openSync(path, "w");
  const buffer = new Uint8Array(WRITE_BUFFER);
  let used = 0;
  let closed = false;
  const flush = (): void => {
    let done = 0;
    while (done < used) done += writeSync(fd, buffer, done, used - done);
    used = 0;
  };
  const sink = (chunk: Uint8Array): void => {
    if (used + chunk.length > buffer.length) flush();
    if (chunk.length > buffer.length) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
      return;
    }
    buffer.set(chunk, used);
    used += chunk.length;
  };
  const writer = new PcapWriter(sink, linkType === undefined ? {} : { linkType });
  return {
    write(timeMicros: number, packet: Uint8Array): void {
      if (closed) throw new Error(`${path}: write after close`);
      writer.write(timeMicros, packet);
    },
    close(): void {
      if (closed) return;
      closed = true;
      try {
        flush();
      } finally {
        closeSync(fd);
      }
    },
  };
}

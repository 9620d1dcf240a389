/**
 * A push parser for capture files: classic pcap (µs or ns, either byte order) and pcapng (any
 * number of sections and interfaces), told apart by the first four bytes.
 *
 * Feed bytes with `push` as they arrive, drain packets with `next` until it returns undefined,
 * and call `end` once the input is exhausted to learn whether it stopped mid-record.
 *
 * Memory: the parser keeps references to the chunks it was given and copies bytes only when a
 * record straddles two chunks (then just that record). Once drained it holds at most one
 * incomplete record, so reading a file of any size needs the largest record, not the file.
 * Blocks of types it does not decode (name resolution, statistics, secrets, custom) are dropped
 * as they stream past and are never buffered whole.
 *
 * Errors: a bad length field loses the framing, so such an error is final and `next` returns it
 * again on every call. An error confined to one complete record (say, an unknown interface id) is
 * returned once, the record is skipped, and parsing can continue.
 */

import { ParseError } from "../error.js";
import { u32 } from "./byte-order.js";
import {
  CLASSIC_HEADER_LEN,
  CLASSIC_RECORD_HEADER_LEN,
  checkClassicCaplen,
  isClassicMagic,
  parseClassicHeader,
} from "./classic.js";
import type { CapturedPacket } from "./packet.js";
import {
  BlockType,
  MAX_DECODED_BLOCK_LEN,
  MIN_BLOCK_LEN,
  checkSectionVersion,
  decodeSimplePacket,
  decodeTimestampedPacket,
  minBlockLen,
  parseInterfaceDescription,
  sectionByteOrder,
  type PcapngInterface,
} from "./pcapng.js";
import type { SecNsec } from "./timestamp.js";

export type CaptureFormat = "pcap" | "pcapng";

/** Unknown pcapng blocks are skipped without buffering; past this a length is taken as corrupt. */
const MAX_SKIPPED_BLOCK_LEN = 0x40000000;

const EMPTY = new Uint8Array(0);

/** Returned by the record readers when a record was consumed without yielding a packet. */
const CONTINUE = null;

export class CaptureParser {
  // Unread input: cur[pos ..], then the chunks in `queue`, which hold `queued` bytes together.
  private cur: Uint8Array = EMPTY;
  private pos = 0;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private consumed = 0;
  private recordStart = 0;
  private sawInput = false;
  private failure: ParseError | undefined;

  private fmt: CaptureFormat | undefined;
  /** Byte order of the classic file, or of the current pcapng section. */
  private le = false;
  // Classic pcap.
  private nanosecond = false;
  private classicLinkType = 0;
  // pcapng: the current section's interfaces, and the state of skipping an undecoded block.
  private interfaces: PcapngInterface[] = [];
  private skipLeft = 0;
  private trailerExpected = -1;
  private readonly scratch: SecNsec = { sec: 0, nsec: 0 };

  /** Appends input. The chunk is referenced, not copied: do not overwrite it afterwards. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.sawInput = true;
    if (this.pos === this.cur.length && this.queued === 0) {
      this.cur = chunk;
      this.pos = 0;
    } else {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
  }

  /**
   * The next packet, a ParseError, or undefined when more input is needed. See the class comment
   * for which errors are final.
   */
  next(): CapturedPacket | ParseError | undefined {
    if (this.failure !== undefined) return this.failure;
    for (;;) {
      // A skipped block is dropped across calls; its errors point at its start.
      if (this.trailerExpected < 0) this.recordStart = this.consumed;
      const r =
        this.fmt === "pcap" ? this.nextClassicRecord() : this.fmt === "pcapng" ? this.nextBlock() : this.detectFormat();
      if (r !== CONTINUE) return r;
    }
  }

  /**
   * Call when the input has ended and `next` has returned undefined: an error if the input was
   * empty, not a capture, or stopped inside a header, record or block.
   */
  end(): ParseError | undefined {
    if (this.failure !== undefined) return this.failure;
    if (!this.sawInput) return this.fail(new ParseError("capture", "magic number", "truncated", "empty input"));
    const left = this.bufferedBytes;
    if (left === 0 && this.skipLeft === 0 && this.trailerExpected < 0 && this.fmt !== undefined) return undefined;
    const layer = this.fmt ?? "capture";
    const field = this.fmt === undefined ? "file header" : this.fmt === "pcap" ? "record" : "block";
    const at = this.consumed + left;
    return this.fail(new ParseError(layer, field, "truncated", `input ends at byte ${at}, inside the ${field} at offset ${this.recordStart}`));
  }

  /** The format, once the magic number has been read. */
  get format(): CaptureFormat | undefined {
    return this.fmt;
  }

  /** The final error, once one has occurred: no further packets will come. */
  get finalError(): ParseError | undefined {
    return this.failure;
  }

  /** Input bytes received but not yet consumed (what the parser keeps alive). */
  get bufferedBytes(): number {
    return this.cur.length - this.pos + this.queued;
  }

  /** The file offset of the record or block that the last `next` returned or stopped at. */
  get recordOffset(): number {
    return this.recordStart;
  }

  private fail(err: ParseError): ParseError {
    this.failure = err;
    return err;
  }

  private consume(n: number): void {
    this.pos += n;
    this.consumed += n;
  }

  /**
   * Makes `cur[pos .. pos + n)` contiguous, copying only if it spans chunks (callers bound `n`).
   * False if fewer than `n` bytes have arrived.
   */
  private ensure(n: number): boolean {
    let have = this.cur.length - this.pos;
    if (have >= n) return true;
    if (have + this.queued < n) return false;
    if (have === 0) {
      this.cur = this.queue.shift()!;
      this.pos = 0;
      this.queued -= this.cur.length;
      if (this.cur.length >= n) return true;
      have = this.cur.length;
    }
    const joined = new Uint8Array(n);
    joined.set(this.cur.subarray(this.pos), 0);
    while (have < n) {
      const head = this.queue[0]!;
      const take = Math.min(n - have, head.length);
      joined.set(head.subarray(0, take), have);
      have += take;
      this.queued -= take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.cur = joined;
    this.pos = 0;
    return true;
  }

  /** Drops up to `n` bytes without copying; returns how many are still to drop. */
  private drop(n: number): number {
    while (n > 0) {
      const have = this.cur.length - this.pos;
      if (have === 0) {
        if (this.queue.length === 0) break;
        this.cur = this.queue.shift()!;
        this.pos = 0;
        this.queued -= this.cur.length;
        continue;
      }
      const k = Math.min(have, n);
      this.consume(k);
      n -= k;
    }
    return n;
  }

  private detectFormat(): CapturedPacket | ParseError | undefined | typeof CONTINUE {
    if (!this.ensure(4)) return undefined;
    const magic = u32(this.cur, this.pos, false);
    if (isClassicMagic(magic)) {
      if (!this.ensure(CLASSIC_HEADER_LEN)) return undefined;
      const header = parseClassicHeader(this.cur.subarray(this.pos, this.pos + CLASSIC_HEADER_LEN));
      if (header instanceof ParseError) return this.fail(header);
      this.le = header.littleEndian;
      this.nanosecond = header.nanosecond;
      this.classicLinkType = header.linkType;
      this.consume(CLASSIC_HEADER_LEN);
      this.fmt = "pcap";
      return CONTINUE;
    }
    if (magic === BlockType.SECTION_HEADER) {
      this.fmt = "pcapng";
      return CONTINUE;
    }
    const hex = magic.toString(16).padStart(8, "0");
    return this.fail(new ParseError("capture", "magic number", "unsupported", `0x${hex} is neither pcap nor pcapng`));
  }

  private nextClassicRecord(): CapturedPacket | ParseError | undefined {
    if (!this.ensure(CLASSIC_RECORD_HEADER_LEN)) return undefined;
    const le = this.le;
    const caplen = u32(this.cur, this.pos + 8, le);
    const bad = checkClassicCaplen(caplen);
    if (bad !== undefined) return this.fail(bad);
    const total = CLASSIC_RECORD_HEADER_LEN + caplen;
    if (!this.ensure(total)) return undefined;
    const b = this.cur;
    const p = this.pos;
    let sec = u32(b, p, le);
    let nsec = this.nanosecond ? u32(b, p + 4, le) : u32(b, p + 4, le) * 1000;
    if (nsec >= 1e9) {
      // Out of range in the file; carried into the seconds as Wireshark displays it.
      sec += Math.floor(nsec / 1e9);
      nsec %= 1e9;
    }
    const packet: CapturedPacket = {
      tsSec: sec,
      tsNsec: nsec,
      time: sec + nsec / 1e9,
      linkType: this.classicLinkType,
      interfaceId: 0,
      data: b.subarray(p + CLASSIC_RECORD_HEADER_LEN, p + total),
      origLen: u32(b, p + 12, le),
    };
    this.consume(total);
    return packet;
  }

  private nextBlock(): CapturedPacket | ParseError | undefined | typeof CONTINUE {
    if (this.trailerExpected >= 0) {
      // Finishing a skipped block: drop its body, then check its trailing length.
      this.skipLeft = this.drop(this.skipLeft);
      if (this.skipLeft > 0 || !this.ensure(4)) return undefined;
      const trailer = u32(this.cur, this.pos, this.le);
      if (trailer !== this.trailerExpected) return this.fail(trailerMismatch(this.trailerExpected, trailer));
      this.consume(4);
      this.trailerExpected = -1;
      return CONTINUE;
    }
    if (!this.ensure(8)) return undefined;
    const type = u32(this.cur, this.pos, this.le);
    let le = this.le;
    if (type === BlockType.SECTION_HEADER) {
      if (!this.ensure(12)) return undefined;
      const order = sectionByteOrder(this.cur, this.pos);
      if (order instanceof ParseError) return this.fail(order);
      le = order;
    }
    const len = u32(this.cur, this.pos + 4, le);
    const min = minBlockLen(type);
    const lengthError = checkBlockLength(len, min ?? MIN_BLOCK_LEN, min === undefined ? MAX_SKIPPED_BLOCK_LEN : MAX_DECODED_BLOCK_LEN);
    if (lengthError !== undefined) return this.fail(lengthError);
    if (min === undefined) {
      this.consume(8);
      this.skipLeft = len - 12;
      this.trailerExpected = len;
      return CONTINUE;
    }
    if (!this.ensure(len)) return undefined;
    const b = this.cur;
    const off = this.pos;
    const trailer = u32(b, off + len - 4, le);
    if (trailer !== len) return this.fail(trailerMismatch(len, trailer));
    this.consume(len);
    switch (type) {
      case BlockType.ENHANCED_PACKET:
        return decodeTimestampedPacket(b, off, len, le, false, this.interfaces, this.scratch);
      case BlockType.SIMPLE_PACKET:
        return decodeSimplePacket(b, off, len, le, this.interfaces);
      case BlockType.PACKET:
        return decodeTimestampedPacket(b, off, len, le, true, this.interfaces, this.scratch);
      case BlockType.INTERFACE_DESCRIPTION: {
        const iface = parseInterfaceDescription(b, off, len, le);
        if (iface instanceof ParseError) return this.fail(iface);
        this.interfaces.push(iface);
        return CONTINUE;
      }
      default: {
        // A Section Header Block: interface ids restart from 0 in each section (§4.2).
        const bad = checkSectionVersion(b, off, le);
        if (bad !== undefined) return this.fail(bad);
        this.le = le;
        this.interfaces = [];
        return CONTINUE;
      }
    }
  }
}

function checkBlockLength(len: number, min: number, max: number): ParseError | undefined {
  if (len % 4 !== 0) return new ParseError("pcapng", "block total length", "bad-length", `${len} is not a multiple of 4`);
  if (len < min) return new ParseError("pcapng", "block total length", "bad-length", `${len} bytes, minimum ${min}`);
  if (len > max) return new ParseError("pcapng", "block total length", "overlong", `${len} bytes, limit ${max}`);
  return undefined;
}

function trailerMismatch(expected: number, found: number): ParseError {
  return new ParseError("pcapng", "trailing block total length", "inconsistent", `${found}, header says ${expected}`);
}

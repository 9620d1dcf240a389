/**
 * The TCP option area (RFC 9293 §3.1, §3.2): MSS (RFC 9293 §3.7.1), window scale and timestamps
 * (RFC 7323 §2.2, §3.2), SACK (RFC 2018 §2, §3) and MPTCP (RFC 8684 §3), each as a `TcpOption`.
 *
 * Parsing never fails as a whole: an option it cannot decode becomes a `malformed` entry holding
 * its bytes and the error, so the rest of the segment survives and tools can show it. Every
 * entry re-emits the bytes it came from, so `emitTcpOptions(parseTcpOptions(b))` recreates `b`.
 */
import { readU16, readU32, writeU16, writeU32 } from "./bytes.js";
import { ParseError, isParseError, truncated } from "./error.js";
import { emitMptcpOption, mptcpOptionLength, parseMptcpOption } from "./mptcp/option.js";
import { TCPOPT } from "./tcp-types.js";
import type { TcpOption } from "./tcp-types.js";

const LAYER = "tcp.option";

/** Fixed lengths of the single-length kinds (kind and length bytes included). */
const LEN_MSS = 4;
const LEN_WSCALE = 3;
const LEN_SACK_PERMITTED = 2;
const LEN_TIMESTAMPS = 10;
/** RFC 2018 §3: a SACK option holds 1 to 4 blocks of 8 bytes. */
const SACK_MAX_BLOCKS = 4;
/**
 * Every parsed NOP is this one frozen object: a NOP has no fields, so nothing is lost, and two
 * of them precede the timestamps of nearly every segment (the TCP engine's own NOP is frozen
 * too, so option lists keep one shape for it).
 */
const NOP: TcpOption = Object.freeze({ kind: "nop" });

export function parseTcpOptions(area: Uint8Array): TcpOption[] {
  return parseTcpOptionsIn(area, 0, area.length);
}

/**
 * `parseTcpOptions` of the option area `buf[start, end)`, read in place: views are cut only for
 * what a repr keeps as bytes (MPTCP options are parsed from one, unknown and malformed options and
 * trailing padding are held as one), not for the common options of every segment.
 */
export function parseTcpOptionsIn(buf: Uint8Array, start: number, end: number): TcpOption[] {
  // The option area of nearly every segment once timestamps are on: NOP, NOP, timestamps (the
  // layout of RFC 7323 Appendix A). Built at its exact size, as the general loop would build it.
  if (
    end - start === 2 + LEN_TIMESTAMPS && buf[start] === TCPOPT.NOP && buf[start + 1] === TCPOPT.NOP &&
    buf[start + 2] === TCPOPT.TIMESTAMPS && buf[start + 3] === LEN_TIMESTAMPS
  ) {
    return [NOP, NOP, { kind: "timestamps", tsVal: readU32(buf, start + 4), tsEcr: readU32(buf, start + 8) }];
  }
  const out: TcpOption[] = [];
  let i = start;
  while (i < end) {
    const type = buf[i]!;
    if (type === TCPOPT.EOL) {
      // RFC 9293 §3.2: the end of the list; what follows is padding. Any bytes after it are kept
      // so the area re-emits byte-identical (a sender may pad with junk, a middlebox may hide data).
      out.push(i + 1 < end ? { kind: "eol", trailing: buf.subarray(i + 1, end) } : { kind: "eol" });
      return out;
    }
    if (type === TCPOPT.NOP) {
      out.push(NOP);
      i++;
      continue;
    }
    if (i + 1 >= end) {
      out.push(malformed(type, buf.subarray(i, end), truncated(LAYER, "length", 2, end - i)));
      return out;
    }
    const len = buf[i + 1]!;
    if (len < 2) {
      // The length counts kind and length bytes; below 2 the next option cannot be found.
      out.push(malformed(type, buf.subarray(i, end), new ParseError(LAYER, "length", "bad-length", `kind ${type} length ${len}`)));
      return out;
    }
    if (i + len > end) {
      out.push(malformed(type, buf.subarray(i, end), truncated(LAYER, `kind ${type}`, len, end - i)));
      return out;
    }
    out.push(parseOne(type, buf, i, len));
    i += len;
  }
  return out;
}

/** One option whose length byte fits the area: `len` bytes at `buf[at]`, from its kind byte. */
function parseOne(type: number, buf: Uint8Array, at: number, len: number): TcpOption {
  switch (type) {
    case TCPOPT.MSS:
      if (len !== LEN_MSS) return badLength(type, buf, at, len, "mss");
      return { kind: "mss", mss: readU16(buf, at + 2) };
    case TCPOPT.WSCALE:
      // Shifts above 14 are kept as sent; the TCP layer clamps them (RFC 7323 §2.3).
      if (len !== LEN_WSCALE) return badLength(type, buf, at, len, "window scale");
      return { kind: "wscale", shift: buf[at + 2]! };
    case TCPOPT.SACK_PERMITTED:
      if (len !== LEN_SACK_PERMITTED) return badLength(type, buf, at, len, "sack-permitted");
      return { kind: "sack-permitted" };
    case TCPOPT.SACK: {
      const n = (len - 2) >>> 3;
      if ((len - 2) % 8 !== 0 || n < 1 || n > SACK_MAX_BLOCKS) return badLength(type, buf, at, len, "sack");
      const blocks: Array<[number, number]> = [];
      for (let k = 0; k < n; k++) blocks.push([readU32(buf, at + 2 + 8 * k), readU32(buf, at + 6 + 8 * k)]);
      return { kind: "sack", blocks };
    }
    case TCPOPT.TIMESTAMPS:
      if (len !== LEN_TIMESTAMPS) return badLength(type, buf, at, len, "timestamps");
      return { kind: "timestamps", tsVal: readU32(buf, at + 2), tsEcr: readU32(buf, at + 6) };
    case TCPOPT.MPTCP: {
      const b = buf.subarray(at, at + len);
      const option = parseMptcpOption(b);
      if (isParseError(option)) return malformed(type, b, option);
      return { kind: "mptcp", option };
    }
    default:
      return { kind: "unknown", type, data: buf.subarray(at + 2, at + len) };
  }
}

function malformed(type: number, bytes: Uint8Array, error: ParseError): TcpOption {
  return { kind: "malformed", type, bytes, error };
}

function badLength(type: number, buf: Uint8Array, at: number, len: number, name: string): TcpOption {
  return malformed(type, buf.subarray(at, at + len), new ParseError(LAYER, `${name} length`, "bad-length", `length ${len}`));
}

/** Bytes `emitTcpOptions` writes for `opts`, without padding. */
export function tcpOptionsLength(opts: readonly TcpOption[]): number {
  let len = 0;
  for (let i = 0; i < opts.length; i++) len += optionLength(opts[i]!);
  return len;
}

function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case "eol": return 1 + (o.trailing?.length ?? 0);
    case "nop": return 1;
    case "mss": return LEN_MSS;
    case "wscale": return LEN_WSCALE;
    case "sack-permitted": return LEN_SACK_PERMITTED;
    case "sack": return 2 + 8 * o.blocks.length;
    case "timestamps": return LEN_TIMESTAMPS;
    case "mptcp": return mptcpOptionLength(o.option);
    case "unknown": return 2 + o.data.length;
    case "malformed": return o.bytes.length;
  }
}

/**
 * Writes `opts` at `buf[off]` in order, unpadded, and returns the bytes written (the caller pads
 * the header to a 4-byte boundary). Throws a `RangeError` for a repr that has no encoding (an
 * option of more than 255 bytes, a SACK with no blocks): a programming error, not input.
 */
export function emitTcpOptions(opts: readonly TcpOption[], buf: Uint8Array, off: number): number {
  let p = off;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    switch (o.kind) {
      case "eol":
        buf[p++] = TCPOPT.EOL;
        if (o.trailing) {
          buf.set(o.trailing, p);
          p += o.trailing.length;
        }
        break;
      case "nop":
        buf[p++] = TCPOPT.NOP;
        break;
      case "mss":
        buf[p] = TCPOPT.MSS;
        buf[p + 1] = LEN_MSS;
        writeU16(buf, p + 2, o.mss);
        p += LEN_MSS;
        break;
      case "wscale":
        buf[p] = TCPOPT.WSCALE;
        buf[p + 1] = LEN_WSCALE;
        buf[p + 2] = o.shift;
        p += LEN_WSCALE;
        break;
      case "sack-permitted":
        buf[p] = TCPOPT.SACK_PERMITTED;
        buf[p + 1] = LEN_SACK_PERMITTED;
        p += LEN_SACK_PERMITTED;
        break;
      case "sack": {
        const n = o.blocks.length;
        if (n < 1 || n > SACK_MAX_BLOCKS) throw new RangeError(`SACK option with ${n} blocks`);
        buf[p] = TCPOPT.SACK;
        buf[p + 1] = 2 + 8 * n;
        for (let k = 0; k < n; k++) {
          const [left, right] = o.blocks[k]!;
          writeU32(buf, p + 2 + 8 * k, left);
          writeU32(buf, p + 6 + 8 * k, right);
        }
        p += 2 + 8 * n;
        break;
      }
      case "timestamps":
        buf[p] = TCPOPT.TIMESTAMPS;
        buf[p + 1] = LEN_TIMESTAMPS;
        writeU32(buf, p + 2, o.tsVal);
        writeU32(buf, p + 6, o.tsEcr);
        p += LEN_TIMESTAMPS;
        break;
      case "mptcp":
        p += emitMptcpOption(o.option, buf, p);
        break;
      case "unknown":
        if (o.data.length > 253) throw new RangeError(`TCP option kind ${o.type} with ${o.data.length} bytes`);
        buf[p] = o.type;
        buf[p + 1] = 2 + o.data.length;
        buf.set(o.data, p + 2);
        p += 2 + o.data.length;
        break;
      case "malformed":
        buf.set(o.bytes, p);
        p += o.bytes.length;
        break;
    }
  }
  return p - off;
}

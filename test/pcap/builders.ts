/**
 * Builders for capture files in memory, written from the format documents independently of the
 * reader, so tests can produce every variant (byte order, resolution, block type) byte by byte.
 */

/** A growable byte buffer writing in a chosen byte order. */
export class ByteWriter {
  private bytes: number[] = [];
  constructor(readonly littleEndian: boolean) {}

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.littleEndian ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.littleEndian
      ? this.u8(v).u8(v >>> 8).u8(v >>> 16).u8(v >>> 24)
      : this.u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v);
  }
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.littleEndian ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  /** A pcapng packet timestamp: the high 32 bits then the low, each in the section's order (§4.3). */
  timestamp(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  pad4(): this {
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
    return this;
  }
  get length(): number {
    return this.bytes.length;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export interface ClassicRecord {
  sec: number;
  /** Microseconds or nanoseconds, as the file's magic says. */
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

export function classicPcap(
  opts: { littleEndian: boolean; nanosecond: boolean; linkType?: number; snaplen?: number },
  records: ClassicRecord[],
): Uint8Array {
  const w = new ByteWriter(opts.littleEndian);
  w.u32(opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0);
  w.u32(opts.snaplen ?? 65535).u32(opts.linkType ?? 101);
  for (const r of records) w.u32(r.sec).u32(r.frac).u32(r.data.length).u32(r.origLen ?? r.data.length).raw(r.data);
  return w.finish();
}

/** A pcapng block: type, total length, body padded to 32 bits, total length. */
export function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  return new ByteWriter(le).u32(type).u32(total).raw(body).pad4().u32(total).finish();
}

export interface Option {
  code: number;
  value: Uint8Array;
}

function options(le: boolean, opts: Option[]): Uint8Array {
  if (opts.length === 0) return new Uint8Array(0);
  const w = new ByteWriter(le);
  for (const o of opts) w.u16(o.code).u16(o.value.length).raw(o.value).pad4();
  return w.u16(0).u16(0).finish();
}

export function shb(le: boolean, opts: Option[] = []): Uint8Array {
  const body = new ByteWriter(le).u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn).raw(options(le, opts));
  return block(le, 0x0a0d0d0a, body.finish());
}

export function idb(
  le: boolean,
  linkType: number,
  snaplen: number,
  opts: { tsresol?: number; tsoffset?: bigint; extra?: Option[] } = {},
): Uint8Array {
  const list: Option[] = [...(opts.extra ?? [])];
  if (opts.tsresol !== undefined) list.push({ code: 9, value: Uint8Array.of(opts.tsresol) });
  if (opts.tsoffset !== undefined) list.push({ code: 14, value: new ByteWriter(le).u64(BigInt.asUintN(64, opts.tsoffset)).finish() });
  const body = new ByteWriter(le).u16(linkType).u16(0).u32(snaplen).raw(options(le, list));
  return block(le, 1, body.finish());
}

export function epb(le: boolean, interfaceId: number, ticks: bigint, data: Uint8Array, origLen = data.length, opts: Option[] = []): Uint8Array {
  const body = new ByteWriter(le)
    .u32(interfaceId)
    .timestamp(ticks)
    .u32(data.length)
    .u32(origLen)
    .raw(data)
    .pad4()
    .raw(options(le, opts));
  return block(le, 6, body.finish());
}

/** The obsolete Packet Block: 16-bit interface id and drops count. */
export function opb(le: boolean, interfaceId: number, ticks: bigint, data: Uint8Array): Uint8Array {
  const body = new ByteWriter(le).u16(interfaceId).u16(0).timestamp(ticks).u32(data.length).u32(data.length).raw(data);
  return block(le, 2, body.finish());
}

export function spb(le: boolean, origLen: number, data: Uint8Array): Uint8Array {
  return block(le, 3, new ByteWriter(le).u32(origLen).raw(data).finish());
}

/** A few bytes that look like a packet: `n` bytes counting from `seed`. */
export function payload(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (seed + i) & 0xff);
}

/**
 * TCP options the engine itself speaks: the SYN offers (MSS, window scale, SACK-permitted,
 * timestamps) and their negotiation, and the per-segment timestamp and SACK options.
 *
 * Layout follows Linux so that captures look familiar: SYN `mss, sackOK, TS, nop, wscale`
 * (20 bytes) or, without timestamps, `mss, nop, nop, sackOK, nop, wscale`; other segments
 * `nop, nop, TS` (12 bytes) and `nop, nop, SACK` (4 + 8n bytes).
 */
import type { TcpOption } from "../wire/tcp-types.js";

/** The TCP option area is at most 40 bytes (RFC 9293 §3.1, data offset of 15 words). */
export const MAX_OPTION_BYTES = 40;
/** nop, nop, timestamps. */
export const TS_OPTION_BYTES = 12;

/** What a SYN or SYN-ACK offered. */
export interface SynOffer {
  mss: number | undefined;
  /** Window-scale shift, undefined when not offered. */
  wscale: number | undefined;
  sackPermitted: boolean;
  timestamps: { tsVal: number; tsEcr: number } | undefined;
}

export function readSynOffer(options: readonly TcpOption[]): SynOffer {
  const offer: SynOffer = { mss: undefined, wscale: undefined, sackPermitted: false, timestamps: undefined };
  for (const o of options) {
    switch (o.kind) {
      case "mss":
        offer.mss = o.mss;
        break;
      case "wscale":
        offer.wscale = o.shift;
        break;
      case "sack-permitted":
        offer.sackPermitted = true;
        break;
      case "timestamps":
        offer.timestamps = { tsVal: o.tsVal, tsEcr: o.tsEcr };
        break;
      default:
        break;
    }
  }
  return offer;
}

/** The options of our SYN or SYN-ACK. */
export function synOptions(
  mss: number,
  wscale: number | undefined,
  sackPermitted: boolean,
  ts: { tsVal: number; tsEcr: number } | undefined,
): TcpOption[] {
  const out: TcpOption[] = [{ kind: "mss", mss }];
  if (ts !== undefined) {
    if (sackPermitted) out.push({ kind: "sack-permitted" });
    else out.push({ kind: "nop" }, { kind: "nop" });
    out.push({ kind: "timestamps", tsVal: ts.tsVal, tsEcr: ts.tsEcr });
  } else if (sackPermitted) {
    out.push({ kind: "nop" }, { kind: "nop" }, { kind: "sack-permitted" });
  }
  if (wscale !== undefined) out.push({ kind: "nop" }, { kind: "wscale", shift: wscale });
  return out;
}

export function findTimestamps(options: readonly TcpOption[]): { tsVal: number; tsEcr: number } | undefined {
  for (const o of options) if (o.kind === "timestamps") return o;
  return undefined;
}

export function findSack(options: readonly TcpOption[]): Array<[number, number]> | undefined {
  for (const o of options) if (o.kind === "sack") return o.blocks;
  return undefined;
}

/** Bytes of `nop, nop, SACK` with `n` blocks. */
export function sackOptionBytes(n: number): number {
  return n === 0 ? 0 : 4 + 8 * n;
}

/** Rounds an option length up to the 4-byte header boundary. */
export function padded(bytes: number): number {
  return (bytes + 3) & ~3;
}

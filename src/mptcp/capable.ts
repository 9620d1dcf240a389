/**
 * The MP_CAPABLE handshake's options (RFC 8684 §3.1) and the MPTCP options of a segment.
 *
 * v1 carries no key on the SYN (4 bytes), the listener's key on the SYN/ACK (12 bytes), both keys
 * on the third ACK (20 bytes) and, on the client's first data, both keys and the data-level length
 * of the data (22 bytes, 24 with a DSS checksum): that option is the mapping of the first data,
 * DSN = IDSN+1 and relative SSN 1, because the DSS would not fit beside it.
 */
import type { Reservation } from "../tcp/hook.js";
import type { TcpOption } from "../wire/tcp-types.js";
import type { Dss, MpCapable, MpFail, MptcpOption } from "../wire/mptcp/types.js";
import { MPC_FLAG } from "../wire/mptcp/types.js";
import { mptcpOptionLength } from "../wire/mptcp/option.js";

/** The one MPTCP version this stack speaks on the wire (Linux: `MPTCP_SUPPORTED_VERSION`). */
export const MPTCP_VERSION = 1;

/** The MPTCP options of one segment, by subtype (the first of each, as Linux reads them). */
export interface SegmentMptcp {
  capable?: MpCapable;
  dss?: Dss;
  fail?: MpFail;
  /** Any MPTCP option at all was present. */
  any: boolean;
}

export function mptcpOptionsOf(options: readonly TcpOption[]): SegmentMptcp {
  const out: SegmentMptcp = { any: false };
  for (const o of options) {
    if (o.kind !== "mptcp") continue;
    out.any = true;
    const m = o.option;
    if (m.subtype === "MP_CAPABLE") out.capable ??= m;
    else if (m.subtype === "DSS") out.dss ??= m;
    else if (m.subtype === "MP_FAIL") out.fail ??= m;
  }
  return out;
}

/**
 * Whether a segment's options map data: a DSS with a mapping that is not the infinite mapping
 * (a DATA_FIN alone included), or the MP_CAPABLE of the client's first data (§3.1, §3.3.1).
 */
export function mapsData(opts: SegmentMptcp): boolean {
  const dss = opts.dss;
  return (dss?.dsn !== undefined && dss.dataLen !== 0) || opts.capable?.dataLen !== undefined;
}

/** Our MP_CAPABLE flags: H (HMAC-SHA256), and A when we require DSS checksums. */
export function capableFlags(checksums: boolean): number {
  return MPC_FLAG.H | (checksums ? MPC_FLAG.A : 0);
}

/**
 * Whether a peer's MP_CAPABLE can start a v1 connection (Linux `mptcp_parse_option`): flag H set
 * and B clear, and version 1, or on a SYN any version from 1 up (we answer with 1). Anything else
 * is ignored, so the connection is plain TCP (§3.1: B is reserved for extensibility, and a host
 * that does not understand it falls back).
 */
export function acceptableCapable(mpc: MpCapable, onSyn: boolean): boolean {
  const versionOk = onSyn ? mpc.version >= MPTCP_VERSION : mpc.version === MPTCP_VERSION;
  return versionOk && (mpc.flags & MPC_FLAG.H) !== 0 && (mpc.flags & MPC_FLAG.B) === 0;
}

/** The peer asked for DSS checksums (flag A); §3.1: either side setting it makes them used. */
export function wantsChecksums(mpc: MpCapable): boolean {
  return (mpc.flags & MPC_FLAG.A) !== 0;
}

/** An MPTCP option, with the NOPs that pad it to a 4-byte boundary as Linux sends it. */
export function padOption(option: MptcpOption): TcpOption[] {
  const out: TcpOption[] = [{ kind: "mptcp", option }];
  for (let n = mptcpOptionLength(option); n % 4 !== 0; n++) out.push({ kind: "nop" });
  return out;
}

/**
 * `options.flatMap(padOption)`, without flatMap's cost on every segment. A segment's options are
 * never modified once built, so the padding of a lone option that comes again (the DSS shared
 * by every segment of a bulk send, see `withDataAck`) is the same array.
 */
export function padOptions(options: readonly MptcpOption[]): TcpOption[] {
  if (options.length === 1 && options[0] === lastPadded.option) return lastPadded.out;
  const out: TcpOption[] = [];
  for (const option of options) {
    out.push({ kind: "mptcp", option });
    for (let n = mptcpOptionLength(option); n % 4 !== 0; n++) out.push({ kind: "nop" });
  }
  if (options.length === 1) lastPadded = { option: options[0], out };
  return out;
}

let lastPadded: { option: MptcpOption | undefined; out: TcpOption[] } = { option: undefined, out: [] };

/** Option bytes `padOption(option)` takes. */
export function paddedLength(option: MptcpOption): number {
  return (mptcpOptionLength(option) + 3) & ~3;
}

/** Option bytes a list of MPTCP options takes, each padded: what a hook `reserve` answers. */
export function paddedLengths(options: readonly MptcpOption[]): number {
  let n = 0;
  for (const o of options) n += paddedLength(o);
  return n;
}

/** A hook's `reserve` answer for the options it plans for a segment, and their payload limit. */
export function reservationOf(plan: { options: readonly MptcpOption[]; maxPayload?: number } | undefined): Reservation {
  if (plan === undefined) return { bytes: 0 };
  const res: Reservation = { bytes: paddedLengths(plan.options) };
  if (plan.maxPayload !== undefined) res.maxPayload = plan.maxPayload;
  return res;
}

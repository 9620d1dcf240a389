/**
 * Walking a TCP option area in place (RFC 9293 §3.2), for boxes that rewrite option bytes without
 * re-encoding them. The walk stops where a receiver's parser would: at End of Option List, or at
 * an option whose length byte is missing, below 2, or runs past the area.
 */
import { TCPOPT } from "../../wire/tcp-types.js";

/** One option: its kind and where it lies (`start` is the kind byte, `end` exclusive). */
export interface OptionSpan {
  kind: number;
  start: number;
  end: number;
}

/** The options of `area` (NOPs included, the EOL and what follows it not). */
export function optionSpans(area: Uint8Array): OptionSpan[] {
  const spans: OptionSpan[] = [];
  let i = 0;
  while (i < area.length) {
    const kind = area[i]!;
    if (kind === TCPOPT.EOL) break;
    if (kind === TCPOPT.NOP) {
      spans.push({ kind, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (i + 1 >= area.length) break;
    const len = area[i + 1]!;
    if (len < 2 || i + len > area.length) break;
    spans.push({ kind, start: i, end: i + len });
    i += len;
  }
  return spans;
}

/** True if `area` holds an MPTCP option (kind 30). */
export function hasMptcpOption(area: Uint8Array): boolean {
  for (const s of optionSpans(area)) if (s.kind === TCPOPT.MPTCP) return true;
  return false;
}

/**
 * The MPTCP subtype (RFC 8684 §3: the high nibble of the third byte) of each MPTCP option in
 * `area`; an option too short to have one counts as subtype -1.
 */
export function mptcpSubtypes(area: Uint8Array): number[] {
  const out: number[] = [];
  for (const s of optionSpans(area)) {
    if (s.kind === TCPOPT.MPTCP) out.push(s.end - s.start >= 3 ? area[s.start + 2]! >>> 4 : -1);
  }
  return out;
}

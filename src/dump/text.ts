/**
 * The text form of `mptcp dump`: one line per TCP segment, rendered from the same record as the
 * JSON form so that the two never disagree.
 */
import type { JsonObject, JsonValue } from "./mptcp-json.js";
import type { SegmentRecord, UndecodableRecord } from "./segment.js";

function endpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}].${port}` : `${addr}.${port}`;
}

/** `{A: true, B: false, H: true}` → `AH`; nothing set → `-`. */
function flagLetters(flags: JsonObject): string {
  const s = Object.entries(flags).filter(([, v]) => v === true).map(([k]) => k).join("");
  return s || "-";
}

function value(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(value).join(",")}]`;
  if (v !== null && typeof v === "object") return flagLetters(v);
  return String(v);
}

/** `MP_CAPABLE version=1 flags=AH sendKey=…`: the subtype, then every field as key=value. */
export function mptcpOptionText(o: JsonObject): string {
  const parts = [String(o.subtype)];
  for (const [k, v] of Object.entries(o)) if (k !== "subtype") parts.push(`${k}=${value(v)}`);
  return parts.join(" ");
}

function tcpOptionText(o: JsonObject, mptcp: JsonObject[], next: { i: number }): string {
  switch (o.kind) {
    case "nop": return "nop";
    case "eol": return o.trailing ? `eol trailing=${String(o.trailing)}` : "eol";
    case "mss": return `mss ${String(o.mss)}`;
    case "wscale": return `wscale ${String(o.shift)}`;
    case "sack-permitted": return "sackOK";
    case "sack": return `sack ${(o.blocks as number[][]).map(([l, r]) => `${l}:${r}`).join(" ")}`;
    case "timestamps": return `TS val ${String(o.tsVal)} ecr ${String(o.tsEcr)}`;
    case "mptcp": return mptcpOptionText(mptcp[next.i++]!);
    case "unknown": return `opt-${String(o.type)} ${String(o.data)}`;
    case "malformed":
      if (o.type === 30) return `MALFORMED ${mptcpOptionText(mptcp[next.i++]!)}`;
      return `MALFORMED opt-${String(o.type)} bytes=${String(o.bytes)} (${String(o.error)})`;
    default: return String(o.kind);
  }
}

export function segmentText(r: SegmentRecord): string {
  const next = { i: 0 };
  const opts = r.options.map((o) => tcpOptionText(o, r.mptcp, next)).join(", ");
  return (
    `${r.t.toFixed(6)} ${endpoint(r.src, r.sport)} > ${endpoint(r.dst, r.dport)}: ` +
    `[${r.flags || "."}] seq ${r.seq} ack ${r.ack} win ${r.win} len ${r.len}` +
    ("captured" in r ? ` (captured ${String(r.captured)})` : "") +
    (opts ? ` <${opts}>` : "")
  );
}

export function undecodableText(r: UndecodableRecord): string {
  return `${r.t.toFixed(6)} ${r.src} > ${r.dst}: MALFORMED TCP (${r.error})`;
}

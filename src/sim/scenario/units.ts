/**
 * Quantities in scenario files: rates, durations, sizes and probabilities, written as strings
 * with units ("10Mbit", "20ms", "64KB", "1%") or as plain numbers in the base unit (bits per
 * second, seconds, bytes, a fraction). Each parser returns the value in the simulator's units
 * (bits/s, integer µs, bytes) or undefined, and the validator reports the field path.
 *
 * Sizes are decimal (1 KB = 1000 B, as link rates are) unless written with the binary prefixes
 * KiB, MiB, GiB.
 */

const RATE_UNITS: Record<string, number> = {
  bit: 1, bps: 1, kbit: 1e3, kbps: 1e3, mbit: 1e6, mbps: 1e6, gbit: 1e9, gbps: 1e9,
};

const TIME_UNITS: Record<string, number> = { us: 1, "µs": 1, ms: 1e3, s: 1e6, min: 60e6 };

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

const QUANTITY = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*([a-zA-Zµ%/]*)\s*$/;

function split(text: string): { value: number; unit: string } | undefined {
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const value = Number(m[1]) * (m[2] !== undefined ? 10 ** Number(m[2]) : 1);
  return Number.isFinite(value) ? { value, unit: m[3]! } : undefined;
}

/** A positive rate in integer bits per second: "10Mbit", "2.5 Gbit/s", "100kbps", 1e6. */
export function parseRate(v: unknown): number | undefined {
  let bps: number;
  if (typeof v === "number") bps = v;
  else if (typeof v === "string") {
    const q = split(v);
    if (q === undefined) return undefined;
    const unit = q.unit.toLowerCase().replace(/\/s$/, "");
    const scale = RATE_UNITS[unit];
    if (scale === undefined) return undefined;
    bps = q.value * scale;
  } else return undefined;
  const r = Math.round(bps);
  return Number.isFinite(r) && r > 0 ? r : undefined;
}

/** A non-negative duration in integer µs: "20ms", "2s", "500us", "1min", or seconds as a number. */
export function parseDuration(v: unknown): number | undefined {
  let us: number;
  if (typeof v === "number") us = v * 1e6;
  else if (typeof v === "string") {
    const q = split(v);
    if (q === undefined) return undefined;
    const scale = TIME_UNITS[q.unit];
    if (scale === undefined) return undefined;
    us = q.value * scale;
  } else return undefined;
  const r = Math.round(us);
  return Number.isFinite(r) && r >= 0 ? r : undefined;
}

/** A non-negative size in integer bytes: "64KB", "1.5MB", "4MiB", "1500B", or bytes as a number. */
export function parseSize(v: unknown): number | undefined {
  let bytes: number;
  if (typeof v === "number") bytes = v;
  else if (typeof v === "string") {
    const q = split(v);
    if (q === undefined) return undefined;
    const scale = SIZE_UNITS[q.unit.toLowerCase()];
    if (scale === undefined) return undefined;
    bytes = q.value * scale;
  } else return undefined;
  const r = Math.round(bytes);
  return Number.isFinite(r) && r >= 0 ? r : undefined;
}

/** A probability in [0, 1]: "1%", "0.5 %", or a fraction as a number (0.01). */
export function parseProbability(v: unknown): number | undefined {
  let p: number;
  if (typeof v === "number") p = v;
  else if (typeof v === "string") {
    const q = split(v);
    if (q === undefined || (q.unit !== "%" && q.unit !== "")) return undefined;
    p = q.unit === "%" ? q.value / 100 : q.value;
  } else return undefined;
  return p >= 0 && p <= 1 ? p : undefined;
}

/** A queue limit: a size ("64KB"), a packet count ("100 packets", "100pkt") or a time at the link rate ("2s"). */
export type QueueLimit = { bytes: number } | { packets: number } | { time: number };

export function parseQueue(v: unknown): QueueLimit | undefined {
  if (typeof v === "string") {
    const m = /^\s*(\d+)\s*(packets?|pkts?|p)\s*$/i.exec(v);
    if (m !== null) return { packets: Number(m[1]) };
    const q = split(v);
    if (q !== undefined && TIME_UNITS[q.unit] !== undefined) {
      const time = parseDuration(v);
      return time === undefined ? undefined : { time };
    }
  }
  const bytes = parseSize(v);
  return bytes === undefined ? undefined : { bytes };
}

/**
 * The state of one subflow (one TCP connection of an MPTCP connection) as seen in one capture:
 * per direction, widened sequence numbers, byte and retransmission counts, RTT samples from data
 * and the ACKs that cover them (Karn's rule: none from retransmitted data, RFC 6298 §3), and the
 * DSS mappings.
 */
import type { IpAddress } from "../wire/address.js";
import { MappingTable } from "./mapping.js";
import { unwrap32, seqOffset } from "./seq.js";
import { DelayHistogram, MinMaxSeries } from "./series.js";
import type { Dir } from "./types.js";

/** Unacknowledged data remembered for RTT samples; beyond it the oldest are forgotten. */
const MAX_INFLIGHT = 65536;

interface Inflight {
  end: number;
  t: number;
  retransmitted: boolean;
}

export class SubflowDir {
  /** ISN of this direction (from the SYN), or inferred from the first mapping. */
  isn: number | undefined;
  /** Last widened relative sequence number seen, the reference for the next. */
  private lastRel = 0;
  /** One past the highest payload byte sent (relative, widened). */
  highest = -Infinity;
  bytes = 0;
  segments = 0;
  dataSegments = 0;
  retransBytes = 0;
  retransSegments = 0;
  reinjectedBytes = 0;
  freshBytes = 0;
  unmappedBytes = 0;
  finSeen = false;
  readonly mappings = new MappingTable();
  private inflight: Inflight[] = [];
  private inflightHead = 0;
  /** RTT samples, 50 bins per decade (about 5 % resolution). */
  readonly rtt = new DelayHistogram(50);
  rttMin = Infinity;
  rttCount = 0;
  rttSeries: MinMaxSeries | undefined;

  /** Relative (to the ISN) widened sequence number of `seq`. */
  rel(seq: number): number {
    if (this.isn === undefined) return 0;
    const r = unwrap32(seqOffset(seq, this.isn), this.lastRel);
    this.lastRel = r;
    return r;
  }

  /** Widens a relative (already ISN-based) 32-bit number, such as a DSS SSN, near the current position. */
  widen(rel32: number): number {
    return unwrap32(rel32, this.lastRel);
  }

  /** Widens without moving the reference (for ACK numbers, which lag). */
  relAck(ack: number): number | undefined {
    if (this.isn === undefined) return undefined;
    return unwrap32(seqOffset(ack, this.isn), this.lastRel);
  }

  /** Counts a payload [start, end) sent at `t`; returns the bytes that had been sent before. */
  sent(start: number, end: number, t: number): number {
    const len = end - start;
    this.bytes += len;
    this.dataSegments++;
    let again = 0;
    if (start < this.highest) {
      again = Math.min(end, this.highest) - start;
      this.retransBytes += again;
      this.retransSegments++;
      // Karn: data sent twice gives no RTT sample.
      for (let k = this.inflight.length - 1; k >= this.inflightHead; k--) {
        const f = this.inflight[k]!;
        if (f.end <= start) break;
        f.retransmitted = true;
      }
    }
    if (end > this.highest) {
      this.highest = end;
      this.inflight.push({ end, t, retransmitted: again > 0 });
      if (this.inflight.length - this.inflightHead > MAX_INFLIGHT) this.inflightHead++;
      this.compact();
    }
    return again;
  }

  /** The peer acknowledged up to `ackRel` at `t`; returns an RTT sample (seconds) or undefined. */
  acked(ackRel: number, t: number): number | undefined {
    let last: Inflight | undefined;
    while (this.inflightHead < this.inflight.length && this.inflight[this.inflightHead]!.end <= ackRel) {
      last = this.inflight[this.inflightHead++]!;
    }
    this.compact();
    if (last === undefined || last.retransmitted) return undefined;
    const sample = t - last.t;
    if (sample < 0) return undefined;
    this.rtt.add(sample, 1);
    this.rttCount++;
    if (sample < this.rttMin) this.rttMin = sample;
    return sample;
  }

  private compact(): void {
    if (this.inflightHead > 1024 && this.inflightHead * 2 > this.inflight.length) {
      this.inflight = this.inflight.slice(this.inflightHead);
      this.inflightHead = 0;
    }
  }
}

export class Subflow {
  /** Index within its connection (0 is the initial subflow). */
  index = 0;
  /** The direction of the SYN is `fwd`; whether it is the connection's client-to-server one. */
  synIsC2s = true;
  readonly fwd = new SubflowDir();
  readonly rev = new SubflowDir();
  join = false;
  backup = false;
  localAddrId: number | undefined;
  remoteAddrId: number | undefined;
  /** MP_JOIN nonces and HMACs, kept until they can be checked. */
  nonceA: number | undefined;
  nonceB: number | undefined;
  joinToken: number | undefined;
  synAckHmac: Uint8Array | undefined;
  ackHmac: Uint8Array | undefined;
  hmacOk: boolean | null = null;
  synT: number | undefined;
  /** SYNs and SYN/ACKs seen (more than one each: retransmitted, no handshake RTT). */
  handshakeSegments = 0;
  synAckT: number | undefined;
  handshakeRtt: number | undefined;
  firstT: number;
  lastT: number;
  reset: { t: number; by: Dir; reason: string } | null = null;
  finFwd = false;
  finRev = false;
  /** True once the subflow's handshake says it is MPTCP (MP_CAPABLE or MP_JOIN both ways). */
  mptcp = true;

  constructor(
    /** tshark-compatible stream number. */
    readonly tcpStream: number,
    readonly src: IpAddress,
    readonly sport: number,
    readonly dst: IpAddress,
    readonly dport: number,
    t: number,
  ) {
    this.firstT = t;
    this.lastT = t;
  }

  /** The direction state for a segment sent by the SYN sender (`forward`) or the other side. */
  dir(forward: boolean): SubflowDir {
    return forward ? this.fwd : this.rev;
  }

  /** The connection-level direction of a segment. */
  connDir(forward: boolean): Dir {
    return forward === this.synIsC2s ? "c2s" : "s2c";
  }

  /** The state of the connection-level direction `d`. */
  byConnDir(d: Dir): SubflowDir {
    return (d === "c2s") === this.synIsC2s ? this.fwd : this.rev;
  }

  get closed(): boolean {
    return this.reset !== null || (this.finFwd && this.finRev);
  }
}

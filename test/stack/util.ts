/** Helpers for Host tests: deterministic randomness, packet builders, and a direct-wire pair. */
import type { RandomSource } from "../../src/crypto/random.js";
import { Host } from "../../src/stack/host.js";
import type { HostConfig } from "../../src/stack/config.js";
import type { HostEvent } from "../../src/stack/events.js";
import { parseAddress } from "../../src/wire/address.js";
import type { IpAddress } from "../../src/wire/address.js";
import { isParseError } from "../../src/wire/error.js";
import { emitIp, IPPROTO_TCP, parseIpPacket } from "../../src/wire/ip.js";
import type { IpRepr } from "../../src/wire/ip.js";
import { emitTcp, parseTcp } from "../../src/wire/tcp.js";
import type { TcpOption, TcpRepr } from "../../src/wire/tcp-types.js";

/** Bytes 0, 1, 2, ... (mod 256): every draw is predictable. */
export class CountingRandom implements RandomSource {
  private next = 0;
  fillBytes(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.next++ & 0xff;
  }
}

export function ip(text: string): IpAddress {
  const a = parseAddress(text);
  if (a === undefined) throw new Error(`bad address ${text}`);
  return a;
}

export function host(addresses: string[][], extra: Partial<HostConfig> = {}): Host {
  return new Host({ interfaces: addresses.map((a) => ({ addresses: a.map(ip) })), random: new CountingRandom(), ...extra });
}

/** A segment with defaults for everything but what the test cares about. */
export function seg(fields: Partial<TcpRepr> & { srcPort: number; dstPort: number }): TcpRepr {
  return {
    seq: 0,
    ack: 0,
    flags: 0,
    window: 65535,
    checksum: 0,
    urgentPointer: 0,
    options: [] as TcpOption[],
    payload: new Uint8Array(0),
    ...fields,
  };
}

/** The datagram carrying `s` from `src` to `dst`. */
export function packet(src: string, dst: string, s: TcpRepr): Uint8Array {
  const a = ip(src);
  const b = ip(dst);
  return emitIp({ src: a, dst: b, protocol: IPPROTO_TCP }, emitTcp(s, a, b));
}

export interface Sent {
  packet: Uint8Array;
  iface: number;
  ip: IpRepr;
  tcp: TcpRepr;
}

/** Everything the host sends now, parsed. */
export function drain(h: Host, now: number): Sent[] {
  const out: Sent[] = [];
  for (let t = h.pollTransmit(now); t !== undefined; t = h.pollTransmit(now)) {
    const p = t.packet;
    const ipr = parseIpPacket(p, { verifyChecksum: true });
    if (isParseError(ipr)) throw new Error(`host sent a bad IP packet: ${ipr.reason}`);
    const tcp = parseTcp(ipr.payload, { checksum: { src: ipr.src, dst: ipr.dst } });
    if (isParseError(tcp)) throw new Error(`host sent a bad TCP segment: ${tcp.reason}`);
    out.push({ packet: p, iface: t.iface, ip: ipr, tcp });
  }
  return out;
}

export function events(h: Host): HostEvent[] {
  const out: HostEvent[] = [];
  for (let e = h.pollEvent(); e !== undefined; e = h.pollEvent()) out.push(e);
  return out;
}

/** Event types with the connection id (or the listener port), for order assertions. */
export function eventNames(evs: HostEvent[]): string[] {
  return evs.map((e) => (e.type === "incoming" ? `incoming:${e.listener.port}` : `${e.type}#${e.connection.id}`));
}

/**
 * Hosts joined by an ideal wire with a fixed one-way delay: a datagram sent by one goes to
 * whichever host owns its destination address. Time jumps to the next delivery or timer.
 */
export class Wire {
  now = 0;
  private inFlight: { at: number; to: Host; packet: Uint8Array }[] = [];
  /** Drops a datagram when it returns true. */
  drop: ((p: Sent) => boolean) | undefined;
  readonly log: Sent[] = [];

  constructor(readonly hosts: Host[], readonly delay = 1000) {}

  private owner(dst: IpAddress): Host | undefined {
    return this.hosts.find((h) => [0, 1, 2, 3].some((i) => h.addresses(i).some((a) => a.length === dst.length && a.every((b, j) => b === dst[j]))));
  }

  /** Sends what every host has to send. */
  flush(): void {
    for (const h of this.hosts) {
      for (const s of drain(h, this.now)) {
        this.log.push(s);
        if (this.drop?.(s)) continue;
        const to = this.owner(s.ip.dst);
        if (to !== undefined) this.inFlight.push({ at: this.now + this.delay, to, packet: s.packet });
      }
    }
  }

  /** One step: deliveries and timers at the next instant. False when nothing is pending. */
  step(limit = Infinity): boolean {
    this.flush();
    const times = this.inFlight.map((f) => f.at);
    for (const h of this.hosts) {
      const t = h.pollTimeout();
      if (t !== undefined) times.push(t);
    }
    if (times.length === 0) return false;
    const next = Math.max(this.now, Math.min(...times));
    if (next > limit) return false;
    this.now = next;
    const due = this.inFlight.filter((f) => f.at <= this.now);
    this.inFlight = this.inFlight.filter((f) => f.at > this.now);
    for (const f of due) f.to.receive(f.packet, 0, this.now);
    for (const h of this.hosts) {
      const t = h.pollTimeout();
      if (t !== undefined && t <= this.now) h.handleTimeout(this.now);
    }
    this.flush();
    return true;
  }

  /** Steps until `done()` or until nothing is pending before `limit`. */
  run(done: () => boolean = () => false, limit = Infinity): void {
    while (!done() && this.step(limit));
  }
}

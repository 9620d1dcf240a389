/**
 * Toy nodes for simulator tests: a constant-bit-rate UDP sender and a receiver that counts (and
 * optionally echoes) what it gets. The datagrams are valid IPv4/UDP (header checksum set, UDP
 * checksum 0 as IPv4 allows) so that captures of them decode in any tool.
 */
import { parseAddress } from "../../src/wire/address.js";
import type { SimNode, Transmit } from "../../src/sim/node.js";

const IP_HEADER = 20;
const UDP_HEADER = 8;

/** An IPv4/UDP datagram of `size` bytes in all, whose payload starts with `seq` (uint32). */
export function udpDatagram(src: string, dst: string, seq: number, size: number): Uint8Array {
  const p = new Uint8Array(Math.max(size, IP_HEADER + UDP_HEADER + 4));
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, p.length);
  v.setUint8(8, 64); // TTL
  v.setUint8(9, 17); // UDP
  p.set(parseAddress(src)!, 12);
  p.set(parseAddress(dst)!, 16);
  let sum = 0;
  for (let i = 0; i < IP_HEADER; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  v.setUint16(20, 4000);
  v.setUint16(22, 5000);
  v.setUint16(24, p.length - IP_HEADER);
  v.setUint32(28, seq);
  return p;
}

export function datagramSeq(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset).getUint32(28);
}

/** Sends `count` datagrams of `size` bytes, one every `intervalUs` from `startUs`, on iface 0. */
export class CbrSender implements SimNode {
  sent = 0;
  private next: number;
  private ready = false;

  constructor(
    private readonly src: string,
    private readonly dst: string,
    private readonly opts: { startUs: number; intervalUs: number; count: number; size: number },
  ) {
    this.next = opts.startUs;
  }

  receive(): void {}

  handleTimeout(now: number): void {
    if (now >= this.next && this.sent < this.opts.count) this.ready = true;
  }

  pollTransmit(): Transmit | undefined {
    if (!this.ready) return undefined;
    this.ready = false;
    const packet = udpDatagram(this.src, this.dst, this.sent++, this.opts.size);
    this.next += this.opts.intervalUs;
    return { packet, iface: 0 };
  }

  pollTimeout(): number | undefined {
    return this.sent < this.opts.count ? this.next : undefined;
  }
}

/** Records every datagram's arrival; with `echo`, sends each back with addresses swapped. */
export class Receiver implements SimNode {
  readonly arrivals: { time: number; seq: number; iface: number }[] = [];
  private readonly out: Transmit[] = [];

  constructor(private readonly echo = false) {}

  receive(packet: Uint8Array, iface: number, now: number): void {
    this.arrivals.push({ time: now, seq: datagramSeq(packet), iface });
    if (this.echo) {
      const reply = packet.slice();
      reply.set(packet.subarray(16, 20), 12);
      reply.set(packet.subarray(12, 16), 16);
      this.out.push({ packet: reply, iface });
    }
  }

  handleTimeout(): void {}

  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }
}

/**
 * An MptcpHost as a simulator node (DESIGN.md §6): the sans-I/O calls pass through, and after
 * each input the host's events go to `onEvent` with the virtual time, so an application reacts
 * within the same instant, as it would in a real event loop.
 */
import type { MptcpEvent } from "../stack/mptcp-events.js";
import type { MptcpHost } from "../stack/mptcp-host.js";
import type { SimNode, Transmit } from "./node.js";

export class HostNode implements SimNode {
  private now = 0;

  constructor(
    readonly host: MptcpHost,
    private readonly handler?: (e: MptcpEvent, now: number) => void,
  ) {}

  /** Where each event goes: the handler given, or a subclass's override. */
  protected onEvent(e: MptcpEvent, now: number): void {
    this.handler?.(e, now);
  }

  receive(packet: Uint8Array, iface: number, now: number): void {
    this.now = now;
    this.host.receive(packet, iface, now);
    this.dispatch();
  }

  handleTimeout(now: number): void {
    this.now = now;
    this.host.handleTimeout(now);
    this.dispatch();
  }

  pollTransmit(now: number): Transmit | undefined {
    this.now = now;
    const t = this.host.pollTransmit(now);
    // Events raised while sending (writable, closed) may make the application write more.
    if (t !== undefined || !this.dispatch()) return t;
    return this.host.pollTransmit(now);
  }

  pollTimeout(): number | undefined {
    return this.host.pollTimeout();
  }

  private dispatch(): boolean {
    let any = false;
    for (let e = this.host.pollEvent(); e !== undefined; e = this.host.pollEvent()) {
      any = true;
      this.onEvent(e, this.now);
    }
    return any;
  }
}

/**
 * A connection as the application sees it: the 4-tuple, the byte-stream calls, and statistics.
 * The protocol work is done by the TcpConnection it wraps; every call that may give that
 * connection something to send tells the Host, so the next `pollTransmit` picks it up.
 *
 * After calling `write`, `read`, `shutdown`, `close` or `abort`, poll the Host (`pollTransmit`
 * until undefined, then `pollTimeout`); under the simulator that is `sim.wake(handle)`.
 */
import type { TcpConnection, TcpStats } from "../tcp/connection.js";
import type { TcpState } from "../tcp/state.js";
import type { IpAddress } from "../wire/address.js";
import { formatAddress } from "../wire/address.js";
import type { IpHeader } from "../wire/ip.js";
import { IPPROTO_TCP, ipHeaderLength } from "../wire/ip.js";
import type { Ipv4HeaderTemplate } from "../wire/ipv4.js";
import type { HeapItem } from "./deadline-heap.js";
import type { TableEntry } from "./conn-table.js";
import type { Listener } from "./listener.js";

/** What a connection needs of its Host. */
export interface ConnectionOwner {
  /**
   * The application or the hook changed `conn`: it may have something to send or a new timer.
   * Outside the stack, call `Connection.wake()` instead.
   */
  touched(conn: Connection): void;
}

export class Connection implements HeapItem, TableEntry {
  /** Host-unique, in order of creation. */
  readonly id: number;
  readonly local: IpAddress;
  readonly localPort: number;
  readonly remote: IpAddress;
  readonly remotePort: number;
  /** The interface that owns the local address: every segment leaves through it. */
  readonly iface: number;
  /** True for a connection accepted by a listener. */
  readonly passive: boolean;

  /** @internal The TCP state machine. */
  readonly tcp: TcpConnection;
  /** @internal IP header for every segment of this connection. */
  readonly ipHeader: IpHeader;
  /** @internal Its length. */
  readonly ipHeaderLength: number;
  /**
   * @internal `ipHeader` prepared for emitting (IPv4 only), shared by the Host's connections
   * between the same two addresses.
   */
  ipv4Template: Ipv4HeaderTemplate | undefined = undefined;
  /** @internal Host bookkeeping: heap position, deadline, ready-list and table membership. */
  heapIndex = -1;
  deadline = 0;
  ready = false;
  removed = false;
  nextInBucket: this | undefined = undefined;
  /** @internal The listener of a passive connection until its handshake completes. */
  listener: Listener | undefined;
  /** @internal False while the application must not see its events (a passive open not yet
   * announced with "incoming", or one reset before it ever was). */
  announced: boolean;

  constructor(
    private readonly owner: ConnectionOwner,
    id: number,
    tcp: TcpConnection,
    local: IpAddress,
    remote: IpAddress,
    iface: number,
    listener: Listener | undefined,
  ) {
    this.id = id;
    this.tcp = tcp;
    this.local = local;
    this.localPort = tcp.localPort;
    this.remote = remote;
    this.remotePort = tcp.remotePort;
    this.iface = iface;
    this.passive = listener !== undefined;
    this.listener = listener;
    this.announced = listener === undefined;
    this.ipHeader = { src: local, dst: remote, protocol: IPPROTO_TCP };
    this.ipHeaderLength = ipHeaderLength(this.ipHeader);
  }

  get state(): TcpState {
    return this.tcp.state;
  }

  /** Bytes `write` would take now. */
  get writable(): number {
    return this.tcp.sendCapacity;
  }

  /** Bytes `read` would return now. */
  get readable(): number {
    return this.tcp.recvAvailable;
  }

  /**
   * Queues `data` for sending and returns how many bytes were taken (the send buffer's free
   * space); the rest must be offered again after a "writable" event. Data written before the
   * handshake completes is sent after it. The bytes are copied: the caller may reuse `data`.
   */
  write(data: Uint8Array): number {
    const n = this.tcp.send(data);
    if (n > 0) this.owner.touched(this);
    return n;
  }

  /** Takes up to `max` bytes of in-order data, or undefined when none is buffered. */
  read(max?: number): Uint8Array | undefined {
    const data = this.tcp.recv(max);
    // Reading may open the receive window enough to warrant a window update.
    if (data !== undefined) this.owner.touched(this);
    return data;
  }

  /** No more writes: a FIN follows the buffered data (half-close; reading continues). */
  shutdown(): void {
    this.tcp.shutdown();
    this.owner.touched(this);
  }

  /**
   * No more writes nor reads; unread or later-arriving data makes it a reset (RFC 9293 §3.10.4),
   * unless `discardLateData`: then it is acknowledged and dropped (TcpConnection.close).
   */
  close(discardLateData = false): void {
    this.tcp.close(discardLateData);
    this.owner.touched(this);
  }

  /** Resets the connection at once (RFC 9293 §3.10.5). */
  abort(): void {
    this.tcp.abort();
    this.owner.touched(this);
  }

  /**
   * Sends an ACK soon, even with nothing else to send: the higher layer riding on the connection
   * (its `TcpHook`) has options for a pure ACK (MPTCP: a DATA_ACK, a DATA_FIN, an ADD_ADDR).
   * Nothing is sent before the handshake completes nor after the connection closed.
   */
  requestAck(): void {
    this.tcp.requestAck();
    this.owner.touched(this);
  }

  /**
   * Tells the Host that this connection's state changed outside its own calls, so that the next
   * `pollTransmit` asks it for segments and the next `pollTimeout` re-reads its timers: the
   * higher layer (its `TcpHook`) would now reserve differently, for instance a DSS mapping is
   * ready for data TCP was holding, or its receive space grew. Cheap and idempotent.
   */
  wake(): void {
    this.owner.touched(this);
  }

  /** Bytes, segments, retransmissions, RTT estimates, congestion state and TCP state. */
  stats(): TcpStats {
    return this.tcp.stats();
  }

  toString(): string {
    const fmt = (a: IpAddress, p: number): string => (a.length === 4 ? `${formatAddress(a)}:${p}` : `[${formatAddress(a)}]:${p}`);
    return `${fmt(this.local, this.localPort)}<->${fmt(this.remote, this.remotePort)}`;
  }
}

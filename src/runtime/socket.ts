/**
 * `MptcpSocket`: one MPTCP connection as a `stream.Duplex`, in the shape of `net.Socket`.
 *
 * - Writing: `_write` offers the chunk to `conn.write`; what the connection's send buffer cannot
 *   take waits, with the chunk's callback, for the connection's "writable". Until then the
 *   stream buffers further writes up to `writableHighWaterMark` and `write()` returns false: the
 *   MPTCP send buffer's backpressure reaches the application.
 * - Reading: `_read` pulls from `conn.read` while `push` returns true; the rest stays in the
 *   connection, whose receive window then closes (RFC 8684 §3.3.4), and is pulled on the next
 *   `_read`. The peer's DATA_FIN (§3.3.3) ends the readable side once everything is read.
 * - `end()` is `conn.shutdown()`: a DATA_FIN after the data, reading continues. With
 *   `allowHalfOpen` false (the default, as in `net`) the socket ends itself when the peer does.
 * - `destroy()` before both directions ended is `conn.abort()`: MP_FASTCLOSE (§3.5), or a RST
 *   after a fallback. After a graceful end the connection finishes closing in the background.
 * - Multipath events of the connection are emitted on the socket by their names ("subflow-up",
 *   "subflow-down", "address-announced", "address-removed", "priority-changed", "fallback", and
 *   any kind added later), with the event record as the argument.
 */
import { Duplex } from "node:stream";
import type { MptcpConnection } from "../mptcp/connection.js";
import type { MptcpConnectionEvent } from "../mptcp/events.js";
import type { MptcpStats } from "../mptcp/stats.js";
import { formatAddress } from "../wire/address.js";
import { socketError } from "./errors.js";

/** What a socket needs from the stack that made it. */
export interface SocketOwner {
  /** Drain the host at the end of this tick (an application call changed something). */
  schedule(): void;
  /** The socket was destroyed; `linger` when the connection still closes gracefully. */
  socketDone(socket: MptcpSocket, linger: boolean): void;
}

export interface MptcpSocketOptions {
  /** Keep the writable side open when the peer ends (default false, as in `net`). */
  allowHalfOpen?: boolean;
  /** Bytes buffered by the stream above the connection before `write()` returns false (default 64 KiB). */
  writableHighWaterMark?: number;
  /** Bytes buffered by the stream before the connection is no longer read (default 64 KiB). */
  readableHighWaterMark?: number;
}

/** The kinds of connection event that belong to the byte stream; others are re-emitted. */
const STREAM_EVENTS = new Set(["connected", "readable", "writable", "peer-closed", "reset", "timed-out", "closed"]);

export class MptcpSocket extends Duplex {
  /** The MPTCP connection (sans-I/O) under this socket. */
  readonly connection: MptcpConnection;
  /** True until the handshake completes ("connect"), for an active open. */
  connecting: boolean;
  private readonly owner: SocketOwner;
  private readonly remote: { address: string; port: number };
  /** The part of a chunk the connection has not taken yet, and the chunk's callback. */
  private pending: Uint8Array | undefined;
  private pendingCb: ((err?: Error | null) => void) | undefined;
  /** `_read` was called and no `push` has returned false since. */
  private wantRead = false;
  private peerEnded = false;
  private eofPushed = false;
  /** The connection reported its last event ("closed"), or was reset or timed out. */
  private connDone = false;
  private noDelayValue = false;

  /** @internal Made by `Stack.connect` and by servers. */
  constructor(owner: SocketOwner, conn: MptcpConnection, remote: { address: string; port: number }, connecting: boolean, opts: MptcpSocketOptions = {}) {
    super({
      allowHalfOpen: opts.allowHalfOpen ?? false,
      writableHighWaterMark: opts.writableHighWaterMark ?? 64 * 1024,
      readableHighWaterMark: opts.readableHighWaterMark ?? 64 * 1024,
      // `destroy()` is called by the stream itself once both sides ended (autoDestroy).
      emitClose: true,
      autoDestroy: true,
    });
    this.owner = owner;
    this.connection = conn;
    this.remote = remote;
    this.connecting = connecting;
  }

  get remoteAddress(): string {
    return this.remote.address;
  }

  get remotePort(): number {
    return this.remote.port;
  }

  get remoteFamily(): "IPv4" | "IPv6" {
    return this.remote.address.includes(":") ? "IPv6" : "IPv4";
  }

  /** The initial subflow's local address (undefined before the stack chose one). */
  get localAddress(): string | undefined {
    const s = this.connection.subflow;
    return s === undefined ? undefined : formatAddress(s.local);
  }

  get localPort(): number | undefined {
    return this.connection.subflow?.localPort;
  }

  /** Like `net.Socket.address()`: the local end of the initial subflow. */
  address(): { address: string; family: string; port: number } | Record<string, never> {
    const address = this.localAddress;
    const port = this.localPort;
    if (address === undefined || port === undefined) return {};
    return { address, family: address.includes(":") ? "IPv6" : "IPv4", port };
  }

  /**
   * MPTCP statistics of the connection: mode, fallback reason, DSS checksums and, per subflow,
   * addresses, ports, backup flag, RTT (µs), cwnd, bytes and TCP state.
   */
  get mptcp(): MptcpStats {
    return this.connection.stats();
  }

  /** `net.Socket.readyState`. */
  get readyState(): "opening" | "open" | "readOnly" | "writeOnly" | "closed" {
    if (this.connecting) return "opening";
    if (this.destroyed) return "closed";
    const r = !this.readableEnded;
    const w = !this.writableEnded;
    return r && w ? "open" : r ? "readOnly" : w ? "writeOnly" : "closed";
  }

  /**
   * Recorded, not applied: Nagle's algorithm is a stack-wide setting of the TCP layer
   * (`createStack({ tcp: { nagle: false } })`), not per connection.
   */
  setNoDelay(noDelay = true): this {
    this.noDelayValue = noDelay;
    return this;
  }

  /** What `setNoDelay` last asked for. */
  get noDelay(): boolean {
    return this.noDelayValue;
  }

  /** Accepted for `net` compatibility; keepalives are a TCP-layer setting (`tcp.keepAlive`). */
  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }

  /** Accepted for `net` compatibility: the stack, not the socket, holds the process open. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Events of the connection (called by the stack)
  // ---------------------------------------------------------------------------------------------

  /** @internal */
  onConnectionEvent(e: MptcpConnectionEvent): void {
    switch (e.type) {
      case "connected":
        if (!this.connecting) break;
        this.connecting = false;
        this.emit("connect");
        this.emit("ready");
        break;
      case "readable":
        this.pull();
        break;
      case "writable":
        this.offerPending();
        break;
      case "peer-closed":
        this.peerEnded = true;
        this.pull();
        break;
      case "reset":
        this.connDone = true;
        // A RST answering our SYN is a refusal; any later one a reset (RFC 9293 §3.10.7.3).
        this.fail(this.connecting ? socketError("ECONNREFUSED", "connect", this.remote.address, this.remote.port) : socketError("ECONNRESET", "read"));
        break;
      case "timed-out":
        this.connDone = true;
        this.fail(socketError("ETIMEDOUT", this.connecting ? "connect" : "read", this.remote.address, this.remote.port));
        break;
      case "closed":
        this.connDone = true;
        // Both DATA_FINs were acknowledged: what is buffered can still be read. Closed without
        // the peer's DATA_FIN (our abort) leaves nothing to read.
        if (this.peerEnded) this.pull();
        else if (!this.destroyed) this.destroy();
        this.failPending();
        break;
      default:
        if (!STREAM_EVENTS.has(e.type)) this.emit(e.type, e);
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Duplex implementation
  // ---------------------------------------------------------------------------------------------

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.connDone) {
      cb(socketError("EPIPE", "write"));
      return;
    }
    const n = this.connection.write(chunk);
    this.owner.schedule();
    if (n === chunk.length) {
      cb();
      return;
    }
    this.pending = chunk.subarray(n);
    this.pendingCb = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.connDone) {
      cb(this.peerEnded ? null : socketError("EPIPE", "shutdown"));
      return;
    }
    this.connection.shutdown();
    this.owner.schedule();
    cb();
  }

  override _read(_size: number): void {
    this.wantRead = true;
    this.pull();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Both directions ended cleanly: the DATA_FINs finish in the background, as a kernel socket
    // lingers after close(). Anything else is an abort.
    const graceful = err === null && this.eofPushed && this.writableFinished;
    if (!this.connDone && !graceful) this.connection.abort();
    this.failPending();
    this.owner.socketDone(this, graceful && !this.connDone);
    this.owner.schedule();
    cb(err);
  }

  private pull(): void {
    const conn = this.connection;
    while (this.wantRead) {
      const b = conn.read();
      if (b === undefined) break;
      // The bytes are views of received datagrams, which nobody reuses: no copy.
      this.wantRead = this.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      // Reading reopens the shared receive window; the connection may owe a window update.
      this.owner.schedule();
    }
    if (this.peerEnded && !this.eofPushed && conn.readable === 0) {
      this.eofPushed = true;
      this.push(null);
    }
  }

  private offerPending(): void {
    const p = this.pending;
    if (p === undefined) return;
    const n = this.connection.write(p);
    this.owner.schedule();
    if (n < p.length) {
      this.pending = p.subarray(n);
      return;
    }
    const cb = this.pendingCb!;
    this.pending = undefined;
    this.pendingCb = undefined;
    cb();
  }

  private failPending(): void {
    const cb = this.pendingCb;
    if (cb === undefined) return;
    this.pending = undefined;
    this.pendingCb = undefined;
    cb(socketError("EPIPE", "write"));
  }

  private fail(err: Error): void {
    if (!this.destroyed) this.destroy(err);
  }
}

/**
 * `MptcpServer`: a listening port of the stack in the shape of `net.Server` — `listen`, `close`,
 * `address()`, and the "listening", "connection", "close" and "error" events.
 */
import { EventEmitter } from "node:events";
import type { MptcpListener } from "../stack/mptcp-host.js";
import type { MptcpSocket, MptcpSocketOptions } from "./socket.js";

export interface ServerOptions extends MptcpSocketOptions {
  /** Pause accepted sockets (default false); accepted for `net` compatibility. */
  pauseOnConnect?: boolean;
}

export interface ListenOptions {
  /** 0 or absent: an unused port of the stack's ephemeral range. */
  port?: number;
  /** Accept only on this address of the stack (default: any of its addresses). */
  host?: string;
  /** Accept-queue length (default: the stack's). */
  backlog?: number;
}

/** What a server needs from the stack that made it. */
export interface ServerOwner {
  /** Opens the listener or throws a socket error (EADDRINUSE, EADDRNOTAVAIL, EINVAL). */
  openListener(server: MptcpServer, opts: ListenOptions): MptcpListener;
  closeListener(server: MptcpServer, listener: MptcpListener): void;
}

export class MptcpServer extends EventEmitter {
  readonly options: ServerOptions;
  private readonly owner: ServerOwner;
  private listener: MptcpListener | undefined;
  private host: string | undefined;
  private readonly sockets = new Set<MptcpSocket>();
  private closing = false;

  /** @internal Use `Stack.createServer`. */
  constructor(owner: ServerOwner, options: ServerOptions, connectionListener?: (socket: MptcpSocket) => void) {
    super();
    this.owner = owner;
    this.options = options;
    if (connectionListener) this.on("connection", connectionListener);
  }

  get listening(): boolean {
    return this.listener !== undefined;
  }

  /**
   * `listen(port?, host?, backlog?, cb?)` or `listen({ port, host, backlog }, cb?)`. Errors
   * (EADDRINUSE, EADDRNOTAVAIL) are emitted as "error", as `net` does.
   */
  listen(port?: number | ListenOptions, host?: string | number | (() => void), backlog?: number | (() => void), cb?: () => void): this {
    let opts: ListenOptions;
    let done: (() => void) | undefined;
    if (typeof port === "object") {
      opts = port;
      done = typeof host === "function" ? host : undefined;
    } else {
      const rest = [host, backlog, cb];
      done = rest.find((a): a is () => void => typeof a === "function");
      opts = {
        ...(port !== undefined ? { port } : {}),
        ...(typeof host === "string" ? { host } : {}),
        ...(typeof host === "number" ? { backlog: host } : typeof backlog === "number" ? { backlog } : {}),
      };
    }
    if (done) this.once("listening", done);
    if (this.listener !== undefined) {
      process.nextTick(() => this.emit("error", Object.assign(new Error("Listen method has been called more than once without closing."), { code: "ERR_SERVER_ALREADY_LISTEN" })));
      return this;
    }
    try {
      this.listener = this.owner.openListener(this, opts);
      this.host = opts.host;
      this.closing = false;
      process.nextTick(() => this.emit("listening"));
    } catch (e) {
      process.nextTick(() => this.emit("error", e));
    }
    return this;
  }

  /** Like `net.Server.address()`: `{ address, family, port }`, or null when not listening. */
  address(): { address: string; family: string; port: number } | null {
    if (this.listener === undefined) return null;
    const address = this.host ?? "::";
    return { address, family: address.includes(":") ? "IPv6" : "IPv4", port: this.listener.port };
  }

  /**
   * Stops accepting; "close" follows once every connection this server accepted is closed, as
   * with `net`. `cb` gets an error (ERR_SERVER_NOT_RUNNING) if the server was not listening.
   */
  close(cb?: (err?: Error) => void): this {
    if (cb) {
      if (this.listener === undefined && !this.closing) {
        process.nextTick(() => cb(Object.assign(new Error("Server is not running."), { code: "ERR_SERVER_NOT_RUNNING" })));
      } else this.once("close", () => cb());
    }
    if (this.listener === undefined) return this;
    this.owner.closeListener(this, this.listener);
    this.listener = undefined;
    this.closing = true;
    this.maybeClosed();
    return this;
  }

  /** Connections accepted by this server and not yet closed. */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(() => cb(null, this.sockets.size));
    return this;
  }

  /** Accepted for `net` compatibility: the stack, not the server, holds the process open. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  /** @internal A connection completed its handshake on this server's port. */
  accepted(socket: MptcpSocket): void {
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.maybeClosed();
    });
    if (this.options.pauseOnConnect) socket.pause();
    this.emit("connection", socket);
  }

  private maybeClosed(): void {
    if (!this.closing || this.sockets.size > 0) return;
    this.closing = false;
    process.nextTick(() => this.emit("close"));
  }
}

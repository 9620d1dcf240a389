/**
 * Bulk applications on MPTCP connections for simulator programs (the demo, the experiments): a
 * source that writes N pseudo-random bytes (AES-CTR keystream from the simulation's seed) and
 * half-closes, and a sink that reads everything; both hash what they handle (SHA-256), so a run
 * checks end-to-end integrity without keeping the data.
 */
import { createHash, type Hash } from "node:crypto";
import type { MptcpConnection } from "../mptcp/connection.js";
import type { MptcpEvent } from "../stack/mptcp-events.js";
import type { Rng } from "../util/rng.js";
import { PayloadStream } from "./scenario/apps.js";

const CHUNK = 256 * 1024;

export class BulkSource {
  written = 0;
  private readonly stream: PayloadStream;
  private readonly hash: Hash = createHash("sha256");
  private pending: Uint8Array | undefined;
  private done = false;

  constructor(
    readonly bytes: number,
    rng: Rng,
  ) {
    this.stream = new PayloadStream(rng);
  }

  /** Writes what the connection takes; call on "connected"/"incoming" and on "writable". */
  pump(conn: MptcpConnection): void {
    while (this.written < this.bytes) {
      this.pending ??= this.stream.next(Math.min(CHUNK, this.bytes - this.written));
      const n = conn.write(this.pending);
      if (n === 0) return;
      this.hash.update(this.pending.subarray(0, n));
      this.written += n;
      this.pending = n === this.pending.length ? undefined : this.pending.subarray(n);
    }
    if (!this.done) {
      this.done = true;
      conn.shutdown();
    }
  }

  /**
   * A server's event handler: every incoming connection is accepted and fed, and fed again when
   * writable. Returns the last connection accepted on this event, if any.
   */
  serve(e: MptcpEvent): MptcpConnection | undefined {
    let accepted: MptcpConnection | undefined;
    if (e.type === "incoming") {
      for (let c = e.listener.accept(); c !== undefined; c = e.listener.accept()) {
        accepted = c;
        this.pump(c);
      }
    } else if (e.type === "writable") this.pump(e.connection);
    return accepted;
  }

  digest(): string {
    return this.hash.copy().digest("hex");
  }
}

export class BulkSink {
  received = 0;
  /** Virtual time of the last byte read. */
  lastAt = 0;
  private readonly hash: Hash = createHash("sha256");

  /** Reads everything readable; `onChunk` sees each piece with the time. Call on "readable". */
  drain(conn: MptcpConnection, now: number, onChunk?: (bytes: number, now: number) => void): void {
    for (let b = conn.read(); b !== undefined; b = conn.read()) {
      this.hash.update(b);
      this.received += b.length;
      this.lastAt = now;
      onChunk?.(b.length, now);
    }
  }

  digest(): string {
    return this.hash.copy().digest("hex");
  }
}
